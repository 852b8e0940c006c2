import { IANAZone } from 'luxon';
import { z } from 'zod';
import { parseDuration } from './durations';
import { STEP_KINDS, type StepKind } from './steps';

const WEEKDAYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const;
export type Weekday = (typeof WEEKDAYS)[number];

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

const sendWindowSchema = z
  .strictObject({
    days: z.array(z.enum(WEEKDAYS)).min(1, { message: 'must name at least one day' }).default(['mon', 'tue', 'wed', 'thu', 'fri']),
    start: clockTime.default('09:00'),
    end: clockTime.default('17:00'),
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
    .default('smtp')
    .describe('"smtp": from the deployment\'s address; "gmail": messages that speak for the candidate go from their own Gmail.'),
  checkIns: z
    .enum(CHECK_IN_CHANNELS)
    .default('email')
    .describe('"email"; "google-calendar": also events in the candidate\'s Google Calendar; "ics": the email carries a calendar invitation.'),
  contactTasks: z
    .enum(CONTACT_TASK_CHANNELS)
    .default('email')
    .describe('"email"; "google-tasks": the LinkedIn task and the touchpoints become Google Tasks for the candidate.'),
});

const gmailSchema = z.strictObject({
  mode: z.enum(['send', 'draft']).default('send').describe('"send", or "draft": a Gmail draft the candidate sends themselves.'),
  replyDetection: z.boolean().default(false).describe('A reply in the feedback request\'s thread is taken as the feedback.'),
  pollEvery: durationText.default('6 hours').describe('How often the thread is checked for a reply.'),
});

/** Every setting of a sequence; each one can be overridden per rejection in its `policy`. */
export const policySchema = z.strictObject({
  supportiveNote: z.boolean().default(true).describe('Send the candidate a supportive note while they grieve.'),
  grievingPeriod: durationText.default('2 days').describe('How long to wait before contacting anyone.'),
  dreamJobGrievingPeriod: durationText.default('5 days').describe('The grieving period when `dreamJob` is true.'),
  feedbackRequestDelay: durationText.default('1 day').describe('Time between the thank-you notes and the feedback request.'),
  feedbackFrom: z.enum(['interviewer', 'recruiter']).default('interviewer').describe('Who is asked for feedback (the first interviewer, or the recruiter when there is one).'),
  feedbackWait: durationText.default('10 days').describe('How long to wait for feedback before recording that none came.'),
  feedbackReminder: z.boolean().default(true).describe('Send at most one polite reminder in the same thread.'),
  feedbackReminderAfter: durationText.default('5 days').describe('Time between the feedback request and the reminder.'),
  checkInEvery: durationText.default('1 week').describe('Time between job-search check-ins.'),
  checkInCount: z.number().int().min(0).max(52).default(6).describe('How many check-ins to send.'),
  closingSummary: z.boolean().default(true).describe('One check-in period after the last check-in, a summary of the feedback and progress.'),
  otherOpeningsDelay: durationText.default('3 days').describe('Time between the thank-you notes and asking about other openings.'),
  linkedInTaskDelay: durationText.default('4 days').describe('Time between the thank-you notes and the LinkedIn task.'),
  touchpointsAfter: z.array(durationText).max(12).default(['30 days', '90 days']).describe('Recruiter touchpoints, counted from the thank-you notes.'),
  sendWindow: sendWindowSchema.default({ days: ['mon', 'tue', 'wed', 'thu', 'fri'], start: '09:00', end: '17:00' }).describe("When emails may go out, in the recipient's time zone."),
  holidays: z.array(calendarDate).max(366).default([]).describe('Dates on which nothing is sent.'),
  avoidRejectionDay: z.boolean().default(true).describe('Never send anything on the day of the rejection.'),
  delivery: deliverySchema.default({}).describe('Per step: "send" automatically, or "approve" (a person approves, edits or skips the draft).'),
  approvalTimeout: durationText.default('3 days').describe('How long a draft waits for approval.'),
  approvalFallback: z.enum(['send', 'skip']).default('send').describe('What happens to a draft nobody acted on.'),
  channels: channelsSchema
    .default({ email: 'smtp', checkIns: 'email', contactTasks: 'email' })
    .describe('How each channel is delivered: see docs/google.md.'),
  gmail: gmailSchema
    .default({ mode: 'send', replyDetection: false, pollEvery: '6 hours' })
    .describe('Gmail settings, used when channels.email is "gmail".'),
  googleAccount: z
    .string()
    .regex(GOOGLE_ACCOUNT_NAME, { message: 'must be the name of Google credentials on the workers (1-64 letters, digits, ".", "_" or "-")' })
    .optional()
    .describe("The Google credentials to act with, by name (never a token); the workers' ONWARD_GOOGLE_ACCOUNT when absent."),
});

export type Policy = z.output<typeof policySchema>;
export type PolicyOverrides = z.input<typeof policySchema>;
export type SendWindow = Policy['sendWindow'];
export type Channels = Policy['channels'];
export type GmailSettings = Policy['gmail'];

/** The policy used when a rejection overrides nothing. */
export const DEFAULT_POLICY: Policy = policySchema.parse({});

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
  avoidRejectionDay: false,
  approvalTimeout: '1 minute',
};
