import { condition, setHandler } from '@temporalio/workflow';
import type { UpdateDefinition } from '@temporalio/common';
import * as actions from './definitions';
import { durationMs } from './durations';
import type { StageAttribute } from './stage-attribute';
import { iso, type SequenceState } from './state';
import type { Ending, Stage } from './status';
import {
  ACTION_CONFLICT,
  refusal,
  SEQUENCE_FIELD,
  validateApprove,
  validateFeedback,
  validateProgress,
  validateSnooze,
  validateStop,
  type StopArgs,
} from './updates';

/** The actions of the candidate, the coach or the agency on one sequence, and its status query. */
export function registerHandlers(state: SequenceState, stage: StageAttribute): void {
  const conflict = (field: string, problem: string) => refusal(ACTION_CONFLICT, field, problem);
  const requireActive = () => {
    if (state.ending) throw conflict(SEQUENCE_FIELD, `the sequence has ended (${state.ending})`);
  };
  const requireGrieving = () => {
    requireActive();
    if (state.grievingOver) throw conflict(SEQUENCE_FIELD, 'grieving is already over');
  };

  /**
   * Registers an update whose validator refuses bad requests before anything is recorded. It answers with the
   * stage once `settled` holds, so the caller sees the effect (e.g. `ready` returns the stage after grieving).
   */
  const action = <Args extends unknown[]>(
    update: UpdateDefinition<Stage, Args>,
    validate: (...args: Args) => void,
    apply: (...args: Args) => void,
    settled?: () => boolean,
  ): void => {
    setHandler(
      update,
      async (...args: Args) => {
        apply(...args);
        stage.refresh();
        if (settled) await condition(() => settled() || !!state.ending);
        return stage.value;
      },
      { validator: validate },
    );
  };

  setHandler(actions.statusQuery, () => state.status(stage.value));
  action(
    actions.readyUpdate,
    () => requireGrieving(),
    () => {
      state.readyEarly = true;
      state.note('candidate is ready: grieving ended early');
    },
    () => state.grievingOver,
  );
  action(
    actions.snoozeUpdate,
    (args) => {
      requireGrieving();
      validateSnooze(args);
    },
    ({ for: duration }) => {
      state.grievingEndsAt = Math.max(state.grievingEndsAt, Date.now()) + durationMs(duration);
      state.note(`grieving extended by ${duration}, until ${iso(state.grievingEndsAt)}`);
    },
  );
  action(
    actions.feedbackUpdate,
    (args) => {
      requireActive();
      validateFeedback(args);
    },
    ({ text, from }) => state.recordFeedback({ text: text.trim(), from, receivedAt: iso(Date.now()) }, 'feedback recorded'),
  );
  action(
    actions.progressUpdate,
    (args) => {
      requireActive();
      validateProgress(args);
    },
    ({ applications, interviews, note }) => {
      state.progress.push({ applications, interviews, note, reportedAt: iso(Date.now()) });
      state.note(`progress: ${applications} applications, ${interviews} interviews`);
    },
  );
  action(
    actions.approveUpdate,
    (args) => {
      requireActive();
      const step = (args as { step?: unknown } | undefined)?.step;
      if (typeof step !== 'string' || state.timeline.get(step)?.status !== 'awaiting-approval') {
        throw conflict('step', `no draft ${JSON.stringify(step)} is waiting for approval`);
      }
      validateApprove(args);
    },
    (args) => {
      state.decisions.set(args.step, args);
      state.note(`${args.step}: ${args.decision === 'skip' ? 'skipped' : args.subject || args.text ? 'approved with edits' : 'approved'}`);
    },
  );
  action(
    actions.pauseUpdate,
    () => {
      requireActive();
      if (state.paused) throw conflict(SEQUENCE_FIELD, 'the sequence is already paused');
    },
    () => {
      state.paused = true;
      state.pausedAt = Date.now();
      state.note('paused');
    },
  );
  action(
    actions.resumeUpdate,
    () => {
      requireActive();
      if (!state.paused) throw conflict(SEQUENCE_FIELD, 'the sequence is not paused');
    },
    () => {
      state.paused = false;
      state.pausedForMs += Date.now() - (state.pausedAt ?? Date.now());
      state.pausedAt = undefined;
      state.note('resumed');
    },
  );
  const stopWith = (ending: Ending) => (args: StopArgs) => {
    state.ending = ending;
    state.cancelPending();
    state.note(`${ending}${args.reason ? `: ${args.reason}` : ''}`);
  };
  const stopping = (args: StopArgs) => {
    requireActive();
    validateStop(args);
  };
  action(actions.optOutUpdate, stopping, stopWith('opted-out'));
  action(actions.hiredUpdate, stopping, stopWith('hired'));
  action(actions.cancelUpdate, stopping, stopWith('cancelled'));
}
