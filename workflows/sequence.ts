import {
  ApplicationFailure,
  CancellationScope,
  condition,
  isCancellation,
  proxyActivities,
  proxyLocalActivities,
  setHandler,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import type { ActivityOptions, UpdateDefinition } from '@temporalio/common';
import type { createActivities } from '../activities';
import { CHECK_IN_MINUTES, channelsOf, gmailOf, localDate, pollEveryMs, replyWatchHeartbeatMs, routeOf } from './channels';
import * as actions from './definitions';
import { durationMs, parseDuration } from './durations';
import { buildEmailRequest, type EmailRequest } from './email-request';
import type { GmailReply, GoogleTarget, Handover } from './google';
import type { SequenceInput } from './input';
import { recipientOf } from './recipients';
import type { PlannedMessage } from './schedule';
import { planFollowUps } from './schedule';
import { nextSendTime, sendRulesFor, type SendRules } from './send-window';
import { PERMANENT_FAILURE, SUPPRESSED } from './failures';
import type {
  Ending,
  FeedbackEntry,
  FeedbackState,
  ProgressReport,
  SequenceOutcome,
  SequenceStatus,
  Stage,
  TimelineEntry,
} from './status';

type Activities = ReturnType<typeof createActivities>;

/** How a message is handed over: an SMTP outage is retried with backoff for two days before it is recorded as failed. */
const HAND_OVER = {
  startToCloseTimeout: '2 minutes',
  scheduleToCloseTimeout: '2 days',
  retry: { initialInterval: '30 seconds', backoffCoefficient: 2, maximumInterval: '1 hour', nonRetryableErrorTypes: [PERMANENT_FAILURE] },
} satisfies ActivityOptions;

const { sendEmail, composeEmail, suppressAddress } = proxyActivities<Activities>(HAND_OVER);

// The same send inside the workflow task: a marker in the history instead of an activity and the task it wakes. One
// attempt, well within the task's heartbeat (a local activity that outlives a task can resolve elsewhere on replay).
const { sendEmailUnlessRateLimited } = proxyLocalActivities<Activities>({ startToCloseTimeout: '20 seconds', retry: { maximumAttempts: 1 } });

// The Google channels, called only when a policy chooses them: retried like an SMTP send (429 and rate limits back
// off here, in Temporal, never inside the client library); bad credentials and bad requests are permanent.
const google = proxyActivities<Activities>(HAND_OVER);

/** The check-in events of step 4 in the candidate's calendar: the remaining ones go when the sequence ends early. */
export interface CheckInCalendar {
  /** Removes the events of `checkIns[index]` onwards that have not started yet. */
  removeFrom(index: number): Promise<void>;
}
const NO_CALENDAR: CheckInCalendar = { removeFrom: () => Promise.resolve() };

/** What an activity failure is about: its cause (the activity's own error), else the error itself. */
const causeOf = (error: unknown): unknown => (error instanceof Error && error.cause instanceof Error ? error.cause : error);

/** The type of the ApplicationFailure an activity failed with, if any. */
const failureType = (error: unknown): string | undefined => {
  const cause = causeOf(error);
  return cause instanceof ApplicationFailure ? (cause.type ?? undefined) : undefined;
};

const messageOf = (error: unknown): string => {
  const cause = causeOf(error);
  return cause instanceof Error ? cause.message : String(cause);
};

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

const iso = (millis: number): string => new Date(millis).toISOString();
const MAX_TEXT = 10_000;

/** A field of an update's argument, which arrives over the wire and may be anything. */
function field(args: unknown, name: string): unknown {
  return typeof args === 'object' && args !== null ? (args as Record<string, unknown>)[name] : undefined;
}

/** Refuses a value that is not a non-empty string of at most `max` characters (or absent, when optional). */
function requireText(name: string, value: unknown, max: number, options: { optional?: boolean } = {}): string | undefined {
  if (value === undefined && options.optional) return undefined;
  if (typeof value !== 'string') throw new Error(`${name}: must be text`);
  if (!value.trim()) throw new Error(`${name}: must not be empty`);
  if (value.length > max) throw new Error(`${name}: must be at most ${max} characters`);
  return value;
}

/** The state of one sequence and the mechanics every step shares: waiting, pausing, approving, sending. */
export class Sequence {
  readonly rejection: SequenceInput['rejection'];
  readonly policy: SequenceInput['policy'];
  private readonly rejectedAt: number;
  private readonly sequenceId = workflowInfo().workflowId;

  grievingEndsAt: number;
  grievingOver = false;
  private readyEarly = false;
  paused = false;
  ending?: Ending;
  private feedbackState: FeedbackState = 'not-requested';
  private feedbackDeadline?: number;
  readonly feedback: FeedbackEntry[] = [];
  private readonly progress: ProgressReport[] = [];
  private readonly timeline = new Map<string, TimelineEntry>();
  private readonly decisions = new Map<string, actions.ApproveArgs>();
  private readonly log: { at: string; event: string }[] = [];
  private localActivities: Promise<unknown> = Promise.resolve();
  private localSendsFailing = false;
  // Fixed at start, so replay-safe: sequences started with a shorter task timeout (all those from before local sends,
  // and any started by other clients) have no room for a local send in a task, and send through the queue.
  private readonly localSendsPossible = workflowInfo().taskTimeoutMs >= actions.WORKFLOW_TASK_TIMEOUT_MS;
  private stage: Stage = 'grieving';
  private finished = false;
  /** Messages whose send activity is in flight: they are sent or failed, whatever happens meanwhile. */
  private readonly sending = new Set<string>();

  constructor(input: SequenceInput, grievingEndsAt: number) {
    this.rejection = input.rejection;
    this.policy = input.policy;
    this.rejectedAt = Date.parse(input.rejection.rejectedAt);
    this.grievingEndsAt = grievingEndsAt;
    this.registerHandlers();
  }

  get feedbackReceived(): boolean {
    return this.feedback.length > 0;
  }

  /** The feedback deadline passed without an answer. */
  get feedbackDeadlinePassed(): boolean {
    return this.feedbackState === 'no-answer';
  }

  /** Why the feedback reminder should not go out (any more), if there is a reason. */
  reasonNotToRemind(): string | undefined {
    if (this.feedbackReceived) return 'feedback already received';
    if (this.feedbackDeadlinePassed) return 'no feedback came before the deadline';
    return undefined;
  }

  // ---- actions from the candidate, the coach or the agency ------------------------------------

  private registerHandlers(): void {
    setHandler(actions.statusQuery, () => this.status());
    this.action(
      actions.readyUpdate,
      () => this.requireGrieving(),
      () => {
        this.readyEarly = true;
        this.note('candidate is ready: grieving ended early');
      },
      () => this.grievingOver,
    );
    this.action(
      actions.snoozeUpdate,
      (args) => {
        this.requireGrieving();
        const duration = field(args, 'for');
        if (typeof duration !== 'string' || parseDuration(duration) === undefined) {
          throw new Error(`for: ${JSON.stringify(duration)} is not a duration such as "2 days"`);
        }
      },
      ({ for: duration }) => {
        this.grievingEndsAt = Math.max(this.grievingEndsAt, Date.now()) + durationMs(duration);
        this.note(`grieving extended by ${duration}, until ${iso(this.grievingEndsAt)}`);
      },
    );
    this.action(
      actions.feedbackUpdate,
      (args) => {
        this.requireActive();
        requireText('text', field(args, 'text'), MAX_TEXT);
        requireText('from', field(args, 'from'), 200, { optional: true });
      },
      ({ text, from }) => {
        this.feedback.push({ text: text.trim(), from, receivedAt: iso(Date.now()) });
        this.feedbackState = 'received';
        this.note('feedback recorded');
      },
    );
    this.action(
      actions.progressUpdate,
      (args) => {
        this.requireActive();
        for (const name of ['applications', 'interviews']) {
          const value = field(args, name);
          if (typeof value !== 'number' || !Number.isInteger(value) || value < 0 || value > 1000) throw new Error(`${name}: must be a whole number from 0 to 1000`);
        }
        requireText('note', field(args, 'note'), MAX_TEXT, { optional: true });
      },
      ({ applications, interviews, note }) => {
        this.progress.push({ applications, interviews, note, reportedAt: iso(Date.now()) });
        this.note(`progress: ${applications} applications, ${interviews} interviews`);
      },
    );
    this.action(
      actions.approveUpdate,
      (args) => {
        this.requireActive();
        const step = field(args, 'step');
        if (typeof step !== 'string' || this.timeline.get(step)?.status !== 'awaiting-approval') {
          throw new Error(`step: no draft ${JSON.stringify(step)} is waiting for approval`);
        }
        const decision = field(args, 'decision');
        if (decision !== 'approve' && decision !== 'skip') throw new Error('decision: must be "approve" or "skip"');
        const subject = field(args, 'subject');
        if (subject !== undefined && (typeof subject !== 'string' || !subject.trim() || /[\r\n]/.test(subject) || subject.length > 300)) {
          throw new Error('subject: must be one non-empty line of at most 300 characters');
        }
        requireText('text', field(args, 'text'), MAX_TEXT, { optional: true });
      },
      (args) => {
        this.decisions.set(args.step, args);
        this.note(`${args.step}: ${args.decision === 'skip' ? 'skipped' : args.subject || args.text ? 'approved with edits' : 'approved'}`);
      },
    );
    this.action(actions.pauseUpdate, () => {
      this.requireActive();
      if (this.paused) throw new Error('the sequence is already paused');
    }, () => {
      this.paused = true;
      this.note('paused');
    });
    this.action(actions.resumeUpdate, () => {
      this.requireActive();
      if (!this.paused) throw new Error('the sequence is not paused');
    }, () => {
      this.paused = false;
      this.note('resumed');
    });
    const stopWith = (ending: Ending) => (args: actions.StopArgs) => {
      this.ending = ending;
      this.cancelPending();
      this.note(`${ending}${args.reason ? `: ${args.reason}` : ''}`);
    };
    const requireActive = (args: actions.StopArgs) => {
      this.requireActive();
      requireText('reason', field(args, 'reason'), 500, { optional: true });
    };
    this.action(actions.optOutUpdate, requireActive, stopWith('opted-out'));
    this.action(actions.hiredUpdate, requireActive, stopWith('hired'));
    this.action(actions.cancelUpdate, requireActive, stopWith('cancelled'));
  }

  /**
   * Registers an update whose validator refuses bad requests before anything is recorded. It answers with the
   * stage once `settled` holds, so the caller sees the effect (e.g. `ready` returns the stage after grieving).
   */
  private action<Args extends unknown[]>(
    update: UpdateDefinition<Stage, Args>,
    validate: (...args: Args) => void,
    apply: (...args: Args) => void,
    settled?: () => boolean,
  ): void {
    setHandler(
      update,
      async (...args: Args) => {
        apply(...args);
        this.refreshStage();
        if (settled) await condition(() => settled() || !!this.ending);
        return this.stage;
      },
      { validator: validate },
    );
  }

  private requireActive(): void {
    if (this.ending) throw new Error(`the sequence has ended (${this.ending})`);
  }

  private requireGrieving(): void {
    this.requireActive();
    if (this.grievingOver) throw new Error('grieving is already over');
  }

  private note(event: string): void {
    this.log.push({ at: iso(Date.now()), event });
  }

  // ---- waiting -----------------------------------------------------------------------------------

  /** Waits until `at`, holding while paused; wakes early when the sequence stops or `unless` becomes true. */
  private async sleepUntil(at: number, halted: () => boolean, unless: () => boolean): Promise<Wake> {
    for (;;) {
      if (halted()) return 'stopped';
      if (unless()) return 'unless';
      if (this.paused && !this.ending) {
        await condition(() => !this.paused || halted() || unless());
        continue;
      }
      const remaining = at - Date.now();
      if (remaining <= 0) return 'due';
      await condition(() => (this.paused && !this.ending) || halted() || unless(), remaining);
    }
  }

  /** Waits until `at`, then on to the recipient's next send window if `at` falls outside one. */
  private async waitForSendTime(at: number, zone: string, halted: () => boolean, unless: () => boolean, rules: SendRules): Promise<Wake> {
    let next = at;
    for (;;) {
      const wake = await this.sleepUntil(next, halted, unless);
      if (wake !== 'due') return wake;
      const now = Date.now();
      next = nextSendTime(now, zone, rules, this.rejectedAt);
      if (next <= now) return 'due';
    }
  }

  /** Step 1's wait: until the grieving period ends, the candidate is ready, or the sequence stops. */
  async waitForGrievingToEnd(): Promise<void> {
    while (!this.readyEarly && !this.ending && Date.now() < this.grievingEndsAt) {
      const endsAt = this.grievingEndsAt;
      await condition(() => this.readyEarly || !!this.ending || this.grievingEndsAt !== endsAt, endsAt - Date.now());
    }
    this.grievingOver = true;
  }

  /**
   * Waits for feedback until `deadline`; true when some arrived. With Gmail reply detection, a reply in the thread of
   * `requestKey` is the feedback too: the thread is watched while the wait lasts, and no longer.
   */
  async waitForFeedback(deadline: number, requestKey?: string): Promise<boolean> {
    this.feedbackState = this.feedbackReceived ? 'received' : 'waiting';
    this.feedbackDeadline = deadline;
    this.refreshStage();
    const remaining = deadline - Date.now();
    const stopWatching = remaining > 0 ? this.watchForReply(requestKey, remaining) : undefined;
    if (remaining > 0) await condition(() => this.feedbackReceived || !!this.ending, remaining);
    stopWatching?.();
    if (!this.feedbackReceived) {
      this.feedbackState = this.ending ? 'stopped' : 'no-answer';
      if (!this.ending) this.note('no feedback came before the deadline');
    }
    this.refreshStage();
    return this.feedbackReceived;
  }

  /**
   * Gmail reply detection: one long-lived activity checks the request's thread every `gmail.pollEvery`, heartbeating
   * in between (a handful of events, however long the wait). Returns how to stop it, or undefined when off.
   */
  private watchForReply(requestKey: string | undefined, remaining: number): (() => void) | undefined {
    const request = requestKey === undefined ? undefined : this.timeline.get(requestKey);
    const pollEvery = pollEveryMs(this.policy);
    if (!request?.threadId || !gmailOf(this.policy).replyDetection || this.feedbackReceived || this.ending) return undefined;
    const { watchGmailThread } = proxyActivities<Activities>({
      startToCloseTimeout: remaining + 60 * 60_000,
      heartbeatTimeout: replyWatchHeartbeatMs(pollEvery),
      retry: { initialInterval: '1 minute', backoffCoefficient: 2, maximumInterval: '1 hour', nonRetryableErrorTypes: [PERMANENT_FAILURE] },
    });
    const from = [request.to, ...(this.rejection.recruiter ? [this.rejection.recruiter.email] : [])];
    const scope = new CancellationScope();
    void scope
      .run(() => watchGmailThread({ google: this.googleTarget(), threadId: request.threadId as string, from, pollEveryMs: pollEvery }))
      .then(
        (reply) => this.receiveReply(reply),
        (error: unknown) => {
          if (!isCancellation(error)) this.note(`reply detection stopped: ${messageOf(error)}`);
        },
      );
    return () => scope.cancel();
  }

  private receiveReply(reply: GmailReply): void {
    // Feedback recorded by hand meanwhile is the answer: most likely this very reply, pasted in.
    if (this.ending || this.feedbackReceived) return;
    this.feedback.push({ text: reply.text.slice(0, MAX_TEXT), from: reply.from, receivedAt: iso(Date.now()) });
    this.feedbackState = 'received';
    this.note('feedback recorded: a reply in the Gmail thread');
    this.refreshStage();
  }

  // ---- delivering ------------------------------------------------------------------------------

  private googleTarget(): GoogleTarget {
    return { account: this.policy.googleAccount, mailbox: this.rejection.candidate.email };
  }

  /**
   * Step 4 with google-calendar: the check-ins become events in the candidate's calendar (their zone, 30 minutes,
   * a reminder) as the step starts; the emails still bring each week's content. A no-op with the other channels.
   */
  addToCalendar(checkIns: PlannedMessage[]): CheckInCalendar {
    if (channelsOf(this.policy).checkIns !== 'google-calendar' || checkIns.length === 0 || this.ending) return NO_CALENDAR;
    const requests = checkIns.map((checkIn) => this.requestFor(checkIn));
    const vars = { ...(requests[0] as EmailRequest).vars, checkIn: undefined };
    const created = google
      .addCheckInsToCalendar({
        sequenceId: this.sequenceId,
        google: this.googleTarget(),
        timezone: this.rejection.candidate.timezone,
        minutes: CHECK_IN_MINUTES,
        vars,
        checkIns: checkIns.map((checkIn, index) => ({
          key: checkIn.key,
          startsAt: iso(checkIn.at),
          checkIn: requests[index]?.vars.checkIn ?? { number: index + 1, count: checkIns.length, nextAction: '' },
        })),
      })
      .then(
        ({ keys }) => {
          this.note(`check-ins: ${keys.length} events in the candidate's Google Calendar`);
          return keys;
        },
        (error: unknown) => {
          if (!isCancellation(error)) this.note(`check-ins: the Google Calendar events failed: ${messageOf(error)}`);
          return [] as string[];
        },
      );
    return {
      removeFrom: async (index) => {
        const inCalendar = new Set(await created);
        const keys = checkIns
          .slice(index)
          .filter((checkIn) => inCalendar.has(checkIn.key) && checkIn.at > Date.now())
          .map((checkIn) => checkIn.key);
        if (keys.length === 0) return;
        try {
          await google.removeCheckInsFromCalendar({ sequenceId: this.sequenceId, google: this.googleTarget(), keys });
          this.note(`check-ins: ${keys.length} remaining events removed from the candidate's Google Calendar`);
        } catch (error) {
          if (isCancellation(error)) throw error;
          this.note(`check-ins: removing the Google Calendar events failed: ${messageOf(error)}`);
        }
      },
    };
  }

  /** The request of a message as it would go out now. */
  private requestFor(message: PlannedMessage, inReplyTo?: string): EmailRequest {
    return buildEmailRequest(
      { rejection: this.rejection, feedback: this.feedback, progress: this.progress, checkInCount: this.policy.checkInCount, grievingEndsAt: this.grievingEndsAt },
      { sequenceId: this.sequenceId, key: message.key, kind: message.kind, audience: message.audience },
      inReplyTo,
    );
  }

  /** Hands a message over on the channel the policy chose for it. */
  private handOver(message: PlannedMessage, request: EmailRequest): Promise<Handover> {
    const route = routeOf(this.policy, message);
    switch (route) {
      case 'gmail':
      case 'gmail-draft': {
        const threadId = request.inReplyTo ? this.threadOf(request.inReplyTo) : undefined;
        const gmailRequest = { ...request, google: this.googleTarget(), ...(threadId ? { threadId } : {}) };
        return route === 'gmail' ? google.sendWithGmail(gmailRequest) : google.draftInGmail(gmailRequest);
      }
      case 'google-tasks':
        return google.createGoogleTask({ ...request, google: this.googleTarget(), due: localDate(Date.now(), this.rejection.candidate.timezone) });
      case 'smtp':
        if (message.kind === 'check-in' && channelsOf(this.policy).checkIns === 'ics') {
          // At its planned time; held back past its end (paused, awaiting approval), from the next minute.
          const late = Date.now() >= message.at + CHECK_IN_MINUTES * 60_000;
          const startsAt = iso(late ? Math.ceil(Date.now() / 60_000) * 60_000 : message.at);
          return this.sendBySmtp({ ...request, invite: { startsAt, minutes: CHECK_IN_MINUTES, timezone: this.rejection.candidate.timezone } });
        }
        return this.sendBySmtp(request);
    }
  }

  /**
   * An SMTP send: a local activity (about 5 history events fewer per message), or a regular one, retried by the server,
   * when the worker's rate limits must govern it or the local attempt failed; after such a failure, the sequence sends
   * through the queue until a send gets through.
   */
  private async sendBySmtp(request: EmailRequest): Promise<Handover> {
    if (this.localSendsPossible && !this.localSendsFailing) {
      try {
        const sent = await this.oneLocalActivityAtATime(() => sendEmailUnlessRateLimited(request));
        if (sent) return sent;
      } catch (error) {
        const type = failureType(error);
        if (isCancellation(error) || type === PERMANENT_FAILURE || type === SUPPRESSED) throw error;
        this.localSendsFailing = true;
        this.note(`${request.key}: the local send failed (${messageOf(error)}); handed to the task queue`);
      }
    }
    const sent = await sendEmail(request);
    this.localSendsFailing = false;
    return sent;
  }

  /** Local activities run in parallel could resolve together on replay, in another order than they ran: never in parallel. */
  private oneLocalActivityAtATime<T>(run: () => Promise<T>): Promise<T> {
    const result = this.localActivities.then(run);
    this.localActivities = result.then(
      () => undefined,
      () => undefined,
    );
    return result;
  }

  /** The Gmail thread of the message with this Message-ID, if it went out through Gmail. */
  private threadOf(messageId: string): string | undefined {
    for (const entry of this.timeline.values()) if (entry.messageId === messageId && entry.threadId) return entry.threadId;
    return undefined;
  }

  /** Adds messages to the timeline as scheduled. */
  schedule(messages: PlannedMessage[]): void {
    for (const message of messages) {
      this.timeline.set(message.key, {
        key: message.key,
        kind: message.kind,
        to: recipientOf(this.rejection, message.audience).email,
        mode: message.mode,
        status: 'scheduled',
        scheduledAt: iso(message.at),
      });
    }
    this.refreshStage();
  }

  messageIdOf(key: string): string | undefined {
    return this.timeline.get(key)?.messageId;
  }

  /**
   * Sends one planned message at its time, inside its recipient's send window, after approval when its
   * mode asks for one. A permanent failure is recorded and the sequence goes on.
   */
  async deliver(message: PlannedMessage, options: DeliveryOptions = {}): Promise<Delivery> {
    if (!this.timeline.has(message.key)) this.schedule([message]);
    const entry = this.timeline.get(message.key) as TimelineEntry;
    const zone = recipientOf(this.rejection, message.audience).timezone;
    // The candidate's own window for her messages (policies recorded without one keep `sendWindow`: replay-safe).
    const rules = sendRulesFor(this.policy, message.audience, this.rejection);
    const skipReason = options.skipWhen ?? (() => undefined);
    const unless = () => skipReason() !== undefined;
    const halted = () => !!this.ending && !options.afterEnding;
    const settle = (status: TimelineEntry['status'], note?: string): Delivery => {
      entry.status = status;
      if (note) entry.note = note;
      delete entry.draft;
      this.refreshStage();
      // A Gmail draft is handed over: the candidate sends it, and the sequence goes on as if it were sent.
      return status === 'cancelled' ? 'stopped' : status === 'drafted' ? 'sent' : (status as Delivery);
    };
    const woken = (wake: Wake): Delivery => (wake === 'stopped' ? settle('cancelled', `sequence ${this.ending}`) : settle('skipped', skipReason()));

    let wake = await this.waitForSendTime(message.at, zone, halted, unless, rules);
    if (wake !== 'due') return woken(wake);
    const request = () => this.requestFor(message, options.inReplyTo);

    let edits: { subject?: string; text?: string } | undefined;
    if (message.mode === 'approve') {
      try {
        const draft = await composeEmail(request());
        const decideBy = Date.now() + durationMs(this.policy.approvalTimeout);
        entry.status = 'awaiting-approval';
        entry.draft = { ...draft, decideBy: iso(decideBy) };
        this.refreshStage();
        await condition(() => this.decisions.has(message.key) || halted() || unless(), decideBy - Date.now());
      } catch (error) {
        if (isCancellation(error)) throw error;
        return this.fail(entry, error);
      }
      if (halted()) return settle('cancelled', `sequence ${this.ending}`);
      if (unless()) return settle('skipped', skipReason());
      const decision = this.decisions.get(message.key);
      if (!decision && this.policy.approvalFallback === 'skip') return settle('skipped', 'nobody approved it in time');
      if (decision?.decision === 'skip') return settle('skipped', 'skipped by a person');
      edits = decision && (decision.subject || decision.text) ? { subject: decision.subject, text: decision.text } : undefined;
      if (!decision) entry.note = 'sent without approval: nobody acted in time';
      entry.status = 'scheduled';
      delete entry.draft;
      // An approval can come at 3 a.m.: the message still waits for its window.
      wake = await this.waitForSendTime(Date.now(), zone, halted, unless, rules);
      if (wake !== 'due') return woken(wake);
    }

    this.sending.add(message.key);
    try {
      const sent = await this.handOver(message, { ...request(), edits });
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
        this.note(`${entry.key} skipped: ${why}`);
        return settle('skipped', why);
      }
      return this.fail(entry, error);
    } finally {
      this.sending.delete(message.key);
    }
  }

  private fail(entry: TimelineEntry, error: unknown): Delivery {
    entry.status = 'failed';
    entry.error = messageOf(error);
    delete entry.draft;
    this.note(`${entry.key} failed: ${entry.error}`);
    this.refreshStage();
    return 'failed';
  }

  // ---- reporting ---------------------------------------------------------------------------------

  private computeStage(): Stage {
    if (this.ending) return this.ending;
    if (this.finished) return 'completed';
    if (this.paused) return 'paused';
    if (!this.grievingOver) return 'grieving';
    const pending = [...this.timeline.values()].filter((entry) => entry.status === 'scheduled' || entry.status === 'awaiting-approval');
    if (this.feedbackState === 'waiting' || pending.some((entry) => !['check-in', 'closing-summary', 'touchpoint'].includes(entry.kind))) return 'following-up';
    if (pending.some((entry) => entry.kind === 'check-in' || entry.kind === 'closing-summary')) return 'checking-in';
    return 'staying-in-touch';
  }

  /** Keeps the stage search attribute in step, so sequences can be listed by stage. */
  refreshStage(): void {
    const stage = this.computeStage();
    if (stage === this.stage) return;
    this.stage = stage;
    upsertSearchAttributes([{ key: actions.STAGE_ATTRIBUTE, value: stage }]);
  }

  status(): SequenceStatus {
    const timeline = [...this.timeline.values()];
    if (!this.grievingOver && !this.ending) {
      // While grieving, show the follow-ups as they would be scheduled if grieving ended as planned.
      const projected = planFollowUps(this.rejection, this.policy, this.grievingEndsAt);
      const known = new Set(timeline.map((entry) => entry.key));
      for (const message of [...projected.thankYous, projected.feedbackRequest, projected.otherOpenings, projected.linkedInTask, ...projected.checkIns, ...(projected.closingSummary ? [projected.closingSummary] : []), ...projected.touchpoints]) {
        if (known.has(message.key)) continue;
        timeline.push({ key: message.key, kind: message.kind, to: recipientOf(this.rejection, message.audience).email, mode: message.mode, status: 'scheduled', scheduledAt: iso(message.at) });
      }
    }
    const sum = (field: 'applications' | 'interviews') => this.progress.reduce((total, report) => total + report[field], 0);
    return {
      rejectionId: this.rejection.id,
      company: this.rejection.company,
      role: this.rejection.role,
      candidate: this.rejection.candidate.name,
      stage: this.stage,
      paused: this.paused,
      grievingEndsAt: iso(this.grievingEndsAt),
      feedback: { state: this.feedbackState, deadline: this.feedbackDeadline === undefined ? undefined : iso(this.feedbackDeadline), received: this.feedback },
      progress: { applications: sum('applications'), interviews: sum('interviews'), reports: this.progress },
      timeline: timeline.sort((a, b) => a.scheduledAt.localeCompare(b.scheduledAt) || a.key.localeCompare(b.key)),
      log: this.log,
    };
  }

  /** Once the sequence has ended, nothing pending will go out: the timeline says so rather than "scheduled". */
  private cancelPending(): void {
    if (!this.ending) return;
    for (const entry of this.timeline.values()) {
      if ((entry.status !== 'scheduled' && entry.status !== 'awaiting-approval') || this.sending.has(entry.key)) continue;
      entry.status = 'cancelled';
      entry.note = `sequence ${this.ending}`;
      delete entry.draft;
    }
  }

  /** An opt-out holds for every sequence: the candidate's address goes on the suppression list. */
  async suppressCandidate(): Promise<void> {
    try {
      await suppressAddress({ email: this.rejection.candidate.email, reason: `opted out of ${this.sequenceId}` });
      this.note('the candidate\'s address is on the suppression list');
    } catch (error) {
      if (isCancellation(error)) throw error;
      this.note(`adding the candidate to the suppression list failed: ${messageOf(error)}`);
    }
  }

  outcome(): SequenceOutcome {
    this.finished = true;
    this.cancelPending();
    this.refreshStage();
    const count = (status: TimelineEntry['status']) => [...this.timeline.values()].filter((entry) => entry.status === status).length;
    const drafted = count('drafted');
    return { stage: this.stage, sent: count('sent'), failed: count('failed'), skipped: count('skipped'), ...(drafted > 0 ? { drafted } : {}) };
  }
}
