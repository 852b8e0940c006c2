import { WorkflowExecutionAlreadyStartedError, WorkflowIdReusePolicy, type Client, type WorkflowExecutionInfo } from '@temporalio/client';
import type { SuppressionList } from '../activities/suppression';
import { clientSuppressions } from '../common/database/state';
import * as actions from '../workflows/definitions';
import type { SequenceInput } from '../workflows/input';
import type { SequenceStatus, Stage } from '../workflows/status';
import { STAGES } from '../workflows/status';
import { LIST_MEMO_FIELD, TENANT_ATTRIBUTE } from '../workflows/definitions';
import { asListMemo, initialListMemo } from '../workflows/list-memo';
import { clientVisibilityHashing, startAttributes, type VisibilityHashing } from './visibility-keys';
import { visibilityString } from './visibility';

export interface StartResult {
  workflowId: string;
  /** False when a sequence for this rejection already existed: nothing new was started. */
  started: boolean;
}

/** What a caller may add to a start: its workflow id (a tenant's) and the tenant that owns it. */
export interface StartExtras {
  /** By default the unscoped `rejection-<id>` (workflowIdFor). */
  workflowId?: string;
  /** The OnwardTenant search attribute: the tenant whose dashboard and API see the sequence. */
  tenant?: string;
  /** The keyed hashes of the search attributes; by default under this client's payload keys. */
  hashing?: VisibilityHashing;
  /** The list the workers check; by default this process's database (common/database/state.ts). */
  suppressions?: SuppressionList;
}

/** A start refused because the candidate opted out: nothing was started. */
export class CandidateSuppressedError extends Error {
  override name = 'CandidateSuppressedError';
  readonly field = 'candidate.email';
  readonly problem = 'is on the suppression list (the candidate opted out): no sequence is started for this address';
  constructor() {
    super('');
    this.message = `${this.field}: ${this.problem}`;
  }
}

/**
 * Starts the sequence of a validated rejection; starting the same rejection again returns the existing one. A
 * candidate on the suppression list is refused before anything starts (CLI, API, import and webhooks all come here).
 */
export async function startSequence(client: Client, taskQueue: string, input: SequenceInput, extras: StartExtras = {}): Promise<StartResult> {
  const workflowId = extras.workflowId ?? actions.workflowIdFor(input.rejection.id);
  const suppressions = extras.suppressions ?? await clientSuppressions();
  if (await suppressions.isSuppressed(input.rejection.candidate.email)) throw new CandidateSuppressedError();
  try {
    await client.workflow.start(actions.WORKFLOW_TYPE, {
      taskQueue,
      workflowId,
      args: [input],
      // One sequence per rejection, ever: a finished one is not restarted by a repeated event.
      workflowIdReusePolicy: WorkflowIdReusePolicy.REJECT_DUPLICATE,
      // Only keyed hashes in search attributes; what the list displays goes in the memo, which the codec encrypts.
      typedSearchAttributes: startAttributes(input.rejection, extras.tenant, extras.hashing ?? clientVisibilityHashing()),
      memo: { [LIST_MEMO_FIELD]: initialListMemo(input.rejection) },
    });
    return { workflowId, started: true };
  } catch (error) {
    if (error instanceof WorkflowExecutionAlreadyStartedError) return { workflowId, started: false };
    throw error;
  }
}

/** A sequence: by rejection id (the CLI's, unscoped), or by the workflow id a tenant's lookup found (client/api/service.ts). */
export type SequenceTarget = string | { workflowId: string; rejectionId: string };

export function sequenceHandle(client: Client, target: SequenceTarget) {
  return client.workflow.getHandle(typeof target === 'string' ? actions.workflowIdFor(target) : target.workflowId);
}

export async function sequenceStatus(client: Client, sequence: SequenceTarget): Promise<SequenceStatus> {
  return sequenceHandle(client, sequence).query(actions.statusQuery);
}

export interface SequenceSummary {
  rejectionId: string;
  workflowId: string;
  stage: string;
  startedAt: Date;
  closedAt?: Date;
  /** Set when the sequence was started through the API or for a tenant (see workflows/definitions.ts). */
  tenant?: string;
  /** From the list memo (or, for sequences started before it, the memo field of its own). */
  rejectedAt?: string;
  memo?: Record<string, unknown>;
}

export function isStage(value: string): value is Stage {
  return (STAGES as readonly string[]).includes(value);
}

/** Lists sequences, newest first, optionally only those at one stage (from the stage search attribute). */
export async function listSequences(
  client: Client,
  options: { stage?: Stage; limit?: number; tenant?: string } = {},
): Promise<SequenceSummary[]> {
  const filters = [`WorkflowType = '${actions.WORKFLOW_TYPE}'`];
  if (options.stage) filters.push(`${actions.STAGE_ATTRIBUTE.name} = '${options.stage}'`);
  if (options.tenant !== undefined) filters.push(`${TENANT_ATTRIBUTE.name} = ${visibilityString(options.tenant)}`);
  const summaries: SequenceSummary[] = [];
  for await (const execution of client.workflow.list({ query: filters.join(' AND ') })) {
    summaries.push(summaryOf(execution));
    if (summaries.length >= (options.limit ?? 1000)) break;
  }
  return summaries;
}

function summaryOf(execution: WorkflowExecutionInfo): SequenceSummary {
  const rejectedAt = asListMemo(execution.memo?.[LIST_MEMO_FIELD])?.rejectedAt ?? execution.memo?.rejectedAt;
  return {
    ...(typeof rejectedAt === 'string' ? { rejectedAt } : {}),
    rejectionId: actions.rejectionIdOf(execution.workflowId),
    workflowId: execution.workflowId,
    stage: execution.typedSearchAttributes.get(actions.STAGE_ATTRIBUTE) ?? 'unknown',
    startedAt: execution.startTime,
    closedAt: execution.closeTime,
    tenant: execution.typedSearchAttributes.get(TENANT_ATTRIBUTE),
    memo: execution.memo,
  };
}
