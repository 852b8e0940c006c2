import { setHandler } from '@temporalio/workflow';
import { replyUpdate } from './definitions';
import type { StageAttribute } from './stage-attribute';
import { iso, type SequenceState } from './state';
import { ACTION_CONFLICT, refusal, SEQUENCE_FIELD, validateReply, type ReplyArgs } from './updates';
import type { StepKind } from './steps';

/** Replies to these are feedback; replies to those are the recruiter answering (step 5 and step 6's thread). */
const ASKING_FOR_FEEDBACK: readonly StepKind[] = ['feedback-request', 'feedback-reminder'];
const TO_THE_RECRUITER: readonly StepKind[] = ['other-openings', 'touchpoint'];

/**
 * Email replies caught in a watched mailbox (worker/replies): a reply to the feedback request is the feedback; a reply
 * to "other openings" or a touchpoint goes on the timeline and ends that thread's touchpoints. Refusals say why the
 * watcher leaves the message alone (an unknown step, a reply already recorded, a sequence that has ended).
 */
export function registerReplyHandler(state: SequenceState, stage: StageAttribute): void {
  const conflict = (field: string, problem: string) => refusal(ACTION_CONFLICT, field, problem);
  const validate = (args: ReplyArgs) => {
    if (state.ending) throw conflict(SEQUENCE_FIELD, `the sequence has ended (${state.ending})`);
    validateReply(args);
    const entry = state.timeline.get(args.step);
    if (!entry || !['sent', 'drafted'].includes(entry.status)) throw conflict('step', `no message ${JSON.stringify(args.step)} went out to reply to`);
    if (![...ASKING_FOR_FEEDBACK, ...TO_THE_RECRUITER].includes(entry.kind)) throw conflict('step', `replies to ${entry.kind} are not recorded`);
    if (args.from.toLowerCase() === state.rejection.candidate.email.toLowerCase()) throw conflict('from', 'is the candidate: her own message in the thread is not a reply');
    if (state.replies.has(args.messageId)) throw conflict('messageId', 'this reply is already recorded');
  };
  setHandler(
    replyUpdate,
    ({ step, messageId, from, text }: ReplyArgs) => {
      state.replies.add(messageId);
      const entry = state.timeline.get(step);
      const receivedAt = iso(Date.now());
      if (entry && ASKING_FOR_FEEDBACK.includes(entry.kind)) {
        state.recordFeedback({ text, from, receivedAt }, `feedback recorded: ${from} replied to ${step} by email`);
      } else if (entry) {
        entry.reply = { from, receivedAt, text };
        state.recruiterAnswered ??= step;
        state.note(`${from} replied to ${step}: no more touchpoints in that thread`);
      }
      stage.refresh();
      return stage.value;
    },
    { validator: validate },
  );
}
