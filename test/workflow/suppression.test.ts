import { describe, expect, test } from 'vitest';
import { createMemorySuppressionList } from '../../activities/suppression';
import { verifyUnsubscribeToken } from '../../activities/unsubscribe-token';
import { optOutUpdate } from '../../workflows/definitions';
import { useTimeSkipping, type Delivered } from '../helpers/time-skipping';

const SECRET = 'workflow-test-unsubscribe-secret-0123456789';
const PUBLIC_URL = 'https://onward.example.com';
const suppressions = createMemorySuppressionList();
const harness = useTimeSkipping({ dependencies: () => ({ suppressions, unsubscribe: { secret: SECRET, publicUrl: PUBLIC_URL } }) });

/** A header as the message carried it (unfolded), from the raw message. */
function header(mail: Delivered, name: string): string | undefined {
  const head = mail.raw.split(/\r?\n\r?\n/)[0]?.replace(/\r?\n[ \t]+/g, ' ') ?? '';
  const line = head.split(/\r?\n/).find((candidate) => candidate.toLowerCase().startsWith(`${name.toLowerCase()}:`));
  return line?.slice(name.length + 1).trim();
}

describe('the suppression list and List-Unsubscribe', () => {
  test('a suppressed interviewer gets nothing (skipped: opted out), the rest goes on; the candidate can unsubscribe in one click', async () => {
    const { advanceTo, attempts, start } = harness();
    await advanceTo(1, '14:00', 'Europe/London');
    const optedOut = 'alan.opted-out@acme.example.com';
    await suppressions.suppress('Alan.Opted-Out@ACME.example.com', 'asked by email');
    const sequence = await start({
      id: 'ts-suppressed-interviewer',
      document: {
        interviewers: [
          { name: 'Grace Hopper', email: 'grace@acme.example.com', title: 'Head of Engineering' },
          { name: 'Alan Turing', email: optedOut },
        ],
      },
      policy: { checkInCount: 2, touchpointsAfter: ['30 days'] },
    });

    const outcome = await sequence.handle.result();
    expect(outcome).toEqual({ stage: 'completed', sent: 10, failed: 0, skipped: 1 });

    const status = await sequence.status();
    const skipped = sequence.entry(status, 'thank-you:2');
    expect(skipped).toMatchObject({ status: 'skipped', to: optedOut, note: 'the recipient opted out' });
    expect(skipped.error).toBeUndefined();
    expect(status.log.map((line) => line.event)).toContain('thank-you:2 skipped: the recipient opted out');
    // Refused before the mailer: never handed to SMTP, and not retried.
    expect(attempts(sequence.messageIdOf('thank-you:2'))).toBe(0);
    expect(sequence.mails().filter((mail) => mail.to.includes(optedOut))).toEqual([]);
    expect(status.timeline.filter((entry) => entry.key !== 'thank-you:2').every((entry) => entry.status === 'sent')).toBe(true);

    // Every email to the candidate carries a one-click unsubscribe link for this address and this sequence ...
    const candidate = sequence.input.rejection.candidate.email;
    const toCandidate = sequence.mails().filter((mail) => mail.to.includes(candidate));
    expect(toCandidate.map((mail) => mail.step)).toContain('supportive-note');
    for (const mail of toCandidate) {
      expect(header(mail, 'List-Unsubscribe-Post'), mail.step).toBe('List-Unsubscribe=One-Click');
      const link = /^<(https:\/\/[^>]+)>$/.exec(header(mail, 'List-Unsubscribe') ?? '')?.[1];
      expect(link, mail.step).toBeDefined();
      const url = new URL(link ?? '');
      expect(`${url.origin}${url.pathname}`).toBe(`${PUBLIC_URL}/unsubscribe`);
      const token = verifyUnsubscribeToken(url.searchParams.get('token') ?? '', SECRET, Date.now());
      expect(token).toMatchObject({ ok: true, email: candidate.toLowerCase(), sequenceId: sequence.workflowId });
      if (token.ok) expect(token.expiresAt - Date.now()).toBeGreaterThan(179 * 24 * 3_600_000);
    }
    // ... and messages sent on the candidate's behalf (to interviewers and the recruiter) carry none.
    const toOthers = sequence.mails().filter((mail) => !mail.to.includes(candidate));
    expect(toOthers.length).toBeGreaterThan(0);
    for (const mail of toOthers) expect(header(mail, 'List-Unsubscribe'), mail.step).toBeUndefined();
  });

  test('an opt-out holds for every sequence: the candidate is put on the suppression list, and a second sequence sends her nothing', async () => {
    const { advanceTo, start } = harness();
    await advanceTo(1, '14:00', 'Europe/London');
    const candidate = { name: 'Mary Jackson', email: 'mary@example.com', timezone: 'Europe/London' };
    const first = await start({ id: 'ts-opt-out-first', document: { candidate } });
    expect(await suppressions.isSuppressed(candidate.email)).toBe(false);
    await first.handle.executeUpdate(optOutUpdate, { args: [{ reason: 'asked to stop' }] });
    expect((await first.handle.result()).stage).toBe('opted-out');
    expect(await suppressions.isSuppressed(candidate.email)).toBe(true);
    expect((await first.status()).log.map((line) => line.event)).toContain("the candidate's address is on the suppression list");

    // Another rejection of the same candidate: everything to her is skipped, the interviewers still hear from her.
    const second = await start({ id: 'ts-opt-out-second', document: { candidate }, policy: { checkInCount: 1, touchpointsAfter: [] } });
    await second.handle.result();
    const status = await second.status();
    const toHer = status.timeline.filter((entry) => entry.to === candidate.email);
    expect(toHer.length).toBeGreaterThan(0);
    for (const entry of toHer) expect([entry.key, entry.status, entry.note]).toEqual([entry.key, 'skipped', 'the recipient opted out']);
    expect(second.mails().filter((mail) => mail.to.includes(candidate.email))).toEqual([]);
    expect(status.timeline.some((entry) => entry.to !== candidate.email && entry.status === 'sent')).toBe(true);
  });
});
