import { describe, expect, test } from 'vitest';
import { readyUpdate, snoozeUpdate } from '../../workflows/definitions';
import { eventually } from '../helpers/eventually';
import { DAY, HOUR, later, localTime, useTimeSkipping } from '../helpers/time-skipping';

const harness = useTimeSkipping();

// Every test: rejected on a Monday at 14:00 in London, a moment ago on the test server's clock. With the
// default policy grieving lasts until Wednesday 14:00, when the thank-you notes are planned.

describe('step 1: grieving, paced by the candidate', () => {
  test('`ready` ends grieving early: the thank-you notes arrive earlier than planned', async () => {
    const { advanceTo, advanceUntil, start } = harness();
    const monday = await advanceTo(1, '14:00', 'Europe/London');
    const sequence = await start({ id: 'ts-grieving-ready' });
    const planned = monday + 2 * DAY;

    const before = await sequence.status();
    expect(before.stage).toBe('grieving');
    expect(Date.parse(before.grievingEndsAt)).toBe(planned);
    expect(Date.parse(sequence.entry(before, 'thank-you:1').scheduledAt)).toBe(planned);

    // Tuesday 10:00: the supportive note went out at 09:00, nothing else yet.
    const tuesday = monday + 20 * HOUR;
    await advanceUntil(tuesday);
    await eventually(() => expect(sequence.mail('supportive-note')).toBeDefined());
    expect(sequence.mails().map((mail) => mail.step)).toEqual(['supportive-note']);

    expect(await sequence.handle.executeUpdate(readyUpdate)).toBe('following-up');
    await eventually(() => expect(sequence.mails().filter((mail) => mail.step.startsWith('thank-you:'))).toHaveLength(2));
    for (const mail of sequence.mails().filter((mail) => mail.step.startsWith('thank-you:'))) {
      expect(mail.at, localTime(mail.at)).toBeLessThan(planned);
      expect(mail.at - tuesday, localTime(mail.at)).toBeLessThan(60_000);
    }
    const after = await sequence.status();
    expect(after.stage).toBe('following-up');
    expect(after.log.map((line) => line.event)).toContain('candidate is ready: grieving ended early');
    expect(Date.parse(sequence.entry(after, 'thank-you:1').scheduledAt)).toBeLessThan(planned);
    expect(sequence.entry(after, 'thank-you:1').status).toBe('sent');
    // The rest of the plan is counted from the new end of grieving: the feedback request a day later.
    const requestAt = Date.parse(sequence.entry(after, 'feedback-request').scheduledAt) - (tuesday + DAY);
    expect(requestAt).toBeGreaterThanOrEqual(0);
    expect(requestAt).toBeLessThan(60_000);
  });

  test('`snooze` extends grieving: nothing goes out until the longer period is over', async () => {
    const { advanceTo, advanceUntil, start } = harness();
    const monday = await advanceTo(1, '14:00', 'Europe/London');
    const sequence = await start({ id: 'ts-grieving-snooze' });

    await sequence.handle.executeUpdate(snoozeUpdate, { args: [{ for: '3 days' }] });
    const status = await sequence.status();
    // Extended from the planned end (Wednesday 14:00) to Saturday 14:00; the next window is Monday 09:00.
    const saturday = monday + 5 * DAY;
    const nextMonday = later(monday, { days: 7, hours: -5 });
    expect(Date.parse(status.grievingEndsAt)).toBe(saturday);
    expect(Date.parse(sequence.entry(status, 'thank-you:1').scheduledAt)).toBe(nextMonday);
    expect(status.log.map((line) => line.event).join('\n')).toContain('grieving extended by 3 days');

    // Past the original end of grieving: still grieving, no thank-you note.
    await advanceUntil(later(monday, { days: 4 }));
    expect((await sequence.status()).stage).toBe('grieving');
    expect(sequence.mails().map((mail) => mail.step)).toEqual(['supportive-note']);

    await advanceUntil(later(nextMonday, { hours: 1 }));
    await eventually(() => expect(sequence.mails().filter((mail) => mail.step.startsWith('thank-you:'))).toHaveLength(2));
    for (const mail of sequence.mails().filter((mail) => mail.step.startsWith('thank-you:'))) {
      expect(mail.at, localTime(mail.at)).toBeGreaterThanOrEqual(nextMonday);
      expect(mail.at - nextMonday, localTime(mail.at)).toBeLessThan(60_000);
    }
  });
});
