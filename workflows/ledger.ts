import { isCancellation, proxyLocalActivities, workflowInfo } from '@temporalio/workflow';
import type { createActivities } from '../activities';
import { LEDGER_WRITE } from './activity-options';
import { TENANT_ATTRIBUTE } from './definitions';
import { messageOf } from './failures';
import type { SequenceState } from './state';
import { transitionsOf, type SequenceRecord } from './transitions';

type Activities = ReturnType<typeof createActivities>;
// A local activity: one marker in the history per write, inside the workflow task that made the transition.
const { recordOutcomes } = proxyLocalActivities<Activities>(LEDGER_WRITE);

/**
 * The outcomes ledger's hook (behind `wf-outcomes-ledger`): after every change of the sequence, the transitions not yet
 * written go to the `recordOutcomes` activity, keyed so a retry writes nothing twice. The reports read the ledger, so
 * they outlive Temporal's retention.
 */
export class OutcomesLedger {
  private readonly written = new Set<string>();
  private readonly writes: Promise<void>[] = [];
  private sequence?: SequenceRecord;

  constructor(private readonly state: SequenceState) {
    const { workflowId, typedSearchAttributes } = workflowInfo();
    const { rejection } = state;
    // The API sets the attribute; a tenant's workflow id also names it (workflowIdFor).
    const tenant = typedSearchAttributes.get(TENANT_ATTRIBUTE) ?? /^([^:]+):rejection-/.exec(workflowId)?.[1];
    this.sequence = {
      workflowId,
      ...(tenant === undefined ? {} : { tenant }),
      rejectionId: rejection.id,
      rejectedAt: rejection.rejectedAt,
      candidate: rejection.candidate.name,
      company: rejection.company,
      ...(rejection.coach === undefined ? {} : { coach: rejection.coach }),
    };
  }

  /** Writes the transitions made since the last call (the sequence's own row with the first). */
  observe(): void {
    const fresh = transitionsOf(this.state, Date.now()).filter((transition) => !this.written.has(transition.key));
    if (fresh.length === 0 && !this.sequence) return;
    for (const transition of fresh) this.written.add(transition.key);
    const write = { workflowId: workflowInfo().workflowId, ...(this.sequence ? { sequence: this.sequence } : {}), transitions: fresh };
    this.sequence = undefined;
    this.writes.push(
      recordOutcomes(write).catch((error: unknown) => {
        // Cancelled with the sequence: nothing left to record. Anything else is a gap the status should show.
        if (!isCancellation(error)) this.state.note(`the outcomes ledger missed ${fresh.map((transition) => transition.key).join(', ') || 'this sequence'}: ${messageOf(error)}`);
      }),
    );
  }

  /** Waits for every write in flight: a workflow that completes first would leave them unrun. */
  async flush(): Promise<void> {
    this.observe();
    await Promise.all(this.writes);
  }
}
