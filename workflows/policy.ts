import { IANAZone } from 'luxon';
import { z } from 'zod';
import { parseDuration } from './durations';
import { POLICY_DEFAULTS, WEEKDAYS, defaultOf, type Weekday } from './policy-defaults';
import { STEP_KINDS, type StepKind } from './steps';


/** A policy has at most this many recruiter touchpoints (touchpoint:1 to touchpoint:12). */
export const MAX_TOUCHPOINTS = 12;

export const durationText = z
  .string()
  .refine((text) => parseDuration(text) !== undefined, {
    message: 'must be a positive duration with a unit, such as "2 days", "1 week" or "90 minutes", of at most 2 years',
  });

export const timeZone = z
  .string()
  .refine((zone) => IANAZone.isValidZone(zone), { message: 'must be an IANA time zone such as "Europe/Paris"' });

const clockTime = z
  .string()
  .regex(/^([01]\d|2[0-3]):[0-5]\d$|^24:00$/, { message: 'must be a time of day "HH:MM" (00:00 to 24:00)' });

const calendarDate = z.iso.date({ message: 'must be a date "YYYY-MM-DD"' });

/** A send window; the settings it leaves out come from `defaults` (each window has its own). */
const sendWindowSchema = (defaults: { days: Weekday[]; start: string; end: string }) =>
  z
    .strictObject({
      days: z.array(z.enum(WEEKDAYS)).min(1, { message: 'must name at least one day' }).default(() => [...defaults.days]),
      start: clockTime.default(defaults.start),
      end: clockTime.default(defaults.end),
    })
    .refine((window) => window.start < window.end, { message: 'start must be before end', path: ['end'] });

const deliverySchema = z.strictObject(
  Object.fromEntries(STEP_KINDS.map((kind) => [kind, z.enum(['send', 'approve']).optional()])) as Record<
    StepKind,
    z.ZodOptional<z.ZodEnum<{ send: 'send'; approve: 'approve' }>>
  >,
);

/** The name of a set of Google credentials on the workers: a reference, never a token. */
export const GOOGLE_ACCOUNT_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

export const EMAIL_CHANNELS = ['smtp', 'gmail'] as const;
export const CHECK_IN_CHANNELS = ['email', 'google-calendar', 'ics'] as const;
export const CONTACT_TASK_CHANNELS = ['email', 'google-tasks'] as const;

const channelsSchema = z.strictObject({
  email: z
    .enum(EMAIL_CHANNELS)
    .default(POLICY_DEFAULTS.channels.email)
    .describe('"smtp": from the deployment\'s address; "gmail": messages that speak for the candidate go from their own Gmail.'),
  checkIns: z
    .enum(CHECK_IN_CHANNELS)
    .default(POLICY_DEFAULTS.channels.checkIns)
    .describe('"email"; "google-calendar": also events in the candidate\'s Google Calendar; "ics": the email carries a calendar invitation.'),
  contactTasks: z
    .enum(CONTACT_TASK_CHANNELS)
    .default(POLICY_DEFAULTS.channels.contactTasks)
    .describe('"email"; "google-tasks": the LinkedIn task and the touchpoints become Google Tasks for the candidate.'),
});

const gmailSchema = z.strictObject({
  mode: z.enum(['send', 'draft']).default(POLICY_DEFAULTS.gmail.mode).describe('"send", or "draft": a Gmail draft the candidate sends themselves.'),
  replyDetection: z.boolean().default(POLICY_DEFAULTS.gmail.replyDetection).describe('A reply in the feedback request\'s thread is taken as the feedback.'),
  pollEvery: durationText.default(POLICY_DEFAULTS.gmail.pollEvery).describe('How often the thread is checked for a reply.'),
});

