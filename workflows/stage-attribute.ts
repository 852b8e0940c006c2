import { upsertSearchAttributes } from '@temporalio/workflow';
import { STAGE_ATTRIBUTE } from './definitions';
import type { SequenceState } from './state';
import type { Stage } from './status';

/** The stage as the OnwardStage search attribute has it: kept in step, so sequences can be listed by stage. */
export class StageAttribute {
  private current: Stage = 'grieving';

  constructor(private readonly state: SequenceState) {}

  get value(): Stage {
    return this.current;
  }

  refresh(): void {
    const stage = this.state.stage();
    if (stage === this.current) return;
    this.current = stage;
    upsertSearchAttributes([{ key: STAGE_ATTRIBUTE, value: stage }]);
  }
}
