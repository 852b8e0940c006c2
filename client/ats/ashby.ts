import type { IncomingHttpHeaders } from 'node:http';
import { z } from 'zod';
import { parseOr400 } from '../api/validation';
import { hmacHex, personName, rejectionDocument, sameDigest, type AshbyConfig, type AtsEvent, type Person } from './common';

/**
 * Ashby webhooks (Admin > Integrations > Webhooks), mapped to Onward in this one place.
 * - Signature: `Ashby-Signature: sha256=<hex>`, the HMAC-SHA256 of the raw body with the webhook's secret token.
 * - De-duplication: `webhookActionId` with the action (related webhooks, e.g. the applicationUpdate a
 *   candidateHire triggers, share one webhookActionId).
 * - applicationUpdate to status Archived with an archive reason of a configured type (default RejectedByOrg,
 *   not the candidate withdrawing) starts `ashby-<application id>`; back to Active cancels it.
 * - candidateHire cancels.
 * The hiring team (when the payload has one) gives the recruiter and the hiring manager (thanked as the
 * interviewer); the company and the candidate's time zone come from the configuration (./common.ts).
 */
const envelope = z.object({ action: z.string(), webhookActionId: z.string().nullish(), data: z.unknown() });

const application = z.object({
  id: z.string().min(1),
  status: z.string().nullish(),
  updatedAt: z.string().nullish(),
  archivedAt: z.string().nullish(),
  candidate: z.object({
    id: z.string(),
    name: z.string().nullish(),
    primaryEmailAddress: z.object({ value: z.string() }).nullish(),
  }),
  job: z.object({ title: z.string().nullish() }).nullish(),
  archiveReason: z.object({ id: z.string().nullish(), text: z.string().nullish(), reasonType: z.string().nullish() }).nullish(),
  hiringTeam: z.array(z.object({ email: z.string().nullish(), firstName: z.string().nullish(), lastName: z.string().nullish(), role: z.string().nullish() })).nullish(),
});

export function ashbyRejectionId(applicationId: string): string {
  return `ashby-${applicationId}`;
}

export function verifyAshby(rawBody: Buffer, headers: IncomingHttpHeaders, config: AshbyConfig): boolean {
  const header = headers['ashby-signature'];
  if (typeof header !== 'string' || !header.startsWith('sha256=')) return false;
  return sameDigest(header.slice('sha256='.length), hmacHex(config.secret, rawBody));
}

export function ashbyEventId(body: unknown): string | undefined {
  const parsed = envelope.safeParse(body);
  return parsed.success && parsed.data.webhookActionId ? `${parsed.data.action}:${parsed.data.webhookActionId}` : undefined;
}

function teamMember(team: z.output<typeof application>['hiringTeam'], role: RegExp): Person | undefined {
  const member = team?.find((candidate) => candidate.email && role.test(candidate.role ?? ''));
  return member?.email ? { name: personName(member.firstName, member.lastName) || member.email, email: member.email } : undefined;
}

export function mapAshby(body: unknown, config: AshbyConfig): AtsEvent {
  const { action, data } = parseOr400(envelope, body, '(payload)');
  switch (action) {
    case 'ping':
      return { kind: 'ignore', reason: 'ping' };
    case 'applicationUpdate': {
      const { application: app } = parseOr400(z.object({ application }), data, 'data');
      if (app.status === 'Active') return { kind: 'cancel', reason: 'back to active in Ashby', applicationIds: [app.id], erase: false };
      if (app.status !== 'Archived') return { kind: 'ignore', reason: `application status "${app.status ?? ''}" is not a rejection` };
      const type = app.archiveReason?.reasonType ?? '';
      if (!config.archiveReasonTypes.includes(type)) return { kind: 'ignore', reason: `archive reason type "${type}" is not configured as a rejection` };
      const hiringManager = teamMember(app.hiringTeam, /hiring manager/i);
      return {
        kind: 'start',
        candidateId: app.candidate.id,
        applicationId: app.id,
        rejectionReason: app.archiveReason?.text ?? undefined,
        document: rejectionDocument(config, {
          id: ashbyRejectionId(app.id),
          candidate: { name: app.candidate.name ?? '', email: app.candidate.primaryEmailAddress?.value },
          role: app.job?.title ?? undefined,
          rejectedAt: app.archivedAt ?? app.updatedAt ?? undefined,
          interviewers: hiringManager ? [hiringManager] : [],
          recruiter: teamMember(app.hiringTeam, /recruiter/i),
        }),
      };
    }
    case 'candidateHire': {
      const { application: app } = parseOr400(z.object({ application: z.object({ id: z.string(), candidate: z.object({ id: z.string() }) }) }), data, 'data');
      return { kind: 'cancel', reason: 'hired (Ashby)', candidateId: app.candidate.id, applicationIds: [app.id], erase: false };
    }
    default:
      return { kind: 'ignore', reason: `Onward does not act on "${action}"` };
  }
}
