import type { Client, WorkflowExecutionDescription } from '@temporalio/client';
import { WorkflowNotFoundError } from '@temporalio/common';
import { STAGE_ATTRIBUTE, statusQuery } from '../../workflows/definitions';
import { parseRejectionDocument, type SequenceInput } from '../../workflows/input';
import { REJECTION_ID_PATTERN } from '../../workflows/rejection-id';
import { INVALID_ARGUMENT } from '../../workflows/updates';
import type { SequenceStatus, Stage } from '../../workflows/status';
import { ActionRefusedError } from '../actions';
import { LIST_MEMO_FIELD, TENANT_ATTRIBUTE, workflowIdFor } from '../../workflows/definitions';
import { asListMemo } from '../../workflows/list-memo';
import { clientVisibilityHashing, type VisibilityHashing } from '../visibility-keys';
import { approvalsOf, listPage, mapLimited, type Approval, type ListFilters, type ListPage } from './sequence-list';
import type { SuppressionList } from '../../activities/suppression';
import { CandidateSuppressedError, listSequences, startSequence, type SequenceSummary } from '../sequences';
import { HTTP_ACTIONS, type ActionName } from './actions';
import { ApiError, badRequest, conflict, notFound } from './errors';

/** A tenant's sequence as found in Temporal: its workflow id (scoped, or an older unscoped one) and description. */
interface Located {
  rejectionId: string;
  workflowId: string;
  description: WorkflowExecutionDescription;
}
const QUERY_DEADLINE_MS = 5_000;

export type StartOutcome = 'started' | 'existing';

export interface StartResult {
  outcome: StartOutcome;
  rejectionId: string;
  workflowId: string;
}

/** Where a sequence is in Temporal, beside what its status query says. */
export interface SequenceExecution {
  workflowId: string;
  tenant?: string;
  execution: string;
  startedAt: string;
  closedAt?: string;
  rejectedAt?: string;
  coach?: string;
}

export type { Approval, ListFilters, ListPage, SequenceListItem } from './sequence-list';

/** A start refused because the candidate opted out: 422 naming `candidate.email`; nothing was started. */
export class SuppressedCandidateRefusal extends ApiError {
  constructor(refusal: CandidateSuppressedError) {
    super(422, [{ field: refusal.field, problem: refusal.problem }]);
  }
}

/**
 * Sequences as a tenant sees them. A tenant's workflow ids are scoped (`<tenant>:rejection-<id>`, workflowIdFor), so
 * two tenants' ids never collide; a sequence started before ids were scoped (`rejection-<id>`) is still found, when
 * its OnwardTenant search attribute is the caller's. Another tenant's sequence is "not found".
 * The CLI's functions do the work (startSequence, sequenceStatus's query, act): nothing here duplicates them.
 */
export class SequenceService {
  constructor(
    readonly client: Client,
    readonly taskQueue: string,
    /** The suppression list starts are checked against; by default the file the workers share. */
    readonly suppressions?: SuppressionList,
    /** The keyed hashes of the search attributes; by default under this client's payload keys. */
    hashing?: VisibilityHashing,
  ) {
    this.hashing = hashing ?? clientVisibilityHashing();
  }

  /** The keyed hashes of the search attributes (client/visibility-keys.ts). */
  readonly hashing: VisibilityHashing;

  /** Validates a rejection document with the CLI's validation: same fields, same messages. */
  validate(document: unknown): SequenceInput {
    const result = parseRejectionDocument(document);
    if (!result.ok) throw badRequest(result.problems);
    return result.input;
  }

  /**
   * Starts a validated rejection for a tenant (none: the CLI's import without --tenant), idempotently on the
   * rejection id within the tenant: the tenant's older, unscoped sequence of the same id counts as existing.
   */
  async start(input: SequenceInput, tenant?: string, options: { unscopedId?: boolean } = {}): Promise<StartResult> {
    const { id } = input.rejection;
    if (tenant !== undefined) {
      const legacy = await this.legacy(tenant, id);
      if (legacy) return { outcome: 'existing', rejectionId: id, workflowId: legacy.workflowId };
    }
    // The CLI's sequences keep their unscoped id (`onward status ID` finds them) and still belong to a tenant.
    const workflowId = workflowIdFor(id, options.unscopedId ? undefined : tenant);
    let result;
    try {
      result = await startSequence(this.client, this.taskQueue, input, { workflowId, tenant, hashing: this.hashing, suppressions: this.suppressions });
    } catch (error) {
      if (error instanceof CandidateSuppressedError) throw new SuppressedCandidateRefusal(error);
      throw error;
    }
    return { outcome: result.started ? 'started' : 'existing', rejectionId: id, workflowId: result.workflowId };
  }

