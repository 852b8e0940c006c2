import type { Client, WorkflowExecutionDescription } from '@temporalio/client';
import { WorkflowNotFoundError } from '@temporalio/common';
import { STAGE_ATTRIBUTE, statusQuery } from '../../workflows/definitions';
import { parseRejectionDocument, type SequenceInput } from '../../workflows/input';
import { REJECTION_ID_PATTERN } from '../../workflows/rejection-id';
import { INVALID_ARGUMENT } from '../../workflows/updates';
import type { SequenceStatus, Stage, TimelineEntry } from '../../workflows/status';
import { ActionRefusedError } from '../actions';
import { COMPANY_ATTRIBUTE, TENANT_ATTRIBUTE, workflowIdFor } from '../../workflows/definitions';
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
  company?: string;
  execution: string;
  startedAt: string;
  closedAt?: string;
  rejectedAt?: string;
}

/** The next message a sequence will send (or that waits for approval), if any. */
export interface NextStep {
  key: string;
  kind: TimelineEntry['kind'];
  to: string;
  status: TimelineEntry['status'];
  at: string;
}

export interface SequenceListItem extends SequenceExecution {
  rejectionId: string;
  stage: string;
  candidate?: string;
  role?: string;
  next?: NextStep;
  awaitingApproval: number;
}

export interface ListFilters {
  stage?: Stage;
  company?: string;
  /** Case-insensitive part of the candidate's name. */
  candidate?: string;
  limit?: number;
}

export function nextStepOf(status: SequenceStatus): NextStep | undefined {
  const pending = status.timeline.filter((entry) => entry.status === 'scheduled' || entry.status === 'awaiting-approval');
  const next = pending.find((entry) => entry.status === 'awaiting-approval') ?? pending[0];
  return next && { key: next.key, kind: next.kind, to: next.to, status: next.status, at: next.scheduledAt };
}

async function mapLimited<T, R>(items: T[], concurrency: number, work: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array<R>(items.length);
  let next = 0;
  const runners = Array.from({ length: Math.min(concurrency, items.length) }, async () => {
    while (next < items.length) {
      const index = next++;
      results[index] = await work(items[index] as T);
    }
  });
  await Promise.all(runners);
  return results;
}

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
  ) {}

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
  async start(input: SequenceInput, tenant?: string): Promise<StartResult> {
    const { id, company, role, rejectedAt } = input.rejection;
    if (tenant !== undefined) {
      const legacy = await this.legacy(tenant, id);
      if (legacy) return { outcome: 'existing', rejectionId: id, workflowId: legacy.workflowId };
    }
    const typedSearchAttributes = [
      { key: COMPANY_ATTRIBUTE, value: company },
      ...(tenant === undefined ? [] : [{ key: TENANT_ATTRIBUTE, value: tenant }]),
    ];
    let result;
    try {
      result = await startSequence(this.client, this.taskQueue, input, { workflowId: workflowIdFor(id, tenant), typedSearchAttributes, memo: { role, rejectedAt }, suppressions: this.suppressions });
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

  /** The tenant's sequences, newest first, with what each will do next (from its status query). */
  async list(tenant: string, filters: ListFilters = {}): Promise<SequenceListItem[]> {
    const limit = filters.limit ?? 100;
    const summaries = await listSequences(this.client, {
      tenant,
      stage: filters.stage,
      company: filters.company,
      // A candidate search looks further: the name is only known from each sequence's status.
      limit: filters.candidate ? Math.max(limit, 1000) : limit,
    });
    const items = await mapLimited(summaries, 8, (summary) => this.item(summary));
    const needle = filters.candidate?.toLocaleLowerCase();
    return (needle ? items.filter((item) => item.candidate?.toLocaleLowerCase().includes(needle)) : items).slice(0, limit);
  }

  /** The status of every sequence of a tenant (for the outcomes report); unanswered queries are left out. */
  async statuses(tenant: string, limit = 2000): Promise<{ summary: SequenceSummary; status: SequenceStatus }[]> {
    const summaries = await listSequences(this.client, { tenant, limit });
    const statuses = await mapLimited(summaries, 8, async (summary) => ({ summary, status: await this.query(summary.workflowId).catch(() => undefined) }));
    return statuses.flatMap(({ summary, status }) => (status ? [{ summary, status }] : []));
  }

  private async item(summary: SequenceSummary): Promise<SequenceListItem> {
    const status = await this.query(summary.workflowId).catch(() => undefined);
    return {
      rejectionId: summary.rejectionId,
      workflowId: summary.workflowId,
      tenant: summary.tenant,
      company: summary.company ?? status?.company,
      execution: summary.closedAt ? 'CLOSED' : 'RUNNING',
      startedAt: summary.startedAt.toISOString(),
      closedAt: summary.closedAt?.toISOString(),
      rejectedAt: typeof summary.memo?.rejectedAt === 'string' ? summary.memo.rejectedAt : undefined,
      stage: status?.stage ?? summary.stage,
      candidate: status?.candidate,
      role: status?.role,
      next: status && !summary.closedAt ? nextStepOf(status) : undefined,
      awaitingApproval: status?.timeline.filter((entry) => entry.status === 'awaiting-approval').length ?? 0,
    };
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
  const rejectedAt = description.memo?.rejectedAt;
  return {
    workflowId: description.workflowId,
    tenant: description.typedSearchAttributes.get(TENANT_ATTRIBUTE),
    company: description.typedSearchAttributes.get(COMPANY_ATTRIBUTE),
    execution: description.status.name,
    startedAt: description.startTime.toISOString(),
    closedAt: description.closeTime?.toISOString(),
    rejectedAt: typeof rejectedAt === 'string' ? rejectedAt : undefined,
  };
}

/** A refusal by the shared validators: a bad argument is a bad request, anything else a conflict with the sequence's state. */
function refusalError(error: ActionRefusedError): ApiError {
  return new ApiError(error.type === INVALID_ARGUMENT ? 400 : 409, [{ field: error.field, problem: error.problem }]);
}
