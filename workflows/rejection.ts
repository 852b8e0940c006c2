import { z } from 'zod';
import { LOCALES } from './locale';
import { policySchema, timeZone } from './policy';
import { REJECTION_ID_PATTERN, REJECTION_ID_PROBLEM } from './rejection-id';

// Names end up in email headers: no control characters (header injection), no bidirectional overrides or
// invisible characters (a subject that reads differently than it is), bounded length.
const displayText = (max: number) =>
  z
    .string()
    .trim()
    .min(1, { message: 'must not be empty' })
    .max(max, { message: `must be at most ${max} characters` })
    .regex(/^[^\p{Cc}\p{Zl}\p{Zp}]*$/u, { message: 'must not contain control characters or line breaks' })
    .regex(/^[^\u200B\u202A-\u202E\u2060\u2066-\u2069\uFEFF]*$/u, { message: 'must not contain bidirectional overrides or invisible characters' });

const emailAddress = z
  .email({ message: 'must be a valid email address' })
  .max(254, { message: 'must be at most 254 characters' });

const linkedInUrl = z
  .url({ protocol: /^https$/, hostname: /^([a-z0-9-]+\.)*linkedin\.com$/, message: 'must be an https://linkedin.com/... URL' })
  .max(300, { message: 'must be at most 300 characters' });

// Dates outside this range are typos (or attacks); every date a sequence computes from them stays valid.
const EARLIEST_REJECTION = Date.parse('2000-01-01T00:00:00Z');
const LATEST_REJECTION = Date.parse('2100-01-01T00:00:00Z');

const country = z
  .string()
  .regex(/^[A-Z]{2}$/, { message: 'must be an ISO 3166 alpha-2 country code such as "US" or "GB"' })
  .describe("The person's country (ISO 3166 alpha-2), for its public holidays; else the country of their time zone.");

const locale = z
  .enum(LOCALES, { message: `must be one of ${LOCALES.map((code) => `"${code}"`).join(', ')}` })
  .describe('The language Onward writes to this person in: "en" (the default), "de" or "fr".');

const person = {
  name: displayText(120),
  email: emailAddress,
  timezone: timeZone.optional().describe("The person's IANA time zone, when known; the candidate's otherwise."),
  country: country.optional(),
  locale: locale.optional(),
};

export const rejectionSchema = z
  .strictObject({
    $schema: z.string().optional().describe('The JSON Schema this document follows, for editors; ignored.'),
    id: z
      .string()
      .regex(REJECTION_ID_PATTERN, { message: REJECTION_ID_PROBLEM })
      .describe('The business key, e.g. the ATS application id; one sequence per id.'),
    candidate: z.strictObject({
      name: displayText(120),
      email: emailAddress,
      timezone: timeZone,
      country: country.optional(),
      locale: locale.optional(),
      linkedinUrl: linkedInUrl.optional(),
    }),
    company: displayText(160),
    role: displayText(160),
    interviewers: z
      .array(z.strictObject({ ...person, title: displayText(160).optional() }))
      .min(1, { message: 'must list at least one interviewer' })
      .max(20, { message: 'must list at most 20 interviewers' }),
    recruiter: z.strictObject({ ...person, linkedinUrl: linkedInUrl.optional() }).optional(),
    rejectedAt: z.iso
      .datetime({ offset: true, message: 'must be an ISO 8601 date-time with a time zone, e.g. "2026-11-20T15:00:00Z"' })
      .refine((text) => Number.isNaN(Date.parse(text)) || (Date.parse(text) >= EARLIEST_REJECTION && Date.parse(text) < LATEST_REJECTION), {
        message: 'must be between the years 2000 and 2099',
      }),
    dreamJob: z.boolean().optional(),
    coach: displayText(120)
      .optional()
      .describe("Who looks after the candidate at the agency (a name or a handle): the dashboard filters and the outcomes group by it."),
    policy: policySchema.optional(),
  })
  .describe('A job rejection that starts an Onward follow-up sequence.');

/** A rejection document as written by a person or an ATS. */
export type RejectionDocument = z.input<typeof rejectionSchema>;
/** A validated rejection, without its policy overrides. */
export type Rejection = Omit<z.output<typeof rejectionSchema>, 'policy' | '$schema'>;
export type Candidate = Rejection['candidate'];
export type Interviewer = Rejection['interviewers'][number];
export type Recruiter = NonNullable<Rejection['recruiter']>;
export type Contact = Interviewer | Recruiter;
