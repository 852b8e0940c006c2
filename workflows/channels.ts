import { DateTime } from 'luxon';
import { durationMs } from './durations';
import type { Channels, GmailSettings, Policy } from './policy';
import { POLICY_DEFAULTS } from './policy-defaults';
import type { Audience } from './recipients';
import type { StepKind } from './steps';

/**
 * Which provider delivers each message, decided from the policy alone (pure and deterministic). The workflow's shape
 * is the same whatever the choice: only the activity that hands a message over changes.
 */

/** A check-in event in the calendar (Google Calendar or an ICS invitation) lasts this long. */
export const CHECK_IN_MINUTES = 30;

// Sequences started before the channels existed have no `channels` nor `gmail` in their policy: the defaults apply.
const recorded = (policy: Policy) => policy as Partial<Policy>;

export function channelsOf(policy: Policy): Channels {
  return { ...POLICY_DEFAULTS.channels, ...recorded(policy).channels };
}

export function gmailOf(policy: Policy): GmailSettings {
  return { ...POLICY_DEFAULTS.gmail, ...recorded(policy).gmail };
}

/** How one message is handed over. */
export type Route = 'smtp' | 'gmail' | 'gmail-draft' | 'google-tasks';

/**
 * The LinkedIn task and the touchpoints become Google Tasks with `google-tasks`; with `gmail`, messages that speak for
 * the candidate (to interviewers and the recruiter) go from the candidate's mailbox, sent or as drafts. Onward's own
 * messages to the candidate stay on the deployment's mailer.
 */
export function routeOf(policy: Policy, message: { kind: StepKind; audience: Audience }): Route {
  const channels = channelsOf(policy);
  if (channels.contactTasks === 'google-tasks' && (message.kind === 'linkedin-task' || message.kind === 'touchpoint')) return 'google-tasks';
  if (channels.email === 'gmail' && message.audience.role !== 'candidate') return gmailOf(policy).mode === 'draft' ? 'gmail-draft' : 'gmail';
  return 'smtp';
}

/** The calendar day of an instant in a zone, "YYYY-MM-DD" (a task's due date). */
export function localDate(instant: number, zone: string): string {
  return DateTime.fromMillis(instant, { zone }).toISODate() ?? new Date(instant).toISOString().slice(0, 10);
}

/**
 * The reply watch heartbeats a few times per heartbeat timeout; the timeout follows the poll interval (short in tests,
 * 5 minutes at most in production, so a lost worker is noticed and the watch resumes elsewhere).
 */
export function replyWatchHeartbeatMs(pollEveryMs: number): number {
  return Math.min(Math.max(pollEveryMs * 3, 10_000), 5 * 60_000);
}

export function pollEveryMs(policy: Policy): number {
  return durationMs(gmailOf(policy).pollEvery);
}
