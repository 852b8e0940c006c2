import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = path.resolve(__dirname, '..', '..');

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

// The README's run command: `onward dev` brings up the server, a worker and the mailbox, and the demo's emails arrive.
describe('onward dev (the embedded default)', () => {
  it('runs the demo sequence into the local mailbox and stops cleanly on Ctrl-C', async () => {
    const dataDir = mkdtempSync(path.join(tmpdir(), 'onward-dev-'));
    const [temporalPort, uiPort, smtpPort, mailboxPort] = await Promise.all([freePort(), freePort(), freePort(), freePort()]);
    const dev = spawn(
      process.execPath,
      ['bin/onward.js', 'dev', '--data-dir', dataDir, '--temporal-port', `${temporalPort}`, '--ui-port', `${uiPort}`, '--smtp-port', `${smtpPort}`, '--mailbox-port', `${mailboxPort}`],
      { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let output = '';
    dev.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    dev.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const exited = new Promise<number | null>((resolve) => dev.on('exit', resolve));
    try {
      await expect.poll(() => output, { timeout: 60_000, interval: 250 }).toContain('Demo sequence started');
      expect(output).toContain(`http://127.0.0.1:${uiPort}`);
      expect(output).toContain(`http://127.0.0.1:${mailboxPort}/`);
      // The demo's supportive note arrives at once, the thank-you notes after its 20-second grieving period.
      const mailbox = path.join(dataDir, 'mailbox');
      await expect.poll(() => readdirSync(mailbox).length, { timeout: 60_000, interval: 500 }).toBeGreaterThanOrEqual(3);
      const page = await (await fetch(`http://127.0.0.1:${mailboxPort}/`)).text();
      expect(page).toContain('Thank you for your time');
    } finally {
      dev.kill('SIGINT');
    }
    expect(await exited).toBe(0);
    expect(output).toContain('Onward dev stopped.');
  });
});
