import { createHash } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import type { FastifyInstance } from 'fastify';
import { ashbyEventId, ashbyRejectionId, mapAshby, verifyAshby } from '../ats/ashby';
import type { AtsEvent, WebhooksConfig } from '../ats/common';
import { greenhouseEventId, greenhouseRejectionId, mapGreenhouse, verifyGreenhouse } from '../ats/greenhouse';
import { leverEventId, leverRejectionId, leverStaleness, mapLever, verifyLever } from '../ats/lever';
import { decodeUtf8 } from '../utf8';
import { ApiError, badRequest, notFound, unauthorized } from './errors';
import type { AtsName, EventRecord, RecordStore } from './records';
import type { RequestLimit } from './rate-limits';
import { SuppressedCandidateRefusal, type SequenceService } from './service';

/** What ATS payloads need (the largest documented ones are a few kB); bigger bodies are refused unread. */
export const WEBHOOK_BODY_LIMIT = 128 * 1024;

/** The default of ONWARD_LEVER_MAX_AGE: a Lever delivery triggered longer ago than this is refused. */
export const DEFAULT_LEVER_MAX_AGE_MS = 3_600_000;

/** How long a delivery's ids are kept for de-duplication (a captured delivery replayed later is still a duplicate). */
const DELIVERY_RETENTION_MS = 400 * 24 * 3_600_000;

interface Delivery {
  raw: Buffer;
  /** The parsed JSON body (parsed once, on first use: ATSs that sign the raw bytes verify before it is parsed). */
  body(): unknown;
  headers: IncomingHttpHeaders;
}

/** One ATS: how its deliveries are verified, identified and mapped (the mapping itself is in client/ats/). */
interface AtsAdapter {
  verify(delivery: Delivery, config: WebhooksConfig[string]): boolean;
  /** Why a verified delivery is refused anyway (too old), if it is. */
  stale?(delivery: Delivery, maxAgeMs: number): string | undefined;
  /** The ids a repeat of this delivery would share: any one already seen makes it a duplicate. */
  eventIds(delivery: Delivery): string[];
  map(body: unknown, config: WebhooksConfig[string]): AtsEvent | Promise<AtsEvent>;
  rejectionId(applicationId: string): string;
}

const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');

// Each adapter is only called when its ATS is configured for the tenant: the non-null assertions hold.
const ADAPTERS: Record<AtsName, AtsAdapter> = {
  greenhouse: {
    verify: ({ raw, headers }, config) => verifyGreenhouse(raw, headers, config.greenhouse!),
    // Greenhouse-Event-ID is not signed: a captured delivery resent with a new one is caught by its signed body's hash.
    eventIds: ({ raw, headers }) => [greenhouseEventId(headers), `body-sha256:${sha256(raw)}`].filter((id): id is string => id !== undefined),
    map: (body, config) => mapGreenhouse(body, config.greenhouse!),
    rejectionId: greenhouseRejectionId,
  },
  lever: {
    // Lever signs fields inside the body: it is parsed first, within WEBHOOK_BODY_LIMIT.
    verify: (delivery, config) => verifyLever(delivery.body(), config.lever!),
    stale: (delivery, maxAgeMs) => leverStaleness(delivery.body(), maxAgeMs, Date.now()),
    eventIds: (delivery) => [leverEventId(delivery.body())].filter((id): id is string => id !== undefined),
    map: (body, config) => mapLever(body, config.lever!),
    rejectionId: leverRejectionId,
  },
  ashby: {
    verify: ({ raw, headers }, config) => verifyAshby(raw, headers, config.ashby!),
    eventIds: (delivery) => [ashbyEventId(delivery.body())].filter((id): id is string => id !== undefined),
    map: (body, config) => mapAshby(body, config.ashby!),
    rejectionId: ashbyRejectionId,
  },
};

