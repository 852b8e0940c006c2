import { condition, isCancellation, patched, proxyActivities, workflowInfo } from '@temporalio/workflow';
import type { createActivities } from '../activities';
import { HAND_OVER } from './activity-options';
import { durationMs } from './durations';
import { buildEmailRequest, type EmailRequest } from './email-request';
import { failureType, messageOf, SUPPRESSED } from './failures';
import { HandOver } from './hand-over';
import { recipientOf } from './recipients';
import type { PlannedMessage } from './schedule';
import { nextSendTime, sendRulesFor, type SendRules } from './send-window';
import type { StageAttribute } from './stage-attribute';
import { iso, type SequenceState } from './state';
import type { TimelineEntry } from './status';

type Activities = ReturnType<typeof createActivities>;
const { composeEmail } = proxyActivities<Activities>(HAND_OVER);

export type Delivery = 'sent' | 'skipped' | 'failed' | 'stopped';
type Wake = 'due' | 'stopped' | 'unless';

export interface DeliveryOptions {
  /** A reason to skip the message, checked until it goes out (e.g. "feedback already received"). */
  skipWhen?: () => string | undefined;
  /** The Message-ID this message follows up. */
  inReplyTo?: string;
  /** Deliver even though the sequence has ended (the congratulations on being hired). */
  afterEnding?: boolean;
}

/** The request of a message as it would go out now, with what the sequence learned so far. */
export function requestFor(state: SequenceState, message: PlannedMessage, inReplyTo?: string): EmailRequest {
  // The closing summary speaks only of what happened; summaries sent before this shipped replay as they were.
  const summaryFacts =
    message.kind === 'closing-summary' && patched('wf-summary-facts') ? { now: Date.now(), feedbackWaitOver: state.feedbackState === 'no-answer' } : undefined;
  // The recipient's language, the contact's role and the rejection's age; messages built before this shipped replay as they were.
  const recipientFacts = patched('tpl-recipient-facts') ? { now: Date.now() } : undefined;
  return buildEmailRequest(
    { rejection: state.rejection, feedback: state.feedback, progress: state.progress, checkInCount: state.policy.checkInCount, grievingEndsAt: state.grievingEndsAt, ...(summaryFacts ? { summaryFacts } : {}), ...(recipientFacts ? { recipientFacts } : {}) },
    { sequenceId: workflowInfo().workflowId, key: message.key, kind: message.kind, audience: message.audience },
    inReplyTo,
  );
}

/** Delivery of one message: its send window, its approval when the policy asks for one, then one hand-over. */
export class Deliveries {
  private readonly handOver: HandOver;
  /**
   * A pause stops the sequence's clock: on resume, the messages it held move on by its length, keeping their spacing
   * (and then their send windows), never a burst. Sequences started before this shipped release them at once.
   */
  private readonly spreadAfterResume = patched('wf-spread-after-resume');

  constructor(
    private readonly state: SequenceState,
    private readonly stage: StageAttribute,
  ) {
    this.handOver = new HandOver(state);
  }

  /** Waits until `at` (moved on by the pauses since the wait began), holding while paused; wakes early when the sequence stops or `unless` becomes true. */
  private async sleepUntil(planned: number, halted: () => boolean, unless: () => boolean, entry?: TimelineEntry): Promise<Wake> {
    const state = this.state;
    // Only the part of a pause that held this wait counts: a wait that begins mid-pause is moved by the rest of it.
    const pausedBefore = state.pausedForMs + (state.paused && state.pausedAt !== undefined ? Date.now() - state.pausedAt : 0);
    let at = planned;
    for (;;) {
      if (this.spreadAfterResume && at !== planned + state.pausedForMs - pausedBefore) {
        at = planned + state.pausedForMs - pausedBefore;
        if (entry?.status === 'scheduled') entry.scheduledAt = iso(at);
      }
      if (halted()) return 'stopped';
      if (unless()) return 'unless';
      if (state.paused && !state.ending) {
        await condition(() => !state.paused || halted() || unless());
        continue;
      }
      const remaining = at - Date.now();
      if (remaining <= 0) return 'due';
      await condition(() => (state.paused && !state.ending) || halted() || unless(), remaining);
    }
  }

  /** Waits until `at`, then on to the recipient's next send window if `at` falls outside one. */
  private async waitForSendTime(at: number, zone: string, halted: () => boolean, unless: () => boolean, rules: SendRules, entry?: TimelineEntry): Promise<Wake> {
    let next = at;
    for (;;) {
      const wake = await this.sleepUntil(next, halted, unless, entry);
      if (wake !== 'due') return wake;
      const now = Date.now();
      next = nextSendTime(now, zone, rules, this.state.rejectedAt);
      if (next <= now) return 'due';
    }
  }

