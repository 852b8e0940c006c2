import { describe, expect, it } from 'vitest';
import { followUpMessages } from '../../workflows/plan-messages';
import { planFollowUps, planGrieving } from '../../workflows/schedule';
import { SequenceState } from '../../workflows/state';
import { recipientRoleOf, transitionsOf } from '../../workflows/transitions';
import { sequenceInput } from './support';

const input = sequenceInput();
const grieving = planGrieving(input.rejection, input.policy);
const NOW = Date.parse('2026-03-01T12:00:00Z');

describe('the transitions the outcomes ledger records, from the state alone', () => {
  it('records settled messages (a Gmail draft as sent; cancelled and pending ones not), feedback, progress and the ending, each under its own key', () => {
    const state = new SequenceState(input, grieving.endsAt);
    state.grievingOver = true;
    state.schedule(followUpMessages(planFollowUps(input.rejection, input.policy, grieving.endsAt)));
    expect(transitionsOf(state, NOW)).toEqual([]);
    const [first, second, third, fourth] = [...state.timeline.values()];
    if (!first || !second || !third || !fourth) throw new Error('too few messages planned');
    Object.assign(first, { status: 'sent', sentAt: '2026-02-20T14:00:00.000Z' });
    Object.assign(second, { status: 'drafted', sentAt: '2026-02-20T15:00:00.000Z' });
    third.status = 'skipped';
    fourth.status = 'cancelled';
    state.recordFeedback({ text: 'More depth.', receivedAt: '2026-02-22T10:00:00.000Z' }, 'feedback recorded');
    state.progress.push({ applications: 2, interviews: 0, reportedAt: '2026-02-25T10:00:00.000Z' });
    state.ending = 'hired';
    const transitions = transitionsOf(state, NOW);
    expect(transitions.map((transition) => [transition.key, transition.event, transition.at])).toEqual([
      [`message:${first.key}`, 'message-sent', '2026-02-20T14:00:00.000Z'],
      [`message:${second.key}`, 'message-sent', '2026-02-20T15:00:00.000Z'],
      [`message:${third.key}`, 'message-skipped', '2026-03-01T12:00:00.000Z'],
      ['feedback:1', 'feedback-received', '2026-02-22T10:00:00.000Z'],
      ['progress:1', 'progress-reported', '2026-02-25T10:00:00.000Z'],
      ['hired', 'hired', '2026-03-01T12:00:00.000Z'],
    ]);
    expect(transitions[0]?.step).toEqual({ key: first.key, kind: first.kind, recipientRole: recipientRoleOf(input.rejection, first.kind, first.to) });
    // Finished after an ending: the ending stands, no "completed".
    state.finished = true;
    expect(transitionsOf(state, NOW).map((transition) => transition.key)).not.toContain('completed');
    state.ending = undefined;
    expect(transitionsOf(state, NOW).at(-1)).toEqual({ key: 'completed', event: 'completed', at: '2026-03-01T12:00:00.000Z' });
  });

  it('tells the candidate, the recruiter and an interviewer apart (a thank-you note is always to an interviewer)', () => {
    const { rejection } = input;
    const recruiter = rejection.recruiter?.email ?? '';
    expect(recipientRoleOf(rejection, 'check-in', rejection.candidate.email)).toBe('candidate');
    expect(recipientRoleOf(rejection, 'other-openings', recruiter)).toBe('recruiter');
    expect(recipientRoleOf(rejection, 'thank-you', recruiter)).toBe('interviewer');
    expect(recipientRoleOf(rejection, 'feedback-request', rejection.interviewers[0]?.email ?? '')).toBe('interviewer');
  });
});