  /** The sequence, if it belongs to the tenant; 404 otherwise (whoever owns it). */
  async owned(tenant: string, rejectionId: string): Promise<Located> {
    if (!REJECTION_ID_PATTERN.test(rejectionId)) throw badRequest([{ field: 'id', problem: 'is not a rejection id' }]);
    const workflowId = workflowIdFor(rejectionId, tenant);
    const description = await this.describe(workflowId);
    const located = description ? { rejectionId, workflowId, description } : await this.legacy(tenant, rejectionId);
    if (!located || located.description.typedSearchAttributes.get(TENANT_ATTRIBUTE) !== tenant) throw notFound('id', `no sequence for rejection "${rejectionId}"`);
    return located;
  }

  /** The tenant's sequence started before ids were scoped by tenant (`rejection-<id>`), if there is one. */
  private async legacy(tenant: string, rejectionId: string): Promise<Located | undefined> {
    const workflowId = workflowIdFor(rejectionId);
    const description = await this.describe(workflowId);
    return description?.typedSearchAttributes.get(TENANT_ATTRIBUTE) === tenant ? { rejectionId, workflowId, description } : undefined;
  }

  async status(tenant: string, rejectionId: string): Promise<{ execution: SequenceExecution; status: SequenceStatus }> {
    const located = await this.owned(tenant, rejectionId);
    return { execution: executionOf(located.description), status: await this.query(located.workflowId) };
  }

  /** Runs one action (the CLI's `act`), after the tenant check and the body's validation. */
  async act(tenant: string, rejectionId: string, name: ActionName, body: unknown): Promise<Stage> {
    const located = await this.owned(tenant, rejectionId);
    const run = HTTP_ACTIONS[name].prepare(body);
    if (located.description.status.name !== 'RUNNING') {
      const stage = located.description.typedSearchAttributes.get(STAGE_ATTRIBUTE);
      throw conflict('(sequence)', `the sequence has ended${stage ? ` (${stage})` : ''}`);
    }
    try {
      return await run(this.client, { rejectionId, workflowId: located.workflowId });
    } catch (error) {
      if (error instanceof ActionRefusedError) throw refusalError(error);
      throw error;
    }
  }

  /** A page of the tenant's sequences from one visibility query (./sequence-list.ts). */
  list(tenant: string, filters: ListFilters = {}): Promise<ListPage> {
    return listPage(this.client, this.hashing, (workflowId) => this.query(workflowId), tenant, filters);
  }

  /** The tenant's drafts waiting for a decision, oldest first. */
  approvals(tenant: string): Promise<Approval[]> {
    return approvalsOf(this.client, (workflowId) => this.query(workflowId), tenant);
  }

  /** The status of every sequence of a tenant (for the outcomes report); unanswered queries are left out. */
  async statuses(tenant: string, limit = 2000): Promise<{ summary: SequenceSummary; status: SequenceStatus }[]> {
    const summaries = await listSequences(this.client, { tenant, limit });
    const statuses = await mapLimited(summaries, 8, async (summary) => ({ summary, status: await this.query(summary.workflowId).catch(() => undefined) }));
    return statuses.flatMap(({ summary, status }) => (status ? [{ summary, status }] : []));
  }

  private async describe(workflowId: string): Promise<WorkflowExecutionDescription | undefined> {
    try {
      return await this.client.workflow.getHandle(workflowId).describe();
    } catch (error) {
      if (error instanceof WorkflowNotFoundError) return undefined;
      throw error;
    }
  }

  private async query(workflowId: string): Promise<SequenceStatus> {
    try {
      return await this.client.withDeadline(Date.now() + QUERY_DEADLINE_MS, () => this.client.workflow.getHandle(workflowId).query(statusQuery));
    } catch (error) {
      throw new ApiError(503, [{ field: '(sequence)', problem: `the sequence did not answer its status query (is a worker running?): ${(error as Error).message}` }]);
    }
  }
}

function executionOf(description: WorkflowExecutionDescription): SequenceExecution {
  const memo = asListMemo(description.memo?.[LIST_MEMO_FIELD]);
  // Sequences started before the list memo kept the rejection date in a memo field of its own.
  const rejectedAt = memo?.rejectedAt ?? description.memo?.rejectedAt;
  return {
    workflowId: description.workflowId,
    tenant: description.typedSearchAttributes.get(TENANT_ATTRIBUTE),
    execution: description.status.name,
    startedAt: description.startTime.toISOString(),
    closedAt: description.closeTime?.toISOString(),
    rejectedAt: typeof rejectedAt === 'string' ? rejectedAt : undefined,
    ...(memo?.coach === undefined ? {} : { coach: memo.coach }),
  };
}

/** A refusal by the shared validators: a bad argument is a bad request, anything else a conflict with the sequence's state. */
function refusalError(error: ActionRefusedError): ApiError {
  return new ApiError(error.type === INVALID_ARGUMENT ? 400 : 409, [{ field: error.field, problem: error.problem }]);
}
