import { existsSync } from 'node:fs';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyUnsubscribeToken } from '../../activities/unsubscribe-token';
import { CHROMIUM, GALLERY_SENDER, GALLERY_UNSUBSCRIBE, GALLERY_WIDTHS, launchChromium, openEmail, sendGalleryEmails, type GalleryEmail } from '../helpers/email-gallery';

/**
 * Every step's email as it arrives (the email activity, a real SMTP server, mailparser), shown in headless Chromium at
 * phone and desktop width, as `npm run gallery` renders docs/emails/.
 */
describe.skipIf(!existsSync(CHROMIUM))('the emails in headless Chromium (issue 13 §4)', () => {
  let emails: GalleryEmail[];
  let browser: Browser;

  beforeAll(async () => {
    emails = await sendGalleryEmails();
    browser = await launchChromium();
  });
  afterAll(async () => browser?.close());

  const htmlOf = (email: GalleryEmail) => (typeof email.mail.parsed.html === 'string' ? email.mail.parsed.html : '');

  it('every email fits a phone and a desktop client: no horizontal scrolling at 375 or 800 px', async () => {
    expect(emails.map((email) => email.kind)).toHaveLength(11);
    for (const email of emails) {
      for (const width of GALLERY_WIDTHS) {
        const page = await openEmail(browser, htmlOf(email), width);
        const scrollWidth = Number(await page.evaluate('document.documentElement.scrollWidth'));
        expect(scrollWidth, `${email.kind} at ${width} px`).toBeLessThanOrEqual(width);
        await page.close();
      }
    }
  });

  it('the candidate’s emails show the sender (logo, signature) and, in the footer, a working unsubscribe link', async () => {
    const toCandidate = emails.filter((email) => email.toCandidate);
    expect(toCandidate.map((email) => email.kind)).toEqual(['supportive-note', 'check-in', 'closing-summary', 'linkedin-task', 'congratulations', 'late-feedback']);
    for (const email of toCandidate) {
      const page = await openEmail(browser, htmlOf(email), 375);
      const logo = page.locator(`img[src="${GALLERY_SENDER.logoUrl}"]`);
      // Loaded (the image has pixels) and shown.
      expect(Number(await page.evaluate(`document.querySelector('img[src="${GALLERY_SENDER.logoUrl}"]').naturalWidth`)), email.kind).toBeGreaterThan(0);
      expect((await logo.boundingBox())?.width, email.kind).toBeGreaterThan(0);
      expect(await page.getByText('Career coach').isVisible(), email.kind).toBe(true);
      const unsubscribe = page.getByRole('link', { name: 'Stop these emails' });
      expect(await unsubscribe.isVisible(), email.kind).toBe(true);
      // Below the signature, and inside the phone's width.
      const box = await unsubscribe.boundingBox();
      const signature = await page.getByText('Career coach').boundingBox();
      expect(box && signature && box.y > signature.y, email.kind).toBe(true);
      expect((box?.x ?? 0) + (box?.width ?? 0), email.kind).toBeLessThanOrEqual(375);
      const href = (await unsubscribe.getAttribute('href')) ?? '';
      expect(href.startsWith(`${GALLERY_UNSUBSCRIBE.publicUrl}/unsubscribe?token=`), email.kind).toBe(true);
      const token = new URL(href).searchParams.get('token') ?? '';
      expect(verifyUnsubscribeToken(token, GALLERY_UNSUBSCRIBE.secret, Date.now()), email.kind).toMatchObject({ ok: true, email: 'ada@example.com' });
      await page.close();
    }
  });

  it('the messages in the candidate’s name show none of it: no logo, no agency, no unsubscribe link', async () => {
    for (const email of emails.filter((candidate) => !candidate.toCandidate)) {
      const page = await openEmail(browser, htmlOf(email), 375);
      expect(await page.locator('img').count(), email.kind).toBe(0);
      expect(await page.locator('body').innerText(), email.kind).not.toMatch(/Northbridge|Stop these emails/);
      expect(await page.locator('body').innerText(), email.kind).toContain('Ada Lovelace');
      await page.close();
    }
  });
});
