import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCodecServer, type CodecServer } from '../../client/codec-server';
import { serverExecutable } from '../../client/temporal-binaries';
import { createDataConverter } from '../../common/codec';
import { ONWARD_SEARCH_ATTRIBUTES } from '../../workflows/definitions';
import { freePort } from '../helpers/processes';
import { testKeys } from '../reliability/harness';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

// The Temporal web UI (of `temporal server start-dev`, as `onward dev` runs it) in headless Chromium, configured with
// the codec endpoint and its token: an operator sees the sequence's input decrypted, the server never did.
describe.skipIf(!existsSync(CHROMIUM))('the Temporal web UI decrypts payloads through the codec endpoint', () => {
  const keys = testKeys();
  const token = randomBytes(32).toString('base64url');
  const email = `ui.${randomBytes(4).toString('hex')}@candidate.example`;
  let codec: CodecServer;
  let env: TestWorkflowEnvironment;
  let browser: Browser;
  let uiPort: number;

  beforeAll(async () => {
    uiPort = await freePort();
    codec = await startCodecServer({ keyring: keys.keyring, token, port: 0, allowedOrigins: [`http://127.0.0.1:${uiPort}`, `http://localhost:${uiPort}`] });
    env = await TestWorkflowEnvironment.createLocal({
      server: {
        executable: serverExecutable('temporal'),
        ip: '127.0.0.1',
        ui: true,
        uiPort,
        searchAttributes: [...ONWARD_SEARCH_ATTRIBUTES],
        extraArgs: ['--ui-codec-endpoint', `${codec.url}/${token}`],
      },
      client: { dataConverter: createDataConverter(keys.keyring) },
    });
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
  });

  afterAll(async () => {
    await browser?.close();
    await env?.teardown();
    await codec?.close();
  });

  it("shows a sequence's input decrypted, fetched through the codec endpoint with the UI's token", { timeout: 90_000 }, async () => {
    // No worker is needed: the input is in the history from the start.
    const handle = await env.client.workflow.start('rejectionFollowUp', { taskQueue: 'nobody-polls-this', workflowId: 'rejection-ui-codec-1', args: [{ candidate: { email } }] });
    const page = await browser.newPage();
    const decodes: number[] = [];
    page.on('response', (response) => {
      if (new URL(response.url()).pathname.endsWith('/decode')) decodes.push(response.status());
    });
    try {
      await page.goto(`http://127.0.0.1:${uiPort}/namespaces/default/workflows/${handle.workflowId}`, { waitUntil: 'load' });
      await expect.poll(() => page.content(), { timeout: 45_000, interval: 500 }).toContain(email);
      expect(decodes.length).toBeGreaterThan(0);
      expect(decodes.every((status) => status === 200)).toBe(true);

      // The control: the same page with the codec endpoint unreachable shows no address (the server only has ciphertext).
      const blind = await browser.newPage();
      await blind.route('**/decode**', (route) => route.abort());
      await blind.goto(`http://127.0.0.1:${uiPort}/namespaces/default/workflows/${handle.workflowId}`, { waitUntil: 'load' });
      await expect.poll(() => blind.content(), { timeout: 45_000, interval: 500 }).toContain(handle.workflowId);
      await new Promise((resolve) => setTimeout(resolve, 3000));
      expect(await blind.content()).not.toContain(email);
      await blind.close();
    } finally {
      await page.close();
      await handle.terminate('test over');
    }
  });
});
