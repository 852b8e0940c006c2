import type { Rejection } from './rejection';
import type { SequenceStatus, TimelineEntry } from './status';

/** The next message a sequence will send (or that waits for approval), if any. */
export interface NextStep {
  key: string;
  kind: TimelineEntry['kind'];
  to: string;
  status: TimelineEntry['status'];
  at: string;
}

/**
 * What the list of sequences displays, kept in the workflow's memo (workflows/visibility.ts) so a page of the list is
 * one visibility query. It holds personal data: the payload codec encrypts it like every other payload.
 */
export interface ListMemo {
  candidate: string;
  company: string;
  role: string;
  coach?: string;
  rejectedAt: string;
  next?: NextStep;
  awaitingApproval: number;
}

/** A draft waiting for approval comes first, else the earliest scheduled message. */
export function nextStepOf(timeline: readonly TimelineEntry[]): NextStep | undefined {
  const pending = timeline.filter((entry) => entry.status === 'scheduled' || entry.status === 'awaiting-approval');
  const next = pending.find((entry) => entry.status === 'awaiting-approval') ?? pending[0];
  return next && { key: next.key, kind: next.kind, to: next.to, status: next.status, at: next.scheduledAt };
}

export function awaitingApprovalOf(timeline: readonly TimelineEntry[]): number {
  return timeline.filter((entry) => entry.status === 'awaiting-approval').length;
}

/** The memo of a sequence that has just been started: nothing is known yet of its next step. */
export function initialListMemo(rejection: Rejection): ListMemo {
  return {
    candidate: rejection.candidate.name,
    company: rejection.company,
    role: rejection.role,
    ...(rejection.coach === undefined ? {} : { coach: rejection.coach }),
    rejectedAt: rejection.rejectedAt,
    awaitingApproval: 0,
  };
}

/** The memo of a running (or just finished) sequence; a finished one has no next step. */
export function listMemoOf(rejection: Rejection, status: Pick<SequenceStatus, 'timeline'>, finished: boolean): ListMemo {
  const next = finished ? undefined : nextStepOf(status.timeline);
  return { ...initialListMemo(rejection), ...(next ? { next } : {}), awaitingApproval: awaitingApprovalOf(status.timeline) };
}

/** A memo value read back from Temporal, if it has the shape this version writes. */
export function asListMemo(value: unknown): ListMemo | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const memo = value as Partial<ListMemo>;
  return typeof memo.candidate === 'string' && typeof memo.rejectedAt === 'string' && typeof memo.awaitingApproval === 'number' ? (memo as ListMemo) : undefined;
}
