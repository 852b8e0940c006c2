import { chromium, type Browser, type Page } from 'playwright-core';
import { createEmailActivities } from '../../activities/email';
import { loadEmailLayout } from '../../activities/email-layout';
import { createSmtpMailer } from '../../activities/mailer';
import { createSenderDirectory, type SenderIdentity } from '../../activities/sender-identity';
import { loadTemplates } from '../../activities/templates';
import { workflowIdFor } from '../../workflows/definitions';
import { buildEmailRequest, type MessageContext } from '../../workflows/email-request';
import { STEP_KINDS, type StepKind } from '../../workflows/steps';
import { sequenceInput } from '../unit/support';
import { AUDIENCE } from './audience';
import { startSmtpServer, type ReceivedMail } from './smtp';

/** The agency of the gallery: a coach's name and signature, her Reply-To, a logo and an accent colour. */
export const GALLERY_SENDER: SenderIdentity = {
  name: 'Maria Schmidt, Northbridge Careers',
  signature: 'Career coach\nNorthbridge Careers · +44 20 7946 0000',
  replyTo: 'maria@northbridge.example',
  logoUrl: 'https://northbridge.example/logo.svg',
  accentColor: '#2f5d50',
};

/** The logo's image, served in place of GALLERY_SENDER.logoUrl (the browser has no internet). */
export const GALLERY_LOGO_SVG =
  '<svg xmlns="http://www.w3.org/2000/svg" width="320" height="64" viewBox="0 0 320 64"><rect width="64" height="64" rx="14" fill="#2f5d50"/>' +
  '<path d="M18 46V18h6l16 18V18h6v28h-6L24 28v18z" fill="#fff"/><text x="80" y="42" font-family="Arial, sans-serif" font-size="26" font-weight="700" fill="#1f2328">Northbridge</text></svg>';

export const GALLERY_UNSUBSCRIBE = { publicUrl: 'https://onward.northbridge.example', secret: 'gallery-unsubscribe-secret-0123456789abcdef' };

export interface GalleryEmail {
  kind: StepKind;
  toCandidate: boolean;
  mail: ReceivedMail;
}

/** The sequence's context midway: two pieces of feedback, two progress reports, six check-ins, a summary due. */
function galleryContext(): MessageContext {
  const rejection = sequenceInput({ rejectedAt: '2026-11-24T15:30:00Z' }).rejection;
  return {
    rejection,
    feedback: [
      { text: 'Practise system design out loud.', from: 'Grace Hopper', receivedAt: '2026-12-01T10:00:00Z' },
      { text: 'Quantify the impact of past projects.', receivedAt: '2026-12-02T10:00:00Z' },
    ],
    progress: [
      { applications: 3, interviews: 1, reportedAt: '2026-12-03T10:00:00Z' },
      { applications: 2, interviews: 0, reportedAt: '2026-12-10T10:00:00Z' },
    ],
    checkInCount: 6,
    grievingEndsAt: Date.parse('2026-11-26T15:30:00Z'),
    summaryFacts: { now: Date.parse('2027-01-12T09:00:00Z'), feedbackWaitOver: true },
  };
}

/**
 * Every step's email, sent the way the worker sends it (the email activity with the compiled layout, a tenant's
 * sender and signed unsubscribe links) to a real SMTP server in this process, and parsed there with mailparser.
 */
export async function sendGalleryEmails(): Promise<GalleryEmail[]> {
  const smtp = await startSmtpServer();
  const mailer = createSmtpMailer(smtp.url, { maxConnections: 1 });
  try {
    const activities = createEmailActivities({
      mailer,
      templates: loadTemplates(),
      layout: await loadEmailLayout(),
      fromAddress: 'onward@northbridge.example',
      senders: createSenderDirectory({ northbridge: GALLERY_SENDER }),
      unsubscribe: GALLERY_UNSUBSCRIBE,
    });
    const context = galleryContext();
    const sequenceId = workflowIdFor(context.rejection.id, 'northbridge');
    const emails: GalleryEmail[] = [];
    for (const kind of STEP_KINDS) {
      const key = kind === 'check-in' ? 'check-in:2' : kind === 'touchpoint' ? 'touchpoint:1' : kind === 'late-feedback' ? 'late-feedback:1' : kind;
      const request = buildEmailRequest(context, { sequenceId, key, kind, audience: AUDIENCE[kind] });
      await activities.sendEmail(request);
      const [mail] = (await smtp.waitFor(emails.length + 1)).slice(emails.length);
      if (!mail) throw new Error(`no email arrived for ${kind}`);
      emails.push({ kind, toCandidate: AUDIENCE[kind].role === 'candidate', mail });
    }
    return emails;
  } finally {
    mailer.close();
    await smtp.close();
  }
}

/** The phone and desktop widths the gallery and its test render at. */
export const GALLERY_WIDTHS = [375, 800] as const;

/** Headless Chromium as the project drives it (see test/browser/dashboard.test.ts). */
export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
export const launchChromium = (): Promise<Browser> =>
  chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });

/** An email's HTML as a mail client shows it, at `width` px; the sender's logo served locally, nothing else fetched. */
export async function openEmail(browser: Browser, html: string, width: number): Promise<Page> {
  const page = await browser.newPage({ viewport: { width, height: 300 } });
  await page.route('**/*', (route) =>
    route.request().url() === GALLERY_SENDER.logoUrl ? route.fulfill({ contentType: 'image/svg+xml', body: GALLERY_LOGO_SVG }) : route.abort(),
  );
  await page.setContent(html, { waitUntil: 'load' });
  return page;
}
