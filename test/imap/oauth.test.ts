import { existsSync } from 'node:fs';
import { Client, Connection } from '@temporalio/client';
import { afterEach, describe, expect, it } from 'vitest';
import { imapMailboxFrom } from '../../worker/replies/imap-mailbox';
import { createAccessTokenSource, type ImapOAuthSettings } from '../../worker/replies/oauth-token';
import { startReplyWatcher } from '../../worker/replies/watcher';
import { DOVECOT, startDovecot, type TestImapServer } from '../helpers/dovecot';
import { startOAuthProvider, type TestOAuthProvider } from '../helpers/oauth-provider';

const USER = 'replies@agency.test';

// XOAUTH2 logins against dovecot's oauth2 passdb, which asks the test's identity provider (token + introspection
// endpoints) about each token. The mailbox stays empty, so the watcher never gets as far as Temporal.
describe.skipIf(!existsSync(DOVECOT))('the IMAP watcher logging in with XOAUTH2', () => {
  const cleanups: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });
  const provider = async (lifetimeSeconds?: number): Promise<TestOAuthProvider> => {
    const started = await startOAuthProvider({ user: USER, ...(lifetimeSeconds ? { lifetimeSeconds } : {}) });
    cleanups.push(() => started.close());
    return started;
  };
  const server = async (idp: TestOAuthProvider, port?: number): Promise<TestImapServer> => {
    const started = await startDovecot({ user: USER, oauth2IntrospectionUrl: idp.introspectionUrl, ...(port ? { port } : {}) });
    cleanups.push(() => started.close());
    return started;
  };
  const watch = (imap: TestImapServer, settings: ImapOAuthSettings, log: string[]) => {
    const client = new Client({ connection: Connection.lazy({ address: '127.0.0.1:1' }) });
    const watcher = startReplyWatcher({
      mailbox: imapMailboxFrom(`imap://${encodeURIComponent(USER)}@127.0.0.1:${imap.port}/INBOX`),
      client,
      domain: 'onward.test',
      log: (line) => log.push(line),
      accessToken: createAccessTokenSource(settings),
      retry: { initialMs: 100, maxMs: 400 },
    });
    cleanups.push(() => watcher.stop());
  };
  const watching = (log: string[]) => log.filter((line) => line.includes('watching')).length;
  const grantOf = (idp: TestOAuthProvider) => ({ tokenUrl: idp.tokenUrl, clientId: idp.clientId, clientSecret: idp.clientSecret, refreshToken: idp.refreshToken });

  it('logs in with a token from the refresh-token grant, and asks for one only once', async () => {
    const idp = await provider();
    const imap = await server(idp);
    const log: string[] = [];
    watch(imap, grantOf(idp), log);

    await expect.poll(() => watching(log), { timeout: 15_000, interval: 100 }).toBe(1);
    expect(imap.log()).toMatch(/Login: user=<replies@agency\.test>, method=XOAUTH2/);
    expect(idp.grants).toEqual([{ grant_type: 'refresh_token', refresh_token: idp.refreshToken, client_id: idp.clientId, client_secret: idp.clientSecret }]);
  }, 30_000);

  it('logs in with the client-credentials grant (Microsoft 365 app-only), asking for the scope', async () => {
    const idp = await provider();
    const imap = await server(idp);
    const log: string[] = [];
    watch(imap, { tokenUrl: idp.tokenUrl, clientId: idp.clientId, clientSecret: idp.clientSecret, scope: 'https://outlook.office365.com/.default' }, log);

    await expect.poll(() => watching(log), { timeout: 15_000, interval: 100 }).toBe(1);
    expect(idp.grants).toEqual([{ grant_type: 'client_credentials', client_id: idp.clientId, client_secret: idp.clientSecret, scope: 'https://outlook.office365.com/.default' }]);
  }, 30_000);

  it('reconnects with a new token once the cached one is about to expire, using the rotated refresh token', async () => {
    // 62 s tokens are renewed 60 s early: after 2 s the cached one is stale.
    const idp = await provider(62);
    const first = await server(idp);
    const log: string[] = [];
    watch(first, grantOf(idp), log);
    await expect.poll(() => watching(log), { timeout: 15_000, interval: 100 }).toBe(1);

    await new Promise((resolve) => setTimeout(resolve, 2_500));
    await first.close();
    await server(idp, first.port);
    await expect.poll(() => watching(log), { timeout: 20_000, interval: 100 }).toBe(2);
    expect(idp.grants.map((grant) => grant.grant_type)).toEqual(['refresh_token', 'refresh_token']);
    expect(idp.grants[1]?.refresh_token).not.toBe(idp.refreshToken);
  }, 40_000);

  it('asks for a new token when the server refuses the cached one, and logs the refusal without the token', async () => {
    const idp = await provider();
    const first = await server(idp);
    const log: string[] = [];
    watch(first, grantOf(idp), log);
    await expect.poll(() => watching(log), { timeout: 15_000, interval: 100 }).toBe(1);

    // The token is revoked while the watcher is connected; the server restarts and refuses it on the next login.
    idp.revokeAll();
    await first.close();
    await server(idp, first.port);
    await expect.poll(() => watching(log), { timeout: 20_000, interval: 100 }).toBe(2);
    const refusal = log.find((line) => line.includes('Authentication failed.') && line.includes('the server refused the access token: status 401'));
    expect(refusal).toBeDefined();
    expect(idp.issued).toHaveLength(2);
    for (const line of log) for (const secret of [...idp.issued, idp.clientSecret, idp.refreshToken]) expect(line).not.toContain(secret);
  }, 40_000);

  it('reports a refresh token the provider refuses, with its reason, and keeps trying without leaking secrets', async () => {
    const idp = await provider();
    const imap = await server(idp);
    const log: string[] = [];
    const revoked = 'refresh-token-that-was-revoked';
    watch(imap, { ...grantOf(idp), refreshToken: revoked }, log);

    await expect.poll(() => log.length, { timeout: 15_000, interval: 100 }).toBeGreaterThanOrEqual(2);
    expect(log[0]).toContain(`the OAuth token endpoint ${new URL(idp.tokenUrl).origin} refused: invalid_grant (The refresh token is invalid or has been revoked.)`);
    expect(log[0]).toMatch(/trying again in 100 ms$/);
    expect(watching(log)).toBe(0);
    for (const line of log) for (const secret of [revoked, idp.clientSecret]) expect(line).not.toContain(secret);
  }, 30_000);
});