  /**
   * Sends one planned message at its time, inside its recipient's send window, after approval when its
   * mode asks for one. A permanent failure is recorded and the sequence goes on.
   */
  async deliver(message: PlannedMessage, options: DeliveryOptions = {}): Promise<Delivery> {
    const state = this.state;
    if (!state.timeline.has(message.key)) {
      state.schedule([message]);
      this.stage.refresh();
    }
    const entry = state.timeline.get(message.key) as TimelineEntry;
    const zone = recipientOf(state.rejection, message.audience).timezone;
    // The candidate's own window for her messages (policies recorded without one keep `sendWindow`: replay-safe).
    const rules = sendRulesFor(state.policy, message.audience, state.rejection);
    const skipReason = options.skipWhen ?? (() => undefined);
    const unless = () => skipReason() !== undefined;
    const halted = () => !!state.ending && !options.afterEnding;
    const settle = (status: TimelineEntry['status'], note?: string): Delivery => {
      entry.status = status;
      if (note) entry.note = note;
      delete entry.draft;
      this.stage.refresh();
      // A Gmail draft is handed over: the candidate sends it, and the sequence goes on as if it were sent.
      return status === 'cancelled' ? 'stopped' : status === 'drafted' ? 'sent' : (status as Delivery);
    };
    const woken = (wake: Wake): Delivery => (wake === 'stopped' ? settle('cancelled', `sequence ${state.ending}`) : settle('skipped', skipReason()));

    let wake = await this.waitForSendTime(message.at, zone, halted, unless, rules, entry);
    if (wake !== 'due') return woken(wake);
    const request = () => requestFor(state, message, options.inReplyTo);

    let edits: { subject?: string; text?: string } | undefined;
    if (message.mode === 'approve') {
      try {
        const draft = await composeEmail(request());
        const decideBy = Date.now() + durationMs(state.policy.approvalTimeout);
        entry.status = 'awaiting-approval';
        entry.draft = { ...draft, decideBy: iso(decideBy), fallback: state.policy.approvalFallback };
        this.stage.refresh();
        await condition(() => state.decisions.has(message.key) || halted() || unless(), decideBy - Date.now());
      } catch (error) {
        if (isCancellation(error)) throw error;
        return this.fail(entry, error);
      }
      if (halted()) return settle('cancelled', `sequence ${state.ending}`);
      if (unless()) return settle('skipped', skipReason());
      const decision = state.decisions.get(message.key);
      if (!decision && state.policy.approvalFallback === 'skip') return settle('skipped', 'nobody approved it in time');
      if (decision?.decision === 'skip') return settle('skipped', 'skipped by a person');
      edits = decision && (decision.subject || decision.text) ? { subject: decision.subject, text: decision.text } : undefined;
      if (!decision) entry.note = 'sent without approval: nobody acted in time';
      entry.status = 'scheduled';
      delete entry.draft;
      // An approval can come at 3 a.m.: the message still waits for its window.
      wake = await this.waitForSendTime(Date.now(), zone, halted, unless, rules);
      if (wake !== 'due') return woken(wake);
    }

    state.sending.add(message.key);
    try {
      const sent = await this.handOver.send(message, { ...request(), edits });
      entry.sentAt = iso(Date.now()); // workflow time: right under time skipping too

      if (sent.messageId) entry.messageId = sent.messageId;
      if (sent.threadId) entry.threadId = sent.threadId;
      if (sent.taskId) entry.taskId = sent.taskId;
      if (sent.draftId) {
        entry.draftId = sent.draftId;
        return settle('drafted', "a draft in the candidate's Gmail, for them to send");
      }
      return settle('sent');
    } catch (error) {
      if (isCancellation(error)) throw error;
      // The recipient is on the suppression list: not a failure, and the sequence goes on.
      if (failureType(error) === SUPPRESSED) {
        // Who opted out, the recipient or the candidate the message speaks for, is the failure's message (status text only).
        const why = messageOf(error);
        state.note(`${entry.key} skipped: ${why}`);
        return settle('skipped', why);
      }
      return this.fail(entry, error);
    } finally {
      state.sending.delete(message.key);
    }
  }

  private fail(entry: TimelineEntry, error: unknown): Delivery {
    entry.status = 'failed';
    entry.error = messageOf(error);
    delete entry.draft;
    this.state.note(`${entry.key} failed: ${entry.error}`);
    this.stage.refresh();
    return 'failed';
  }
}
