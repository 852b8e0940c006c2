import { simpleParser, type AddressObject, type ParsedMail } from 'mailparser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEmailActivities } from '../../activities/email';
import { createSmtpMailer, type Mailer } from '../../activities/mailer';
import { loadTemplates } from '../../activities/templates';
import { buildEmailRequest, type EmailRequest } from '../../workflows/email-request';
import { describeProblems, parseRejectionDocument } from '../../workflows/input';
import { STEP_KINDS } from '../../workflows/steps';
import { AUDIENCE } from '../helpers/audience';
import { rejectionDocument } from '../helpers/fixtures';
import { startSmtpServer, type TestSmtpServer } from '../helpers/smtp';

// Template values cannot inject headers, recipients, HTML or script: every step rendered by the real templates, sent by
// the real activity through nodemailer to a real SMTP server, and the message checked as it arrived (envelope, raw
// header block, parsed headers, HTML). test/unit/templates.test.ts checks the rendering alone; this checks the wire.

const FROM = 'onward@onward.test';
// Hostile values that validation lets through (no control characters, within limits): the templates must cope.
const HOSTILE = {
  candidate: { name: 'Ada "Eve" <script>alert(1)</script>', email: 'ada@example.com', timezone: 'Europe/London' },
  company: '<img src=x onerror=alert(1)> & Co',
  role: '{{candidate.email}} "><svg/onload=alert(1)>',
  interviewers: [{ name: 'Grace =?utf-8?B?QmNjOiB4QHkueg==?= Hopper', email: 'grace@acme.example.com', title: 'Head of <b>Eng</b>' }],
  recruiter: { name: 'Katherine, Bcc: x@evil.example', email: 'katherine@acme.example.com', linkedinUrl: 'https://www.linkedin.com/in/kj?x="><script>alert(2)</script>' },
};
const FEEDBACK = [{ text: "</p><script>alert('feedback')</script><p>", from: '<b onmouseover=alert(3)>Grace</b>', receivedAt: '2026-12-01T10:00:00Z' }];

const ALLOWED_HEADERS = new Set(['from', 'to', 'reply-to', 'subject', 'message-id', 'date', 'mime-version', 'content-type', 'content-transfer-encoding', 'x-onward-step', 'in-reply-to', 'references']);

const addresses = (field: AddressObject | AddressObject[] | undefined) => (Array.isArray(field) ? field : field ? [field] : []).flatMap((entry) => entry.value.map((address) => address.address?.toLowerCase()));

/** The header block as sent, unfolded: one entry per header. */
function rawHeaders(raw: string): string[] {
  const block = raw.split(/\r?\n\r?\n/)[0] ?? '';
  return block.replace(/\r?\n[ \t]+/g, ' ').split(/\r?\n/);
}

function checkMessage(raw: string, parsed: ParsedMail, envelope: string[], request: EmailRequest): void {
  const context = `${request.key}: ${parsed.subject ?? ''}`;
  // The envelope and the headers carry exactly one recipient, the intended one, and no one in copy.
  expect(envelope, context).toEqual([request.to.email]);
  expect(addresses(parsed.to), context).toEqual([request.to.email]);
  expect(parsed.cc, context).toBeUndefined();
  expect(parsed.bcc, context).toBeUndefined();
  expect(addresses(parsed.from), context).toEqual([FROM]);
  if (request.replyTo) expect(addresses(parsed.replyTo), context).toEqual([request.replyTo.email]);
  // No header beyond the ones Onward writes; nothing that looks like an injected one in the raw block.
  for (const name of parsed.headers.keys()) expect(ALLOWED_HEADERS.has(name), `${context}: unexpected header ${name}`).toBe(true);
  for (const line of rawHeaders(raw)) expect(line, context).not.toMatch(/^(bcc|cc|content-type: text\/html[^;]*$)/i);
  expect(rawHeaders(raw).filter((line) => /^to:/i.test(line)), context).toHaveLength(1);
  expect(parsed.subject ?? '', context).not.toMatch(/[\r\n]/);
  // The HTML carries no markup from values: no script, no event handler, only web and mail links.
  const html = typeof parsed.html === 'string' ? parsed.html : '';
  expect(html, context).not.toMatch(/<\s*(script|img|svg|iframe|object)\b/i);
  expect(html, context).not.toMatch(/<[^>]*\son\w+\s*=/i);
  for (const [, href] of html.matchAll(/href\s*=\s*"([^"]*)"/gi)) expect(href, context).toMatch(/^(https?:|mailto:)/);
}

