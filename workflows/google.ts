import type { EmailRequest, SentEmail, TemplateVars } from './email-request';

/**
 * What the Google activities receive. Credentials are named, never carried: `account` is the name of credentials on
 * the workers (the workers' default when absent), `mailbox` the address they act for (a service account's subject).
 */
export interface GoogleTarget {
  account?: string;
  mailbox: string;
}

/** A message to send (or draft) from the candidate's Gmail; `threadId` places a follow-up in its thread. */
export interface GmailRequest extends EmailRequest {
  google: GoogleTarget;
  threadId?: string;
}

/** A task in the candidate's Google Tasks, due on `due` ("YYYY-MM-DD"). */
export interface TaskRequest extends EmailRequest {
  google: GoogleTarget;
  due: string;
}

export interface CreatedTask {
  taskId: string;
}

/** What handing a message over produced, whatever the channel. */
export type Handover = Partial<SentEmail> & Partial<CreatedTask>;

/** Watch a Gmail thread for a reply from one of `from`, checking every `pollEveryMs`. */
export interface ThreadWatch {
  google: GoogleTarget;
  threadId: string;
  from: string[];
  pollEveryMs: number;
}

/** A reply found in the thread, its quoted history stripped. */
export interface GmailReply {
  text: string;
  from?: string;
  gmailId: string;
}

/** Step 4 with google-calendar: one event per check-in in the candidate's calendar. */
export interface CheckInEvents {
  sequenceId: string;
  google: GoogleTarget;
  timezone: string;
  minutes: number;
  /** What every check-in shares (candidate, company, role); each one adds its own `checkIn`. */
  vars: TemplateVars;
  checkIns: { key: string; startsAt: string; checkIn: NonNullable<TemplateVars['checkIn']> }[];
}

export interface CalendarEventsRemoval {
  sequenceId: string;
  google: GoogleTarget;
  keys: string[];
}
