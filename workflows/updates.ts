// The updates' arguments and their validators, in plain TypeScript (no zod in the workflow bundle): the workflow, the
// HTTP API and the CLI run the same checks and refuse with the same ApplicationFailure, its type and the field.
import { ApplicationFailure } from '@temporalio/common';
import { parseDuration } from './durations';

export interface SnoozeArgs {
  for: string;
}
export interface FeedbackArgs {
  text: string;
  from?: string;
}
export interface ProgressArgs {
  applications: number;
  interviews: number;
  note?: string;
}
export interface ApproveArgs {
  step: string;
  decision: 'approve' | 'skip';
  subject?: string;
  text?: string;
}
export interface StopArgs {
  reason?: string;
}
/** An email reply to one of the sequence's messages (`step`), caught in a watched mailbox (worker/replies). */
export interface ReplyArgs {
  step: string;
  /** The reply's own Message-ID: the same reply seen twice is recorded once. */
  messageId: string;
  from: string;
  /** The reply's new text, its quoted history and signature stripped. */
  text: string;
}

/** A refusal because of the request itself (a 400): the field names the bad argument. */
export const INVALID_ARGUMENT = 'InvalidActionArgument';
/** A refusal because of the sequence's state (a 409), e.g. already paused; the field is `(sequence)` or the argument. */
export const ACTION_CONFLICT = 'ActionConflict';
export type RefusalType = typeof INVALID_ARGUMENT | typeof ACTION_CONFLICT;

/** The field a refusal names when it is about the sequence as a whole. */
export const SEQUENCE_FIELD = '(sequence)';

/** A refused action, "field: problem" (or the problem alone for the whole sequence); its details: field, problem. */
export function refusal(type: RefusalType, field: string, problem: string): ApplicationFailure {
  return ApplicationFailure.create({ type, message: field === SEQUENCE_FIELD ? problem : `${field}: ${problem}`, details: [field, problem], nonRetryable: true });
}

/** The field and the problem a refusal names, read back on the client side. */
export function refusedFieldOf(failure: ApplicationFailure): { field: string; problem: string } {
  const [field, problem] = failure.details ?? [];
  return typeof field === 'string' && typeof problem === 'string' ? { field, problem } : { field: SEQUENCE_FIELD, problem: failure.message };
}

const invalid = (field: string, problem: string) => refusal(INVALID_ARGUMENT, field, problem);

export const MAX_TEXT = 10_000;
export const MAX_REASON = 500;
export const MAX_FROM = 200;
export const MAX_SUBJECT = 300;
export const MAX_COUNT = 1000;

/** A field of an update's argument, which arrives over the wire and may be anything. */
function field(args: unknown, name: string): unknown {
  return typeof args === 'object' && args !== null ? (args as Record<string, unknown>)[name] : undefined;
}

/** Refuses a value that is not a non-empty string of at most `max` characters (or absent, when optional). */
function requireText(name: string, value: unknown, max: number, options: { optional?: boolean } = {}): void {
  if (value === undefined && options.optional) return;
  if (typeof value !== 'string') throw invalid(name, 'must be text');
  if (!value.trim()) throw invalid(name, 'must not be empty');
  if (value.length > max) throw invalid(name, `must be at most ${max} characters`);
}

export function validateSnooze(args: unknown): asserts args is SnoozeArgs {
  const duration = field(args, 'for');
  if (typeof duration !== 'string' || parseDuration(duration) === undefined) {
    throw invalid('for', `${JSON.stringify(duration)} is not a duration such as "2 days"`);
  }
}

export function validateFeedback(args: unknown): asserts args is FeedbackArgs {
  requireText('text', field(args, 'text'), MAX_TEXT);
  requireText('from', field(args, 'from'), MAX_FROM, { optional: true });
}

export function validateProgress(args: unknown): asserts args is ProgressArgs {
  for (const name of ['applications', 'interviews']) {
    const value = field(args, name);
    if (typeof value !== 'number' || !Number.isInteger(value) || value < 0 || value > MAX_COUNT) throw invalid(name, `must be a whole number from 0 to ${MAX_COUNT}`);
  }
  requireText('note', field(args, 'note'), MAX_TEXT, { optional: true });
}

/** The approval's own arguments; whether its step waits for approval is the sequence's to say. */
export function validateApprove(args: unknown): asserts args is ApproveArgs {
  const step = field(args, 'step');
  if (typeof step !== 'string' || !step) throw invalid('step', 'must name a step, e.g. "thank-you:1"');
  const decision = field(args, 'decision');
  if (decision !== 'approve' && decision !== 'skip') throw invalid('decision', 'must be "approve" or "skip"');
  const subject = field(args, 'subject');
  if (subject !== undefined && (typeof subject !== 'string' || !subject.trim() || /[\r\n]/.test(subject) || subject.length > MAX_SUBJECT)) {
    throw invalid('subject', `must be one non-empty line of at most ${MAX_SUBJECT} characters`);
  }
  requireText('text', field(args, 'text'), MAX_TEXT, { optional: true });
}

export function validateStop(args: unknown): asserts args is StopArgs {
  requireText('reason', field(args, 'reason'), MAX_REASON, { optional: true });
}

export function validateReply(args: unknown): asserts args is ReplyArgs {
  requireText('step', field(args, 'step'), MAX_FROM);
  requireText('messageId', field(args, 'messageId'), MAX_FROM);
  requireText('from', field(args, 'from'), MAX_FROM);
  requireText('text', field(args, 'text'), MAX_TEXT);
}
