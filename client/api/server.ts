import rateLimit from '@fastify/rate-limit';
import type { Client } from '@temporalio/client';
import Fastify, { type FastifyError, type FastifyInstance, type FastifyRequest } from 'fastify';
import type { SuppressionList } from '../../activities/suppression';
import type { WebhooksConfig } from '../ats/common';
import { importRows, ImportFileError, rowsFromCsv } from '../import';
import { decodeUtf8, InvalidUtf8Error } from '../utf8';
import { registerActionPages } from './action-pages';
import { isActionName } from './actions';
import { registerDashboard } from './dashboard';
import { registerDashboardData } from './dashboard-data';
import { ApiError, badRequest, notFound, unauthorized } from './errors';
import type { ApiKeys } from './keys';
import { openApiDocument } from './openapi';
import { RecordStore } from './records';
import { SequenceService } from './service';
import { DEFAULT_RATE_LIMITS, keyDigest, requestLimit, type RateLimits } from './rate-limits';
import { registerUnsubscribe, type UnsubscribeOptions } from './unsubscribe';
import { registerWebhooks } from './webhooks';

declare module 'fastify' {
  interface FastifyRequest {
    /** The tenant of the request's API key (routes behind authentication only). */
    tenant: string;
  }
}

export interface ApiOptions {
  client: Client;
  taskQueue: string;
  keys: ApiKeys;
  webhooks?: WebhooksConfig;
  /** The API's own records (ATS links, rejection reasons, webhook event ids); in memory when not given. */
  records?: RecordStore;
  /** One-click unsubscribe (RFC 8058) and the candidate's action pages, signed with the same secret: without it, they answer 400 "not configured". */
  unsubscribe?: UnsubscribeOptions;
  /** Log each request (pino, one JSON line each), to stdout or the given stream. */
  logger?: boolean | { stream: { write(line: string): void } };
  /** The suppression list starts are checked against; by default the unsubscribe list, else the workers' file. */
  suppressions?: SuppressionList;
  /** Requests a minute per client IP, per API key and per tenant webhook (./rate-limits.ts). */
  rateLimits?: Partial<RateLimits>;
  /** ONWARD_LEVER_MAX_AGE: Lever deliveries triggered longer ago are refused (default 1 hour). */
  leverMaxAgeMs?: number;
}

/**
 * What a request log line says about the request: never its query string, which may carry a token (unsubscribe
 * links, and any future link that acts without an API key).
 */
export function requestLogFields(request: FastifyRequest): Record<string, unknown> {
  return { method: request.method, url: request.url.split('?')[0], host: request.host, remoteAddress: request.ip };
}

/** A body parser's refusal, answered as 400 `{ field: "(body)" }` by the error handler. */
function utf8Text(body: Buffer): string {
  try {
    return decodeUtf8(body);
  } catch (error) {
    if (error instanceof InvalidUtf8Error) throw badRequest([{ field: '(body)', problem: error.message }]);
    throw error;
  }
}

