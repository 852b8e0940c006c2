// The bench worker's workflows (a separate bundle and a separate worker: the Onward worker registers only
// workflows/index.ts). They are the baselines: what Temporal itself costs for the same shape of work.
import { condition, defineQuery, proxyActivities, proxyLocalActivities, setHandler, sleep } from '@temporalio/workflow';
import { feedbackUpdate } from '../workflows/definitions';
import type { Stage } from '../workflows/status';

export const benchStatusQuery = defineQuery<string>('status');

/** Does nothing: the cheapest workflow a start can run. Answers the same `status` query name as Onward. */
export function benchNoop(..._args: unknown[]): Promise<string> {
  setHandler(benchStatusQuery, () => 'done');
  return Promise.resolve('done');
}

/** One moment of a sequence, at an absolute (workflow) time. */
export interface SkeletonStep {
  key: string;
  at: number;
  /** Send a message (a no-op activity) at `at`. */
  send: boolean;
  /** Skipped when feedback arrived first (the reminder). */
  cancelOnFeedback?: boolean;
  /** The end of the feedback wait: a timer that feedback cancels. */
  feedbackDeadline?: boolean;
}

export interface BenchActivities {
  benchSend(key: string): Promise<void>;
}

const activities = proxyActivities<BenchActivities>({ startToCloseTimeout: '1 minute' });
const localActivities = proxyLocalActivities<BenchActivities>({ startToCloseTimeout: '1 minute' });

export interface SkeletonOptions {
  /** Send through a local activity (one MarkerRecorded event, no task of its own) instead of an activity. */
  local?: boolean;
}

/**
 * The straightforward implementation of a sequence: every message of the planned schedule as its own branch,
 * a timer to its time, then one activity; feedback (the same `feedback` update) cancels the reminder and the
 * deadline. No send windows, no status, no stage attribute, no approvals: the floor for this many sends.
 */
export async function benchSkeleton(steps: SkeletonStep[], options: SkeletonOptions = {}): Promise<number> {
  const { benchSend } = options.local ? localActivities : activities;
  let feedback = false;
  setHandler(feedbackUpdate, (): Stage => {
    feedback = true;
    return 'following-up';
  });
  let sent = 0;
  await Promise.all(
    steps.map(async (step) => {
      const remaining = step.at - Date.now();
      if (step.feedbackDeadline || step.cancelOnFeedback) {
        if (remaining > 0) await condition(() => feedback, remaining);
        if (step.feedbackDeadline || feedback) return;
      } else if (remaining > 0) {
        await sleep(remaining);
      }
      if (step.send) {
        await benchSend(step.key);
        sent += 1;
      }
    }),
  );
  return sent;
}
