import { ApplicationFailure } from '@temporalio/common';
import { describe, expect, it } from 'vitest';
import { ARGUMENT_VALIDATORS, approveUpdate, feedbackUpdate, progressUpdate, snoozeUpdate } from '../../workflows/definitions';
import { followUpMessages } from '../../workflows/plan-messages';
import { planFollowUps, planGrieving } from '../../workflows/schedule';
import { SequenceState } from '../../workflows/state';
import { INVALID_ARGUMENT, refusedFieldOf } from '../../workflows/updates';
import { sequenceInput, utc } from './support';

const input = sequenceInput();
const grieving = planGrieving(input.rejection, input.policy);
const fresh = () => new SequenceState(input, grieving.endsAt);
const plan = planFollowUps(input.rejection, input.policy, grieving.endsAt);

describe('SequenceState: the timeline, stage and status of a sequence, without Temporal', () => {
  it('shows the follow-ups as they would be scheduled while grieving, then only what was scheduled', () => {
    const state = fresh();
    expect(state.stage()).toBe('grieving');
    expect(state.status().timeline.map((entry) => entry.key)).toEqual(expect.arrayContaining(followUpMessages(plan).map((message) => message.key)));
    state.grievingOver = true;
    state.schedule(plan.thankYous);
    expect(state.status().timeline.map((entry) => entry.key)).toEqual(plan.thankYous.map((message) => message.key));
  });

  it('moves through the stages as messages settle', () => {
    const state = fresh();
    state.grievingOver = true;
    state.schedule(followUpMessages(plan));
    expect(state.stage()).toBe('following-up');
    for (const entry of state.timeline.values()) if (!['check-in', 'closing-summary', 'touchpoint'].includes(entry.kind)) entry.status = 'sent';
    expect(state.stage()).toBe('checking-in');
    for (const entry of state.timeline.values()) if (entry.kind !== 'touchpoint') entry.status = 'sent';
    expect(state.stage()).toBe('staying-in-touch');
    state.paused = true;
    expect(state.stage()).toBe('paused');
    state.ending = 'hired';
    expect(state.stage()).toBe('hired');
  });

  it('cancels what is pending when the sequence ends, except a send in flight, and counts the outcome', () => {
    const state = fresh();
    state.grievingOver = true;
    state.schedule(followUpMessages(plan));
    (state.timeline.get('thank-you:1') ?? { status: '' }).status = 'sent';
    state.sending.add('feedback-request');
    state.ending = 'opted-out';
    state.cancelPending();
    expect(state.timeline.get('feedback-request')?.status).toBe('scheduled');
    expect(state.timeline.get('other-openings')).toMatchObject({ status: 'cancelled', note: 'sequence opted-out' });
    expect(state.outcome()).toEqual({ stage: 'opted-out', sent: 1, failed: 0, skipped: 0 });
  });

  it('says why a reminder should not go out', () => {
    const state = fresh();
    expect(state.reasonNotToRemind()).toBeUndefined();
    state.feedbackState = 'no-answer';
    expect(state.reasonNotToRemind()).toBe('no feedback came before the deadline');
    state.feedback.push({ text: 'More depth on design.', receivedAt: new Date(utc('2026-11-30T10:00:00Z')).toISOString() });
    expect(state.reasonNotToRemind()).toBe('feedback already received');
  });
});

describe('the updates’ validators, shared by the workflow, the API and the CLI', () => {
  const refusal = (name: string, args: unknown) => {
    try {
      ARGUMENT_VALIDATORS[name]?.(args);
    } catch (error) {
      expect(error).toBeInstanceOf(ApplicationFailure);
      const failure = error as ApplicationFailure;
      return { type: failure.type, message: failure.message, ...refusedFieldOf(failure) };
    }
    return undefined;
  };

  it('refuse a bad argument with its type, the field and the problem', () => {
    expect(refusal(snoozeUpdate.name, { for: 'soon' })).toEqual({ type: INVALID_ARGUMENT, field: 'for', problem: '"soon" is not a duration such as "2 days"', message: 'for: "soon" is not a duration such as "2 days"' });
    expect(refusal(feedbackUpdate.name, { text: '  ' })).toMatchObject({ field: 'text', problem: 'must not be empty' });
    expect(refusal(feedbackUpdate.name, undefined)).toMatchObject({ field: 'text', problem: 'must be text' });
    expect(refusal(progressUpdate.name, { applications: 1, interviews: 1.5 })).toMatchObject({ field: 'interviews' });
    expect(refusal(approveUpdate.name, { step: 'thank-you:1', decision: 'maybe' })).toMatchObject({ field: 'decision', problem: 'must be "approve" or "skip"' });
    expect(refusal(approveUpdate.name, { step: 'thank-you:1', decision: 'approve', subject: 'two\nlines' })).toMatchObject({ field: 'subject' });
  });

  it('accept good arguments', () => {
    expect(refusal(snoozeUpdate.name, { for: '2 days' })).toBeUndefined();
    expect(refusal(feedbackUpdate.name, { text: 'More depth on design.', from: 'Grace' })).toBeUndefined();
    expect(refusal(progressUpdate.name, { applications: 3, interviews: 0 })).toBeUndefined();
    expect(refusal(approveUpdate.name, { step: 'thank-you:1', decision: 'skip' })).toBeUndefined();
  });
});
