import { durationMs } from './durations';
// Types only: the policy's zod schemas stay out of the workflow bundle (they cost memory in every cached workflow).
import type { Policy } from './policy';
import { feedbackContact, recipientOf, relationshipContact, type Audience } from './recipients';
import type { Rejection } from './rejection';
import { nextSendTime, sendRulesFor } from './send-window';
import type { DeliveryMode, StepKind } from './steps';

/** One message of a sequence and the time it is due (epoch milliseconds, inside a send window). */
export interface PlannedMessage {
  key: string;
  kind: StepKind;
  audience: Audience;
  at: number;
  mode: DeliveryMode;
}

/** A message the policy (or the passing of time) leaves out, and why, for the preview. */
export interface DroppedMessage {
  message: PlannedMessage;
  reason: string;
}

export interface GrievingPlan {
  supportiveNote?: PlannedMessage;
  endsAt: number;
  /** The supportive note, when it will not go out. */
  dropped?: DroppedMessage;
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
  /** The reminder, when it will not go out. */
  dropped?: DroppedMessage;
}

/** Places a message at the first send window of its recipient at or after `earliest`. */
export function planMessage(
  rejection: Rejection,
  policy: Policy,
  message: { key: string; kind: StepKind; audience: Audience },
  earliest: number,
): PlannedMessage {
  const zone = recipientOf(rejection, message.audience).timezone;
  const at = nextSendTime(earliest, zone, sendRulesFor(policy, message.audience, rejection), Date.parse(rejection.rejectedAt));
  return { ...message, at, mode: policy.delivery[message.kind] ?? 'send' };
}

/**
 * Step 1: the grieving period, counted from the rejection, and the supportive note sent during it. `now` is when the
 * sequence starts: a rejection entered late (a CSV import, an ATS catching up) has part of its grieving behind it, and
 * its note goes from now, or not at all once grieving is over.
 */
export function planGrieving(rejection: Rejection, policy: Policy, now?: number): GrievingPlan {
  const rejectedAt = Date.parse(rejection.rejectedAt);
  const period = rejection.dreamJob ? policy.dreamJobGrievingPeriod : policy.grievingPeriod;
  const endsAt = rejectedAt + durationMs(period);
  const note = planMessage(
    rejection,
    policy,
    { key: 'supportive-note', kind: 'supportive-note', audience: { role: 'candidate' } },
    Math.max(rejectedAt, now ?? rejectedAt),
  );
  if (!policy.supportiveNote) return { endsAt, dropped: { message: note, reason: 'turned off by the policy (supportiveNote: false)' } };
  if (now !== undefined && now >= endsAt) return { endsAt, dropped: { message: note, reason: 'its moment has passed: grieving was over before the sequence started' } };
  // A note that could only arrive once grieving is over would no longer support anyone.
  if (note.at >= endsAt) return { endsAt, dropped: { message: note, reason: "no time in the candidate's send window before grieving ends" } };
  return { supportiveNote: note, endsAt };
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
  const reminder = planMessage(
    rejection,
    policy,
    { key: 'feedback-reminder', kind: 'feedback-reminder', audience: feedbackContact(rejection, policy) },
    requestedAt + durationMs(policy.feedbackReminderAfter),
  );
  if (!policy.feedbackReminder) return { deadline, dropped: { message: reminder, reason: 'turned off by the policy (feedbackReminder: false)' } };
  if (reminder.at >= deadline) return { deadline, dropped: { message: reminder, reason: "no time in the recipient's send window before the feedback deadline" } };
  return { reminder, deadline };
}

/** One line of a preview: what happens when. */
export interface PreviewEntry {
  at: number;
  key: string;
  kind: StepKind | 'grieving-ends' | 'feedback-deadline';
  audience?: Audience;
  mode?: DeliveryMode;
  /** Goes out as soon as the sequence starts: its time is already behind it. */
  now?: boolean;
  /** Will not go out, and why. */
  dropped?: string;
}

export interface PreviewOptions {
  /** When the sequence starts; by default at the moment of the rejection. */
  now?: number;
  /** Also list the messages the policy or the passing of time leaves out, each with its `dropped` reason. */
  includeDropped?: boolean;
}

/** The whole sequence as it will run if nobody intervenes (no ready, snooze, pause or feedback). */
export function previewSequence(rejection: Rejection, policy: Policy, options: PreviewOptions = {}): PreviewEntry[] {
  const now = options.now ?? Date.parse(rejection.rejectedAt);
  const grieving = planGrieving(rejection, policy, now);
  const followUps = planFollowUps(rejection, policy, Math.max(grieving.endsAt, now));
  const feedback = planFeedbackWait(rejection, policy, followUps.feedbackRequest.at);
  const dropped = (drop: DroppedMessage | undefined): PreviewEntry[] => (drop && options.includeDropped ? [{ ...drop.message, dropped: drop.reason }] : []);
  const closingSummaryOff =
    options.includeDropped && policy.checkInCount > 0 && !followUps.closingSummary
      ? [{ key: 'closing-summary', kind: 'closing-summary' as const, audience: { role: 'candidate' as const }, at: followUps.checkIns.at(-1)?.at ?? now, dropped: 'turned off by the policy (closingSummary: false)' }]
      : [];
  const entries: PreviewEntry[] = [
    ...(grieving.supportiveNote ? [grieving.supportiveNote] : []),
    ...dropped(grieving.dropped),
    { at: grieving.endsAt, key: 'grieving-ends', kind: 'grieving-ends' },
    ...followUps.thankYous,
    followUps.feedbackRequest,
    ...(feedback.reminder ? [feedback.reminder] : []),
    ...dropped(feedback.dropped),
    { at: feedback.deadline, key: 'feedback-deadline', kind: 'feedback-deadline' },
    followUps.otherOpenings,
    followUps.linkedInTask,
    ...followUps.checkIns,
    ...(followUps.closingSummary ? [followUps.closingSummary] : []),
    ...closingSummaryOff,
    ...followUps.touchpoints,
  ];
  return entries
    .map((entry) => (entry.dropped === undefined && entry.at <= now ? { ...entry, now: true } : entry))
    .sort((a, b) => a.at - b.at);
}
