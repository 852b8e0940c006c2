import { describe, expect, test } from 'vitest';
import type { PolicyOverrides } from '../../workflows/policy';
import { ADA, ADA_ACCOUNT, DOCUMENT, GRACE, useGoogleHarness } from './support';

const { harness, google } = useGoogleHarness();

const POLICY: PolicyOverrides = { channels: { email: 'gmail' }, gmail: { mode: 'draft' }, googleAccount: ADA_ACCOUNT, checkInCount: 1, touchpointsAfter: ['30 days'] };
const DRAFTED = ['thank-you:1', 'thank-you:2', 'feedback-request', 'feedback-reminder', 'other-openings', 'touchpoint:1'];

describe('Gmail draft mode', () => {
  test('every message that speaks for the candidate becomes a draft in her Gmail; nothing is sent; she is told each time', async () => {
    const { advanceTo, start } = harness();
    const fake = google();
    await advanceTo(1, '14:00', 'Europe/London');
    const sequence = await start({ id: 'g-drafts', document: DOCUMENT, policy: POLICY });

    const outcome = await sequence.handle.result();
    // Sent by SMTP to Ada: the supportive note, the check-in, the closing summary, and the LinkedIn task.
    expect(outcome).toEqual({ stage: 'completed', sent: 4, failed: 0, skipped: 0, drafted: DRAFTED.length });
    expect(fake.problems).toEqual([]);

    // Nothing sent through Gmail, and nothing to anyone but Ada by SMTP.
    expect(fake.requests.filter((request) => request.path.endsWith('/messages/send'))).toEqual([]);
    expect(fake.sent()).toEqual([]);
    for (const mail of sequence.mails()) expect(mail.to).toEqual([ADA.email]);

    const drafts = fake.drafts.filter((draft) => draft.user === ADA.email && DRAFTED.some((step) => draft.message.messageId === sequence.messageIdOf(step)));
    expect(drafts.map((draft) => draft.message.step).sort()).toEqual([...DRAFTED].sort());
    const status = await sequence.status();
    for (const step of DRAFTED) {
      const entry = sequence.entry(status, step);
      const draft = drafts.find((candidate) => candidate.message.step === step);
      expect(entry.status, step).toBe('drafted');
      expect(entry.draftId, step).toBe(draft?.id);
      expect(entry.messageId, step).toBe(sequence.messageIdOf(step));
      expect(draft?.message.parsed?.from?.value[0]?.address, step).toBe(ADA.email);
    }
    // The reminder draft follows up the request's draft, in its thread.
    const request = drafts.find((draft) => draft.message.step === 'feedback-request');
    const reminder = drafts.find((draft) => draft.message.step === 'feedback-reminder');
    expect(reminder?.message.threadId).toBe(request?.message.threadId);
    expect(reminder?.message.inReplyTo).toBe(sequence.messageIdOf('feedback-request'));

    // Ada hears about each draft (from Onward, by SMTP), with its subject and where to find it.
    const notices = sequence.mails().filter((mail) => mail.step.endsWith(':draft-ready'));
    expect(notices.map((mail) => mail.step).sort()).toEqual(DRAFTED.map((step) => `${step}:draft-ready`).sort());
    const thankYouNotice = notices.find((mail) => mail.step === 'thank-you:1:draft-ready');
    expect(thankYouNotice?.parsed.subject).toBe('Ready in your Gmail drafts: Thank you for your time, Grace');
    expect(thankYouNotice?.parsed.text).toContain(`Your thank-you note to ${GRACE.name} is ready in your Gmail drafts`);
    expect(thankYouNotice?.parsed.text).toContain('https://mail.google.com/mail/#drafts');
  });
});
