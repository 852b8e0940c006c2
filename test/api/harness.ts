import path from 'node:path';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { bundleWorkflowCode, DefaultLogger, Runtime } from '@temporalio/worker';
import { createSmtpMailer } from '../../activities/mailer';
import { loadTemplates } from '../../activities/templates';
import type { WebhooksConfig } from '../../client/ats/common';
import { ApiKeys } from '../../client/api/keys';
import { createDatabaseRecords, type RecordStore } from '../../client/api/records';
import { createLedgerReports } from '../../client/api/outcomes-report';
import { startApi } from '../../client/api/server';
import { openDatabase, type OnwardDatabase } from '../../common/database/open';
import { createSealing } from '../../common/database/sealing';
import { createOutcomesStore } from '../../activities/outcomes-store';
import type { UnsubscribeOptions } from '../../client/api/unsubscribe';
import type { SuppressionList } from '../../activities/suppression';
import { ONWARD_SEARCH_ATTRIBUTES } from '../../workflows/definitions';
import { serverExecutable } from '../../client/temporal-binaries';
import { createOnwardWorker, type OnwardWorker } from '../../worker/worker';
import type { FieldProblem } from '../../workflows/input';
import { startSmtpServer, type TestSmtpServer } from '../helpers/smtp';

/**
 * The API end to end: `temporal server start-dev` with Onward's search attributes, a worker sending to a real
 * SMTP server in the test process, and the API on a free port, called over HTTP like any client.
 */
export const KEYS = { acme: 'acme-agency-key-0123456789', bravo: 'bravo-agency-key-0123456789' } as const;

export interface ApiResponse<T = Record<string, unknown>> {
  status: number;
  body: T;
  text: string;
  headers: Headers;
}

export interface ApiHarness {
  env: TestWorkflowEnvironment;
  smtp: TestSmtpServer;
  worker: OnwardWorker;
  records: RecordStore;
  /** The embedded database the worker writes the outcomes ledger to, and the API reports from. */
  database: OnwardDatabase;
  url: string;
  taskQueue: string;
  /** An HTTP call; `key` is a tenant's API key (none: no Authorization header). */
  call<T = Record<string, unknown>>(method: string, route: string, options?: { key?: string; json?: unknown; body?: string | Buffer; headers?: Record<string, string> }): Promise<ApiResponse<T>>;
  teardown(): Promise<void>;
}

let runtimeInstalled = false;

export interface ApiHarnessOptions {
  webhooks?: WebhooksConfig;
  /** One-click unsubscribe; its suppression list is the worker's too. */
  unsubscribe?: UnsubscribeOptions;
  /** The suppression list of the worker and of the API's starts (the unsubscribe one when not given). */
  suppressions?: SuppressionList;
}

export async function startApiHarness(options: ApiHarnessOptions = {}): Promise<ApiHarness> {
  if (!runtimeInstalled) {
    runtimeInstalled = true;
    Runtime.install({ logger: new DefaultLogger('WARN'), telemetryOptions: { logging: { filter: { core: 'ERROR', other: 'ERROR' }, console: {} } } });
  }
  // Whatever started is stopped again if a later step fails: no dev server outlives a broken setup.
  const stops: (() => Promise<void> | void)[] = [];
  const stopAll = async () => {
    for (const stop of stops.splice(0).reverse()) await stop();
  };
  try {
    const smtp = await startSmtpServer();
    stops.push(() => smtp.close());
    const env = await TestWorkflowEnvironment.createLocal({
      server: { executable: serverExecutable('temporal'), searchAttributes: [...ONWARD_SEARCH_ATTRIBUTES] },
    });
    stops.push(() => env.teardown());
    const taskQueue = `onward-api-${process.pid}`;
    const suppressions = options.suppressions ?? options.unsubscribe?.suppressions;
    const mailer = createSmtpMailer(smtp.url);
    stops.push(() => mailer.close());
    // Bundled here (as the time-skipping tests do): require.resolve('../workflows') does not resolve under vitest.
    const workflowBundle = await bundleWorkflowCode({ workflowsPath: path.resolve(__dirname, '..', '..', 'workflows', 'index.ts'), logger: new DefaultLogger('WARN') });
    const keys = new ApiKeys().addKey('acme', KEYS.acme).addKey('bravo', KEYS.bravo);
    // The API's records and the ledger in an embedded database, as `onward dev` keeps them (the PostgreSQL store: test/database/).
    const database = await openDatabase({ kind: 'embedded' });
    stops.push(() => database.close());
    const sealing = createSealing(undefined);
    const records = createDatabaseRecords(database.db, sealing);
    const ledger = createLedgerReports(database.db, sealing);
    const api = await startApi({ client: env.client, taskQueue, keys, webhooks: options.webhooks, unsubscribe: options.unsubscribe, suppressions, records, ledger, port: 0 });
    stops.push(() => api.close());
    const worker = await createOnwardWorker({
      connection: env.nativeConnection,
      namespace: 'default',
      taskQueue,
      workflowBundle,
      dependencies: {
        mailer,
        templates: loadTemplates(),
        fromAddress: 'onward@onward.test',
        outcomes: createOutcomesStore(database.db, sealing),
        ...(suppressions ? { suppressions } : {}),
        // The candidate's emails carry signed links to this API, as in `onward dev`.
        ...(options.unsubscribe ? { unsubscribe: { publicUrl: api.url, secret: options.unsubscribe.secret } } : {}),
      },
    });
    const running = worker.run();
    stops.push(async () => {
      worker.shutdown();
      await running;
    });
    return harness(env, smtp, worker, records, database, api.url, taskQueue, stopAll);
  } catch (error) {
    await stopAll();
    throw error;
  }
}

function harness(
  env: TestWorkflowEnvironment,
  smtp: TestSmtpServer,
  worker: OnwardWorker,
  records: RecordStore,
  database: OnwardDatabase,
  url: string,
  taskQueue: string,
  stopAll: () => Promise<void>,
): ApiHarness {
  const api = { url };
  return {
    env,
    smtp,
    worker,
    records,
    database,
    url: api.url,
    taskQueue,
    async call<T>(method: string, route: string, request: { key?: string; json?: unknown; body?: string | Buffer; headers?: Record<string, string> } = {}) {
      const headers: Record<string, string> = { ...request.headers };
      if (request.key) headers.authorization = `Bearer ${request.key}`;
      let body: string | Buffer | undefined = request.body;
      if (request.json !== undefined) {
        headers['content-type'] ??= 'application/json';
        body = JSON.stringify(request.json);
      }
      const response = await fetch(`${api.url}${route}`, { method, headers, body: Buffer.isBuffer(body) ? new Uint8Array(body) : body });
      const text = await response.text();
      let parsed: unknown = undefined;
      try {
        parsed = JSON.parse(text);
      } catch {
        parsed = undefined;
      }
      return { status: response.status, body: parsed as T, text, headers: response.headers };
    },
    teardown: stopAll,
  };
}

export type ErrorsBody = { errors: FieldProblem[] };
