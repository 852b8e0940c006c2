import { describe, expect, test } from 'vitest';
import { feedbackUpdate, pauseUpdate, resumeUpdate } from '../../workflows/definitions';
import { eventually } from '../helpers/eventually';
import { DAY, later, useTimeSkipping } from '../helpers/time-skipping';

const harness = useTimeSkipping();

// Rejected on a Monday at 14:00 in London: thank-you notes Wednesday 14:00, the feedback request to Grace
// (the first interviewer) Thursday 14:00, the reminder 5 days later, the deadline 10 days later.
const FEEDBACK = 'Go deeper on system design trade-offs, and quantify the impact of your past projects.';

describe('step 3: feedback, answered or not', () => {
  test('answered before the reminder: no reminder, and the feedback is handed back in the next check-in', async () => {
    const { advanceTo, advanceUntil, start } = harness();
    const monday = await advanceTo(1, '14:00', 'Europe/London');
    const sequence = await start({ id: 'ts-feedback-answered', policy: { checkInCount: 2, touchpointsAfter: [] } });

    await advanceUntil(later(monday, { days: 3, hours: 1 }));
    await eventually(async () => expect((await sequence.status()).feedback.state).toBe('waiting'));
    expect(sequence.mail('feedback-request')).toBeDefined();

    const stage = await sequence.handle.executeUpdate(feedbackUpdate, { args: [{ text: FEEDBACK, from: 'Grace Hopper' }] });
    expect(stage).toBe('following-up');
    const answered = await sequence.status();
    expect(answered.feedback.state).toBe('received');
    expect(answered.feedback.received).toEqual([{ text: FEEDBACK, from: 'Grace Hopper', receivedAt: expect.any(String) as string }]);

    expect(await sequence.handle.result()).toMatchObject({ stage: 'completed', failed: 0 });
    const steps = sequence.mails().map((mail) => mail.step);
    expect(steps).not.toContain('feedback-reminder');
    expect(steps).not.toContain('late-feedback:1'); // the check-in handed it back already
    // Nothing more to Grace after her answer.
    const request = sequence.mail('feedback-request');
    expect(sequence.mails().filter((mail) => mail.to.includes('grace@acme.example.com') && mail.at > (request?.at ?? 0))).toEqual([]);

    const checkIn = sequence.mail('check-in:1');
    expect(checkIn?.parsed.text).toContain('What you heard from Acme Analytics:');
    expect(checkIn?.parsed.text).toContain(`- ${FEEDBACK} (Grace Hopper)`);
    expect(checkIn?.parsed.html).toContain('system design trade-offs');

    const status = await sequence.status();
    expect(status.feedback.state).toBe('received');
    const reminder = sequence.entry(status, 'feedback-reminder');
    expect(reminder.status).toBe('skipped');
    expect(reminder.note).toBe('feedback already received');
    expect(reminder.messageId).toBeUndefined();
  });

  test('not answered: one reminder in the same thread, then "no-answer" and no more pestering', async () => {
    const { advanceTo, start } = harness();
    await advanceTo(1, '14:00', 'Europe/London');
    const sequence = await start({ id: 'ts-feedback-silent', policy: { checkInCount: 4, touchpointsAfter: [] } });

    expect(await sequence.handle.result()).toMatchObject({ stage: 'completed', failed: 0, skipped: 0 });
    const request = sequence.mail('feedback-request');
    const reminders = sequence.mails().filter((mail) => mail.step === 'feedback-reminder');
    expect(reminders).toHaveLength(1);
    const [reminder] = reminders;
    expect(reminder?.parsed.inReplyTo).toBe(request?.messageId);
    expect(reminder?.at).toBeGreaterThanOrEqual((request?.at ?? 0) + 5 * DAY);

    const status = await sequence.status();
    expect(status.feedback.state).toBe('no-answer');
    expect(status.feedback.received).toEqual([]);
    // Ten days after the request went out, by the workflow's clock.
    expect(Date.parse(status.feedback.deadline ?? '')).toBeGreaterThanOrEqual(Date.parse(sequence.entry(status, 'feedback-request').sentAt ?? '') + 10 * DAY);
    expect(status.log.map((line) => line.event)).toContain('no feedback came before the deadline');

    // After the reminder, the one asked for feedback hears nothing more, and no check-in invents feedback.
    const toGrace = sequence.mails().filter((mail) => mail.to.includes('grace@acme.example.com'));
    expect(toGrace.map((mail) => mail.step)).toEqual(['thank-you:1', 'feedback-request', 'feedback-reminder']);
    const checkIns = sequence.mails().filter((mail) => mail.step.startsWith('check-in:'));
    expect(checkIns).toHaveLength(4);
    for (const checkIn of checkIns) expect(checkIn.parsed.text, checkIn.step).not.toMatch(/feedback below|What you heard from/);
  });

  test('paused past the feedback deadline: after resume no late reminder goes out', async () => {
    const { advanceTo, advanceUntil, start } = harness();
    const monday = await advanceTo(1, '14:00', 'Europe/London');
    const sequence = await start({ id: 'ts-feedback-paused', policy: { checkInCount: 1, touchpointsAfter: [] } });

    await advanceUntil(later(monday, { days: 3, hours: 1 }));
    await eventually(() => expect(sequence.mail('feedback-request')).toBeDefined());
    await sequence.handle.executeUpdate(pauseUpdate);
    await advanceUntil(later(monday, { days: 3 + 14 }));
    await eventually(async () => expect((await sequence.status()).feedback.state).toBe('no-answer'));
    await sequence.handle.executeUpdate(resumeUpdate);

    expect(await sequence.handle.result()).toMatchObject({ stage: 'completed', failed: 0 });
    expect(sequence.mails().map((mail) => mail.step)).not.toContain('feedback-reminder');
    const status = await sequence.status();
    expect(sequence.entry(status, 'feedback-reminder').status).toBe('skipped');
    expect(sequence.entry(status, 'feedback-reminder').note).toBe('no feedback came before the deadline');
    expect(status.feedback.state).toBe('no-answer');
  });

  test('answered after the last check-in: the feedback is passed on to the candidate in a short note', async () => {
    const { advanceTo, advanceUntil, start } = harness();
    const monday = await advanceTo(1, '14:00', 'Europe/London');
    const sequence = await start({ id: 'ts-feedback-late', policy: { checkInCount: 1, touchpointsAfter: ['30 days'] } });

    // Past the only check-in and the closing summary; the touchpoint is still weeks away.
    await advanceUntil(later(monday, { days: 20 }));
    await eventually(() => expect(sequence.mail('closing-summary')).toBeDefined());
    expect(sequence.mail('late-feedback:1')).toBeUndefined();
    await sequence.handle.executeUpdate(feedbackUpdate, { args: [{ text: FEEDBACK, from: 'Grace Hopper' }] });

    expect(await sequence.handle.result()).toMatchObject({ stage: 'completed', failed: 0 });
    const note = sequence.mail('late-feedback:1');
    expect(note?.to).toEqual(['ada@example.com']);
    expect(note?.parsed.subject).toBe('Feedback from Acme Analytics, after all');
    expect(note?.parsed.text).toContain(`- ${FEEDBACK} (Grace Hopper)`);
    expect(note?.at).toBeLessThan(sequence.mail('touchpoint:1')?.at ?? 0);
    expect(sequence.mails().filter((mail) => mail.step.startsWith('late-feedback'))).toHaveLength(1);
  });
});
