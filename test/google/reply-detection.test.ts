import { temporal } from '@temporalio/proto';
import { describe, expect, test } from 'vitest';
import { feedbackUpdate } from '../../workflows/definitions';
import type { PolicyOverrides } from '../../workflows/policy';
import { previewSequence } from '../../workflows/schedule';
import { eventually } from '../helpers/eventually';
import { ADA, ADA_ACCOUNT, DOCUMENT, GRACE, gmailOf, useGoogleHarness } from './support';

const { harness, google } = useGoogleHarness();

// The thread is checked every 2 seconds (6 hours by default). While the watch runs the test server's clock moves in
// real time, as it does for any running activity: the tests advance exactly to the feedback request, no further.
const POLICY: PolicyOverrides = {
  channels: { email: 'gmail' },
  gmail: { replyDetection: true, pollEvery: '2 seconds' },
  googleAccount: ADA_ACCOUNT,
  checkInCount: 1,
  touchpointsAfter: [],
};
const REPLY = 'Thanks for asking, Ada. Go deeper on system design trade-offs, and quantify the impact of your projects.';
const EventType = temporal.api.enums.v1.EventType;

describe('Gmail reply detection while the feedback request waits', () => {
  test('a reply in the thread ends the wait with its text (quoted history stripped) and the reminder is not sent', async () => {
    const { advanceTo, advanceUntil, start } = harness();
    const fake = google();
    await advanceTo(1, '14:00', 'Europe/London');
    const sequence = await start({ id: 'g-reply-1', document: DOCUMENT, policy: POLICY });
    // Grace answers a few seconds after the request arrives, above the quoted request.
    fake.onSent((message) => {
      if (message.step !== 'feedback-request' || message.messageId !== sequence.messageIdOf('feedback-request')) return;
      setTimeout(() => fake.reply({ user: ADA.email, threadId: message.threadId, from: GRACE, text: REPLY, quoted: message.text }), 3_000);
    });
    const requestAt = previewSequence(sequence.input.rejection, sequence.input.policy).find((entry) => entry.key === 'feedback-request')?.at ?? 0;
    await advanceUntil(requestAt);

    const answered = await eventually(async () => {
      const status = await sequence.status();
      expect(status.feedback.state).toBe('received');
      return status;
    }, 30_000);
    expect(answered.feedback.received).toEqual([{ text: REPLY, from: 'Grace Hopper', receivedAt: expect.any(String) as string }]);
    expect(answered.log.map((line) => line.event)).toContain('feedback recorded: a reply in the Gmail thread');
    const request = gmailOf(fake, sequence.messageIdOf, ['feedback-request']).get('feedback-request');
    // The watch checked the thread more than once before the reply came.
    const checks = fake.requests.filter((call) => call.path === `gmail/v1/users/me/threads/${request?.threadId ?? ''}`);
    expect(checks.length).toBeGreaterThanOrEqual(2);
    expect(checks.every((call) => call.query.get('format') === 'full')).toBe(true);

    expect(await sequence.handle.result()).toMatchObject({ stage: 'completed', failed: 0 });
    expect(fake.problems).toEqual([]);
    const sent = gmailOf(fake, sequence.messageIdOf, ['feedback-request', 'feedback-reminder']);
    expect(sent.has('feedback-request')).toBe(true);
    expect(sent.has('feedback-reminder')).toBe(false);
    const status = await sequence.status();
    expect(sequence.entry(status, 'feedback-reminder')).toMatchObject({ status: 'skipped', note: 'feedback already received' });
    // The feedback is handed back in the next check-in.
    expect(sequence.mail('check-in:1')?.parsed.text).toContain(REPLY);

    const events = (await sequence.handle.fetchHistory()).events ?? [];
    const watch = events.filter((event) => event.activityTaskScheduledEventAttributes?.activityType?.name === 'watchGmailThread');
    expect(watch).toHaveLength(1);
    expect(events.filter((event) => event.eventType === EventType.EVENT_TYPE_ACTIVITY_TASK_COMPLETED).length).toBeGreaterThan(0);
  });

  test('manual feedback still works: it ends the wait and the watch is cancelled', async () => {
    const { advanceTo, advanceUntil, start } = harness();
    const fake = google();
    await advanceTo(1, '14:00', 'Europe/London');
    const sequence = await start({ id: 'g-reply-manual', document: DOCUMENT, policy: POLICY });
    const requestAt = previewSequence(sequence.input.rejection, sequence.input.policy).find((entry) => entry.key === 'feedback-request')?.at ?? 0;
    await advanceUntil(requestAt);
    const request = await eventually(() => {
      const found = gmailOf(fake, sequence.messageIdOf, ['feedback-request']).get('feedback-request');
      expect(found).toBeDefined();
      return found;
    });
    // The watch is running: it has looked at the thread.
    await eventually(() => expect(fake.requests.some((call) => call.path.endsWith(`threads/${request?.threadId ?? ''}`))).toBe(true));

    await sequence.handle.executeUpdate(feedbackUpdate, { args: [{ text: 'Practise whiteboard interviews.', from: 'Grace Hopper' }] });
    expect(await sequence.handle.result()).toMatchObject({ stage: 'completed', failed: 0 });

    const status = await sequence.status();
    expect(status.feedback.received.map((entry) => entry.text)).toEqual(['Practise whiteboard interviews.']);
    expect(sequence.entry(status, 'feedback-reminder').status).toBe('skipped');
    expect(gmailOf(fake, sequence.messageIdOf, ['feedback-reminder']).size).toBe(0);
    const events = (await sequence.handle.fetchHistory()).events ?? [];
    expect(events.some((event) => event.eventType === EventType.EVENT_TYPE_ACTIVITY_TASK_CANCEL_REQUESTED)).toBe(true);
    expect(events.some((event) => event.eventType === EventType.EVENT_TYPE_ACTIVITY_TASK_CANCELED)).toBe(true);
    expect(fake.problems).toEqual([]);
  });
});
