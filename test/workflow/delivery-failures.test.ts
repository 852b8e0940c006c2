import { describe, expect, test } from 'vitest';
import { eventually } from '../helpers/eventually';
import { later, useTimeSkipping } from '../helpers/time-skipping';

const harness = useTimeSkipping();

// Rejected on a Monday at 14:00 in London: the supportive note is the first message, Tuesday 09:00.

describe('SMTP failures', () => {
  test('a transient failure (451) is retried: exactly one message delivered for the step', async () => {
    const { advanceTo, advanceUntil, attempts, smtp, start } = harness();
    const monday = await advanceTo(1, '14:00', 'Europe/London');
    const sequence = await start({ id: 'ts-smtp-transient' });
    smtp.failNext(1, 451, 'greylisted, try again later');

    await advanceUntil(later(monday, { hours: 20 }));
    const status = await eventually(async () => {
      const current = await sequence.status();
      expect(sequence.entry(current, 'supportive-note').status).toBe('sent');
      return current;
    });
    const notes = sequence.mails().filter((mail) => mail.step === 'supportive-note');
    expect(notes).toHaveLength(1);
    expect(smtp.received.filter((mail) => mail.parsed.messageId === notes[0]?.messageId)).toHaveLength(1);
    // Two attempts with the same Message-ID: the first refused with 451, Temporal's retry accepted.
    expect(attempts(notes[0]?.messageId ?? '')).toBe(2);
    // The retry is Temporal's: one activity, retried by the server.
    const events = (await sequence.handle.fetchHistory()).events ?? [];
    expect(events.flatMap((event) => event.activityTaskScheduledEventAttributes?.activityType?.name ?? [])).toEqual(['sendEmail']);
    expect((notes[0]?.at ?? 0) - later(monday, { hours: 19 })).toBeLessThan(5 * 60_000);
    const entry = sequence.entry(status, 'supportive-note');
    expect(entry.messageId).toBe(notes[0]?.messageId);
    expect(entry.error).toBeUndefined();
  });

  test('a permanent failure (550) for one interviewer is recorded, and the rest of the sequence goes on', async () => {
    const { advanceTo, attempts, smtp, start } = harness();
    await advanceTo(1, '14:00', 'Europe/London');
    const bouncing = 'alan.left-the-company@acme.example.com';
    smtp.rejectRecipient(bouncing, 550);
    const sequence = await start({
      id: 'ts-smtp-permanent',
      document: {
        interviewers: [
          { name: 'Grace Hopper', email: 'grace@acme.example.com', title: 'Head of Engineering' },
          { name: 'Alan Turing', email: bouncing },
        ],
      },
      policy: { checkInCount: 2, touchpointsAfter: ['30 days'] },
    });

    const outcome = await sequence.handle.result();
    expect(outcome).toEqual({ stage: 'completed', sent: 10, failed: 1, skipped: 0 });

    const status = await sequence.status();
    const failed = sequence.entry(status, 'thank-you:2');
    expect(failed.status).toBe('failed');
    expect(failed.to).toBe(bouncing);
    expect(failed.error).toMatch(/550/);
    expect(failed.error).toContain('permanently refused');
    expect(failed.messageId).toBeUndefined();
    expect(status.log.map((line) => line.event).join('\n')).toContain('thank-you:2 failed: permanently refused');
    // Not retried: a 5xx is final.
    expect(attempts(sequence.messageIdOf('thank-you:2'))).toBe(1);
    expect(sequence.mails().filter((mail) => mail.to.includes(bouncing))).toEqual([]);

    // Everything else went out, to everyone else.
    expect(status.timeline.filter((entry) => entry.key !== 'thank-you:2').map((entry) => [entry.key, entry.status])).toEqual(
      status.timeline.filter((entry) => entry.key !== 'thank-you:2').map((entry) => [entry.key, 'sent']),
    );
    expect(sequence.mails().map((mail) => mail.step).sort()).toEqual(
      ['supportive-note', 'thank-you:1', 'feedback-request', 'feedback-reminder', 'other-openings', 'linkedin-task', 'check-in:1', 'check-in:2', 'closing-summary', 'touchpoint:1'].sort(),
    );
  });
});
