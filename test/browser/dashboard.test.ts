import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { chromium, type Browser, type Locator, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { messageIdFor } from '../../activities/message-id';
import { workflowIdFor } from '../../workflows/definitions';
import { DEMO_POLICY } from '../../workflows/policy';
import { rejectionDocument } from '../helpers/fixtures';
import { KEYS, startApiHarness, type ApiHarness } from '../api/harness';
import { eventually } from '../helpers/eventually';

/**
 * The dashboard in a real browser (Debian's chromium, driven by playwright-core), against the API, a Temporal
 * dev server, a worker and a real SMTP server: the list's search, filters and pages; the approvals inbox, whose
 * edited approval reaches the SMTP server; the sequence page with the text sent; outcomes charts and their CSV;
 * each page at phone width. Screenshots of each page, desktop and phone, go to docs/dashboard/.
 */
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const SCREENSHOTS = path.resolve(__dirname, '..', '..', 'docs', 'dashboard');
const ID = 'browser-e2e-1';
const PHONE = { width: 375, height: 812 };
const DESKTOP = { width: 1360, height: 900 };
const PS = 'P.S. I enjoyed our conversation about compilers.';
/** Sequences beyond the two named ones, so the list has more than one page of 10. */
const FILLERS = 10;

describe.skipIf(!existsSync(CHROMIUM))('the dashboard in headless Chromium', () => {
  let api: ApiHarness;
  let browser: Browser;
  let page: Page;

  /** Both widths of the page as it is, into docs/dashboard/<name>-desktop.png and -phone.png; the phone never scrolls sideways. */
  async function screenshots(name: string): Promise<void> {
    await page.screenshot({ path: path.join(SCREENSHOTS, `${name}-desktop.png`), fullPage: true });
    await page.setViewportSize(PHONE);
    await expect.poll(() => page.evaluate<number>('document.documentElement.scrollWidth')).toBeLessThanOrEqual(PHONE.width);
    await page.screenshot({ path: path.join(SCREENSHOTS, `${name}-phone.png`), fullPage: true });
    await page.setViewportSize(DESKTOP);
  }

  beforeAll(async () => {
    mkdirSync(SCREENSHOTS, { recursive: true });
    api = await startApiHarness();
    // A fast policy, and thank-you notes that wait for a person to approve them.
    const policy = { ...DEMO_POLICY, supportiveNote: false, delivery: { 'thank-you': 'approve' as const }, approvalTimeout: '2 days', feedbackRequestDelay: '1 hour', otherOpeningsDelay: '1 hour', linkedInTaskDelay: '1 hour', checkInEvery: '1 hour' };
    const started = await api.call('POST', '/rejections', { key: KEYS.acme, json: { ...rejectionDocument({ id: ID, rejectedAt: new Date().toISOString(), policy }), coach: 'Hedy Lamarr' } });
    expect(started.status).toBe(201);
    // Another sequence, to have something to filter out, rejected a month earlier with another coach.
    await api.call('POST', '/rejections', {
      key: KEYS.acme,
      json: {
        ...rejectionDocument({ id: 'browser-e2e-2', rejectedAt: new Date(Date.now() - 30 * 24 * 3600_000).toISOString(), company: 'Globex', candidate: { name: 'Mary Somerville', email: 'mary@example.com', timezone: 'Europe/London' } }),
        coach: 'Emmy Noether',
      },
    });
    for (let index = 1; index <= FILLERS; index++) {
      const filler = rejectionDocument({ id: `browser-filler-${index}`, rejectedAt: new Date(Date.now() - (40 + index) * 24 * 3600_000).toISOString(), company: 'Initech', candidate: { name: `Filler Person ${index}`, email: `filler${index}@example.com`, timezone: 'Europe/London' } });
      expect((await api.call('POST', '/rejections', { key: KEYS.acme, json: filler })).status).toBe(201);
    }
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
    page = await browser.newPage({ viewport: DESKTOP, locale: 'en-GB', timezoneId: 'Europe/London', acceptDownloads: true });
    page.on('pageerror', (error) => console.error('page error:', error.message));
    // A Content-Security-Policy refusal (an inline style, a CDN) would show here.
    page.on('console', (message) => {
      if (message.type() === 'error') console.error('console error:', message.text());
    });
  });

  afterAll(async () => {
    await browser?.close();
    await api?.teardown();
  });

  /** One attribute of every element the locator finds, in page order. */
  const attributes = async (locator: Locator, name: string): Promise<(string | null)[]> => Promise.all((await locator.all()).map((element) => element.getAttribute(name)));
  /** Searches with what the form holds, and waits for the list of the address it leads to. */
  const search = async (expected: string) => {
    await page.getByRole('button', { name: 'Search' }).click();
    await page.locator(`#sequences[data-for="${expected}"]`).waitFor({ timeout: 30_000 });
  };
  const card = (id: string) => page.locator(`#sequences li[data-id="${id}"]`);

  it('lists the sequences as cards, searches by part of a name or company, filters by stage, coach and date, keeps it all in the address', async () => {
    await page.goto(`${api.url}/dashboard/#key=${KEYS.acme}`);
    // The key moves from the address bar to the tab's session storage.
    await expect.poll(() => page.url()).not.toContain(KEYS.acme);
    await card(ID).waitFor({ timeout: 30_000 });
    await page.locator('#tenant').getByText('tenant acme').waitFor();
    expect(await card(ID).locator('.badge').textContent()).toMatch(/^(grieving|following-up)$/);
    expect(await card(ID).textContent()).toContain('Coach: Hedy Lamarr');

    await page.getByLabel('Search').fill('SOMERV');
    await search('#/?q=SOMERV');
    expect(await attributes(page.locator('#sequences li[data-id]'), 'data-id')).toEqual(['browser-e2e-2']);
    // A reload keeps the search: it lives in the address.
    await page.reload();
    await page.locator('#sequences[data-for="#/?q=SOMERV"]').waitFor({ timeout: 30_000 });
    expect(await page.getByLabel('Search').inputValue()).toBe('SOMERV');
    expect(await attributes(page.locator('#sequences li[data-id]'), 'data-id')).toEqual(['browser-e2e-2']);

    await page.getByLabel('Search').fill('globe');
    await search('#/?q=globe');
    expect(await attributes(page.locator('#sequences li[data-id]'), 'data-id')).toEqual(['browser-e2e-2']);

    await page.getByLabel('Search').fill('');
    await page.getByLabel('Coach').fill('hedy lamarr');
    await search('#/?coach=hedy+lamarr');
    expect(await attributes(page.locator('#sequences li[data-id]'), 'data-id')).toEqual([ID]);

    await page.getByLabel('Coach').fill('');
    const since = new Date(Date.now() - 35 * 24 * 3600_000).toISOString().slice(0, 10);
    await page.getByLabel('Rejected from').fill(since);
    await search(`#/?from=${since}`);
    // Running sequences come most recently started first (the visibility store's order): ID was started first.
    expect(await attributes(page.locator('#sequences li[data-id]'), 'data-id')).toEqual(['browser-e2e-2', ID]);
    await page.getByLabel('Rejected from').fill('');
    await page.getByLabel('Rejected to').fill(since);
    await search(`#/?to=${since}`);
    expect(await page.locator('#sequences li[data-id]').count()).toBe(FILLERS);
    await page.getByLabel('Rejected to').fill('');

    await page.getByLabel('Stage').selectOption('hired');
    await page.locator('#sequences[data-for="#/?stage=hired"]').getByText('No sequences match.').waitFor({ timeout: 30_000 });
    await page.getByLabel('Stage').selectOption('');
    await page.locator('#sequences[data-for="#/"]').waitFor({ timeout: 30_000 });
    expect(await page.locator('#sequences li[data-id]').count()).toBe(2 + FILLERS);
  });

  it('pages through the list, next and previous, the most recently started first', async () => {
    await page.goto(`${api.url}/dashboard/#/`);
    await page.getByLabel('Per page').selectOption('10');
    await page.locator('#sequences[data-for="#/?pageSize=10"]').waitFor({ timeout: 30_000 });
    expect(await page.locator('#sequences li[data-id]').count()).toBe(10);
    const first = await attributes(page.locator('#sequences li[data-id]'), 'data-id');
    expect(first.slice(0, 3)).toEqual([`browser-filler-${FILLERS}`, `browser-filler-${FILLERS - 1}`, `browser-filler-${FILLERS - 2}`]);
    expect(await page.getByRole('button', { name: '← Previous' }).isDisabled()).toBe(true);

    await page.getByRole('button', { name: 'Next →' }).click();
    await expect.poll(() => page.locator('#sequences li[data-id]').count()).toBe(2);
    const second = await attributes(page.locator('#sequences li[data-id]'), 'data-id');
    expect(second).toEqual(['browser-e2e-2', ID]);
    expect(await page.getByRole('button', { name: 'Next →' }).isDisabled()).toBe(true);

    await page.getByRole('button', { name: '← Previous' }).click();
    await card(`browser-filler-${FILLERS}`).waitFor();
    expect(await page.locator('#sequences li[data-id]').count()).toBe(10);
    await page.getByLabel('Per page').selectOption('25');
    await expect.poll(() => page.locator('#sequences li[data-id]').count()).toBe(2 + FILLERS);
    await screenshots('sequences');
  });

  it('approves an edited draft from the inbox: the email goes out with the edit', async () => {
    await page.goto(`${api.url}/dashboard/#/sequences/${ID}`);
    await page.getByRole('heading', { name: 'Ada Lovelace — Senior Data Engineer at Acme Analytics' }).waitFor({ timeout: 30_000 });
    // Grieving may have ended already (the demo policy's is short): "ready" then changes nothing.
    await api.call('POST', `/sequences/${ID}/ready`, { key: KEYS.acme, json: {} });

    await page.getByRole('link', { name: 'Approvals' }).click();
    const draft = page.locator(`[data-approval="${ID}/thank-you:1"]`);
    await eventually(async () => {
      await page.reload();
      await draft.waitFor({ timeout: 3000 });
    }, 40_000);
    // Oldest first, each with its step for people, its deadline and what happens at it in words.
    expect(await attributes(page.locator('#approvals > li'), 'data-approval')).toEqual([`${ID}/thank-you:1`, `${ID}/thank-you:2`]);
    expect(await draft.textContent()).toContain('Thank-you note to Grace Hopper');
    expect(await draft.locator('.deadline').textContent()).toMatch(/^Decide in 2 days, \w+day \d{1,2} \w+( at)? \d{2}:\d{2}: sent as it is \w+day .* if nobody decides\.$/);
    const text = draft.getByLabel('Text');
    expect(await text.inputValue()).toContain('Grace');
    await text.fill(`${await text.inputValue()}\n\n${PS}`);
    await draft.getByLabel('Subject').fill('Thank you, Grace');
    await screenshots('approvals');
    await draft.getByRole('button', { name: 'Approve' }).click();
    await draft.waitFor({ state: 'detached' });

    // The email arrives at the SMTP server, with the edits.
    const mail = await eventually(() => {
      const found = api.smtp.received.find((message) => message.parsed.messageId === messageIdFor(workflowIdFor(ID, 'acme'), 'thank-you:1', 'onward.test'));
      if (!found) throw new Error('thank-you:1 has not arrived yet');
      return found;
    }, 30_000);
    expect(mail.to).toEqual(['grace@acme.example.com']);
    expect(mail.parsed.subject).toBe('Thank you, Grace');
    expect(mail.parsed.text).toContain(PS);
  });

  it('shows the sequence: the text sent, steps named for people in time order, no Message-ID in the main view', async () => {
    await page.goto(`${api.url}/dashboard/#/sequences/${ID}`);
    const sent = page.locator('#messages [data-message="thank-you:1"]');
    await sent.waitFor({ timeout: 30_000 });
    expect(await sent.locator('.subject').textContent()).toBe('Thank you, Grace');
    expect(await sent.locator('pre.body').textContent()).toContain(PS);
    expect(await sent.textContent()).toContain('Thank-you note to Grace Hopper');

    const timeline = page.locator('#timeline ol.timeline');
    expect(await timeline.locator('[data-step="thank-you:1"] .step').textContent()).toBe('Thank-you note to Grace Hopper');
    expect(await timeline.locator('[data-step="check-in:1"] .step').textContent()).toBe('Check-in 1 with Ada Lovelace');
    const times = await attributes(timeline.locator('time'), 'datetime');
    expect(times).toEqual([...times].sort());
    expect(await timeline.textContent()).not.toContain('thank-you:1');

    const messageId = messageIdFor(workflowIdFor(ID, 'acme'), 'thank-you:1', 'onward.test').replace(/^<|>$/g, '');
    expect(await page.locator('#sequence').innerText()).not.toContain(messageId);
    // Behind the details toggle for whoever traces a message in a mail log.
    await page.locator('details.technical summary').click();
    expect(await page.locator('details.technical').innerText()).toContain(messageId);
    await page.locator('details.technical summary').click();
    await screenshots('sequence');
  });

  it('shows outcomes as charts by coach, company and month, and downloads the CSV', async () => {
    // A candidate found her next job: the time-to-next-job chart has a bar.
    expect((await api.call('POST', '/sequences/browser-filler-1/hired', { key: KEYS.acme, json: {} })).status).toBe(200);
    await page.getByRole('link', { name: 'Outcomes' }).click();
    const hedy = page.locator('#outcomes tr[data-group="Hedy Lamarr"]');
    await hedy.waitFor({ timeout: 30_000 });
    const none = page.locator('#outcomes tr[data-group="(none)"] td');
    expect(await none.nth(1).textContent()).toBe(String(FILLERS));
    await expect.poll(async () => (await page.reload(), await none.nth(5).textContent()), { timeout: 30_000 }).toBe('1');
    expect(Number(await none.nth(6).textContent())).toBeGreaterThanOrEqual(41);
    // Each chart drew something: its canvas has pixels that are not transparent.
    for (const id of ['reply-rate', 'days-to-job', 'messages-chart']) {
      // Counts the pixels a chart drew (the test's TypeScript has no DOM types: the function is given as text).
      const painted = await page.evaluate<number>(`(() => {
        const canvas = document.getElementById('${id}');
        const pixels = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data;
        let count = 0;
        for (let index = 3; index < pixels.length; index += 4) if (pixels[index] > 0) count++;
        return count;
      })()`);
      expect(painted, id).toBeGreaterThan(100);
    }

    await page.getByRole('link', { name: 'By client company' }).click();
    await page.locator('#outcomes tr[data-group="Initech"]').waitFor();
    expect(await page.locator('#outcomes tr[data-group="Initech"] td').nth(1).textContent()).toBe(String(FILLERS));
    await page.getByRole('link', { name: 'By month' }).click();
    await page.locator(`#outcomes tr[data-group="${new Date().toISOString().slice(0, 7)}"]`).waitFor();
    await page.getByRole('link', { name: 'By coach' }).click();
    await hedy.waitFor();

    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Export CSV' }).click()]);
    expect(download.suggestedFilename()).toBe('onward-outcomes-acme.csv');
    const csv = readFileSync(await download.path(), 'utf8').split('\r\n');
    expect(csv[0]).toBe('dimension,group,sequences,feedbackRequested,feedbackReceived,feedbackReplyRate,hired,medianDaysToNextJob,optedOut,completed,messagesSent,messagesSkipped,messagesFailed');
    expect(csv).toContainEqual(expect.stringMatching(/^coach,Hedy Lamarr,1,/));
    expect(csv).toContainEqual(expect.stringMatching(new RegExp(`^company,Initech,${FILLERS},`)));
    await screenshots('outcomes');
  });
});
