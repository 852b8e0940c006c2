import { describe, expect, it } from 'vitest';
import type { SequenceListItem } from '../../client/api/service';
import { freePort, startDev } from '../helpers/processes';

// `onward dev` (the README's run command) also serves the API and the dashboard, and prints their URL with a dev key.
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
    } finally {
      dev.interrupt();
    }
    expect(await dev.exited).toBe(0);
    expect(dev.output()).toContain('Onward dev stopped.');
  });
});
