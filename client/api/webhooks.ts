import type { IncomingHttpHeaders } from 'node:http';
import type { FastifyInstance } from 'fastify';
import { ashbyEventId, ashbyRejectionId, mapAshby, verifyAshby } from '../ats/ashby';
import type { AtsEvent, WebhooksConfig } from '../ats/common';
import { greenhouseEventId, greenhouseRejectionId, mapGreenhouse, verifyGreenhouse } from '../ats/greenhouse';
import { leverEventId, leverRejectionId, mapLever, verifyLever } from '../ats/lever';
import { ApiError, notFound, unauthorized } from './errors';
import type { AtsName, RecordStore } from './records';
import { SuppressedCandidateRefusal, type SequenceService } from './service';

interface Delivery {
  raw: Buffer;
  body: unknown;
  headers: IncomingHttpHeaders;
}

/** One ATS: how its deliveries are verified, identified and mapped (the mapping itself is in client/ats/). */
interface AtsAdapter {
  verify(delivery: Delivery, config: WebhooksConfig[string]): boolean;
  eventId(delivery: Delivery): string | undefined;
  map(body: unknown, config: WebhooksConfig[string]): AtsEvent | Promise<AtsEvent>;
  rejectionId(applicationId: string): string;
}

// Each adapter is only called when its ATS is configured for the tenant: the non-null assertions hold.
const ADAPTERS: Record<AtsName, AtsAdapter> = {
  greenhouse: {
    verify: ({ raw, headers }, config) => verifyGreenhouse(raw, headers, config.greenhouse!),
    eventId: ({ headers }) => greenhouseEventId(headers),
    map: (body, config) => mapGreenhouse(body, config.greenhouse!),
    rejectionId: greenhouseRejectionId,
  },
  lever: {
    verify: ({ body }, config) => verifyLever(body, config.lever!),
    eventId: ({ body }) => leverEventId(body),
    map: (body, config) => mapLever(body, config.lever!),
    rejectionId: leverRejectionId,
  },
  ashby: {
    verify: ({ raw, headers }, config) => verifyAshby(raw, headers, config.ashby!),
    eventId: ({ body }) => ashbyEventId(body),
    map: (body, config) => mapAshby(body, config.ashby!),
    rejectionId: ashbyRejectionId,
  },
};

export interface WebhookResult {
  outcome: 'started' | 'existing' | 'cancelled' | 'ignored' | 'duplicate';
  rejectionId?: string;
  reason?: string;
  cancelled?: string[];
  erased?: string[];
}

const isAts = (name: string): name is AtsName => Object.hasOwn(ADAPTERS, name);

/**
 * `POST /webhooks/:tenant/:ats`: no API key, the ATS's signature instead. A missing or forged signature
 * is a 401 and nothing is started; a delivery already handled (same event id) starts nothing new, and so
 * does a new delivery of the same rejection (starting is idempotent on the rejection id).
 */