/** The delivery's JSON, parsed on first use; undefined when it is not UTF-8 JSON. */
function deliveryOf(raw: Buffer, headers: IncomingHttpHeaders): Delivery {
  let parsed: { value: unknown } | undefined;
  return {
    raw,
    headers,
    body() {
      if (!parsed) {
        try {
          parsed = { value: JSON.parse(decodeUtf8(raw)) };
        } catch {
          parsed = { value: undefined };
        }
      }
      return parsed.value;
    },
  };
}

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
export function registerWebhooks(
  app: FastifyInstance,
  deps: { service: SequenceService; records: RecordStore; config: WebhooksConfig; leverMaxAgeMs?: number; limit?: RequestLimit },
): void {
  const { service, records, config } = deps;
  const leverMaxAgeMs = deps.leverMaxAgeMs ?? DEFAULT_LEVER_MAX_AGE_MS;
  const inFlight = new Set<string>();

  async function handle(tenant: string, ats: AtsName, adapter: AtsAdapter, event: AtsEvent): Promise<WebhookResult> {
    if (event.kind === 'ignore') return { outcome: 'ignored', reason: event.reason };
    if (event.kind === 'start') {
      const rejectionId = String(event.document.id);
      if ((await records.sequence(tenant, rejectionId))?.erasedAt) {
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
      await records.remember({
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
    // An erasure without the candidate from the ATS (Lever's deleted opportunity): the one Onward recorded for the application.
    const candidateId =
      event.candidateId ??
      (event.erase ? (await records.sequencesOf(tenant, ats, { applicationIds: event.applicationIds })).find((record) => record.candidateId)?.candidateId : undefined);
    const matched = await records.sequencesOf(tenant, ats, { candidateId, applicationIds: event.applicationIds });
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
    // Applications Onward never saw get a tombstone too, so a replayed rejection of them never starts.
    const unseen = event.applicationIds.filter((applicationId) => !known.has(adapter.rejectionId(applicationId)));
    for (const applicationId of unseen) {
      await records.remember({ tenant, ats, rejectionId: adapter.rejectionId(applicationId), applicationId, receivedAt: new Date().toISOString() });
    }
    const erased = [...known, ...unseen.map((applicationId) => adapter.rejectionId(applicationId))];
    await records.erase(tenant, erased);
    return { outcome: 'cancelled', reason: event.reason, cancelled, erased };
  }

  app.register((scope, _options, done) => {
    // Signatures are over the raw bytes: keep the body as received, and no bigger than ATS payloads are.
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser('*', { parseAs: 'buffer', bodyLimit: WEBHOOK_BODY_LIMIT }, (_request, body, parsed) => parsed(null, body));
    if (deps.limit) scope.addHook('onRequest', deps.limit);

    scope.post<{ Params: { tenant: string; ats: string } }>('/webhooks/:tenant/:ats', async (request, reply) => {
      const { tenant, ats } = request.params;
      const tenantConfig = Object.hasOwn(config, tenant) ? config[tenant] : undefined;
      if (!isAts(ats) || !tenantConfig?.[ats]) throw notFound('(url)', `no ${ats} webhook is configured for tenant "${tenant}"`);
      const adapter = ADAPTERS[ats];
      const delivery = deliveryOf(Buffer.isBuffer(request.body) ? request.body : Buffer.alloc(0), request.headers);
      if (!adapter.verify(delivery, tenantConfig)) throw unauthorized(`the ${ats} signature is missing or does not match`);
      const body = delivery.body();
      if (body === undefined) throw badRequest([{ field: '(body)', problem: 'is not valid UTF-8 JSON' }]);
      const stale = adapter.stale?.(delivery, leverMaxAgeMs);
      if (stale) throw badRequest([{ field: 'triggeredAt', problem: `${stale}: a replayed or delayed delivery is not acted on` }]);

      const eventIds = adapter.eventIds(delivery);
      const keys = eventIds.map((id) => `${tenant}:${ats}:${id}`);
      const duplicate = (seen?: EventRecord) =>
        reply.send({ outcome: 'duplicate', reason: `event ${eventIds[0] ?? ''} was already received${seen ? ` (${seen.outcome})` : ''}` } satisfies WebhookResult);
      if (keys.some((key) => inFlight.has(key))) return duplicate();
      // Claimed before acting, atomically across replicas: a replay while this one runs, or after it failed on bad data, is a duplicate.
      for (const key of keys) inFlight.add(key);
      let claimed = false;
      try {
        const seen = await records.claimEvents(keys, DELIVERY_RETENTION_MS);
        if (seen) return duplicate(seen);
        claimed = true;
        const result = await handle(tenant, ats, adapter, await adapter.map(body, tenantConfig));
        await records.settleEvents(keys, result.outcome);
        request.log.info({ tenant, ats, eventId: eventIds[0], ...result }, 'webhook');
        return reply.send(result);
      } catch (error) {
        // Not the delivery's fault (Temporal or the ATS API unreachable, a 422 to fix in the configuration): its retry is handled.
        if (claimed && (!(error instanceof ApiError) || error.statusCode >= 422)) await records.forgetEvents(keys);
        throw error;
      } finally {
        for (const key of keys) inFlight.delete(key);
      }
    });
    done();
  });
}
