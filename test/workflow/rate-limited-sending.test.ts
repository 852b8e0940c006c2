import { describe, expect, test } from 'vitest';
import { useTimeSkipping } from '../helpers/time-skipping';

// A worker with an activity rate limit, as an agency sets one to stay under its mailbox's sending limit
// (docs/production.md). Local activities escape the limits, so every send must be a regular activity here.
const harness = useTimeSkipping({ tuning: { maxTaskQueueActivitiesPerSecond: 50 } });

describe('a rate-limited worker', () => {
  test('sends every email as a regular activity, which the rate limits govern, and each exactly once', async () => {
    await harness().advanceTo(1, '14:00', 'Europe/London');
    const sequence = await harness().start({ id: 'ts-rate-limited-1' });

    const outcome = await sequence.handle.result();
    expect(outcome.sent).toBeGreaterThan(10);
    expect(outcome.failed).toBe(0);

    const mails = sequence.mails();
    expect(mails).toHaveLength(outcome.sent);
    expect(new Set(mails.map((mail) => mail.messageId)).size).toBe(mails.length);
    for (const mail of mails) expect(harness().attempts(mail.messageId), mail.step).toBe(1);

    const events = (await sequence.handle.fetchHistory()).events ?? [];
    const activities = events.flatMap((event) => event.activityTaskScheduledEventAttributes?.activityType?.name ?? []);
    expect(activities.filter((name) => name === 'sendEmail')).toHaveLength(outcome.sent);
  });
});
