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
/** The company of the rejection, set at start, so sequences can be listed by company on the server side. */
export const COMPANY_ATTRIBUTE = defineSearchAttributeKey('OnwardCompany', SearchAttributeType.KEYWORD);
/** Every custom search attribute Onward uses: a Temporal server (or the dev server) must know them all. */
export const ONWARD_SEARCH_ATTRIBUTES = [STAGE_ATTRIBUTE, TENANT_ATTRIBUTE, COMPANY_ATTRIBUTE] as const;

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