/** The Onward HTTP API, the ATS webhooks and the dashboard, on one Fastify server. */
export function buildApi(options: ApiOptions): FastifyInstance {
  const service = new SequenceService(options.client, options.taskQueue, options.suppressions ?? options.unsubscribe?.suppressions);
  const records = options.records ?? new RecordStore();
  const logger = options.logger ? { ...(typeof options.logger === 'object' ? options.logger : {}), serializers: { req: requestLogFields } } : false;
  const app = Fastify({ logger, bodyLimit: 1024 * 1024 });
  const limits = { ...DEFAULT_RATE_LIMITS, ...options.rateLimits };

  app.decorateRequest('tenant', '');
  // Bodies are decoded strictly: bytes that are not UTF-8 are refused, never stored as "\uFFFD".
  const parseJson = app.getDefaultJsonParser('error', 'error');
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'buffer' }, (request, body, done) => {
    let text: string;
    try {
      text = utf8Text(body as Buffer);
    } catch (error) {
      return done(error as Error, undefined);
    }
    void parseJson(request, text, done);
  });
  app.addContentTypeParser('text/csv', { parseAs: 'buffer', bodyLimit: 5 * 1024 * 1024 }, (_request, body, done) => {
    try {
      done(null, utf8Text(body as Buffer));
    } catch (error) {
      done(error as Error, undefined);
    }
  });
  void app.register(rateLimit, { global: false });

  app.setErrorHandler((error: FastifyError | ApiError, request, reply) => {
    if (error instanceof ApiError) return reply.code(error.statusCode).send({ errors: error.problems });
    const status = error.statusCode ?? 500;
    if (status >= 400 && status < 500) {
      const field = /JSON|body/i.test(error.message) || error.code?.startsWith('FST_ERR_CTP') ? '(body)' : '(request)';
      return reply.code(status).send({ errors: [{ field, problem: error.message }] });
    }
    request.log.error(error);
    return reply.code(500).send({ errors: [{ field: '(server)', problem: 'internal error; see the API log' }] });
  });
  app.setNotFoundHandler((request, reply) => reply.code(404).send({ errors: [{ field: '(url)', problem: `no route ${request.method} ${request.url.split('?')[0]}` }] }));

  // API keys: each request behind authentication gets its key's tenant; the key itself is never stored.
  const authenticate = (request: { headers: Record<string, string | string[] | undefined>; tenant: string }) => {
    const header = request.headers.authorization;
    const match = typeof header === 'string' ? /^Bearer\s+(\S+)\s*$/i.exec(header) : null;
    if (!match?.[1]) throw unauthorized('send "Authorization: Bearer <API key>"');
    const tenant = options.keys.tenantOf(match[1]);
    if (!tenant) throw unauthorized('this API key is not valid');
    request.tenant = tenant;
  };

  app.get('/health', () => ({ ok: true }));
  app.get('/openapi.json', () => openApiDocument());

  app.register((scope, _options, done) => {
    // Per IP before the key is checked (a key-guessing client is slowed), then per key.
    scope.addHook('onRequest', requestLimit(scope, 'from this address', limits.perIp, (request) => `ip:${request.ip}`));
    // eslint-disable-next-line @typescript-eslint/require-await -- Fastify hooks are async or take a callback
    scope.addHook('onRequest', async (request) => {
      authenticate(request);
    });
    scope.addHook('onRequest', requestLimit(scope, 'with this API key', limits.perKey, (request) => `key:${keyDigest(request.headers.authorization)}`));

    scope.post('/rejections', async (request, reply) => {
      const input = service.validate(request.body);
      const result = await service.start(input, request.tenant);
      return reply.code(result.outcome === 'started' ? 201 : 200).send({ ...result, links: { self: `/sequences/${encodeURIComponent(result.rejectionId)}` } });
    });

    // The list, the approvals, the messages sent and the outcomes: the dashboard's reads.
    registerDashboardData(scope, options.client, service);

    scope.get<{ Params: { id: string } }>('/sequences/:id', async (request) => {
      const { execution, status } = await service.status(request.tenant, request.params.id);
      const record = records.sequence(request.tenant, request.params.id);
      return {
        ...status,
        ...execution,
        source: record && { ats: record.ats, applicationId: record.applicationId, rejectionReason: record.rejectionReason, receivedAt: record.receivedAt, erasedAt: record.erasedAt },
      };
    });

    scope.post<{ Params: { id: string; action: string } }>('/sequences/:id/:action', async (request) => {
      const { id, action } = request.params;
      if (!isActionName(action)) throw notFound('(url)', `no action "${action}"`);
      const stage = await service.act(request.tenant, id, action, request.body);
      return { rejectionId: id, stage };
    });

    scope.post('/imports', async (request) => {
      const mediaType = request.headers['content-type']?.split(';')[0]?.trim().toLowerCase();
      if (mediaType !== 'text/csv' || typeof request.body !== 'string') {
        throw new ApiError(415, [{ field: 'content-type', problem: `send the CSV file as text/csv${mediaType ? `, not ${mediaType}` : ''}` }]);
      }
      let rows;
      try {
        rows = rowsFromCsv(request.body);
      } catch (error) {
        if (error instanceof ImportFileError) throw badRequest([{ field: '(csv)', problem: error.message }]);
        throw error;
      }
      const tenant = request.tenant;
      return importRows(rows, async (document) => (await service.start(service.validate(document), tenant)).outcome);
    });

    done();
  });

  app.register((scope, _options, done) => {
    const limit = requestLimit(scope, 'to this webhook', limits.webhooks, (request) => `webhook:${request.url.split('?')[0]}`);
    registerWebhooks(scope, { service, records, config: options.webhooks ?? {}, leverMaxAgeMs: options.leverMaxAgeMs, limit });
    done();
  });
  app.register((scope, _options, done) => {
    scope.addHook('onRequest', requestLimit(scope, 'from this address', limits.perIp, (request) => `ip:${request.ip}`));
    registerUnsubscribe(scope, options.client, options.unsubscribe);
    registerActionPages(scope, options.client, options.unsubscribe && { secret: options.unsubscribe.secret, now: options.unsubscribe.now });
    done();
  });
  registerDashboard(app);
  return app;
}

/** Builds the API and listens; `url` is where it answers (port 0 picks a free port). */
export async function startApi(options: ApiOptions & { host?: string; port?: number }): Promise<{ app: FastifyInstance; url: string; close(): Promise<void> }> {
  const app = buildApi(options);
  const host = options.host ?? '127.0.0.1';
  try {
    await app.listen({ host, port: options.port ?? 8080 });
  } catch (error) {
    await app.close();
    throw error;
  }
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : options.port;
  return { app, url: `http://${host.includes(':') ? `[${host}]` : host}:${port}`, close: () => app.close() };
}
