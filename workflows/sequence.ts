import { condition, isCancellation, patched, proxyActivities, workflowInfo } from '@temporalio/workflow';
import type { createActivities } from '../activities';
import { HAND_OVER } from './activity-options';
import { addToCalendar, type CheckInCalendar } from './calendar';
import { Deliveries, type Delivery, type DeliveryOptions } from './delivery';
import { durationMs } from './durations';
import { messageOf } from './failures';
import { registerHandlers } from './handlers';
import type { SequenceInput } from './input';
import { OutcomesLedger } from './ledger';
import { afterThankYous, onADayOfItsOwn } from './ordering';
import { sendRulesFor } from './send-window';
import { recipientOf } from './recipients';
import { registerReplyHandler } from './replies';
import type { PlannedMessage } from './schedule';
import { StageAttribute } from './stage-attribute';
import { SequenceState } from './state';
import type { SequenceOutcome } from './status';
import { waitForFeedback, waitForGrievingToEnd } from './waiting';

type Activities = ReturnType<typeof createActivities>;
const { suppressAddress } = proxyActivities<Activities>(HAND_OVER);

export type { CheckInCalendar } from './calendar';
export type { Delivery, DeliveryOptions } from './delivery';

/** One running sequence, wired: its state (./state), its updates (./handlers), its waits and its deliveries. */
export class Sequence {
  readonly state: SequenceState;
  private readonly stage: StageAttribute;
  private readonly deliveries: Deliveries;
  private readonly ledger?: OutcomesLedger;

  constructor(input: SequenceInput, grievingEndsAt: number) {
    this.state = new SequenceState(input, grievingEndsAt);
    this.stage = new StageAttribute(this.state);
    // Sequences started before the outcomes ledger shipped write no rows (replay-safe).
    if (patched('wf-outcomes-ledger')) {
      const ledger = new OutcomesLedger(this.state);
      this.stage.observers.push(() => ledger.observe());
      ledger.observe();
      this.ledger = ledger;
    }
    this.deliveries = new Deliveries(this.state, this.stage);
    registerHandlers(this.state, this.stage);
    // Sequences started before email replies were caught refuse them, as they always did (replay-safe).
    if (patched('wf-email-replies')) registerReplyHandler(this.state, this.stage);
  }

  get rejection(): SequenceInput['rejection'] {
    return this.state.rejection;
  }
  get policy(): SequenceInput['policy'] {
    return this.state.policy;
  }
  get ending(): SequenceState['ending'] {
    return this.state.ending;
  }

  deliver(message: PlannedMessage, options?: DeliveryOptions): Promise<Delivery> {
    return this.deliveries.deliver(message, options);
  }

  /** Adds messages to the timeline as scheduled. */
  schedule(messages: PlannedMessage[]): void {
    this.state.schedule(messages);
    this.stage.refresh();
  }

  /**
   * A message that follows the thank-you notes, placed after them as they actually went out (approval included),
   * `delay` later; with `dayOfItsOwn`, on a day when its recipient gets no other email of the sequence.
   */
  afterTheThankYous(message: PlannedMessage, delay: string, options: { dayOfItsOwn: boolean }): PlannedMessage {
    const { state } = this;
    const recipient = recipientOf(state.rejection, message.audience);
    const earliest = afterThankYous(message.at, state.sentTimesOf('thank-you'), durationMs(delay));
    const others = options.dayOfItsOwn ? state.emailTimesTo(recipient.email, message.key) : [];
    const at = onADayOfItsOwn(earliest, recipient.timezone, sendRulesFor(state.policy, message.audience, state.rejection), state.rejectedAt, others);
    const moved = { ...message, at };
    state.reschedule(moved);
    this.stage.refresh();
    return moved;
  }

  waitForGrievingToEnd(): Promise<void> {
    return waitForGrievingToEnd(this.state);
  }

  waitForFeedback(deadline: number, requestKey?: string): Promise<boolean> {
    return waitForFeedback(this.state, this.stage, deadline, requestKey);
  }

  /** Waits until more than `known` feedback entries are recorded (true), or until `over` holds (false). */
  async waitForFeedbackBeyond(known: number, over: () => boolean): Promise<boolean> {
    await condition(() => this.state.feedback.length > known || over());
    return !over();
  }

  addToCalendar(checkIns: PlannedMessage[]): CheckInCalendar {
    return addToCalendar(this.state, checkIns);
  }

  /** An opt-out holds for every sequence: the candidate's address goes on the suppression list. */
  async suppressCandidate(): Promise<void> {
    try {
      await suppressAddress({ email: this.state.rejection.candidate.email, reason: `opted out of ${workflowInfo().workflowId}` });
      this.state.note("the candidate's address is on the suppression list");
    } catch (error) {
      if (isCancellation(error)) throw error;
      this.state.note(`adding the candidate to the suppression list failed: ${messageOf(error)}`);
    }
  }

  /** Ends the sequence: nothing pending goes out, and the ledger has every transition before the workflow completes. */
  async outcome(): Promise<SequenceOutcome> {
    this.state.finished = true;
    this.state.cancelPending();
    this.stage.refresh();
    const outcome = this.state.outcome(this.stage.value);
    await this.ledger?.flush();
    return outcome;
  }
}
