import { defineQuery, defineUpdate } from '@temporalio/workflow';
import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';
import type { SequenceStatus, Stage } from './status';
import { validateApprove, validateFeedback, validateProgress, validateReply, validateSnooze, validateStop, type ApproveArgs, type FeedbackArgs, type ProgressArgs, type ReplyArgs, type SnoozeArgs, type StopArgs } from './updates';

export type { ApproveArgs, FeedbackArgs, ProgressArgs, ReplyArgs, SnoozeArgs, StopArgs } from './updates';

/** The workflow type, its id and the search attributes, shared by the worker, the CLI and the tests. */
export const WORKFLOW_TYPE = 'rejectionFollowUp';
/**
 * A sequence's workflow id: `<tenant>:rejection-<id>` for a tenant's (API, webhooks, `onward import --tenant`), so the
 * same rejection id in two tenants never collides; `rejection-<id>` without one (the CLI), as every sequence was
 * before tenants were scoped (those stay reachable by their owner: client/api/service.ts).
 */
export const workflowIdFor = (rejectionId: string, tenant?: string): string => (tenant === undefined ? `rejection-${rejectionId}` : `${tenant}:rejection-${rejectionId}`);
/** The rejection id in a workflow id made by workflowIdFor. */
export const rejectionIdOf = (workflowId: string): string => workflowId.replace(/^(?:[A-Za-z0-9][A-Za-z0-9_-]{0,63}:)?rejection-/, '');
/** The task queue of a sequence's sends: a queue of their own, so one rate limit governs every worker. */
export const sendQueueOf = (taskQueue: string): string => `${taskQueue}-sends`;
/** The workflow task timeout sequences with local sends started with: it tells them apart (./legacy-local-send). */
export const WORKFLOW_TASK_TIMEOUT_MS = 60_000;
export const STAGE_ATTRIBUTE = defineSearchAttributeKey('OnwardStage', SearchAttributeType.KEYWORD);
/** The agency (API key tenant) that owns a sequence, set at start; every API read and action checks it. */
export const TENANT_ATTRIBUTE = defineSearchAttributeKey('OnwardTenant', SearchAttributeType.KEYWORD);
/**
 * Set at start by the client (client/visibility-keys.ts): keyed hashes only, never a name in clear, so the visibility
 * store holds no personal data. OnwardCompany is the hash of the company (sequences started before it was hashed
 * still carry the name); OnwardCoach the hash of the coach; OnwardSearch the hashes of every word prefix of the
 * candidate's name and the company, for search by part of either.
 */
export const COMPANY_ATTRIBUTE = defineSearchAttributeKey('OnwardCompany', SearchAttributeType.KEYWORD);
export const COACH_ATTRIBUTE = defineSearchAttributeKey('OnwardCoach', SearchAttributeType.KEYWORD);
export const SEARCH_TERMS_ATTRIBUTE = defineSearchAttributeKey('OnwardSearch', SearchAttributeType.KEYWORD_LIST);
/** When the rejection happened (set at start): the list's date range filter. */
export const REJECTED_AT_ATTRIBUTE = defineSearchAttributeKey('OnwardRejectedAt', SearchAttributeType.DATETIME);
/** Kept in step by the workflow (workflows/visibility.ts): when the next step is due, and how many drafts wait for approval. */
export const NEXT_STEP_AT_ATTRIBUTE = defineSearchAttributeKey('OnwardNextStepAt', SearchAttributeType.DATETIME);
export const AWAITING_APPROVAL_ATTRIBUTE = defineSearchAttributeKey('OnwardAwaitingApproval', SearchAttributeType.INT);
/** Every custom search attribute Onward uses: a Temporal server (or the dev server) must know them all. */
export const ONWARD_SEARCH_ATTRIBUTES = [
  STAGE_ATTRIBUTE,
  TENANT_ATTRIBUTE,
  COMPANY_ATTRIBUTE,
  COACH_ATTRIBUTE,
  SEARCH_TERMS_ATTRIBUTE,
  REJECTED_AT_ATTRIBUTE,
  NEXT_STEP_AT_ATTRIBUTE,
  AWAITING_APPROVAL_ATTRIBUTE,
] as const;
/** The memo field the list displays (workflows/list-memo.ts); encrypted by the payload codec like every payload. */
export const LIST_MEMO_FIELD = 'list';

export const statusQuery = defineQuery<SequenceStatus>('status');

// Every action is an update: it is validated by the workflow (./updates) and refused with a reason, or acknowledged.
export const readyUpdate = defineUpdate<Stage, []>('ready');
export const snoozeUpdate = defineUpdate<Stage, [SnoozeArgs]>('snooze');
export const feedbackUpdate = defineUpdate<Stage, [FeedbackArgs]>('feedback');
export const progressUpdate = defineUpdate<Stage, [ProgressArgs]>('progress');
export const approveUpdate = defineUpdate<Stage, [ApproveArgs]>('approve');
export const pauseUpdate = defineUpdate<Stage, []>('pause');
export const resumeUpdate = defineUpdate<Stage, []>('resume');
export const optOutUpdate = defineUpdate<Stage, [StopArgs]>('optOut');
export const hiredUpdate = defineUpdate<Stage, [StopArgs]>('hired');
export const cancelUpdate = defineUpdate<Stage, [StopArgs]>('cancel');
/** An email reply caught in a watched mailbox (worker/replies): feedback, or the recruiter answering (workflows/replies). */
export const replyUpdate = defineUpdate<Stage, [ReplyArgs]>('reply');

/** Each update's argument validator (./updates): the workflow runs it, and so do the CLI and the API before any call. */
export const ARGUMENT_VALIDATORS: Readonly<Record<string, (args: unknown) => void>> = {
  [snoozeUpdate.name]: validateSnooze,
  [feedbackUpdate.name]: validateFeedback,
  [progressUpdate.name]: validateProgress,
  [approveUpdate.name]: validateApprove,
  [optOutUpdate.name]: validateStop,
  [hiredUpdate.name]: validateStop,
  [cancelUpdate.name]: validateStop,
  [replyUpdate.name]: validateReply,
};