describe('template values cannot inject headers, recipients, HTML or script (on the wire)', () => {
  let smtp: TestSmtpServer;
  let mailer: Mailer;
  let activities: ReturnType<typeof createEmailActivities>;

  beforeAll(async () => {
    smtp = await startSmtpServer();
    mailer = createSmtpMailer(smtp.url, { maxConnections: 2 });
    activities = createEmailActivities({ mailer, templates: loadTemplates(), fromAddress: FROM });
  });
  afterAll(async () => {
    mailer?.close();
    await smtp?.close();
  });

  /** Sends a request with the real activity and returns the message as it arrived. */
  async function send(request: EmailRequest): Promise<{ raw: string; parsed: ParsedMail; envelope: string[] }> {
    const before = smtp.received.length;
    const { messageId } = await activities.sendEmail(request);
    const received = (await smtp.waitFor(before + 1)).find((mail) => mail.parsed.messageId === messageId);
    if (!received) throw new Error(`${messageId} did not arrive`);
    // Parsed again from the raw bytes, as a mail client would.
    return { raw: received.raw, parsed: await simpleParser(received.raw), envelope: received.to };
  }

  const parsed = parseRejectionDocument(rejectionDocument({ id: 'hostile-1', ...HOSTILE }));
  if (!parsed.ok) throw new Error(`the hostile document should pass validation:\n${describeProblems(parsed.problems)}`);
  const { rejection } = parsed.input;

  it.each(STEP_KINDS.map((kind) => [kind]))('%s: hostile names, company, role, title, URL and feedback', async (kind) => {
    const key = kind === 'check-in' ? 'check-in:1' : kind === 'touchpoint' ? 'touchpoint:1' : kind === 'thank-you' ? 'thank-you:1' : kind;
    const context = { rejection, feedback: FEEDBACK, progress: [], checkInCount: 6 };
    const request = buildEmailRequest(context, { sequenceId: 'rejection-hostile-1', key, kind, audience: AUDIENCE[kind] }, kind === 'feedback-reminder' ? '<x@onward.test>' : undefined);
    const { raw, parsed: mail, envelope } = await send(request);
    checkMessage(raw, mail, envelope, request);
    const html = typeof mail.html === 'string' ? mail.html : '';
    // Values are shown, escaped: the reader sees the text, the mail client sees no markup.
    if (html.includes('&lt;img src=x onerror=alert(1)&gt;')) expect(html).not.toContain('<img');
    if (kind === 'check-in') expect(html).toContain('&lt;/p&gt;&lt;script&gt;');
    // A value is never evaluated as a template: "{{candidate.email}}" in the role stays as written.
    if (mail.text?.includes('"><svg/onload')) expect(mail.text).toContain('{{candidate.email}}');
  });

  // Defence in depth: what validation refuses can still reach the activity another way (an approval edit, a future
  // caller); the message must not break either.
  it('CR/LF in names, the step key, In-Reply-To and an edited subject do not make headers; an edited body is escaped', async () => {
    const injection = '\r\nBcc: victim@evil.example\r\nX-Injected: yes';
    const request: EmailRequest = {
      sequenceId: 'rejection-hostile-2',
      key: `thank-you:1${injection}`,
      kind: 'thank-you',
      to: { name: `Grace${injection}`, email: 'grace@acme.example.com' },
      fromName: `Ada${injection}`,
      replyTo: { name: `Ada${injection}`, email: 'ada@example.com' },
      inReplyTo: `<a@b>${injection}`,
      vars: buildEmailRequest({ rejection, feedback: [], progress: [], checkInCount: 6 }, { sequenceId: 'rejection-hostile-2', key: 'thank-you:1', kind: 'thank-you', audience: AUDIENCE['thank-you'] }).vars,
      edits: { subject: `Thanks${injection}`, text: 'Thank you.\n\n<script>alert(4)</script>' },
    };
    const { raw, parsed: mail, envelope } = await send(request);
    checkMessage(raw, mail, envelope, request);
    expect(mail.headers.has('x-injected')).toBe(false);
    expect(rawHeaders(raw).some((line) => /^x-injected/i.test(line))).toBe(false);
    expect(typeof mail.html === 'string' ? mail.html : '').toContain('&lt;script&gt;alert(4)&lt;/script&gt;');
  });
});
