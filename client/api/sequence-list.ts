import type { Client, WorkflowExecutionInfo } from '@temporalio/client';
import { executionInfoFromRaw } from '@temporalio/client/lib/helpers';
import {
  AWAITING_APPROVAL_ATTRIBUTE,
  COACH_ATTRIBUTE,
  LIST_MEMO_FIELD,
  REJECTED_AT_ATTRIBUTE,
  rejectionIdOf,
  SEARCH_TERMS_ATTRIBUTE,
  STAGE_ATTRIBUTE,
  TENANT_ATTRIBUTE,
  WORKFLOW_TYPE,
} from '../../workflows/definitions';
import { asListMemo, awaitingApprovalOf, nextStepOf, type NextStep } from '../../workflows/list-memo';
import type { SequenceStatus, Stage } from '../../workflows/status';
import type { ApprovalFallback } from '../../workflows/status';
import { queryTerms } from '../search-terms';
import type { VisibilityHashing } from '../visibility-keys';
import { visibilityString } from '../visibility';
import { badRequest } from './errors';

/** One row of GET /sequences (docs/api.md). */
export interface SequenceListItem {
  rejectionId: string;
  workflowId: string;
  stage: string;
  candidate?: string;
  company?: string;
  role?: string;
  coach?: string;
  rejectedAt?: string;
  startedAt: string;
  closedAt?: string;
  next?: NextStep;
  awaitingApproval: number;
}

export interface ListFilters {
  stage?: Stage;
  /** The coach's name, any case. */
  coach?: string;
  /** Part of the candidate's name or of the company: the start of one of their words, any case, accents ignored. */
  q?: string;
  /** Rejection dates, YYYY-MM-DD (UTC), both included. */
  from?: string;
  to?: string;
  pageSize?: number;
  /** The nextCursor of the previous page. */
  cursor?: string;
}

export interface ListPage {
  sequences: SequenceListItem[];
  nextCursor?: string;
}

/** One draft waiting for a decision, in GET /approvals (docs/api.md). */
export interface Approval {
  rejectionId: string;
  workflowId: string;
  candidate: string;
  company: string;
  role: string;
  key: string;
  kind: string;
  to: string;
  subject: string;
  text: string;
  decideBy: string;
  fallback: ApprovalFallback;
  waitingSince: string;
}

/** How the list reaches a sequence's status query (the API's, with its deadline): for sequences without a list memo only. */
export type StatusOf = (workflowId: string) => Promise<SequenceStatus>;

const DEFAULT_PAGE_SIZE = 25;
/** How many sequences with drafts waiting the approvals inbox looks at. */
const APPROVALS_SCAN_LIMIT = 500;
const QUERY_CONCURRENCY = 8;
const DAY_MS = 86_400_000;

const anyOf = (values: string[]) => `(${values.map(visibilityString).join(', ')})`;

/** The visibility query of a tenant's list with its filters: keyed hashes stand for the coach and the search words. */
export function listQueryOf(tenant: string, filters: ListFilters, hashing: VisibilityHashing): string {
  const conditions = [`WorkflowType = '${WORKFLOW_TYPE}'`, `${TENANT_ATTRIBUTE.name} = ${visibilityString(tenant)}`];
  if (filters.stage) conditions.push(`${STAGE_ATTRIBUTE.name} = ${visibilityString(filters.stage)}`);
  if (filters.coach !== undefined) conditions.push(`${COACH_ATTRIBUTE.name} IN ${anyOf(hashing.hashes('coach', filters.coach))}`);
  if (filters.q !== undefined) {
    const terms = queryTerms(filters.q);
    if (terms.length === 0) throw badRequest([{ field: 'q', problem: 'must hold a word of at least two letters or digits' }]);
    for (const term of terms) conditions.push(`${SEARCH_TERMS_ATTRIBUTE.name} IN ${anyOf(hashing.hashes('term', term))}`);
  }
  if (filters.from) conditions.push(`${REJECTED_AT_ATTRIBUTE.name} >= '${dayStart(filters.from).toISOString()}'`);
  if (filters.to) conditions.push(`${REJECTED_AT_ATTRIBUTE.name} < '${new Date(dayStart(filters.to).getTime() + DAY_MS).toISOString()}'`);
  return conditions.join(' AND ');
}

const dayStart = (day: string): Date => new Date(`${day}T00:00:00Z`);

function decodeCursor(cursor: string | undefined): Buffer {
  if (cursor === undefined) return Buffer.alloc(0);
  const token = Buffer.from(cursor, 'base64url');
  if (token.length === 0 || token.toString('base64url') !== cursor) throw badRequest([{ field: 'cursor', problem: 'is not a cursor this API gave (use nextCursor as it came)' }]);
  return token;
}