export function registerWebhooks(app: FastifyInstance, deps: { service: SequenceService; records: RecordStore; config: WebhooksConfig }): void {
  const { service, records, config } = deps;
  const inFlight = new Set<string>();

  async function handle(tenant: string, ats: AtsName, adapter: AtsAdapter, event: AtsEvent): Promise<WebhookResult> {
    if (event.kind === 'ignore') return { outcome: 'ignored', reason: event.reason };
    if (event.kind === 'start') {
      const rejectionId = String(event.document.id);
      if (records.sequence(tenant, rejectionId)?.erasedAt) {
        return { outcome: 'ignored', rejectionId, reason: 'this candidate was anonymized or deleted: never started again' };
      }
      let input;
      try {
        input = service.validate(event.document);
      } catch (error) {
        // The ATS sent too little to start (e.g. no interviewer and no default): fix the configuration, and the retry starts it.
        if (error instanceof ApiError && error.statusCode === 400) throw new ApiError(422, error.problems);
        throw error;
      }
      let started;
      try {
        started = await service.start(input, tenant);
      } catch (error) {
        // Not a fault the ATS can fix by retrying: the candidate opted out. Answered, and never started.
        if (error instanceof SuppressedCandidateRefusal) return { outcome: 'ignored', rejectionId, reason: error.message };
        throw error;
      }
      records.remember({
        tenant,
        rejectionId,
        ats,
        candidateId: event.candidateId,
        applicationId: event.applicationId,
        rejectionReason: event.rejectionReason,
        receivedAt: new Date().toISOString(),
      });
      return { outcome: started.outcome, rejectionId, reason: event.rejectionReason };
    }
    const matched = records.sequencesOf(tenant, ats, { candidateId: event.candidateId, applicationIds: event.applicationIds });
    const ids = [...new Set([...matched.map((record) => record.rejectionId), ...event.applicationIds.map((applicationId) => adapter.rejectionId(applicationId))])];
    const cancelled: string[] = [];
    for (const id of ids) {
      try {
        await service.act(tenant, id, 'cancel', { reason: event.reason });
        cancelled.push(id);
      } catch (error) {
        // Not this tenant's, never started, or already over: nothing to stop.
        if (!(error instanceof ApiError) || ![400, 404, 409].includes(error.statusCode)) throw error;
      }
    }
    if (!event.erase) return { outcome: 'cancelled', reason: event.reason, cancelled };
    const known = new Set(matched.map((record) => record.rejectionId));
    const tombstones = event.applicationIds
      .filter((applicationId) => !known.has(adapter.rejectionId(applicationId)))
      .map((applicationId) => ({ tenant, ats, rejectionId: adapter.rejectionId(applicationId), applicationId, receivedAt: new Date().toISOString() }));
    for (const tombstone of tombstones) records.remember(tombstone);
    const erased = [...matched, ...tombstones.map((tombstone) => records.sequence(tenant, tombstone.rejectionId)!)];
    records.erase(erased);
    return { outcome: 'cancelled', reason: event.reason, cancelled, erased: erased.map((record) => record.rejectionId) };
  }

  app.register((scope, _options, done) => {
    // Signatures are over the raw bytes: keep the body as received.
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser('*', { parseAs: 'buffer' }, (_request, body, parsed) => parsed(null, body));

    scope.post<{ Params: { tenant: string; ats: string } }>('/webhooks/:tenant/:ats', async (request, reply) => {
      const { tenant, ats } = request.params;
      const tenantConfig = Object.hasOwn(config, tenant) ? config[tenant] : undefined;
      if (!isAts(ats) || !tenantConfig?.[ats]) throw notFound('(url)', `no ${ats} webhook is configured for tenant "${tenant}"`);
      const adapter = ADAPTERS[ats];
      const raw = Buffer.isBuffer(request.body) ? request.body : Buffer.alloc(0);
      let body: unknown;
      try {
        body = JSON.parse(raw.toString('utf8'));
      } catch {
        body = undefined;
      }
      const delivery: Delivery = { raw, body, headers: request.headers };
      if (!adapter.verify(delivery, tenantConfig)) throw unauthorized(`the ${ats} signature is missing or does not match`);
      if (body === undefined) throw new ApiError(400, [{ field: '(body)', problem: 'is not valid JSON' }]);

      const eventId = adapter.eventId(delivery);
      const key = eventId ? `${tenant}:${ats}:${eventId}` : undefined;
      const seen = key ? records.eventSeen(key) : undefined;
      if (key && (seen || inFlight.has(key))) {
        return reply.send({ outcome: 'duplicate', reason: `event ${eventId} was already received${seen ? ` (${seen.outcome})` : ''}` } satisfies WebhookResult);
      }
      if (key) inFlight.add(key);
      try {
        const result = await handle(tenant, ats, adapter, await adapter.map(body, tenantConfig));
        if (key) records.rememberEvent(key, result.outcome);
        request.log.info({ tenant, ats, eventId, ...result }, 'webhook');
        return reply.send(result);
      } finally {
        if (key) inFlight.delete(key);
      }
    });
    done();
  });
}
