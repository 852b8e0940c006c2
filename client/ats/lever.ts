import { z } from 'zod';
import { ApiError } from '../api/errors';
import { parseOr400 } from '../api/validation';
import { hmacHex, sameDigest, rejectionDocument, type AtsEvent, type LeverConfig, type Person } from './common';

/**
 * Lever webhooks (Settings > Integrations and API > Webhooks), mapped to Onward in this one place.
 * - Signature: the body carries `token`, `triggeredAt` and `signature`; `signature` is the HMAC-SHA256 of
 *   `token + triggeredAt` with the webhook's signature token. The rest of the body is not signed, so Onward
 *   confirms every action's subject through the Lever API (the opportunity's archive state, contact, posting
 *   and interviews), never trusting the body's ids beyond "which opportunity to look at"; it refuses a delivery
 *   whose `triggeredAt` is older than ONWARD_LEVER_MAX_AGE (default 1 hour), and de-duplicates on the
 *   per-delivery `token`, recorded before acting.
 * - candidateArchiveChange to an archive reason configured as a rejection starts `lever-<opportunity id>`;
 *   an opportunity taken out of the archive cancels it; candidateHired cancels; candidateDeleted cancels and erases,
 *   each only when the Lever API agrees (archived, not archived, or gone).
 * Lever webhooks carry no names or emails: the candidate, role, owner (recruiter) and interviewers come from
 * the API; the company and the candidate's time zone from the configuration (./common.ts).
 */
const envelope = z.object({
  event: z.string(),
  token: z.string(),
  triggeredAt: z.union([z.number(), z.string()]).transform(String),
  signature: z.string(),
  data: z.unknown(),
});

const eventData = z.object({
  opportunityId: z.string().min(1),
  candidateId: z.string().nullish(),
  contactId: z.string().nullish(),
  toArchived: z.object({ reason: z.string().nullish(), archivedAt: z.number().nullish() }).nullish(),
});

export function leverRejectionId(opportunityId: string): string {
  return `lever-${opportunityId}`;
}

export function verifyLever(body: unknown, config: LeverConfig): boolean {
  const parsed = envelope.safeParse(body);
  return parsed.success && sameDigest(parsed.data.signature, hmacHex(config.signatureToken, parsed.data.token + parsed.data.triggeredAt));
}

export function leverEventId(body: unknown): string | undefined {
  const parsed = envelope.safeParse(body);
  return parsed.success ? parsed.data.token : undefined;
}

/** Deliveries dated in the future by more than this are refused too (clocks differ by seconds, not minutes). */
const CLOCK_SKEW_MS = 5 * 60_000;

/** Why a verified delivery is too old (or too new) to act on, if it is: its signed `triggeredAt` against the clock. */
export function leverStaleness(body: unknown, maxAgeMs: number, now: number): string | undefined {
  const parsed = envelope.safeParse(body);
  const triggeredAt = parsed.success ? Number(parsed.data.triggeredAt) : Number.NaN;
  if (!Number.isFinite(triggeredAt)) return 'triggeredAt is not a time in epoch milliseconds';
  if (now - triggeredAt > maxAgeMs) return `the delivery was triggered at ${new Date(triggeredAt).toISOString()}, more than ${Math.round(maxAgeMs / 60_000)} minutes ago (ONWARD_LEVER_MAX_AGE)`;
  if (triggeredAt - now > CLOCK_SKEW_MS) return `the delivery is dated ${new Date(triggeredAt).toISOString()}, in the future`;
  return undefined;
}

// ---- the Lever API (read only) ------------------------------------------------------------------

const opportunitySchema = z.object({
  id: z.string(),
  name: z.string().nullish(),
  contact: z.string().nullish(),
  emails: z.array(z.string()).nullish(),
  archived: z.object({ reason: z.string().nullish(), archivedAt: z.number().nullish() }).nullish(),
  owner: z.union([z.string(), z.object({ name: z.string().nullish(), email: z.string().nullish() })]).nullish(),
  applications: z.array(z.union([z.string(), z.object({ posting: z.string().nullish() })])).nullish(),
});
const postingSchema = z.object({ text: z.string().nullish() });
const interviewsSchema = z.array(
  z.object({ timezone: z.string().nullish(), interviewers: z.array(z.object({ name: z.string().nullish(), email: z.string().nullish() })).nullish() }),
);

async function leverGet<T extends z.ZodType>(config: LeverConfig, path: string, schema: T): Promise<z.output<T>>;
async function leverGet<T extends z.ZodType>(config: LeverConfig, path: string, schema: T, options: { missing: 'undefined' }): Promise<z.output<T> | undefined>;
async function leverGet<T extends z.ZodType>(config: LeverConfig, path: string, schema: T, options?: { missing: 'undefined' }): Promise<z.output<T> | undefined> {
  const url = `${config.apiUrl.replace(/\/$/, '')}${path}`;
  let response: Response;
  try {
    response = await fetch(url, {
      headers: { authorization: `Basic ${Buffer.from(`${config.apiKey}:`).toString('base64')}`, accept: 'application/json' },
      signal: AbortSignal.timeout(10_000),
    });
  } catch (error) {
    throw new ApiError(502, [{ field: '(lever)', problem: `the Lever API did not answer (${(error as Error).message})` }]);
  }
  if (response.status === 404 && options?.missing === 'undefined') return undefined;
  if (!response.ok) throw new ApiError(502, [{ field: '(lever)', problem: `the Lever API answered ${response.status} to GET ${path}` }]);
  const answer = (await response.json()) as { data?: unknown } | null;
  const parsed = schema.safeParse(answer?.data);
  if (!parsed.success) throw new ApiError(502, [{ field: '(lever)', problem: `unexpected answer from the Lever API to GET ${path}` }]);
  return parsed.data;
}

