// Pure: no Temporal import. What a sequence knows (its timeline, stage and status), unit-tested on its own.
import type { ApproveArgs } from './updates';
import type { SequenceInput } from './input';
import { followUpMessages } from './plan-messages';
import { recipientOf } from './recipients';
import { planFollowUps, type PlannedMessage } from './schedule';
import type { Ending, FeedbackEntry, FeedbackState, ProgressReport, SequenceOutcome, SequenceStatus, Stage, TimelineEntry } from './status';

export const iso = (millis: number): string => new Date(millis).toISOString();

/** Messages of these kinds belong to step 4 (checking in) and step 6 (staying in touch); every other one is a follow-up. */
const CHECKING_IN: readonly string[] = ['check-in', 'closing-summary'];
const LATER_STEPS: readonly string[] = [...CHECKING_IN, 'touchpoint', 'late-feedback'];

const isPending = (entry: TimelineEntry) => entry.status === 'scheduled' || entry.status === 'awaiting-approval';

/** The state of one sequence: every field the updates change and the status query shows. */
export class SequenceState {
  readonly rejection: SequenceInput['rejection'];
  readonly policy: SequenceInput['policy'];
  readonly rejectedAt: number;

  grievingEndsAt: number;
  grievingOver = false;
  readyEarly = false;
  paused = false;
  /** When the current pause began, and how long every pause so far lasted: held messages move on by that much. */
  pausedAt?: number;
  pausedForMs = 0;
  ending?: Ending;
  finished = false;
  feedbackState: FeedbackState = 'not-requested';
  feedbackDeadline?: number;
  readonly feedback: FeedbackEntry[] = [];
  readonly progress: ProgressReport[] = [];
  readonly timeline = new Map<string, TimelineEntry>();
  readonly decisions = new Map<string, ApproveArgs>();
  readonly log: { at: string; event: string }[] = [];
  /** The Message-IDs of the email replies recorded: the same reply seen twice is recorded once. */
  readonly replies = new Set<string>();
  /** The step the recruiter answered by email, if any: the rest of that thread's follow-ups (touchpoints) are off. */
  recruiterAnswered?: string;
  /** Messages whose send activity is in flight: they are sent or failed, whatever happens meanwhile. */
  readonly sending = new Set<string>();

