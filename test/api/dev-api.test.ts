import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { SequenceListItem } from '../../client/api/service';

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

// `onward dev` (the README's run command) also serves the API and the dashboard, and prints their URL with a dev key.
describe('onward dev with the API and dashboard', () => {
  it('prints the dashboard URL and a dev API key that sees the demo sequence', async () => {
    const dataDir = mkdtempSync(path.join(tmpdir(), 'onward-dev-api-'));
    const [temporalPort, uiPort, smtpPort, mailboxPort, apiPort] = await Promise.all([freePort(), freePort(), freePort(), freePort(), freePort()]);
    const dev = spawn(
      process.execPath,
      ['bin/onward.js', 'dev', '--data-dir', dataDir, '--temporal-port', `${temporalPort}`, '--ui-port', `${uiPort}`, '--smtp-port', `${smtpPort}`, '--mailbox-port', `${mailboxPort}`, '--api-port', `${apiPort}`],
      { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let output = '';
    dev.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    dev.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const exited = new Promise<number | null>((resolve) => dev.on('exit', resolve));
    try {
      await expect.poll(() => output, { timeout: 90_000, interval: 250 }).toContain('Demo sequence started');
      const dashboard = /Dashboard\s+(http:\/\/127\.0\.0\.1:(\d+)\/dashboard\/)#key=(\S+)/.exec(output);
      expect(dashboard, output).not.toBeNull();
      const [, dashboardUrl, port, key] = dashboard as unknown as [string, string, string, string];
      expect(Number(port)).toBe(apiPort);
      expect(output).toContain(`API key ${key}`);

      const page = await fetch(dashboardUrl);
      expect(page.status).toBe(200);
      expect(await page.text()).toContain('<script type="module" src="/dashboard/app.js">');
      const script = await fetch(`http://127.0.0.1:${apiPort}/dashboard/app.js`);
      expect(script.headers.get('content-type')).toContain('javascript');

      await expect
        .poll(
          async () => {
            const response = await fetch(`http://127.0.0.1:${apiPort}/sequences`, { headers: { authorization: `Bearer ${key}` } });
            const body = (await response.json()) as { tenant: string; sequences: SequenceListItem[] };
            return body.sequences.map((sequence) => `${body.tenant}:${sequence.rejectionId.replace(/\d+$/, '')}`);
          },
          { timeout: 30_000, interval: 500 },
        )
        .toContain('dev:demo-');
      expect((await fetch(`http://127.0.0.1:${apiPort}/sequences`)).status).toBe(401);
    } finally {
      dev.kill('SIGINT');
    }
    expect(await exited).toBe(0);
    expect(output).toContain('Onward dev stopped.');
  });
});
