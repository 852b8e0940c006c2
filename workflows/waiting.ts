import { CancellationScope, condition, isCancellation, proxyActivities } from '@temporalio/workflow';
import type { createActivities } from '../activities';
import { gmailOf, pollEveryMs, replyWatchHeartbeatMs } from './channels';
import { messageOf, PERMANENT_FAILURE } from './failures';
import type { GmailReply } from './google';
import { googleTargetOf } from './hand-over';
import type { StageAttribute } from './stage-attribute';
import { iso, type SequenceState } from './state';
import { MAX_TEXT } from './updates';

type Activities = ReturnType<typeof createActivities>;

/** Step 1's wait: until the grieving period ends, the candidate is ready, or the sequence stops. */
export async function waitForGrievingToEnd(state: SequenceState): Promise<void> {
  while (!state.readyEarly && !state.ending && Date.now() < state.grievingEndsAt) {
    const endsAt = state.grievingEndsAt;
    await condition(() => state.readyEarly || !!state.ending || state.grievingEndsAt !== endsAt, endsAt - Date.now());
  }
  state.grievingOver = true;
}

/**
 * Step 3's wait: for feedback until `deadline`; true when some arrived. With Gmail reply detection, a reply in the
 * thread of `requestKey` is the feedback too: the thread is watched while the wait lasts, and no longer.
 */
export async function waitForFeedback(state: SequenceState, stage: StageAttribute, deadline: number, requestKey?: string): Promise<boolean> {
  state.feedbackState = state.feedbackReceived ? 'received' : 'waiting';
  state.feedbackDeadline = deadline;
  stage.refresh();
  const remaining = deadline - Date.now();
  const stopWatching = remaining > 0 ? watchForReply(state, stage, requestKey, remaining) : undefined;
  if (remaining > 0) await condition(() => state.feedbackReceived || !!state.ending, remaining);
  stopWatching?.();
  if (!state.feedbackReceived) {
    state.feedbackState = state.ending ? 'stopped' : 'no-answer';
    if (!state.ending) state.note('no feedback came before the deadline');
  }
  stage.refresh();
  return state.feedbackReceived;
}

/**
 * Gmail reply detection: one long-lived activity checks the request's thread every `gmail.pollEvery`, heartbeating
 * in between (a handful of events, however long the wait). Returns how to stop it, or undefined when off.
 */
function watchForReply(state: SequenceState, stage: StageAttribute, requestKey: string | undefined, remaining: number): (() => void) | undefined {
  const request = requestKey === undefined ? undefined : state.timeline.get(requestKey);
  const pollEvery = pollEveryMs(state.policy);
  if (!request?.threadId || !gmailOf(state.policy).replyDetection || state.feedbackReceived || state.ending) return undefined;
  const { watchGmailThread } = proxyActivities<Activities>({
    startToCloseTimeout: remaining + 60 * 60_000,
    heartbeatTimeout: replyWatchHeartbeatMs(pollEvery),
    retry: { initialInterval: '1 minute', backoffCoefficient: 2, maximumInterval: '1 hour', nonRetryableErrorTypes: [PERMANENT_FAILURE] },
  });
  const from = [request.to, ...(state.rejection.recruiter ? [state.rejection.recruiter.email] : [])];
  const scope = new CancellationScope();
  void scope
    .run(() => watchGmailThread({ google: googleTargetOf(state), threadId: request.threadId as string, from, pollEveryMs: pollEvery }))
    .then(
      (reply) => receiveReply(state, stage, reply),
      (error: unknown) => {
        if (!isCancellation(error)) state.note(`reply detection stopped: ${messageOf(error)}`);
      },
    );
  return () => scope.cancel();
}

function receiveReply(state: SequenceState, stage: StageAttribute, reply: GmailReply): void {
  // Feedback recorded by hand meanwhile is the answer: most likely this very reply, pasted in.
  if (state.ending || state.feedbackReceived) return;
  state.recordFeedback({ text: reply.text.slice(0, MAX_TEXT), from: reply.from, receivedAt: iso(Date.now()) }, 'feedback recorded: a reply in the Gmail thread');
  stage.refresh();
}
