import { describe, expect, test } from 'vitest';
import {
  approveUpdate,
  feedbackUpdate,
  hiredUpdate,
  optOutUpdate,
  pauseUpdate,
  progressUpdate,
  readyUpdate,
  resumeUpdate,
  snoozeUpdate,
} from '../../workflows/definitions';
import { eventually } from '../helpers/eventually';
import { later, refusal, useTimeSkipping, type StartedSequence } from '../helpers/time-skipping';

const harness = useTimeSkipping();

/** Runs a refused update and checks it changed nothing the status shows. */
async function expectRefused(sequence: StartedSequence, update: () => Promise<unknown>, message: string | RegExp): Promise<void> {
  const before = await sequence.status();
  const reason = await refusal(update());
  if (typeof message === 'string') expect(reason).toBe(message);
  else expect(reason).toMatch(message);
  expect(await sequence.status()).toEqual(before);
}

describe('updates with bad input are refused with a reason and change nothing', () => {
  test('while grieving, after grieving, and after the sequence ended', async () => {
    const { advanceTo, advanceUntil, start } = harness();
    const monday = await advanceTo(1, '14:00', 'Europe/London');
    const sequence = await start({ id: 'ts-refused-updates' });
    const { handle } = sequence;

    // Grieving.
    await expectRefused(sequence, () => handle.executeUpdate(snoozeUpdate, { args: [{ for: 'soon' }] }), 'for: "soon" is not a duration such as "2 days"');
    await expectRefused(sequence, () => handle.executeUpdate(snoozeUpdate, { args: [{ for: '0 days' }] }), /^for: "0 days" is not a duration/);
    await expectRefused(
      sequence,
      () => handle.executeUpdate(approveUpdate, { args: [{ step: 'thank-you:1', decision: 'approve' }] }),
      'step: no draft "thank-you:1" is waiting for approval',
    );
    await expectRefused(sequence, () => handle.executeUpdate(feedbackUpdate, { args: [{ text: '   ' }] }), 'text: must not be empty');
    // Arguments arrive over the wire (API, other SDKs): a missing or mistyped field is named, not a TypeError.
    await expectRefused(sequence, () => handle.executeUpdate(feedbackUpdate, { args: [{} as { text: string }] }), 'text: must be text');
    await expectRefused(sequence, () => handle.executeUpdate(snoozeUpdate, { args: [{ for: 2 } as unknown as { for: string }] }), 'for: 2 is not a duration such as "2 days"');
    await expectRefused(sequence, () => handle.executeUpdate(feedbackUpdate, { args: [{ text: 'x'.repeat(10_001) }] }), 'text: must be at most 10000 characters');
    await expectRefused(
      sequence,
      () => handle.executeUpdate(progressUpdate, { args: [{ applications: -1, interviews: 0 }] }),
      'applications: must be a whole number from 0 to 1000',
    );
    await expectRefused(
      sequence,
      () => handle.executeUpdate(progressUpdate, { args: [{ applications: 3, interviews: 1.5 }] }),
      'interviews: must be a whole number from 0 to 1000',
    );
    await expectRefused(sequence, () => handle.executeUpdate(resumeUpdate), 'the sequence is not paused');
    await handle.executeUpdate(pauseUpdate);
    await expectRefused(sequence, () => handle.executeUpdate(pauseUpdate), 'the sequence is already paused');
    await handle.executeUpdate(resumeUpdate);

    // After grieving (Wednesday 14:00), Wednesday 20:00: outside every send window (the candidate's ends at 19:00).
    await advanceUntil(later(monday, { days: 2, hours: 6 }));
    await eventually(async () => expect((await sequence.status()).stage).toBe('following-up'));
    await expectRefused(sequence, () => handle.executeUpdate(readyUpdate), 'grieving is already over');
    await expectRefused(sequence, () => handle.executeUpdate(snoozeUpdate, { args: [{ for: '1 day' }] }), 'grieving is already over');
    await expectRefused(
      sequence,
      () => handle.executeUpdate(approveUpdate, { args: [{ step: 'thank-you:1', decision: 'approve' }] }),
      'step: no draft "thank-you:1" is waiting for approval',
    );

    // Hired at 20:00: the congratulation waits for Thursday 09:00, the sequence has ended meanwhile.
    await handle.executeUpdate(hiredUpdate, { args: [{}] });
    await expectRefused(sequence, () => handle.executeUpdate(optOutUpdate, { args: [{}] }), 'the sequence has ended (hired)');
    await expectRefused(sequence, () => handle.executeUpdate(feedbackUpdate, { args: [{ text: 'Too late' }] }), 'the sequence has ended (hired)');
    await expectRefused(sequence, () => handle.executeUpdate(pauseUpdate), 'the sequence has ended (hired)');
    await expectRefused(sequence, () => handle.executeUpdate(hiredUpdate, { args: [{}] }), 'the sequence has ended (hired)');

    const status = await sequence.status();
    expect(status.feedback.received).toEqual([]);
    expect(status.progress).toEqual({ applications: 0, interviews: 0, reports: [] });
    expect(status.log.map((line) => line.event)).toEqual(['paused', 'resumed', 'hired']);
    expect(await handle.result()).toMatchObject({ stage: 'hired' });
  });
});
