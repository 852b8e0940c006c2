import { upsertSearchAttributes } from '@temporalio/workflow';
import { STAGE_ATTRIBUTE } from './definitions';
import type { SequenceState } from './state';
import type { Stage } from './status';
import { VisibilityRecord } from './visibility';

/**
 * The stage as the OnwardStage search attribute has it: kept in step, so sequences can be listed by stage. Every
 * transition refreshes it, so it also refreshes what the list displays (./visibility).
 */
export class StageAttribute {
  private current: Stage = 'grieving';
  /** Called at every refresh, i.e. after every change of the sequence (e.g. the outcomes ledger, ./ledger). */
  readonly observers: Array<() => void> = [];
  private readonly visibility: VisibilityRecord;

  constructor(private readonly state: SequenceState) {
    this.visibility = new VisibilityRecord(state);
  }

  get value(): Stage {
    return this.current;
  }

  refresh(): void {
    for (const observe of this.observers) observe();
    this.visibility.refresh();
    const stage = this.state.stage();
    if (stage === this.current) return;
    this.current = stage;
    upsertSearchAttributes([{ key: STAGE_ATTRIBUTE, value: stage }]);
  }
}
