import type { Client, WorkflowExecutionDescription } from '@temporalio/client';
import { WorkflowNotFoundError } from '@temporalio/common';
import { STAGE_ATTRIBUTE, statusQuery } from '../../workflows/definitions';
import { parseRejectionDocument, type SequenceInput } from '../../workflows/input';
import type { SequenceStatus, Stage, TimelineEntry } from '../../workflows/status';
import { ActionRefusedError } from '../actions';
import { COMPANY_ATTRIBUTE, TENANT_ATTRIBUTE } from '../../workflows/definitions';
import type { SuppressionList } from '../../activities/suppression';
import { CandidateSuppressedError, listSequences, sequenceHandle, startSequence, type SequenceSummary } from '../sequences';
import { HTTP_ACTIONS, type ActionName } from './actions';
import { ApiError, badRequest, conflict, notFound } from './errors';

const ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$/;
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
 * Sequences as a tenant sees them. Every read and every action first checks, on the server, that the
 * sequence's OnwardTenant search attribute is the caller's tenant; another tenant's sequence is "not found".
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
   * Starts a validated rejection for a tenant (none: the CLI's import without --tenant). Idempotent on the
   * rejection id; an id another tenant already uses is a 409, and starts nothing.
   */
  async start(input: SequenceInput, tenant?: string): Promise<StartResult> {
    const { id, company, role, rejectedAt } = input.rejection;
    const typedSearchAttributes = [
      { key: COMPANY_ATTRIBUTE, value: company },
      ...(tenant === undefined ? [] : [{ key: TENANT_ATTRIBUTE, value: tenant }]),
    ];
    let result;
    try {
      result = await startSequence(this.client, this.taskQueue, input, { typedSearchAttributes, memo: { role, rejectedAt }, suppressions: this.suppressions });
    } catch (error) {
      if (error instanceof CandidateSuppressedError) throw new SuppressedCandidateRefusal(error);
      throw error;
    }
    if (!result.started && tenant !== undefined) {
      const owner = await this.describe(id).then((description) => description?.typedSearchAttributes.get(TENANT_ATTRIBUTE));
      if (owner !== tenant) throw conflict('id', 'is already used by another sequence: choose another id (e.g. with your own prefix)');
    }
    return { outcome: result.started ? 'started' : 'existing', rejectionId: id, workflowId: result.workflowId };
  }

  /** The sequence's Temporal description, if it belongs to the tenant; 404 otherwise (whoever owns it). */
  async owned(tenant: string, rejectionId: string): Promise<WorkflowExecutionDescription> {
    if (!ID_PATTERN.test(rejectionId)) throw badRequest([{ field: 'id', problem: 'is not a rejection id' }]);
    const description = await this.describe(rejectionId);
    if (!description || description.typedSearchAttributes.get(TENANT_ATTRIBUTE) !== tenant) {
      throw notFound('id', `no sequence for rejection "${rejectionId}"`);
    }
    return description;
  }

  async status(tenant: string, rejectionId: string): Promise<{ execution: SequenceExecution; status: SequenceStatus }> {
    const description = await this.owned(tenant, rejectionId);
    return { execution: executionOf(description), status: await this.query(rejectionId) };
  }

  /** Runs one action (the CLI's `act`), after the tenant check and the body's validation. */
  async act(tenant: string, rejectionId: string, name: ActionName, body: unknown): Promise<Stage> {
    const description = await this.owned(tenant, rejectionId);
    const run = HTTP_ACTIONS[name].prepare(body);
    if (description.status.name !== 'RUNNING') {
      const stage = description.typedSearchAttributes.get(STAGE_ATTRIBUTE);
      throw conflict('(sequence)', `the sequence has ended${stage ? ` (${stage})` : ''}`);
    }
    try {
      return await run(this.client, rejectionId);
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
    const statuses = await mapLimited(summaries, 8, async (summary) => ({ summary, status: await this.query(summary.rejectionId).catch(() => undefined) }));
    return statuses.flatMap(({ summary, status }) => (status ? [{ summary, status }] : []));
  }

  private async item(summary: SequenceSummary): Promise<SequenceListItem> {
    const status = await this.query(summary.rejectionId).catch(() => undefined);
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

  private async describe(rejectionId: string): Promise<WorkflowExecutionDescription | undefined> {
    try {
      return await sequenceHandle(this.client, rejectionId).describe();
    } catch (error) {
      if (error instanceof WorkflowNotFoundError) return undefined;
      throw error;
    }
  }

  private async query(rejectionId: string): Promise<SequenceStatus> {
    try {
      return await this.client.withDeadline(Date.now() + QUERY_DEADLINE_MS, () => sequenceHandle(this.client, rejectionId).query(statusQuery));
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

// The workflow's validators name the argument they refuse ("for: ... is not a duration"): that is a bad
// request; anything else ("the sequence is already paused", "step: no draft ... is waiting") is a conflict
// with the sequence's state.
const ARGUMENT_FIELDS = new Set(['for', 'text', 'from', 'applications', 'interviews', 'note', 'subject', 'decision']);

function refusalError(error: ActionRefusedError): ApiError {
  const reason = error.message.replace(/^\w+ refused: /, '');
  const named = /^([A-Za-z]+): (.*)$/s.exec(reason);
  if (named?.[1] && named[2] !== undefined) {
    return new ApiError(ARGUMENT_FIELDS.has(named[1]) ? 400 : 409, [{ field: named[1], problem: named[2] }]);
  }
  return new ApiError(409, [{ field: '(sequence)', problem: reason }]);
}
