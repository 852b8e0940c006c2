/**
 * The shapes of the endpoints the dashboard reads (issue 12's shared contract): the pages are built against these
 * types only, never against how the server computes them.
 */
import type { ApprovalFallback, EntryStatus } from '../../workflows/status';
import type { StepKind } from '../../workflows/steps';

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
  next?: { key: string; kind: StepKind; to: string; status: EntryStatus; at: string };
  awaitingApproval: number;
}

/** GET /sequences?stage=&coach=&q=&from=&to=&pageSize=&cursor= : newest rejection first. */
export interface SequencesPage {
  tenant: string;
  sequences: SequenceListItem[];
  nextCursor?: string;
}

export interface Approval {
  rejectionId: string;
  workflowId: string;
  candidate: string;
  company: string;
  role: string;
  key: string;
  kind: StepKind;
  to: string;
  subject: string;
  text: string;
  decideBy: string;
  fallback: ApprovalFallback;
  waitingSince: string;
}

/** GET /approvals: every draft waiting for a person, oldest first. */
export interface ApprovalsPage {
  tenant: string;
  approvals: Approval[];
}

export type RecipientRole = 'candidate' | 'interviewer' | 'recruiter';

export interface SentMessage {
  key: string;
  kind: StepKind;
  to: string;
  recipientRole: RecipientRole;
  subject: string;
  text: string;
  sentAt: string;
}

/** GET /sequences/:id/messages: the messages sent, by sentAt, with the text as sent. */
export interface MessagesPage {
  rejectionId: string;
  messages: SentMessage[];
}

export interface OutcomeGroup {
  group: string;
  sequences: number;
  feedbackRequested: number;
  feedbackReceived: number;
  feedbackReplyRate: number | null;
  hired: number;
  medianDaysToNextJob: number | null;
  optedOut: number;
  completed: number;
  messagesSent: number;
  messagesSkipped: number;
  messagesFailed: number;
}

export type OutcomeDimension = 'byMonth' | 'byCoach' | 'byCompany';

/** GET /outcomes?from=&to=&format=json|csv */
export interface OutcomesReport {
  tenant: string;
  from?: string;
  to?: string;
  byMonth: OutcomeGroup[];
  byCoach: OutcomeGroup[];
  byCompany: OutcomeGroup[];
  messages: { step: string; status: 'sent' | 'skipped' | 'failed'; count: number }[];
}

export const OUTCOME_GROUP_FIELDS = [
  'group',
  'sequences',
  'feedbackRequested',
  'feedbackReceived',
  'feedbackReplyRate',
  'hired',
  'medianDaysToNextJob',
  'optedOut',
  'completed',
  'messagesSent',
  'messagesSkipped',
  'messagesFailed',
] as const satisfies readonly (keyof OutcomeGroup)[];
