import { createHmac, timingSafeEqual } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { timeZone } from '../../workflows/policy';

/**
 * What every ATS mapping needs besides the payload: facts no ATS webhook carries. Defaults, per tenant and
 * ATS, documented in docs/api.md:
 * - `company`: the employer's name as the candidate says it (webhooks carry the job, not the company);
 * - `timezone`: the candidate's time zone (no ATS sends one; default UTC);
 * - `interviewers`: who gets the thank-you notes when the ATS gives no interviewer emails (Greenhouse and
 *   Ashby payloads don't); without them, the candidate's recruiter is thanked instead;
 * - `recruiter`: when the payload names none;
 * - `policy`: overrides for every sequence from this ATS (e.g. `delivery` to approve drafts first).
 */
const contact = z.strictObject({
  name: z.string().min(1),
  email: z.string().min(3),
  title: z.string().optional(),
  timezone: z.string().optional(),
});

/** A secret given inline, or `env:NAME` to read it from the environment when the file is loaded. */
const secret = z
  .string()
  .min(1)
  .transform((value, context) => {
    if (!value.startsWith('env:')) return value;
    const resolved = process.env[value.slice(4)];
    if (!resolved) {
      context.addIssue({ code: 'custom', message: `environment variable ${value.slice(4)} is not set` });
      return z.NEVER;
    }
    return resolved;
  });

const defaults = {
  company: z.string().min(1),
  timezone: timeZone.default('UTC'),
  interviewers: z.array(contact).optional(),
  recruiter: contact.optional(),
  policy: z.record(z.string(), z.unknown()).optional(),
};

export const greenhouseConfigSchema = z.strictObject({ ...defaults, secret });
export const leverConfigSchema = z.strictObject({
  ...defaults,
  /** The webhook's signature token (Lever: Settings > Integrations and API > Webhooks). */
  signatureToken: secret,
  /** A Lever API key with read access to opportunities, postings and interviews. */
  apiKey: secret,
  apiUrl: z.url().default('https://api.lever.co/v1'),
  /** Archive reason ids (GET /archive_reasons) that mean "rejected"; other archive reasons start nothing. */
  rejectionReasons: z.array(z.string().min(1)).min(1),
});
export const ashbyConfigSchema = z.strictObject({
  ...defaults,
  secret,
  /** archiveReason.reasonType values that mean "rejected" (not "the candidate withdrew"). */
  archiveReasonTypes: z.array(z.string().min(1)).default(['RejectedByOrg']),
});

export const webhooksConfigSchema = z.record(
  z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/, { message: 'must be a tenant name' }),
  z.strictObject({ greenhouse: greenhouseConfigSchema.optional(), lever: leverConfigSchema.optional(), ashby: ashbyConfigSchema.optional() }),
);

export type GreenhouseConfig = z.output<typeof greenhouseConfigSchema>;
export type LeverConfig = z.output<typeof leverConfigSchema>;
export type AshbyConfig = z.output<typeof ashbyConfigSchema>;
export type WebhooksConfig = z.output<typeof webhooksConfigSchema>;
export type WebhooksConfigInput = z.input<typeof webhooksConfigSchema>;
type Defaults = Pick<GreenhouseConfig, 'company' | 'timezone' | 'interviewers' | 'recruiter' | 'policy'>;

export function parseWebhooksConfig(value: unknown, source: string): WebhooksConfig {
  const parsed = webhooksConfigSchema.safeParse(value);
  if (parsed.success) return parsed.data;
  const lines = parsed.error.issues.map((issue) => `  ${issue.path.map(String).join('.')}: ${issue.message}`);
  throw new Error(`${source} is not a valid webhook configuration:\n${lines.join('\n')}`);
}

/** The webhook configuration from the JSON file named by ONWARD_WEBHOOKS_FILE (none: no webhooks). */
export function readWebhooksConfig(environment: NodeJS.ProcessEnv = process.env): WebhooksConfig {
  const file = environment.ONWARD_WEBHOOKS_FILE;
  if (!file) return {};
  let value: unknown;
  try {
    value = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new Error(`ONWARD_WEBHOOKS_FILE: cannot read ${file} (${(error as Error).message})`);
  }
  return parseWebhooksConfig(value, file);
}

/** What one webhook delivery asks of Onward. */
export type AtsEvent =
  | {
      kind: 'start';
      /** A rejection document, validated by the same function as the CLI's and the API's. */
      document: Record<string, unknown>;
      candidateId: string;
      applicationId: string;
      rejectionReason?: string;
    }
  | {
      kind: 'cancel';
      reason: string;
      candidateId?: string;
      applicationIds: string[];
      /** The ATS anonymized or deleted the candidate: purge Onward's own records too. */
      erase: boolean;
    }
  | { kind: 'ignore'; reason: string };

export interface Person {
  name: string;
  email: string;
  title?: string;
  timezone?: string;
}

/** The rejection document of an ATS event, with the configured defaults for what the ATS did not say. */
export function rejectionDocument(
  config: Defaults,
  facts: { id: string; candidate: { name: string; email?: string }; role?: string; rejectedAt?: string; interviewers?: Person[]; recruiter?: Person },
): Record<string, unknown> {
  const recruiter = facts.recruiter ?? config.recruiter;
  const interviewers = facts.interviewers?.length ? facts.interviewers : (config.interviewers ?? (recruiter ? [recruiter] : []));
  return {
    id: facts.id,
    candidate: { name: facts.candidate.name, email: facts.candidate.email, timezone: config.timezone },
    company: config.company,
    role: facts.role,
    interviewers: interviewers.map(({ name, email, title, timezone }) => ({ name, email, ...(title ? { title } : {}), ...(timezone ? { timezone } : {}) })),
    ...(recruiter ? { recruiter: { name: recruiter.name, email: recruiter.email, ...(recruiter.timezone ? { timezone: recruiter.timezone } : {}) } } : {}),
    rejectedAt: facts.rejectedAt ?? new Date().toISOString(),
    ...(config.policy ? { policy: config.policy } : {}),
  };
}

/** HMAC-SHA256 of `data` with `key`, hex. */
export function hmacHex(key: string, data: string | Buffer): string {
  return createHmac('sha256', key).update(data).digest('hex');
}

/** Constant-time comparison of a presented hex digest with the expected one. */
export function sameDigest(presented: string, expected: string): boolean {
  const a = Buffer.from(presented.trim().toLowerCase(), 'utf8');
  const b = Buffer.from(expected, 'utf8');
  return a.length === b.length && timingSafeEqual(a, b);
}

export const personName = (...parts: (string | null | undefined)[]): string =>
  parts
    .filter((part): part is string => !!part?.trim())
    .map((part) => part.trim())
    .join(' ');
