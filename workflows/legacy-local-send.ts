import { isCancellation, proxyActivities, proxyLocalActivities, workflowInfo } from '@temporalio/workflow';
import type { createActivities } from '../activities';
import { HAND_OVER } from './activity-options';
import { WORKFLOW_TASK_TIMEOUT_MS } from './definitions';
import type { EmailRequest } from './email-request';
import { failureType, messageOf, PERMANENT_FAILURE, SUPPRESSED } from './failures';
import type { Handover } from './google';

type Activities = ReturnType<typeof createActivities>;

const { sendEmail } = proxyActivities<Activities>(HAND_OVER);
const { sendEmailUnlessRateLimited } = proxyLocalActivities<Activities>({ startToCloseTimeout: '20 seconds', retry: { maximumAttempts: 1 } });

/**
 * Only for sequences started while emails went out as local activities (before the `wf-task-queue-sends` patch): they
 * go on, and replay, as they ran until a `deprecatePatch` removes this file. One local attempt in the workflow task,
 * else the sequence's own task queue.
 */
export class LegacyLocalSends {
  private queue: Promise<unknown> = Promise.resolve();
  private failing = false;
  // Fixed at start, so replay-safe: sequences started with a shorter task timeout (all those from before local sends,
  // and any started by other clients) have no room for a local send in a task, and send through the queue.
  private readonly possible = workflowInfo().taskTimeoutMs >= WORKFLOW_TASK_TIMEOUT_MS;

  constructor(private readonly note: (event: string) => void) {}

  async send(request: EmailRequest): Promise<Handover> {
    if (this.possible && !this.failing) {
      try {
        const sent = await this.oneAtATime(() => sendEmailUnlessRateLimited(request));
        if (sent) return sent;
      } catch (error) {
        const type = failureType(error);
        if (isCancellation(error) || type === PERMANENT_FAILURE || type === SUPPRESSED) throw error;
        this.failing = true;
        this.note(`${request.key}: the local send failed (${messageOf(error)}); handed to the task queue`);
      }
    }
    const sent = await sendEmail(request);
    this.failing = false;
    return sent;
  }

  /** Local activities run in parallel could resolve together on replay, in another order than they ran: never in parallel. */
  private oneAtATime<T>(run: () => Promise<T>): Promise<T> {
    const result = this.queue.then(run);
    this.queue = result.then(
      () => undefined,
      () => undefined,
    );
    return result;
  }
}
