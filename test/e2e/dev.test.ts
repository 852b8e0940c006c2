import { readdirSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { startDev } from '../helpers/processes';

// The README's run command: `onward dev` brings up the server, a worker and the mailbox, and the demo's emails arrive.
describe('onward dev (the embedded default)', () => {
  it('runs the demo sequence into the local mailbox and stops cleanly on Ctrl-C', async () => {
    const dev = await startDev({ dataDirPrefix: 'onward-dev-' });
    const { ui: uiPort, mailbox: mailboxPort } = dev.ports;
    try {
      await expect.poll(() => dev.output(), { timeout: 60_000, interval: 250 }).toContain('Demo sequence started');
      expect(dev.output()).toContain(`http://127.0.0.1:${uiPort}`);
      expect(dev.output()).toContain(`http://127.0.0.1:${mailboxPort}/`);
      // The demo's supportive note arrives at once, the thank-you notes after its 20-second grieving period.
      const mailbox = path.join(dev.dataDir, 'mailbox');
      await expect.poll(() => readdirSync(mailbox).length, { timeout: 60_000, interval: 500 }).toBeGreaterThanOrEqual(3);
      const page = await (await fetch(`http://127.0.0.1:${mailboxPort}/`)).text();
      expect(page).toContain('Thank you for your time');
    } finally {
      dev.interrupt();
    }
    expect(await dev.exited).toBe(0);
    expect(dev.output()).toContain('Onward dev stopped.');
  });
});
