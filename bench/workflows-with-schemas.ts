// The bench workflows plus one import the product's workflow code makes today: workflows/policy.ts (zod and the
// policy schema, parsed at module load). The Temporal worker evaluates a bundle's modules once per workflow
// execution, so this bundle shows what those modules cost per cached workflow (figure 4, diagnostic).
import { DEFAULT_POLICY } from '../workflows/policy';

export { benchNoop, benchSkeleton } from './workflows';

/** Keeps the policy module in the bundle and evaluated: returns a value from it. */
export function benchPolicyCheckIns(): Promise<number> {
  return Promise.resolve(DEFAULT_POLICY.checkInCount);
}
