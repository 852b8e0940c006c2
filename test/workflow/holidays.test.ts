import { DateTime } from 'luxon';
import { describe, expect, test } from 'vitest';
import { eventually } from '../helpers/eventually';
import { localTime, useTimeSkipping } from '../helpers/time-skipping';

const harness = useTimeSkipping();
const NEW_YORK = 'America/New_York';
const inNewYork = { timezone: NEW_YORK };

describe('public holidays (holidays: "auto", the default)', () => {
  test('the feedback request due on Christmas Day waits for the next working day in the interviewer\'s country', async () => {
    const { advanceUntil, start } = harness();
    // Rejected on Tuesday 22 December 2026 at 10:00 in New York: the thank-you notes go on Thursday 24th, the feedback
    // request would go a day later, on Christmas Day.
    const rejectedAt = DateTime.fromISO('2026-12-22T10:00', { zone: NEW_YORK }).toMillis();
    await advanceUntil(rejectedAt);
    const sequence = await start({
      id: 'ts-holiday-christmas',
      rejectedAt,
      document: {
        candidate: { name: 'Ada Lovelace', email: 'ada@example.com', timezone: NEW_YORK },
        interviewers: [{ name: 'Grace Hopper', email: 'grace@acme.example.com', ...inNewYork }],
        recruiter: { name: 'Katherine Johnson', email: 'katherine@acme.example.com', ...inNewYork },
      },
      policy: { checkInCount: 0, touchpointsAfter: [], feedbackReminder: false },
    });
    expect(sequence.input.policy.publicHolidays?.US).toContain('2026-12-25');

    const monday = DateTime.fromISO('2026-12-28T09:00', { zone: NEW_YORK }).toMillis();
    await advanceUntil(monday + 60_000);
    const request = await eventually(() => {
      const found = sequence.mail('feedback-request');
      if (!found) throw new Error('no feedback request yet');
      return found;
    });
    expect(localTime(request.at, NEW_YORK)).toBe(localTime(monday, NEW_YORK));
    expect(localTime(sequence.mail('thank-you:1')?.at ?? 0, NEW_YORK)).toMatch(/^Thu 2026-12-24 10:00/);
  });
});
