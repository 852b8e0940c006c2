import type { IncomingHttpHeaders } from 'node:http';
import { z } from 'zod';
import { parseOr400 } from '../api/validation';
import { hmacHex, personName, rejectionDocument, sameDigest, type AtsEvent, type GreenhouseConfig } from './common';

/**
 * Greenhouse web hooks (Configure > Dev Center > Web Hooks), mapped to Onward in this one place.
 * - Signature: `Signature: sha256 <hex>`, the HMAC-SHA256 of the raw body with the web hook's secret key.
 * - De-duplication: the `Greenhouse-Event-ID` header, unique per delivery.
 * - reject_candidate starts a sequence (`greenhouse-<application id>`), unless `candidate.can_email` is false;
 *   the rejection reason is kept in the API's records (the rejection document has no field for it).
 * - unreject_candidate, hire_candidate cancel; candidate_anonymized and delete_candidate cancel and erase.
 * Greenhouse sends no interviewer emails and no company name: see the defaults in ./common.ts.
 */
const id = z.union([z.number(), z.string()]).transform(String);
const user = z.object({ name: z.string().nullish(), email: z.string().nullish() }).nullish();

const application = z.object({
  id,
  prospect: z.boolean().nullish(),
  rejected_at: z.string().nullish(),
  rejection_reason: z.object({ name: z.string().nullish(), type: z.object({ name: z.string().nullish() }).nullish() }).nullish(),
  candidate: z.object({
    id,
    first_name: z.string().nullish(),
    last_name: z.string().nullish(),
    can_email: z.boolean().nullish(),
    email_addresses: z.array(z.object({ value: z.string(), type: z.string().nullish() })).nullish(),
    recruiter: user,
  }),
  jobs: z.array(z.object({ name: z.string().nullish() })).nullish(),
});

const envelope = z.object({ action: z.string(), payload: z.unknown() });

export function greenhouseRejectionId(applicationId: string): string {
  return `greenhouse-${applicationId}`;
}

export function verifyGreenhouse(rawBody: Buffer, headers: IncomingHttpHeaders, config: GreenhouseConfig): boolean {
  const header = headers.signature;
  if (typeof header !== 'string') return false;
  const [algorithm, digest] = header.trim().split(/\s+/);
  return algorithm === 'sha256' && !!digest && sameDigest(digest, hmacHex(config.secret, rawBody));
}

export function greenhouseEventId(headers: IncomingHttpHeaders): string | undefined {
  const value = headers['greenhouse-event-id'];
  return typeof value === 'string' && value ? value : undefined;
}

export function mapGreenhouse(body: unknown, config: GreenhouseConfig): AtsEvent {
  const { action, payload } = parseOr400(envelope, body, '(payload)');
  switch (action) {
    case 'ping':
      return { kind: 'ignore', reason: 'ping' };
    case 'reject_candidate': {
      const { application: app } = parseOr400(z.object({ application }), payload, 'payload');
      if (app.prospect) return { kind: 'ignore', reason: 'a prospect was rejected, not a candidate for a job' };
      if (app.candidate.can_email === false) return { kind: 'ignore', reason: 'candidate.can_email is false: Greenhouse says this candidate may not be emailed' };
      const emails = app.candidate.email_addresses ?? [];
      const email = (emails.find((address) => address.type === 'personal') ?? emails[0])?.value;
      const recruiter = app.candidate.recruiter?.email ? { name: app.candidate.recruiter.name || app.candidate.recruiter.email, email: app.candidate.recruiter.email } : undefined;
      const reason = app.rejection_reason?.name
        ? `${app.rejection_reason.name}${app.rejection_reason.type?.name ? ` (${app.rejection_reason.type.name})` : ''}`
        : undefined;
      return {
        kind: 'start',
        candidateId: app.candidate.id,
        applicationId: app.id,
        rejectionReason: reason,
        document: rejectionDocument(config, {
          id: greenhouseRejectionId(app.id),
          candidate: { name: personName(app.candidate.first_name, app.candidate.last_name), email },
          role: app.jobs?.[0]?.name ?? undefined,
          rejectedAt: app.rejected_at ?? undefined,
          recruiter,
        }),
      };
    }
    case 'unreject_candidate': {
      const { application: app } = parseOr400(z.object({ application: z.object({ id }) }), payload, 'payload');
      return { kind: 'cancel', reason: 'unrejected in Greenhouse', applicationIds: [app.id], erase: false };
    }
    case 'hire_candidate': {
      const { application: app } = parseOr400(z.object({ application: z.object({ id, candidate: z.object({ id }) }) }), payload, 'payload');
      return { kind: 'cancel', reason: 'hired (Greenhouse)', candidateId: app.candidate.id, applicationIds: [app.id], erase: false };
    }
    case 'candidate_anonymized': {
      const { candidate_id: candidateId } = parseOr400(z.object({ candidate_id: id }), payload, 'payload');
      return { kind: 'cancel', reason: 'candidate anonymized in Greenhouse', candidateId, applicationIds: [], erase: true };
    }
    case 'delete_candidate': {
      const { person } = parseOr400(z.object({ person: z.object({ id, deleted_application_ids: z.array(id).nullish() }) }), payload, 'payload');
      return { kind: 'cancel', reason: 'candidate deleted in Greenhouse', candidateId: person.id, applicationIds: person.deleted_application_ids ?? [], erase: true };
    }
    default:
      return { kind: 'ignore', reason: `Onward does not act on "${action}"` };
  }
}
