import type { Locale } from './locale';
import { firstName, recipientOf, relationshipContact, type Audience } from './recipients';
import type { Rejection } from './rejection';
import type { FeedbackEntry, ProgressReport } from './status';
import type { StepKind } from './steps';

export interface Mailbox {
  name: string;
  email: string;
}

/** The values a template can use, e.g. `{{recipient.firstName}}` or `{{company}}`. */
export interface TemplateVars {
  candidate: { name: string; firstName: string; linkedinUrl?: string };
  recipient: { name: string; firstName: string; title?: string };
  /** `role` (since `tpl-recipient-facts`): who the relationship contact is, for the LinkedIn task's wording. */
  contact: { name: string; firstName: string; role?: 'recruiter' | 'interviewer' };
  company: string;
  role: string;
  dreamJob: boolean;
  feedback: { text: string; from?: string }[];
  progress: { applications: number; interviews: number };
  checkIn?: { number: number; count: number; nextAction: string };
  /** `weeks`: whole weeks since the rejection; `feedbackWaitOver`: the request went out and its wait ended unanswered. */
  summary?: { weeks: number; feedbackCount: number; feedbackWaitOver?: boolean; period: string; periodHeading: string };
  linkedIn?: { url: string; isProfile: boolean };
  touchpoint?: { number: number };
  /** The supportive note: when grieving ends (ISO 8601), shown in the candidate's zone. */
  grieving?: { endsAt: string; timezone: string };
  /** Since `tpl-recipient-facts`: the recipient's language (English when absent) and whole days since the rejection. */
  locale?: Locale;
  daysSinceRejection?: number;
}

/** What the email activities need to render and send one message; the Message-ID derives from sequence and key. */
export interface EmailRequest {
  sequenceId: string;
  key: string;
  kind: StepKind;
  to: Mailbox;
  /** Messages to interviewers and recruiters speak for the candidate: replies go to the candidate. */
  fromName: string;
  replyTo?: Mailbox;
  /** The Message-ID this message follows up, so it lands in the same thread. */
  inReplyTo?: string;
  vars: TemplateVars;
  edits?: { subject?: string; text?: string };
  /** A calendar invitation the message carries (check-ins with the `ics` channel). */
  invite?: CalendarInvite;
}

/** A calendar event sent along with a message: it starts at `startsAt` (ISO 8601), in the recipient's zone. */
export interface CalendarInvite {
  startsAt: string;
  minutes: number;
  timezone: string;
}

export interface SentEmail {
  messageId: string;
  /** Gmail: the thread the message is in, for follow-ups in the same thread. */
  threadId?: string;
  /** Gmail draft mode: the draft waiting in the candidate's mailbox. */
  draftId?: string;
}

export interface Draft {
  subject: string;
  text: string;
}

// The article's step 4: concrete next actions, one per check-in, in turn.
const NEXT_ACTIONS = [
  'Send out one more tailored resume this week.',
  'Visit another job board and save three roles that fit your skills.',
  'Reach out to one person in your network about openings on their team.',
  'Rehearse your answer to the question you found hardest in your last interview.',
  'Update your resume with what you learned from the feedback so far.',
  'Apply to two roles you would have skipped last month.',
];

export function linkedInSearchUrl(name: string, company: string): string {
  return `https://www.linkedin.com/search/results/people/?keywords=${encodeURIComponent(`${name} ${company}`)}`;
}

export interface MessageContext {
  rejection: Rejection;
  feedback: FeedbackEntry[];
  progress: ProgressReport[];
  checkInCount: number;
  /** When grieving ends, for the supportive note (absent in sequences recorded before it was passed). */
  grievingEndsAt?: number;
  /**
   * What the closing summary may say (since `wf-summary-facts`): the time it goes out, and whether the feedback request
   * went out and its wait ended. Without them (sequences from before), it counts the check-ins as weeks.
   */
  summaryFacts?: { now: number; feedbackWaitOver: boolean };
  /** Since `tpl-recipient-facts`: the time the message is built, for wording that fits a rejection long past. */
  recipientFacts?: { now: number };
}

