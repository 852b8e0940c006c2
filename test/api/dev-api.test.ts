import { describe, expect, it } from 'vitest';
import type { SequenceListItem } from '../../client/api/service';
import { eventually } from '../helpers/eventually';
import { freePort, startDev } from '../helpers/processes';

// `onward dev` (the README's run command) also serves the API and the dashboard, and prints their URL with a dev key;
// the demo's emails in the local mailbox carry action links that work against that API.
describe('onward dev with the API and dashboard', () => {
  it('prints the dashboard URL and a dev API key that sees the demo sequence', async () => {
    const apiPort = await freePort();
    const dev = await startDev({ dataDirPrefix: 'onward-dev-api-', apiPort });
    try {
      await expect.poll(() => dev.output(), { timeout: 90_000, interval: 250 }).toContain('Demo sequence started');
      const output = dev.output();
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

      // The demo's supportive note, in the local mailbox, carries action links that work against this running API.
      const mailbox = `http://127.0.0.1:${dev.ports.mailbox}`;
      const jobLink = await eventually(async () => {
        const list = await (await fetch(mailbox)).text();
        for (const [, message] of list.matchAll(/href="(\/messages\/[^"]+)"/g)) {
          const shown = await (await fetch(`${mailbox}${message}`)).text();
          const link = /I got a job: <a href="([^"]+)"/.exec(shown)?.[1];
          if (link) return link.replace(/&#x3D;/g, '=').replace(/&amp;/g, '&');
        }
        throw new Error('no email with action links in the mailbox yet');
      }, 60_000, 1000);
      expect(jobLink).toMatch(new RegExp(`^http://127\\.0\\.0\\.1:${apiPort}/act\\?token=`));
      const confirmation = await fetch(jobLink);
      expect(await confirmation.text()).toContain('You got a job?');
      const token = new URL(jobLink).searchParams.get('token') ?? '';
      const done = await fetch(`http://127.0.0.1:${apiPort}/act`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams({ token }) });
      expect(await done.text()).toContain('Congratulations!');
      const demo = (await (await fetch(`http://127.0.0.1:${apiPort}/sequences`, { headers: { authorization: `Bearer ${key}` } })).json()) as { sequences: SequenceListItem[] };
      expect(demo.sequences.map((sequence) => sequence.stage)).toEqual(['hired']);
    } finally {
      dev.interrupt();
    }
    expect(await dev.exited).toBe(0);
    expect(dev.output()).toContain('Onward dev stopped.');
  });
});
