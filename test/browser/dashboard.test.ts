import { existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { messageIdFor } from '../../activities/message-id';
import { workflowIdFor } from '../../workflows/definitions';
import { DEMO_POLICY } from '../../workflows/policy';
import { rejectionDocument } from '../helpers/fixtures';
import { KEYS, startApiHarness, type ApiHarness } from '../api/harness';
import { eventually } from '../helpers/eventually';

/**
 * The dashboard in a real browser (Debian's chromium, driven by playwright-core), against the API, a Temporal
 * dev server, a worker and a real SMTP server: load the list, open a sequence, edit and approve a waiting
 * draft, see the email arrive and the timeline update. Screenshots go to test/artifacts/ for a reviewer.
 */
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const ARTIFACTS = path.resolve(__dirname, '..', 'artifacts');
const ID = 'browser-e2e-1';

describe.skipIf(!existsSync(CHROMIUM))('the dashboard in headless Chromium', () => {
  let api: ApiHarness;
  let browser: Browser;
  let page: Page;

  beforeAll(async () => {
    mkdirSync(ARTIFACTS, { recursive: true });
    api = await startApiHarness();
    // A fast policy, and thank-you notes that wait for a person to approve them.
    const policy = { ...DEMO_POLICY, supportiveNote: false, delivery: { 'thank-you': 'approve' as const }, approvalTimeout: '1 hour', feedbackRequestDelay: '1 hour', otherOpeningsDelay: '1 hour', linkedInTaskDelay: '1 hour', checkInEvery: '1 hour' };
    const started = await api.call('POST', '/rejections', { key: KEYS.acme, json: rejectionDocument({ id: ID, rejectedAt: new Date().toISOString(), policy }) });
    expect(started.status).toBe(201);
    // Another sequence, to have something to filter out.
    await api.call('POST', '/rejections', {
      key: KEYS.acme,
      json: rejectionDocument({ id: 'browser-e2e-2', rejectedAt: new Date().toISOString(), company: 'Globex', candidate: { name: 'Mary Somerville', email: 'mary@example.com', timezone: 'Europe/London' } }),
    });
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
    page = await browser.newPage({ viewport: { width: 1360, height: 900 } });
    page.on('pageerror', (error) => console.error('page error:', error.message));
  });

  afterAll(async () => {
    await browser?.close();
    await api?.teardown();
  });

  it('lists the sequences, filters by stage and searches by candidate', async () => {
    await page.goto(`${api.url}/dashboard/#key=${KEYS.acme}`);
    // The key moves from the address bar to the tab's session storage.
    await expect.poll(() => page.url()).not.toContain(KEYS.acme);
    await page.locator('#sequences').getByText('Ada Lovelace').waitFor({ timeout: 20_000 });
    await page.locator('#tenant').getByText('tenant acme').waitFor();
    const row = page.locator(`tr[data-id="${ID}"]`);
    await expect.poll(() => row.locator('td').nth(3).textContent()).toBe('grieving');

    await page.getByLabel('Candidate').fill('somerville');
    await page.getByRole('button', { name: 'Search' }).click();
    await page.locator(`tr[data-id="${ID}"]`).waitFor({ state: 'detached' });
    expect(await page.locator('tr[data-id="browser-e2e-2"]').count()).toBe(1);
    await page.getByLabel('Candidate').fill('');
    await page.getByLabel('Stage').selectOption('hired');
    await page.getByText('No sequences match.').waitFor();
    await page.getByLabel('Stage').selectOption('');
    await row.waitFor();
    await page.screenshot({ path: path.join(ARTIFACTS, 'dashboard-list.png'), fullPage: true });
  });

  it('opens a sequence, approves an edited draft, and the email goes out and the timeline shows it', async () => {
    await page.locator(`tr[data-id="${ID}"] a`).click();
    await page.getByRole('heading', { name: 'Ada Lovelace — Senior Data Engineer at Acme Analytics' }).waitFor();
    await page.getByRole('button', { name: 'Ready now' }).click();

    // The thank-you notes are drafted and wait for approval.
    const draft = page.locator('[data-draft="thank-you:1"]');
    await draft.waitFor({ timeout: 30_000 });
    await page.locator('tr[data-step="thank-you:1"]').getByText('awaiting-approval').waitFor();
    const text = draft.getByLabel('Text');
    const edited = `${await text.inputValue()}\n\nP.S. I enjoyed our conversation about compilers.`;
    await text.fill(edited);
    await page.screenshot({ path: path.join(ARTIFACTS, 'dashboard-draft.png'), fullPage: true });
    await draft.getByRole('button', { name: 'Approve' }).click();

    // The email arrives at the SMTP server, with the edit.
    const mail = await eventually(() => {
      const found = api.smtp.received.find((message) => message.parsed.messageId === messageIdFor(workflowIdFor(ID, 'acme'), 'thank-you:1', 'onward.test'));
      if (!found) throw new Error('thank-you:1 has not arrived yet');
      return found;
    }, 30_000);
    expect(mail.to).toEqual(['grace@acme.example.com']);
    expect(mail.parsed.text).toContain('P.S. I enjoyed our conversation about compilers.');

    // The timeline shows it sent, with its Message-ID; the other draft still waits.
    const sentRow = page.locator('tr[data-step="thank-you:1"]');
    await sentRow.getByText('sent', { exact: true }).waitFor({ timeout: 20_000 });
    expect(await sentRow.textContent()).toContain(mail.parsed.messageId ?? 'no message id');
    await page.locator('[data-draft="thank-you:2"]').waitFor();
    expect(await page.locator('[data-draft="thank-you:1"]').count()).toBe(0);
    await page.screenshot({ path: path.join(ARTIFACTS, 'dashboard-sequence.png'), fullPage: true });
  });

  it('records feedback and progress, and shows outcomes with a chart', async () => {
    await page.locator('textarea[name="feedback"]').fill('More depth on distributed systems.');
    await page.getByRole('button', { name: 'Record feedback' }).click();
    await page.locator('#details').getByText('“More depth on distributed systems.”', { exact: false }).waitFor();
    await page.locator('input[name="applications"]').fill('4');
    await page.locator('input[name="interviews"]').fill('2');
    await page.getByRole('button', { name: 'Record progress' }).click();
    await page.locator('#details').getByText('Progress: 4 applications, 2 interviews', { exact: true }).waitFor();

    await page.getByRole('link', { name: 'Outcomes' }).click();
    const acme = page.locator('#outcomes tr', { hasText: 'Acme Analytics' });
    await acme.waitFor();
    expect(await acme.locator('td').nth(5).textContent()).toBe('4');
    expect(await page.locator('svg.chart rect').count()).toBeGreaterThan(0);
    await page.screenshot({ path: path.join(ARTIFACTS, 'dashboard-outcomes.png'), fullPage: true });
  });
});
