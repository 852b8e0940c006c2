import type { FollowUpPlan, PlannedMessage } from './schedule';

/**
 * Every message of a follow-up plan, in the order the sequence schedules them: the one list of a plan's messages.
 * `closingSummary` is passed apart: sequences recorded before it shipped go on without it (an explicit `undefined`).
 */
export function followUpMessages(plan: FollowUpPlan, options: { closingSummary?: PlannedMessage } = plan): PlannedMessage[] {
  const { closingSummary } = options;
  return [
    ...plan.thankYous,
    plan.feedbackRequest,
    plan.otherOpenings,
    plan.linkedInTask,
    ...plan.checkIns,
    ...(closingSummary ? [closingSummary] : []),
    ...plan.touchpoints,
  ];
}
