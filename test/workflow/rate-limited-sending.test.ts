import { describe, expect, test } from 'vitest';
import { sendQueueOf } from '../../workflows/definitions';
import { TASK_QUEUE_SENDS_PATCH } from '../../workflows/hand-over';
import { useTimeSkipping } from '../helpers/time-skipping';
import { localActivityTypes } from '../helpers/local-activities';

// Sends have a task queue of their own with a rate limit the server enforces for every worker together, as an
// agency sets one to stay under its mailbox's sending limit (ONWARD_SEND_RATE, docs/production.md).
const harness = useTimeSkipping({ sendRate: 50, tuning: { maxTaskQueueActivitiesPerSecond: 50 } });

describe('sending from a task queue of its own', () => {
  test('every email is a regular activity on the sends queue, the new path is marked by its patch, and each goes once', async () => {
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
    const scheduled = events.flatMap((event) => event.activityTaskScheduledEventAttributes ?? []);
    const sends = scheduled.filter((activity) => activity.activityType?.name === 'sendEmail');
    expect(sends).toHaveLength(outcome.sent);
    for (const send of sends) expect(send.taskQueue?.name).toBe(sendQueueOf(harness().taskQueue));
    // No email as a local activity, not even a declined attempt before the regular one.
    // The outcomes ledger's writes are the only local activities (workflows/ledger.ts): one short insert each.
    expect(localActivityTypes(events).filter((type) => type !== 'recordOutcomes')).toEqual([]);
    // The patch marker tells this sequence from those recorded with local sends (replayed as they ran).
    const patches = events.flatMap((event) => event.markerRecordedEventAttributes?.markerName === 'core_patch' ? [event] : []);
    expect(patches.map((event) => JSON.stringify(event.markerRecordedEventAttributes?.details))).toContainEqual(expect.stringContaining(Buffer.from(JSON.stringify(TASK_QUEUE_SENDS_PATCH)).toString('base64')));
  });
});