const DAY_MS = 24 * 60 * 60 * 1000;
const WEEK_MS = 7 * DAY_MS;

/** Everything a message needs, built from the rejection and what the sequence learned so far. */
export function buildEmailRequest(
  context: MessageContext,
  message: { sequenceId: string; key: string; kind: StepKind; audience: Audience },
  inReplyTo?: string,
): EmailRequest {
  const { rejection } = context;
  const recipient = recipientOf(rejection, message.audience);
  const contact = recipientOf(rejection, relationshipContact(rejection));
  const ordinal = Number(message.key.split(':')[1] ?? 1);
  const speaksForCandidate = message.audience.role !== 'candidate';
  const vars: TemplateVars = {
    candidate: { name: rejection.candidate.name, firstName: firstName(rejection.candidate.name), linkedinUrl: rejection.candidate.linkedinUrl },
    recipient: { name: recipient.name, firstName: firstName(recipient.name), title: recipient.title },
    contact: { name: contact.name, firstName: firstName(contact.name) },
    company: rejection.company,
    role: rejection.role,
    dreamJob: rejection.dreamJob ?? false,
    feedback: context.feedback.map(({ text, from }) => ({ text, from })),
    progress: {
      applications: context.progress.reduce((sum, report) => sum + report.applications, 0),
      interviews: context.progress.reduce((sum, report) => sum + report.interviews, 0),
    },
  };
  if (context.recipientFacts) {
    if (recipient.locale) vars.locale = recipient.locale;
    vars.contact.role = relationshipContact(rejection).role === 'recruiter' ? 'recruiter' : 'interviewer';
    vars.daysSinceRejection = Math.max(0, Math.floor((context.recipientFacts.now - Date.parse(rejection.rejectedAt)) / DAY_MS));
  }
  if (message.kind === 'check-in') {
    vars.checkIn = { number: ordinal, count: context.checkInCount, nextAction: NEXT_ACTIONS[(ordinal - 1) % NEXT_ACTIONS.length] ?? '' };
  }
  if (message.kind === 'closing-summary') {
    const facts = context.summaryFacts;
    const weeks = facts ? Math.floor((facts.now - Date.parse(rejection.rejectedAt)) / WEEK_MS) : context.checkInCount;
    const period = weeks >= 2 ? `${weeks} weeks` : weeks === 1 ? 'a week' : 'a few days'; // never "0 weeks" or "1 weeks"
    const periodHeading = `${period.charAt(0).toUpperCase()}${period.slice(1)}`;
    vars.summary = { weeks, feedbackCount: context.feedback.length, feedbackWaitOver: facts ? facts.feedbackWaitOver : true, period, periodHeading };
  }
  if (message.kind === 'linkedin-task') {
    const profile = rejection.recruiter?.linkedinUrl;
    vars.linkedIn = profile ? { url: profile, isProfile: true } : { url: linkedInSearchUrl(contact.name, rejection.company), isProfile: false };
  }
  if (message.kind === 'touchpoint') vars.touchpoint = { number: ordinal };
  // `late-feedback:N` passes on the feedback from the Nth entry on: what no check-in has handed back yet.
  if (message.kind === 'late-feedback') vars.feedback = vars.feedback.slice(ordinal - 1);
  if (message.kind === 'supportive-note' && context.grievingEndsAt !== undefined) {
    vars.grieving = { endsAt: new Date(context.grievingEndsAt).toISOString(), timezone: rejection.candidate.timezone };
  }
  return {
    sequenceId: message.sequenceId,
    key: message.key,
    kind: message.kind,
    to: { name: recipient.name, email: recipient.email },
    fromName: speaksForCandidate ? rejection.candidate.name : 'Onward',
    replyTo: speaksForCandidate ? { name: rejection.candidate.name, email: rejection.candidate.email } : undefined,
    inReplyTo,
    vars,
  };
}
