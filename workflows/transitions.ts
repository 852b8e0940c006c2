// Pure: no Temporal import. What the outcomes ledger records of a sequence, derived from its state.
import type { Rejection } from './rejection';
import { iso, type SequenceState } from './state';
import type { EntryStatus } from './status';
import type { StepKind } from './steps';

export const RECIPIENT_ROLES = ['candidate', 'interviewer', 'recruiter'] as const;
export type RecipientRole = (typeof RECIPIENT_ROLES)[number];

export const OUTCOME_EVENTS = [
  'message-sent',
  'message-skipped',
  'message-failed',
  'feedback-received',
  'progress-reported',
  'hired',
  'opted-out',
  'cancelled',
  'completed',
] as const;
export type OutcomeEvent = (typeof OUTCOME_EVENTS)[number];

/** One transition of a sequence: `key` is unique within it, so writing it twice records it once. */
export interface Transition {
  key: string;
  event: OutcomeEvent;
  /** ISO 8601, workflow time. */
  at: string;
  step?: { key: string; kind: StepKind; recipientRole: RecipientRole };
}

/** The ledger's row of a sequence. The names are those of the workflow input, already in its history. */
export interface SequenceRecord {
  workflowId: string;
  tenant?: string;
  rejectionId: string;
  rejectedAt: string;
  candidate: string;
  company: string;
  coach?: string;
}

/** Who a message to `to` is for: the candidate, else the recruiter (never for a thank-you note), else an interviewer. */
export function recipientRoleOf(rejection: Pick<Rejection, 'candidate' | 'recruiter'>, kind: StepKind, to: string): RecipientRole {
  if (to === rejection.candidate.email) return 'candidate';
  if (kind !== 'thank-you' && rejection.recruiter?.email === to) return 'recruiter';
  return 'interviewer';
}

// A Gmail draft handed over counts as sent, as it does for the sequence; cancelled messages never went out and are not outcomes.
const MESSAGE_EVENTS: Partial<Record<EntryStatus, OutcomeEvent>> = { sent: 'message-sent', drafted: 'message-sent', skipped: 'message-skipped', failed: 'message-failed' };

/** Every transition the sequence has made so far; those first seen now are stamped `now` unless they carry their own time. */
export function transitionsOf(state: SequenceState, now: number): Transition[] {
  const transitions: Transition[] = [];
  for (const entry of state.timeline.values()) {
    const event = MESSAGE_EVENTS[entry.status];
    if (!event) continue;
    const step = { key: entry.key, kind: entry.kind, recipientRole: recipientRoleOf(state.rejection, entry.kind, entry.to) };
    transitions.push({ key: `message:${entry.key}`, event, at: entry.sentAt ?? iso(now), step });
  }
  state.feedback.forEach((entry, index) => transitions.push({ key: `feedback:${index + 1}`, event: 'feedback-received', at: entry.receivedAt }));
  state.progress.forEach((report, index) => transitions.push({ key: `progress:${index + 1}`, event: 'progress-reported', at: report.reportedAt }));
  if (state.ending) transitions.push({ key: state.ending, event: state.ending, at: iso(now) });
  else if (state.finished) transitions.push({ key: 'completed', event: 'completed', at: iso(now) });
  return transitions;
}