  constructor(input: SequenceInput, grievingEndsAt: number) {
    this.rejection = input.rejection;
    this.policy = input.policy;
    this.rejectedAt = Date.parse(input.rejection.rejectedAt);
    this.grievingEndsAt = grievingEndsAt;
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

  /** Why the next touchpoint should not go out, if there is a reason. */
  reasonNotToTouchBase(): string | undefined {
    return this.recruiterAnswered ? `the recruiter replied to ${this.recruiterAnswered}` : undefined;
  }

  /** Feedback, however it came (by hand, a Gmail reply, an email reply): recorded alike. */
  recordFeedback(entry: FeedbackEntry, how: string): void {
    this.feedback.push(entry);
    this.feedbackState = 'received';
    this.note(how);
  }

  note(event: string, now = Date.now()): void {
    this.log.push({ at: iso(now), event });
  }

  /** Adds messages to the timeline as scheduled. */
  schedule(messages: PlannedMessage[]): void {
    for (const message of messages) this.timeline.set(message.key, this.scheduledEntry(message));
  }

  private scheduledEntry(message: PlannedMessage): TimelineEntry {
    return { key: message.key, kind: message.kind, to: recipientOf(this.rejection, message.audience).email, mode: message.mode, status: 'scheduled', scheduledAt: iso(message.at) };
  }

  /** Moves a scheduled message to another time (the order follows what actually happened). */
  reschedule(message: PlannedMessage): void {
    const entry = this.timeline.get(message.key);
    if (entry?.status === 'scheduled') entry.scheduledAt = iso(message.at);
  }

  /** When the messages of a kind actually went out. */
  sentTimesOf(kind: TimelineEntry['kind']): number[] {
    return [...this.timeline.values()].flatMap((entry) => (entry.kind === kind && entry.sentAt ? [Date.parse(entry.sentAt)] : []));
  }

  /** The times of the other emails of the sequence to `to`, sent or still to go (skipped, failed or cancelled ones aside). */
  emailTimesTo(to: string, except: string): number[] {
    return [...this.timeline.values()].flatMap((entry) => {
      if (entry.key === except || entry.to !== to || !['scheduled', 'awaiting-approval', 'sent'].includes(entry.status)) return [];
      return [Date.parse(entry.sentAt ?? entry.scheduledAt)];
    });
  }

  messageIdOf(key: string): string | undefined {
    return this.timeline.get(key)?.messageId;
  }

  /** The Gmail thread of the message with this Message-ID, if it went out through Gmail. */
  threadOf(messageId: string): string | undefined {
    for (const entry of this.timeline.values()) if (entry.messageId === messageId && entry.threadId) return entry.threadId;
    return undefined;
  }

  stage(): Stage {
    if (this.ending) return this.ending;
    if (this.finished) return 'completed';
    if (this.paused) return 'paused';
    if (!this.grievingOver) return 'grieving';
    const pending = [...this.timeline.values()].filter(isPending);
    if (this.feedbackState === 'waiting' || pending.some((entry) => !LATER_STEPS.includes(entry.kind))) return 'following-up';
    if (pending.some((entry) => CHECKING_IN.includes(entry.kind))) return 'checking-in';
    return 'staying-in-touch';
  }

  /** Once the sequence has ended, nothing pending will go out: the timeline says so rather than "scheduled". */
  cancelPending(): void {
    if (!this.ending) return;
    for (const entry of this.timeline.values()) {
      if (!isPending(entry) || this.sending.has(entry.key)) continue;
      entry.status = 'cancelled';
      entry.note = `sequence ${this.ending}`;
      delete entry.draft;
    }
  }

  status(stage: Stage = this.stage()): SequenceStatus {
    const timeline = [...this.timeline.values()];
    if (!this.grievingOver && !this.ending) {
      // While grieving, show the follow-ups as they would be scheduled if grieving ended as planned.
      const known = new Set(timeline.map((entry) => entry.key));
      for (const message of followUpMessages(planFollowUps(this.rejection, this.policy, this.grievingEndsAt))) {
        if (!known.has(message.key)) timeline.push(this.scheduledEntry(message));
      }
    }
    const sum = (field: 'applications' | 'interviews') => this.progress.reduce((total, report) => total + report[field], 0);
    return {
      rejectionId: this.rejection.id,
      company: this.rejection.company,
      role: this.rejection.role,
      candidate: this.rejection.candidate.name,
      people: peopleOf(this.rejection),
      stage,
      paused: this.paused,
      grievingEndsAt: iso(this.grievingEndsAt),
      feedback: { state: this.feedbackState, deadline: this.feedbackDeadline === undefined ? undefined : iso(this.feedbackDeadline), received: this.feedback },
      progress: { applications: sum('applications'), interviews: sum('interviews'), reports: this.progress },
      timeline: timeline.sort((a, b) => a.scheduledAt.localeCompare(b.scheduledAt) || a.key.localeCompare(b.key)),
      log: this.log,
    };
  }

  outcome(stage: Stage = this.stage()): SequenceOutcome {
    const count = (status: TimelineEntry['status']) => [...this.timeline.values()].filter((entry) => entry.status === status).length;
    const drafted = count('drafted');
    return { stage, sent: count('sent'), failed: count('failed'), skipped: count('skipped'), ...(drafted > 0 ? { drafted } : {}) };
  }
}

/** Address (lowercased) to name, for everyone the rejection names: a query computes it, so no history changes. */
function peopleOf(rejection: SequenceInput['rejection']): Record<string, string> {
  const people = [rejection.candidate, ...rejection.interviewers, ...(rejection.recruiter ? [rejection.recruiter] : [])];
  return Object.fromEntries(people.map((person) => [person.email.toLowerCase(), person.name]));
}
