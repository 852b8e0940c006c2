import { durationMs } from './durations';
// Types only: the policy's zod schemas stay out of the workflow bundle (they cost memory in every cached workflow).
import type { Policy } from './policy';
import { feedbackContact, recipientOf, relationshipContact, type Audience } from './recipients';
import type { Rejection } from './rejection';
import { nextSendTime } from './send-window';
import type { DeliveryMode, StepKind } from './steps';

/** One message of a sequence and the time it is due (epoch milliseconds, inside a send window). */
export interface PlannedMessage {
  key: string;
  kind: StepKind;
  audience: Audience;
  at: number;
  mode: DeliveryMode;
}

export interface GrievingPlan {
  supportiveNote?: PlannedMessage;
  endsAt: number;
}

export interface FollowUpPlan {
  thankYous: PlannedMessage[];
  feedbackRequest: PlannedMessage;
  otherOpenings: PlannedMessage;
  linkedInTask: PlannedMessage;
  checkIns: PlannedMessage[];
  /** After the last check-in (none without check-ins, or when the policy turns it off). */
  closingSummary?: PlannedMessage;
  touchpoints: PlannedMessage[];
}

export interface FeedbackPlan {
  reminder?: PlannedMessage;
  deadline: number;
}

/** Places a message at the first send window of its recipient at or after `earliest`. */
export function planMessage(
  rejection: Rejection,
  policy: Policy,
  message: { key: string; kind: StepKind; audience: Audience },
  earliest: number,
): PlannedMessage {
  const zone = recipientOf(rejection, message.audience).timezone;
  const at = nextSendTime(earliest, zone, policy, Date.parse(rejection.rejectedAt));
  return { ...message, at, mode: policy.delivery[message.kind] ?? 'send' };
}

/** Step 1: the grieving period, and the supportive note sent during it. */
export function planGrieving(rejection: Rejection, policy: Policy): GrievingPlan {
  const rejectedAt = Date.parse(rejection.rejectedAt);
  const period = rejection.dreamJob ? policy.dreamJobGrievingPeriod : policy.grievingPeriod;
  const endsAt = rejectedAt + durationMs(period);
  if (!policy.supportiveNote) return { endsAt };
  const note = planMessage(rejection, policy, { key: 'supportive-note', kind: 'supportive-note', audience: { role: 'candidate' } }, rejectedAt);
  // A note that could only arrive once grieving is over would no longer support anyone.
  return { supportiveNote: note.at < endsAt ? note : undefined, endsAt };
}

/** Steps 2 to 6, counted from the moment grieving ended. */
export function planFollowUps(rejection: Rejection, policy: Policy, grievingEndedAt: number): FollowUpPlan {
  const plan = (key: string, kind: StepKind, audience: Audience, earliest: number) =>
    planMessage(rejection, policy, { key, kind, audience }, earliest);

  const thankYous = rejection.interviewers.map((_, index) =>
    plan(`thank-you:${index + 1}`, 'thank-you', { role: 'interviewer', index }, grievingEndedAt),
  );
  const thankedAt = Math.min(...thankYous.map((message) => message.at));
  const contact = relationshipContact(rejection);
  return {
    thankYous,
    feedbackRequest: plan('feedback-request', 'feedback-request', feedbackContact(rejection, policy), thankedAt + durationMs(policy.feedbackRequestDelay)),
    otherOpenings: plan('other-openings', 'other-openings', contact, thankedAt + durationMs(policy.otherOpeningsDelay)),
    linkedInTask: plan('linkedin-task', 'linkedin-task', { role: 'candidate' }, thankedAt + durationMs(policy.linkedInTaskDelay)),
    checkIns: Array.from({ length: policy.checkInCount }, (_, index) =>
      plan(`check-in:${index + 1}`, 'check-in', { role: 'candidate' }, grievingEndedAt + (index + 1) * durationMs(policy.checkInEvery)),
    ),
    // Policies recorded before the summary existed have no `closingSummary`: only `false` turns it off.
    closingSummary:
      policy.checkInCount > 0 && (policy as Partial<Policy>).closingSummary !== false
        ? plan('closing-summary', 'closing-summary', { role: 'candidate' }, grievingEndedAt + (policy.checkInCount + 1) * durationMs(policy.checkInEvery))
        : undefined,
    touchpoints: policy.touchpointsAfter.map((after, index) =>
      plan(`touchpoint:${index + 1}`, 'touchpoint', contact, thankedAt + durationMs(after)),
    ),
  };
}

/** Step 3's wait: the reminder (if any, and only before the deadline) and the deadline, from when the request went out. */
export function planFeedbackWait(rejection: Rejection, policy: Policy, requestedAt: number): FeedbackPlan {
  const deadline = requestedAt + durationMs(policy.feedbackWait);
  const reminder = policy.feedbackReminder
    ? planMessage(
        rejection,
        policy,
        { key: 'feedback-reminder', kind: 'feedback-reminder', audience: feedbackContact(rejection, policy) },
        requestedAt + durationMs(policy.feedbackReminderAfter),
      )
    : undefined;
  return { reminder: reminder && reminder.at < deadline ? reminder : undefined, deadline };
}

/** One line of a preview: what happens when. */
export interface PreviewEntry {
  at: number;
  key: string;
  kind: StepKind | 'grieving-ends' | 'feedback-deadline';
  audience?: Audience;
  mode?: DeliveryMode;
}

/** The whole sequence as it will run if nobody intervenes (no ready, snooze, pause or feedback). */
export function previewSequence(rejection: Rejection, policy: Policy): PreviewEntry[] {
  const grieving = planGrieving(rejection, policy);
  const followUps = planFollowUps(rejection, policy, grieving.endsAt);
  const feedback = planFeedbackWait(rejection, policy, followUps.feedbackRequest.at);
  const entries: PreviewEntry[] = [
    ...(grieving.supportiveNote ? [grieving.supportiveNote] : []),
    { at: grieving.endsAt, key: 'grieving-ends', kind: 'grieving-ends' },
    ...followUps.thankYous,
    followUps.feedbackRequest,
    ...(feedback.reminder ? [feedback.reminder] : []),
    { at: feedback.deadline, key: 'feedback-deadline', kind: 'feedback-deadline' },
    followUps.otherOpenings,
    followUps.linkedInTask,
    ...followUps.checkIns,
    ...(followUps.closingSummary ? [followUps.closingSummary] : []),
    ...followUps.touchpoints,
  ];
  return entries.sort((a, b) => a.at - b.at);
}