const opportunityPath = (opportunityId: string) => `/opportunities/${encodeURIComponent(opportunityId)}?expand=applications&expand=owner`;

async function rejectionFromLever(config: LeverConfig, opportunityId: string): Promise<AtsEvent> {
  const encoded = encodeURIComponent(opportunityId);
  const opportunity = await leverGet(config, opportunityPath(opportunityId), opportunitySchema);
  const reason = opportunity.archived?.reason;
  if (!reason || !config.rejectionReasons.includes(reason)) {
    return { kind: 'ignore', reason: 'the opportunity is not archived with a reason configured as a rejection' };
  }
  const application = opportunity.applications?.[0];
  const postingId = typeof application === 'object' ? application.posting : undefined;
  const posting = postingId ? await leverGet(config, `/postings/${encodeURIComponent(postingId)}`, postingSchema) : undefined;
  const interviews = await leverGet(config, `/opportunities/${encoded}/interviews`, interviewsSchema);
  const interviewers = new Map<string, Person>();
  for (const interview of interviews) {
    for (const interviewer of interview.interviewers ?? []) {
      if (!interviewer.email || interviewers.has(interviewer.email.toLowerCase())) continue;
      interviewers.set(interviewer.email.toLowerCase(), {
        name: interviewer.name || interviewer.email,
        email: interviewer.email,
        ...(interview.timezone ? { timezone: interview.timezone } : {}),
      });
    }
  }
  const owner = typeof opportunity.owner === 'object' && opportunity.owner?.email ? { name: opportunity.owner.name || opportunity.owner.email, email: opportunity.owner.email } : undefined;
  return {
    kind: 'start',
    candidateId: opportunity.contact ?? opportunity.id,
    applicationId: opportunity.id,
    rejectionReason: `Lever archive reason ${reason}`,
    document: rejectionDocument(config, {
      id: leverRejectionId(opportunity.id),
      candidate: { name: opportunity.name ?? '', email: opportunity.emails?.[0] },
      role: posting?.text ?? undefined,
      rejectedAt: opportunity.archived?.archivedAt ? new Date(opportunity.archived.archivedAt).toISOString() : undefined,
      interviewers: [...interviewers.values()],
      recruiter: owner,
    }),
  };
}

/**
 * A cancel the body asks for, confirmed through the Lever API: the opportunity must be in the state the event
 * claims, and the candidate is the opportunity's own contact (the body's contactId is not signed).
 */
async function confirmedCancel(
  config: LeverConfig,
  opportunityId: string,
  claim: 'unarchived' | 'hired' | 'deleted',
): Promise<AtsEvent> {
  const opportunity = await leverGet(config, opportunityPath(opportunityId), opportunitySchema, { missing: 'undefined' });
  const archivedAs = opportunity?.archived?.reason;
  const holds =
    claim === 'deleted' ? opportunity === undefined
    : claim === 'unarchived' ? opportunity !== undefined && !archivedAs
    : opportunity !== undefined && !!archivedAs && !config.rejectionReasons.includes(archivedAs);
  if (!holds) return { kind: 'ignore', reason: `the Lever API does not confirm that opportunity ${opportunityId} was ${claim}` };
  const reason = { unarchived: 'taken out of the archive in Lever', hired: 'hired (Lever)', deleted: 'candidate deleted in Lever' }[claim];
  return { kind: 'cancel', reason, candidateId: opportunity?.contact ?? undefined, applicationIds: [opportunityId], erase: claim === 'deleted' };
}

export async function mapLever(body: unknown, config: LeverConfig): Promise<AtsEvent> {
  const { event, data } = parseOr400(envelope, body, '(payload)');
  switch (event) {
    case 'candidateArchiveChange': {
      const change = parseOr400(eventData, data, 'data');
      if (!change.toArchived) return confirmedCancel(config, change.opportunityId, 'unarchived');
      if (!change.toArchived.reason || !config.rejectionReasons.includes(change.toArchived.reason)) {
        return { kind: 'ignore', reason: `archive reason "${change.toArchived.reason ?? ''}" is not configured as a rejection` };
      }
      // rejectionFromLever starts only when the Lever API says the opportunity is archived as a rejection.
      return rejectionFromLever(config, change.opportunityId);
    }
    case 'candidateHired':
      return confirmedCancel(config, parseOr400(eventData, data, 'data').opportunityId, 'hired');
    case 'candidateDeleted':
      return confirmedCancel(config, parseOr400(eventData, data, 'data').opportunityId, 'deleted');
    default:
      return { kind: 'ignore', reason: `Onward does not act on "${event}"` };
  }
}
