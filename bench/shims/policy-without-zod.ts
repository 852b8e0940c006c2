// A what-if for figure 4, never used by the product: the one value the workflow code takes at run time from
// workflows/policy.ts (deliveryModeOf, in workflows/schedule.ts), without the zod schemas that module builds.
// The bench's `onward-without-zod` bundle swaps it in for ./policy, to measure what keeping zod out of the
// workflow bundle would save per cached workflow.
import type { Policy } from '../../workflows/policy';
import type { StepKind } from '../../workflows/steps';

export function deliveryModeOf(policy: Policy, kind: StepKind): 'send' | 'approve' {
  return policy.delivery[kind] ?? 'send';
}
