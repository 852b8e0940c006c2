import { existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMemorySuppressionList } from '../../activities/suppression';
import { startApi } from '../../client/api/server';
import { ApiKeys } from '../../client/api/keys';
import { DEMO_POLICY } from '../../workflows/policy';
import type { SequenceStatus } from '../../workflows/status';
import { KEYS, startApiHarness, type ApiHarness } from '../api/harness';
import { eventually } from '../helpers/eventually';
import { rejectionDocument } from '../helpers/fixtures';
import type { ReceivedMail } from '../helpers/smtp';

/**
 * The candidate's action links, followed from the emails she receives (a Temporal dev server, a worker, a real SMTP
 * server, the API) in headless Chromium at phone and desktop width: a GET only shows the confirmation, the form's POST
 * runs the same update as the CLI and the API, and a broken, expired or refused link explains itself on the page.
 * Screenshots go to SCREENSHOTS_DIR (docs/candidate-pages for the README) or test/artifacts/candidate-pages.
 */
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const SCREENSHOTS = path.resolve(process.env.SCREENSHOTS_DIR ?? path.join(__dirname, '..', 'artifacts', 'candidate-pages'));
const SECRET = 'browser-test-action-link-secret-0123456789';
const DAY_MS = 24 * 3_600_000;
const ID = 'links-e2e-1';
const WIDTHS = { phone: 375, desktop: 1280 } as const;

