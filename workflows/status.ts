import type { DeliveryMode, StepKind } from './steps';

/** What happens to a draft nobody approved or skipped in time (the policy's `approvalFallback`). */
export type ApprovalFallback = 'send' | 'skip';

/** What a waiting draft's fallback will really do, for the dashboard and the CLI: "sent as it is at …" only when it will be. */
export function describeFallback(draft: { decideBy: string; fallback?: ApprovalFallback }, when: (iso: string) => string = (iso) => iso): string {
  return (draft.fallback ?? 'send') === 'skip'
    ? `not sent if nobody approves it by ${when(draft.decideBy)}`
    : `sent as it is ${when(draft.decideBy)} if nobody decides`;
}

export const STAGES = [
  'grieving',
  'following-up',
  'checking-in',
  'staying-in-touch',
  'paused',
  'completed',
  'hired',
  'opted-out',
  'cancelled',
] as const;
export type Stage = (typeof STAGES)[number];
export const ENDINGS = ['hired', 'opted-out', 'cancelled'] as const satisfies readonly Stage[];
export type Ending = (typeof ENDINGS)[number];

/** `drafted`: a Gmail draft waits in the candidate's mailbox, for them to send (Gmail draft mode). */
export type EntryStatus = 'scheduled' | 'awaiting-approval' | 'sent' | 'drafted' | 'skipped' | 'failed' | 'cancelled';

/** One message of the timeline: pending with its scheduled time, or done with its outcome. */
export interface TimelineEntry {
  key: string;
  kind: StepKind;
  to: string;
  mode: DeliveryMode;
  status: EntryStatus;
  scheduledAt: string;
  sentAt?: string;
  messageId?: string;
  /** Gmail: the thread of the message (follow-ups go in it), and the draft in draft mode. */
  threadId?: string;
  draftId?: string;
  /** Google Tasks: the task created for the candidate. */
  taskId?: string;
  error?: string;
  note?: string;
  /** The recipient's email reply to this message, caught in a watched mailbox (worker/replies). */
  reply?: { from: string; receivedAt: string; text: string };
  /** A draft awaiting approval; `fallback` is what happens at `decideBy` if nobody decides (absent: recorded before it, "send"). */
  draft?: { subject: string; text: string; decideBy: string; fallback?: ApprovalFallback };
}

export interface FeedbackEntry {
  text: string;
  from?: string;
  receivedAt: string;
}

export interface ProgressReport {
  applications: number;
  interviews: number;
  note?: string;
  reportedAt: string;
}

export type FeedbackState = 'not-requested' | 'waiting' | 'received' | 'no-answer' | 'stopped';

/** What the `status` query returns: everything a person steering the sequence needs. */
export interface SequenceStatus {
  rejectionId: string;
  company: string;
  role: string;
  candidate: string;
  /** The name of each address the sequence writes to (interviewers, recruiter, candidate), so pages can say names. */
  people?: Record<string, string>;
  stage: Stage;
  paused: boolean;
  grievingEndsAt: string;
  feedback: { state: FeedbackState; deadline?: string; received: FeedbackEntry[] };
  progress: { applications: number; interviews: number; reports: ProgressReport[] };
  timeline: TimelineEntry[];
  log: { at: string; event: string }[];
}

/** The outcome a finished sequence returns. */
export interface SequenceOutcome {
  stage: Stage;
  sent: number;
  failed: number;
  skipped: number;
  /** Gmail drafts left for the candidate to send (present only when there are some). */
  drafted?: number;
}
