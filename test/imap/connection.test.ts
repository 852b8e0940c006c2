import { existsSync } from 'node:fs';
import { Client, Connection } from '@temporalio/client';
import { afterEach, describe, expect, it } from 'vitest';
import { imapMailboxFrom } from '../../worker/replies/imap-mailbox';
import { startReplyWatcher, type ReplyWatcher } from '../../worker/replies/watcher';
import { DOVECOT, startDovecot, type TestImapServer } from '../helpers/dovecot';
import { freePort } from '../helpers/processes';

// Connection trouble only: the watcher never gets as far as Temporal, whose client connects lazily and is never used.
describe.skipIf(!existsSync(DOVECOT))('the IMAP watcher when the mailbox cannot be reached', () => {
  const cleanups: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });
  const watch = (url: string, log: string[]): ReplyWatcher => {
    const client = new Client({ connection: Connection.lazy({ address: '127.0.0.1:1' }) });
    const watcher = startReplyWatcher({ mailbox: imapMailboxFrom(url), client, domain: 'onward.test', log: (line) => log.push(line), retry: { initialMs: 100, maxMs: 400 } });
    cleanups.push(() => watcher.stop());
    return watcher;
  };
  const server = async (options: { port?: number } = {}): Promise<TestImapServer> => {
    const started = await startDovecot(options);
    cleanups.push(() => started.close());
    return started;
  };

  it('retries a refused login with a growing wait, and never logs the password', async () => {
    const imap = await server();
    const wrong = 'Wr0ng-Secret/Passw0rd';
    const log: string[] = [];
    watch(imap.url.replace(encodeURIComponent(imap.password), encodeURIComponent(wrong)), log);

    await expect.poll(() => log.length, { timeout: 20_000, interval: 100 }).toBeGreaterThanOrEqual(4);
    expect(log.slice(0, 4).map((line) => /trying again in (\d+ ms)$/.exec(line)?.[1])).toEqual(['100 ms', '200 ms', '400 ms', '400 ms']);
    expect(log[0]).toContain(`imap://${encodeURIComponent(imap.user)}:***@127.0.0.1:${imap.port}/INBOX`);
    expect(log[0]).toMatch(/auth/i);
    for (const line of log) expect(line).not.toMatch(/Wr0ng|Passw0rd/);
    expect(imap.log()).toMatch(/auth failed|Authentication failed|password mismatch/i);
  }, 40_000);

  it('keeps trying while the server is down, and watches the mailbox once it is up', async () => {
    const port = await freePort();
    const log: string[] = [];
    watch(`imap://replies%40agency.test:imap-test-password@127.0.0.1:${port}/INBOX`, log);
    await expect.poll(() => log.filter((line) => line.includes('ECONNREFUSED')).length, { timeout: 10_000, interval: 100 }).toBeGreaterThanOrEqual(2);

    await server({ port });
    await expect.poll(() => log.at(-1) ?? '', { timeout: 20_000, interval: 100 }).toContain(`watching imap://replies%40agency.test:***@127.0.0.1:${port}/INBOX`);
  }, 40_000);
});