describe.skipIf(!existsSync(CHROMIUM))('action links in a received email, in headless Chromium', () => {
  let api: ApiHarness;
  let browser: Browser;
  const contexts: Record<keyof typeof WIDTHS, BrowserContext | undefined> = { phone: undefined, desktop: undefined };
  // The API's clock runs ahead when a test needs the links to have expired.
  let clockAheadMs = 0;

  beforeAll(async () => {
    mkdirSync(SCREENSHOTS, { recursive: true });
    api = await startApiHarness({ unsubscribe: { secret: SECRET, suppressions: createMemorySuppressionList(), now: () => Date.now() + clockAheadMs } });
    const policy = { ...DEMO_POLICY, grievingPeriod: '1 hour', checkInEvery: '5 seconds', feedbackRequestDelay: '1 hour', otherOpeningsDelay: '1 hour', linkedInTaskDelay: '1 hour' };
    const started = await api.call('POST', '/rejections', { key: KEYS.acme, json: rejectionDocument({ id: ID, rejectedAt: new Date().toISOString(), policy }) });
    expect(started.status).toBe(201);
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'] });
    contexts.phone = await browser.newContext({ viewport: { width: WIDTHS.phone, height: 740 }, isMobile: true, hasTouch: true });
    contexts.desktop = await browser.newContext({ viewport: { width: WIDTHS.desktop, height: 800 } });
  });

  afterAll(async () => {
    await browser?.close();
    await api?.teardown();
  });

  const statusOf = async () => (await api.call<SequenceStatus>('GET', `/sequences/${ID}`, { key: KEYS.acme })).body;
  const emailOf = (step: string) =>
    eventually(() => {
      const mail = api.smtp.received.find((received) => received.parsed.headers.get('x-onward-step') === step);
      if (!mail) throw new Error(`${step} has not arrived yet`);
      return mail;
    }, 90_000);
  /** The link labelled `label` in the email's plain-text part. */
  const linkIn = (mail: ReceivedMail, label: string): string => {
    const line = String(mail.parsed.text)
      .split('\n')
      .find((candidate) => candidate.startsWith(`${label}: `));
    if (!line) throw new Error(`no "${label}" link in ${String(mail.parsed.text)}`);
    return line.slice(label.length + 2).trim();
  };
  /** Fits the width: no sideways scrolling on a phone. */
  const expectFits = async (page: Page, width: keyof typeof WIDTHS) => expect(await page.evaluate('document.documentElement.scrollWidth')).toBeLessThanOrEqual(WIDTHS[width]);
  /** Opens a URL at a width. */
  const open = async (width: keyof typeof WIDTHS, url: string): Promise<Page> => {
    const page = await (contexts[width] as BrowserContext).newPage();
    await page.goto(url);
    await expectFits(page, width);
    return page;
  };
  /** Shows the email's HTML part at a width and clicks the link as the candidate does; its URL is the text part's too. */
  const click = async (width: keyof typeof WIDTHS, mail: ReceivedMail, label: string): Promise<Page> => {
    const page = await (contexts[width] as BrowserContext).newPage();
    await page.setContent(String(mail.parsed.html));
    const link = page.getByRole('link', { name: label });
    // The layout's buttons open a new tab (as mail clients do with links); the footer's link opens in place.
    let opened = page;
    if ((await link.getAttribute('target')) === '_blank') {
      [opened] = await Promise.all([page.context().waitForEvent('page'), link.click()]);
      await page.close();
    } else {
      await link.click();
    }
    await opened.waitForURL(/\/(act|unsubscribe)\?token=/);
    expect(opened.url()).toBe(linkIn(mail, label));
    await expectFits(opened, width);
    return opened;
  };
  const shoot = (page: Page, name: string, width: keyof typeof WIDTHS) => page.screenshot({ path: path.join(SCREENSHOTS, `${name}-${width}.png`), fullPage: true });

  it('the supportive note carries ready, more time, got a job and stop; opening them changes nothing', async () => {
    const note = await emailOf('supportive-note');
    expect(note.parsed.text).toMatch(/I'm ready: http:\/\/127\.0\.0\.1:\d+\/act\?token=u2\./);
    expect(String(note.parsed.text)).not.toContain('Report progress');
    const before = await statusOf();
    expect(before.stage).toBe('grieving');
    for (const [label, name, heading] of [
      ["I'm ready", 'ready', 'Ready to start?'],
      ['I need more time', 'snooze', 'Take more time'],
      ['I got a job', 'hired', 'You got a job?'],
      ['Stop these emails', 'stop', 'Unsubscribe'],
    ] as const) {
      for (const width of ['phone', 'desktop'] as const) {
        const page = await click(width, note, label);
        await page.getByRole('heading', { name: heading }).waitFor();
        await shoot(page, name, width);
        await page.close();
      }
    }
    // Scanners and prefetchers GET links: the sequence is exactly as it was.
    const after = await statusOf();
    expect({ stage: after.stage, grievingEndsAt: after.grievingEndsAt, log: after.log }).toEqual({ stage: before.stage, grievingEndsAt: before.grievingEndsAt, log: before.log });
  });

  it('"I need more time" snoozes by the chosen days', async () => {
    const note = await emailOf('supportive-note');
    const before = Date.parse((await statusOf()).grievingEndsAt);
    const page = await click('phone', note, 'I need more time');
    await page.getByLabel('5 more days').check();
    await page.getByRole('button', { name: 'Take more time' }).click();
    await page.getByRole('heading', { name: 'Take the time you need' }).waitFor();
    await shoot(page, 'snooze-done', 'phone');
    const after = await statusOf();
    expect(after.stage).toBe('grieving');
    expect(Date.parse(after.grievingEndsAt)).toBeGreaterThanOrEqual(before + 5 * DAY_MS);
    expect(Date.parse(after.grievingEndsAt)).toBeLessThan(before + 5 * DAY_MS + 60_000);
    await page.close();
  });

  it('"I\'m ready" ends grieving; the same link again shows the update\'s refusal, not an error', async () => {
    const note = await emailOf('supportive-note');
    const page = await click('desktop', note, "I'm ready");
    await page.getByRole('button', { name: "I'm ready" }).click();
    await page.getByRole('heading', { name: "You're all set" }).waitFor();
    expect((await statusOf()).stage).not.toBe('grieving');

    const again = await click('phone', note, "I'm ready");
    const [response] = await Promise.all([again.waitForResponse((r) => r.request().method() === 'POST'), again.getByRole('button', { name: "I'm ready" }).click()]);
    expect(response.status()).toBe(409);
    await again.getByRole('heading', { name: 'That did not work' }).waitFor();
    expect(await again.getByRole('alert').textContent()).toBe('Grieving is already over.');
    await shoot(again, 'refused', 'phone');
    await Promise.all([page.close(), again.close()]);
  });

  it('a check-in carries "Report progress": the form records the numbers and the note', async () => {
    const checkIn = await emailOf('check-in:1');
    expect(String(checkIn.parsed.text)).not.toContain("I'm ready");
    for (const width of ['phone', 'desktop'] as const) {
      const page = await click(width, checkIn, 'Report progress');
      await page.getByRole('heading', { name: 'Report your progress' }).waitFor();
      await shoot(page, 'progress', width);
      await page.close();
    }
    expect((await statusOf()).progress.reports).toEqual([]);
    const page = await click('phone', checkIn, 'Report progress');
    await page.getByLabel('Applications sent').fill('3');
    await page.getByLabel('Interviews had').fill('1');
    await page.getByLabel('A note (optional)').fill('A second interview at Globex on Friday.');
    await page.getByRole('button', { name: 'Save my progress' }).click();
    await page.getByRole('heading', { name: 'Progress saved' }).waitFor();
    await shoot(page, 'progress-done', 'phone');
    expect((await statusOf()).progress.reports).toMatchObject([{ applications: 3, interviews: 1, note: 'A second interview at Globex on Friday.' }]);
    await page.close();
  });

  it('the update refuses bad numbers with its own words, shown on the page', async () => {
    const checkIn = await emailOf('check-in:1');
    const token = new URL(linkIn(checkIn, 'Report progress')).searchParams.get('token') ?? '';
    // What a browser's own checks would stop: posted as a hand-made form.
    const response = await fetch(`${api.url}/act`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams({ token, applications: '5000', interviews: '1' }) });
    expect(response.status).toBe(400);
    expect(await response.text()).toContain('Applications sent: must be a whole number from 0 to 1000.');
    expect((await statusOf()).progress.reports).toHaveLength(1);
  });

  it('a tampered or expired link is refused with a clear page, and changes nothing', async () => {
    const checkIn = await emailOf('check-in:1');
    const link = new URL(linkIn(checkIn, 'I got a job'));
    const token = link.searchParams.get('token') ?? '';
    const tampered = new URL(link);
    tampered.searchParams.set('token', `${token.slice(0, 20)}${token[20] === 'A' ? 'B' : 'A'}${token.slice(21)}`);
    const page = await open('phone', tampered.toString());
    await page.getByRole('heading', { name: 'This link does not work' }).waitFor();
    expect(await page.getByRole('alert').textContent()).toBe('The link is not valid (bad signature).');
    await shoot(page, 'broken-link', 'phone');

    clockAheadMs = 61 * DAY_MS;
    try {
      await page.goto(link.toString());
      expect(await page.getByRole('alert').textContent()).toBe('The link has expired.');
      // The form of a page opened in time, posted once the link has expired, is refused too.
      const response = await fetch(`${api.url}/act`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams({ token }) });
      expect(response.status).toBe(400);
    } finally {
      clockAheadMs = 0;
    }
    expect((await statusOf()).stage).not.toBe('hired');
    await page.close();
  });

  it('"I got a job" ends the sequence as hired', async () => {
    const checkIn = await emailOf('check-in:1');
    const page = await click('desktop', checkIn, 'I got a job');
    await page.getByRole('button', { name: 'Yes, I got a job' }).click();
    await page.getByRole('heading', { name: 'Congratulations!' }).waitFor();
    await shoot(page, 'hired-done', 'desktop');
    expect((await statusOf()).stage).toBe('hired');
    await page.close();
  });

  it('the token never reaches the request log, neither from the link nor from the form', async () => {
    const lines: string[] = [];
    const logged = await startApi({ client: api.env.client, taskQueue: api.taskQueue, keys: new ApiKeys(), unsubscribe: { secret: SECRET, suppressions: createMemorySuppressionList() }, logger: { stream: { write: (line) => lines.push(line) } }, port: 0 });
    try {
      const checkIn = await emailOf('check-in:1');
      const token = new URL(linkIn(checkIn, 'Report progress')).searchParams.get('token') ?? '';
      const page = await fetch(`${logged.url}/act?token=${encodeURIComponent(token)}`);
      expect(page.status).toBe(200);
      const posted = await fetch(`${logged.url}/act`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams({ token, applications: '1', interviews: '0' }) });
      // The sequence has ended (hired): refused with the update's words, and still nothing in the log.
      expect(posted.status).toBe(409);
      const stop = new URL(linkIn(checkIn, 'Stop these emails'));
      expect((await fetch(`${logged.url}${stop.pathname}${stop.search}`)).status).toBe(200);
    } finally {
      await logged.close();
    }
    const log = lines.join('');
    expect(log).toContain('"url":"/act"');
    expect(log).toContain('"url":"/unsubscribe"');
    expect(log).not.toContain('token');
    const checkIn = await emailOf('check-in:1');
    for (const label of ['Report progress', 'Stop these emails']) expect(log).not.toContain(new URL(linkIn(checkIn, label)).searchParams.get('token')?.slice(3, 40) ?? 'missing');
  });
});