/** Every setting of a sequence; each one can be overridden per rejection in its `policy`. */
export const policySchema = z.strictObject({
  supportiveNote: z.boolean().default(() => defaultOf('supportiveNote')).describe('Send the candidate a supportive note while they grieve.'),
  grievingPeriod: durationText.default(() => defaultOf('grievingPeriod')).describe('How long to wait before contacting anyone.'),
  dreamJobGrievingPeriod: durationText.default(() => defaultOf('dreamJobGrievingPeriod')).describe('The grieving period when `dreamJob` is true.'),
  feedbackRequestDelay: durationText.default(() => defaultOf('feedbackRequestDelay')).describe('Time between the thank-you notes and the feedback request.'),
  feedbackFrom: z.enum(['interviewer', 'recruiter']).default(() => defaultOf('feedbackFrom')).describe('Who is asked for feedback (the first interviewer, or the recruiter when there is one).'),
  feedbackWait: durationText.default(() => defaultOf('feedbackWait')).describe('How long to wait for feedback before recording that none came.'),
  feedbackReminder: z.boolean().default(() => defaultOf('feedbackReminder')).describe('Send at most one polite reminder in the same thread.'),
  feedbackReminderAfter: durationText.default(() => defaultOf('feedbackReminderAfter')).describe('Time between the feedback request and the reminder.'),
  checkInEvery: durationText.default(() => defaultOf('checkInEvery')).describe('Time between job-search check-ins.'),
  checkInCount: z.number().int().min(0).max(52).default(() => defaultOf('checkInCount')).describe('How many check-ins to send.'),
  closingSummary: z.boolean().default(() => defaultOf('closingSummary')).describe('One check-in period after the last check-in, a summary of the feedback and progress.'),
  otherOpeningsDelay: durationText.default(() => defaultOf('otherOpeningsDelay')).describe('Time between the thank-you notes and asking about other openings.'),
  linkedInTaskDelay: durationText.default(() => defaultOf('linkedInTaskDelay')).describe('Time between the thank-you notes and the LinkedIn task.'),
  touchpointsAfter: z.array(durationText).max(MAX_TOUCHPOINTS).default(() => defaultOf('touchpointsAfter')).describe('Recruiter touchpoints, counted from the thank-you notes.'),
  sendWindow: sendWindowSchema(POLICY_DEFAULTS.sendWindow).default(() => defaultOf('sendWindow')).describe("When emails may go out, in the recipient's time zone."),
  candidateSendWindow: sendWindowSchema(POLICY_DEFAULTS.candidateSendWindow)
    .default(() => defaultOf('candidateSendWindow'))
    .describe("When Onward's own messages to the candidate may go out, in the candidate's time zone."),
  holidays: z
    .union([z.literal('auto'), z.array(calendarDate).max(366)], { error: 'must be "auto" or a list of dates "YYYY-MM-DD"' })
    .default(() => defaultOf('holidays'))
    .describe('"auto": the public holidays of each recipient\'s country; or the dates on which nothing is sent.'),
  avoidRejectionDay: z.boolean().default(() => defaultOf('avoidRejectionDay')).describe('Never send anything on the day of the rejection.'),
  delivery: deliverySchema.default(() => defaultOf('delivery')).describe('Per step: "send" automatically, or "approve" (a person approves, edits or skips the draft).'),
  approvalTimeout: durationText.default(() => defaultOf('approvalTimeout')).describe('How long a draft waits for approval.'),
  approvalFallback: z.enum(['send', 'skip']).default(() => defaultOf('approvalFallback')).describe('What happens to a draft nobody acted on.'),
  channels: channelsSchema
    .default(() => defaultOf('channels'))
    .describe('How each channel is delivered: see docs/google.md.'),
  gmail: gmailSchema
    .default(() => defaultOf('gmail'))
    .describe('Gmail settings, used when channels.email is "gmail".'),
  googleAccount: z
    .string()
    .regex(GOOGLE_ACCOUNT_NAME, { message: 'must be the name of Google credentials on the workers (1-64 letters, digits, ".", "_" or "-")' })
    .optional()
    .describe("The Google credentials to act with, by name (never a token); the workers' ONWARD_GOOGLE_ACCOUNT when absent."),
});

export type { Weekday };
export type Policy = z.output<typeof policySchema>;
export type PolicyOverrides = z.input<typeof policySchema>;
export type SendWindow = Policy['sendWindow'];
export type Channels = Policy['channels'];
export type GmailSettings = Policy['gmail'];

/** A policy as a sequence starts with it: with `holidays: "auto"`, the public holidays per country, resolved at start. */
export type ResolvedPolicy = Policy & { publicHolidays?: Record<string, string[]> };

/** The policy used when a rejection overrides nothing. */
export const DEFAULT_POLICY: Policy = POLICY_DEFAULTS;

/** A fast policy for demonstrations: the whole sequence plays out in a few minutes, at any hour. */
export const DEMO_POLICY: PolicyOverrides = {
  grievingPeriod: '20 seconds',
  dreamJobGrievingPeriod: '30 seconds',
  feedbackRequestDelay: '10 seconds',
  feedbackWait: '60 seconds',
  feedbackReminderAfter: '30 seconds',
  checkInEvery: '20 seconds',
  otherOpeningsDelay: '20 seconds',
  linkedInTaskDelay: '30 seconds',
  touchpointsAfter: ['2 minutes', '3 minutes'],
  sendWindow: { days: ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'], start: '00:00', end: '24:00' },
  candidateSendWindow: { days: ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'], start: '00:00', end: '24:00' },
  avoidRejectionDay: false,
  approvalTimeout: '1 minute',
};
