import { describe, expect, test } from 'vitest';
import { describeFallback } from '../../workflows/status';
import { eventually } from '../helpers/eventually';
import { DAY, later, localTime, useTimeSkipping } from '../helpers/time-skipping';

const harness = useTimeSkipping();

// Rejected on a Monday at 14:00 in London; the thank-you notes (to Grace and Alan) are due Wednesday 14:00
// and, in approve mode, wait there for a person.

describe('approve mode: nobody acts', () => {
  test('nobody acts before the approval deadline: the draft is sent as written (default fallback)', async () => {
    const { advanceTo, advanceUntil, start } = harness();
    const monday = await advanceTo(1, '14:00', 'Europe/London');
    const sequence = await start({ id: 'ts-approve-timeout-send', policy: { delivery: { 'thank-you': 'approve' }, approvalTimeout: '1 day' } });
    const deadline = monday + 3 * DAY;

    await advanceUntil(later(deadline, { hours: -1 }));
    const waiting = await sequence.status();
    expect(sequence.entry(waiting, 'thank-you:1').status).toBe('awaiting-approval');
    expect(describeFallback(sequence.entry(waiting, 'thank-you:1').draft ?? { decideBy: '' })).toMatch(/^sent as it is .* if nobody decides$/);
    expect(sequence.mails().filter((mail) => mail.step.startsWith('thank-you:'))).toEqual([]);

    await advanceUntil(later(deadline, { hours: 1 }));
    await eventually(() => expect(sequence.mails().filter((mail) => mail.step.startsWith('thank-you:'))).toHaveLength(2));
    for (const mail of sequence.mails().filter((mail) => mail.step.startsWith('thank-you:'))) {
      expect(mail.at, localTime(mail.at)).toBeGreaterThanOrEqual(deadline);
      expect(mail.at - deadline, localTime(mail.at)).toBeLessThan(60_000);
      expect(mail.parsed.subject).toMatch(/^Thank you for your time, (Grace|Alan)$/);
    }
    const status = await eventually(async () => {
      const current = await sequence.status();
      expect(sequence.entry(current, 'thank-you:1').status).toBe('sent');
      expect(sequence.entry(current, 'thank-you:2').status).toBe('sent');
      return current;
    });
    expect(sequence.entry(status, 'thank-you:1').note).toBe('sent without approval: nobody acted in time');
  });

  test('nobody acts and the policy says skip: the draft is never sent', async () => {
    const { advanceTo, advanceUntil, start } = harness();
    const monday = await advanceTo(1, '14:00', 'Europe/London');
    const sequence = await start({
      id: 'ts-approve-timeout-skip',
      policy: { delivery: { 'thank-you': 'approve' }, approvalTimeout: '1 day', approvalFallback: 'skip' },
    });

    // While it waits, the dashboard and the CLI say what the fallback will really do: nothing is sent.
    await advanceUntil(later(monday, { days: 2, hours: 1 }));
    const draft = sequence.entry(await sequence.status(), 'thank-you:1').draft;
    expect(draft?.fallback).toBe('skip');
    expect(describeFallback(draft ?? { decideBy: '' })).toBe(`not sent if nobody approves it by ${draft?.decideBy}`);

    await advanceUntil(later(monday, { days: 3, hours: 1 }));
    const status = await eventually(async () => {
      const current = await sequence.status();
      expect(sequence.entry(current, 'thank-you:1').status).toBe('skipped');
      expect(sequence.entry(current, 'thank-you:2').status).toBe('skipped');
      return current;
    });
    expect(sequence.entry(status, 'thank-you:1').note).toBe('nobody approved it in time');
    expect(sequence.mails().filter((mail) => mail.step.startsWith('thank-you:'))).toEqual([]);
    // Only the thank-you notes were in approve mode: the feedback request went out as planned.
    await eventually(() => expect(sequence.mail('feedback-request')).toBeDefined());
  });
});