/** One page of executions matching `query`, with memos decoded (and decrypted) by the client's data converter. */
async function executionsPage(client: Client, query: string, pageSize: number, cursor?: string): Promise<{ executions: WorkflowExecutionInfo[]; nextCursor?: string }> {
  const namespace = client.options.namespace;
  let response;
  try {
    response = await client.workflowService.listWorkflowExecutions({ namespace, query, pageSize, nextPageToken: decodeCursor(cursor) });
  } catch (error) {
    // A page token the server no longer accepts (e.g. from another query) is the caller's to fix.
    if (cursor !== undefined && /token/i.test((error as Error).message)) throw badRequest([{ field: 'cursor', problem: 'is not valid for this list (start again without it)' }]);
    throw error;
  }
  const executions = await Promise.all(response.executions.map((raw) => executionInfoFromRaw(raw, client.options.loadedDataConverter, raw, namespace)));
  const token = response.nextPageToken;
  return { executions, ...(token && token.length > 0 ? { nextCursor: Buffer.from(token).toString('base64url') } : {}) };
}

export async function mapLimited<T, R>(items: T[], concurrency: number, work: (item: T) => Promise<R>): Promise<R[]> {
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

/**
 * A page of a tenant's sequences from ONE visibility query, newest first as the server orders them (running ones,
 * then closed ones, each by start time); each row comes from the sequence's list memo. Sequences started before the
 * memo existed have none: only those are asked for their status.
 */
export async function listPage(client: Client, hashing: VisibilityHashing, statusOf: StatusOf, tenant: string, filters: ListFilters): Promise<ListPage> {
  const page = await executionsPage(client, listQueryOf(tenant, filters, hashing), filters.pageSize ?? DEFAULT_PAGE_SIZE, filters.cursor);
  const sequences = await mapLimited(page.executions, QUERY_CONCURRENCY, (execution) => itemOf(execution, statusOf));
  return { sequences, ...(page.nextCursor ? { nextCursor: page.nextCursor } : {}) };
}

async function itemOf(execution: WorkflowExecutionInfo, statusOf: StatusOf): Promise<SequenceListItem> {
  const closedAt = execution.closeTime?.toISOString();
  const base = {
    rejectionId: rejectionIdOf(execution.workflowId),
    workflowId: execution.workflowId,
    stage: execution.typedSearchAttributes.get(STAGE_ATTRIBUTE) ?? 'unknown',
    startedAt: execution.startTime.toISOString(),
    ...(closedAt ? { closedAt } : {}),
  };
  const memo = asListMemo(execution.memo?.[LIST_MEMO_FIELD]);
  if (memo) {
    const { next, ...shown } = memo;
    return { ...base, ...shown, ...(next && !closedAt ? { next } : {}) };
  }
  const status = await statusOf(execution.workflowId).catch(() => undefined);
  const legacyRejectedAt = execution.memo?.rejectedAt;
  const next = status && !closedAt ? nextStepOf(status.timeline) : undefined;
  return {
    ...base,
    ...(status ? { stage: status.stage, candidate: status.candidate, company: status.company, role: status.role } : {}),
    ...(typeof legacyRejectedAt === 'string' ? { rejectedAt: legacyRejectedAt } : {}),
    ...(next ? { next } : {}),
    awaitingApproval: status ? awaitingApprovalOf(status.timeline) : 0,
  };
}

/**
 * Every draft of a tenant waiting for a decision, oldest first: the sequences with drafts waiting are found by
 * visibility (and the running ones started before the attribute existed), then only those are asked for their drafts.
 */
export async function approvalsOf(client: Client, statusOf: StatusOf, tenant: string): Promise<Approval[]> {
  const waiting = `(${AWAITING_APPROVAL_ATTRIBUTE.name} > 0 OR ${AWAITING_APPROVAL_ATTRIBUTE.name} IS NULL)`;
  const query = `WorkflowType = '${WORKFLOW_TYPE}' AND ${TENANT_ATTRIBUTE.name} = ${visibilityString(tenant)} AND ExecutionStatus = 'Running' AND ${waiting}`;
  const executions: WorkflowExecutionInfo[] = [];
  let cursor: string | undefined;
  do {
    const page = await executionsPage(client, query, 100, cursor);
    executions.push(...page.executions);
    cursor = page.nextCursor;
  } while (cursor && executions.length < APPROVALS_SCAN_LIMIT);
  const statuses = await mapLimited(executions, QUERY_CONCURRENCY, async (execution) => ({ execution, status: await statusOf(execution.workflowId).catch(() => undefined) }));
  return statuses
    .flatMap(({ execution, status }) =>
      (status?.timeline ?? []).flatMap((entry) =>
        entry.status === 'awaiting-approval' && entry.draft
          ? [
              {
                rejectionId: rejectionIdOf(execution.workflowId),
                workflowId: execution.workflowId,
                candidate: status?.candidate ?? '',
                company: status?.company ?? '',
                role: status?.role ?? '',
                key: entry.key,
                kind: entry.kind,
                to: withName(entry.to, status?.people),
                subject: entry.draft.subject,
                text: entry.draft.text,
                decideBy: entry.draft.decideBy,
                fallback: entry.draft.fallback ?? 'send',
                waitingSince: entry.scheduledAt,
              },
            ]
          : [],
      ),
    )
    .sort((a, b) => a.waitingSince.localeCompare(b.waitingSince) || a.workflowId.localeCompare(b.workflowId));
}

/** "Grace Hopper <grace@…>" when the sequence knows the address's name, else the address. */
function withName(address: string, people: Record<string, string> | undefined): string {
  const name = people?.[address.toLowerCase()];
  return name ? `${name} <${address}>` : address;
}
