import type { Client } from '@temporalio/client';
import Fastify, { type FastifyError, type FastifyInstance } from 'fastify';
import { z } from 'zod';
import { STAGES } from '../../workflows/status';
import type { SuppressionList } from '../../activities/suppression';
import type { WebhooksConfig } from '../ats/common';
import { importRows, ImportFileError, rowsFromCsv } from '../import';
import { isActionName } from './actions';
import { registerDashboard } from './dashboard';
import { ApiError, badRequest, forbidden, notFound, unauthorized } from './errors';
import type { ApiKeys } from './keys';
import { openApiDocument } from './openapi';
import { cohortsCsv, cohortsOf } from './outcomes';
import { RecordStore } from './records';
import { SequenceService } from './service';
import { parseOr400 } from './validation';
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
  /** One-click unsubscribe (RFC 8058): without it, /unsubscribe answers 400 "not configured". */
  unsubscribe?: UnsubscribeOptions;
  /** Log each request (pino, one JSON line each). */
  logger?: boolean;
  /** The suppression list starts are checked against; by default the unsubscribe list, else the workers' file. */
  suppressions?: SuppressionList;
}

const listQuery = z.strictObject({
  stage: z.enum(STAGES).optional(),
  company: z.string().min(1).max(160).optional(),
  candidate: z.string().min(1).max(120).optional(),
  tenant: z.string().optional(),
  limit: z.coerce.number().int().min(1).max(500).optional(),
});

/** The Onward HTTP API, the ATS webhooks and the dashboard, on one Fastify server. */
export function buildApi(options: ApiOptions): FastifyInstance {
  const service = new SequenceService(options.client, options.taskQueue, options.suppressions ?? options.unsubscribe?.suppressions);
  const records = options.records ?? new RecordStore();
  const app = Fastify({ logger: options.logger ?? false, bodyLimit: 1024 * 1024 });

  app.decorateRequest('tenant', '');
  app.addContentTypeParser(['text/csv', 'text/plain'], { parseAs: 'string', bodyLimit: 5 * 1024 * 1024 }, (_request, body, done) => done(null, body));

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
    // eslint-disable-next-line @typescript-eslint/require-await -- Fastify hooks are async or take a callback
    scope.addHook('onRequest', async (request) => {
      authenticate(request);
    });

    scope.post('/rejections', async (request, reply) => {
      const input = service.validate(request.body);
      const result = await service.start(input, request.tenant);
      return reply.code(result.outcome === 'started' ? 201 : 200).send({ ...result, links: { self: `/sequences/${encodeURIComponent(result.rejectionId)}` } });
    });

    scope.get('/sequences', async (request) => {
      const query = parseOr400(listQuery, request.query, '(query)');
      if (query.tenant !== undefined && query.tenant !== request.tenant) throw forbidden('tenant', `this API key may only read tenant "${request.tenant}"`);
      const sequences = await service.list(request.tenant, query);
      return { tenant: request.tenant, sequences };
    });

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
      if (typeof request.body !== 'string') throw new ApiError(415, [{ field: '(body)', problem: 'send the CSV file as text/csv' }]);
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

    scope.get('/outcomes', async (request, reply) => {
      const { format } = parseOr400(z.strictObject({ format: z.enum(['json', 'csv']).default('json') }), request.query, '(query)');
      const cohorts = cohortsOf(await service.statuses(request.tenant));
      if (format === 'json') return { tenant: request.tenant, cohorts };
      return reply
        .type('text/csv; charset=utf-8')
        .header('content-disposition', `attachment; filename="onward-outcomes-${request.tenant}.csv"`)
        .send(cohortsCsv(cohorts));
    });
    done();
  });

  registerWebhooks(app, { service, records, config: options.webhooks ?? {} });
  registerUnsubscribe(app, options.client, options.unsubscribe);
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
