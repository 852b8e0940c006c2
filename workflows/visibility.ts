import { patched, upsertMemo, upsertSearchAttributes } from '@temporalio/workflow';
import { AWAITING_APPROVAL_ATTRIBUTE, LIST_MEMO_FIELD, NEXT_STEP_AT_ATTRIBUTE } from './definitions';
import { listMemoOf } from './list-memo';
import type { SequenceState } from './state';

/** Sequences started before the list memo keep their histories as they were (replay-safe). */
export const VISIBILITY_MEMO_PATCH = 'wf-visibility-memo';

/**
 * The list's view of a sequence, kept in step at each transition: the memo the list displays (encrypted by the
 * payload codec) and the search attributes it filters on (next-step time, drafts awaiting approval). Each is
 * written only when it changed, so a refresh that changes nothing adds nothing to the history.
 */
export class VisibilityRecord {
  private readonly enabled = patched(VISIBILITY_MEMO_PATCH);
  private lastMemo = '';
  private lastNextAt: string | undefined;
  private lastAwaiting = 0;

  constructor(private readonly state: SequenceState) {}

  refresh(): void {
    if (!this.enabled) return;
    const memo = listMemoOf(this.state.rejection, this.state.status(), this.state.finished);
    const serialised = JSON.stringify(memo);
    if (serialised === this.lastMemo) return;
    this.lastMemo = serialised;
    upsertMemo({ [LIST_MEMO_FIELD]: memo });
    const nextAt = memo.next?.at;
    if (nextAt === this.lastNextAt && memo.awaitingApproval === this.lastAwaiting) return;
    this.lastNextAt = nextAt;
    this.lastAwaiting = memo.awaitingApproval;
    upsertSearchAttributes([
      { key: NEXT_STEP_AT_ATTRIBUTE, value: nextAt === undefined ? null : new Date(nextAt) },
      { key: AWAITING_APPROVAL_ATTRIBUTE, value: memo.awaitingApproval },
    ]);
  }
}
