import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { DefaultLogger, Runtime } from '@temporalio/worker';
import { createSmtpMailer } from '../activities/mailer';
import { loadTemplates } from '../activities/templates';
import { loadEmailLayout } from '../activities/email-layout';
import { createDataConverter, describeKeyring, hasCodecKeys, readCodecKeyring } from '../common/codec';
import { DEFAULT_MAX_CACHED_WORKFLOWS } from '../worker/config';
import { createOnwardWorker } from '../worker/worker';
import { parseRejectionDocument, describeProblems } from '../workflows/input';
import { DEMO_POLICY } from '../workflows/policy';
import { readWebhooksConfig } from './ats/common';
import { ApiKeys } from './api/keys';
import { openDatabaseRecords } from './api/records';
import { createTenantStore } from './api/tenants';
import { startApi } from './api/server';
import { SequenceService } from './api/service';
import { DEV_TENANT } from './default-tenant';
import { loadOrCreateLocalKeyring } from '../common/codec-keys';
import { startCodecServer, type CodecServer } from './codec-server';
import { startLocalMailbox } from './mailbox';
import { ONWARD_SEARCH_ATTRIBUTES } from '../workflows/definitions';
import { serverExecutable } from './temporal-binaries';
import { DATABASE_URL_VARIABLE, databaseLocationFrom } from '../common/database/open';
import { serveToLocalClients, type DevDatabaseServer } from '../common/database/dev-server';
import { openOnwardState, type OnwardState } from '../common/database/state';
import { createLedgerReports } from './api/outcomes-report';

export interface DevOptions {
  demo: boolean;
  dataDir: string;
  temporalPort: number;
  uiPort: number;
  smtpPort: number;
  mailboxPort: number;
  /** The codec endpoint the web UI decrypts payloads through; any free port when absent. */
  codecPort?: number;
  /** The HTTP API and dashboard; a free port when absent or taken. */
  apiPort?: number;
}

/** The dev tenant's API key: kept beside the database (created on first run), so a bookmarked dashboard URL keeps working. */
function devApiKey(dataDir: string): string {
  const file = path.join(dataDir, 'dev-api-key');
  try {
    const key = readFileSync(file, 'utf8').trim();
    if (key.length >= 16) return key;
  } catch {
    // first run
  }
  const key = ApiKeys.generate();
  mkdirSync(dataDir, { recursive: true });
  writeFileSync(file, `${key}\n`, { mode: 0o600 });
  return key;
}

/** A secret kept beside the database (created on first run), so links signed before a restart keep working. */
function localSecret(dataDir: string, name: string): string {
  const file = path.join(dataDir, name);
  try {
    const secret = readFileSync(file, 'utf8').trim();
    if (secret.length >= 32) return secret;
  } catch {
    // first run
  }
  const secret = randomBytes(32).toString('base64url');
  mkdirSync(dataDir, { recursive: true });
  writeFileSync(file, `${secret}\n`, { mode: 0o600 });
  return secret;
}


const ROOT = path.resolve(__dirname, '..');
const TASK_QUEUE = 'onward';

/** The demo: the example rejection, happening now, on a policy fast enough to watch end to end. */
function demoInput() {
  const example = JSON.parse(readFileSync(path.join(ROOT, 'examples', 'rejection.json'), 'utf8')) as Record<string, unknown>;
  const stamp = new Date().toISOString().replace(/\D/g, '').slice(0, 14);
  const parsed = parseRejectionDocument({ ...example, id: `demo-${stamp}`, rejectedAt: new Date().toISOString(), policy: DEMO_POLICY });
  if (!parsed.ok) throw new Error(`examples/rejection.json is not valid:\n${describeProblems(parsed.problems)}`);
  return parsed.input;
}

/**
 * `onward dev`: everything on this machine, nothing to configure. A Temporal dev server (with its web UI and a
 * database file, so sequences survive a restart), a worker, a local mailbox, and optionally a demo sequence.
 */
export async function runDev(options: DevOptions): Promise<void> {
  // Keep the terminal for what matters here: the URLs, and problems.
  Runtime.install({ logger: new DefaultLogger('WARN') });
  const mailbox = await startLocalMailbox({ directory: path.join(options.dataDir, 'mailbox'), smtpPort: options.smtpPort, webPort: options.mailboxPort });
  const mailer = createSmtpMailer(mailbox.smtpUrl);
  let server: TestWorkflowEnvironment | undefined;
  let codecServer: CodecServer | undefined;
  let api: Awaited<ReturnType<typeof startApi>> | undefined;
  let state: OnwardState | undefined;
  let databaseServer: DevDatabaseServer | undefined;
  try {
    // Payloads are encrypted here too: with ONWARD_CODEC_KEYS when set, else with a local key kept beside the database
    // (created on first run; the CLI finds it when it talks to this server). See common/codec-keys.ts.
    const temporalAddress = `127.0.0.1:${options.temporalPort}`;
    const local = hasCodecKeys() ? undefined : loadOrCreateLocalKeyring(options.dataDir, temporalAddress);
    const keyring = local?.keyring ?? readCodecKeyring();
    const dataConverter = createDataConverter(keyring);
    // The web UI decrypts through a codec endpoint on loopback; it authenticates with a token made for this run,
    // which the UI carries in the endpoint's path (it cannot send a header of its own).
    const codecToken = randomBytes(32).toString('base64url');
    codecServer = await startCodecServer({
      keyring,
      token: codecToken,
      port: options.codecPort ?? 0,
      allowedOrigins: [`http://127.0.0.1:${options.uiPort}`, `http://localhost:${options.uiPort}`],
    });
    server = await TestWorkflowEnvironment.createLocal({
      server: {
        executable: serverExecutable('temporal'),
        ip: '127.0.0.1',
        port: options.temporalPort,
        ui: true,
        uiPort: options.uiPort,
        dbFilename: path.join(options.dataDir, 'temporal.db'),
        searchAttributes: [...ONWARD_SEARCH_ATTRIBUTES],
        extraArgs: ['--ui-codec-endpoint', `${codecServer.url}/${codecToken}`],
      },
      client: { dataConverter },
    });
    // The HTTP API, the ATS webhooks and the dashboard, for tenant "dev" (plus any ONWARD_API_KEYS / ONWARD_WEBHOOKS_FILE).
    const apiKey = devApiKey(options.dataDir);
    // One-click unsubscribe links on the candidate's emails point at this API, signed with a local secret; the worker
    // and the API share one suppression list.
    const unsubscribeSecret = process.env.ONWARD_UNSUBSCRIBE_SECRET || localSecret(options.dataDir, 'unsubscribe-secret');
    // Onward's own state: ONWARD_DATABASE_URL when set, else an embedded database beside Temporal's, which the CLI
    // reaches through a socket while this runs. The suppressions.json of earlier versions is imported once.
    state = await openOnwardState({
      keyring,
      location: process.env[DATABASE_URL_VARIABLE] ? databaseLocationFrom() : { kind: 'embedded', directory: path.join(options.dataDir, 'db') },
      suppressionFile: process.env.ONWARD_SUPPRESSION_FILE || path.join(options.dataDir, 'suppressions.json'),
    });
    if (state.database.embedded) databaseServer = await serveToLocalClients(state.database.embedded, options.dataDir);
    const suppressions = state.suppressions;
    const apiOptions = {
      client: server.client,
      taskQueue: TASK_QUEUE,
      keys: ApiKeys.fromEnvironment().addKey(DEV_TENANT, apiKey),
      webhooks: readWebhooksConfig(),
      tenants: createTenantStore(state.database.db),
      // The records file of earlier versions is imported once.
      records: await openDatabaseRecords(state.database.db, state.sealing, path.join(options.dataDir, 'api-records.json')),
      unsubscribe: { secret: unsubscribeSecret, suppressions },
      ledger: createLedgerReports(state.database.db, state.sealing),
      host: '127.0.0.1',
    };
    api = await startApi({ ...apiOptions, port: options.apiPort ?? 8080 }).catch((error: NodeJS.ErrnoException) => {
      if (error.code !== 'EADDRINUSE') throw error;
      console.log(`Port ${options.apiPort ?? 8080} is taken: the API and dashboard use a free port instead.`);
      return startApi({ ...apiOptions, port: 0 });
    });
    const worker = await createOnwardWorker({
      connection: server.nativeConnection,
      namespace: 'default',
      taskQueue: TASK_QUEUE,
      dependencies: {
        mailer,
        templates: loadTemplates(),
        layout: await loadEmailLayout(),
        fromAddress: 'onward@onward.localhost',
        suppressions,
        outcomes: state.outcomes,
        unsubscribe: { secret: unsubscribeSecret, publicUrl: process.env.ONWARD_PUBLIC_URL || api.url },
      },
      dataConverter,
      // The SDK's default cache grows with the heap (thousands of sequences): the same small cache as `onward worker`.
      tuning: { maxCachedWorkflows: DEFAULT_MAX_CACHED_WORKFLOWS },
    });
    console.log(
      [
        '',
        'Onward is running on the embedded default (Ctrl-C to stop).',
        `  Temporal web UI   http://127.0.0.1:${options.uiPort}`,
        `  Local mailbox     ${mailbox.webUrl}   (files: ${mailbox.directory})`,
        `  Temporal server   127.0.0.1:${options.temporalPort}, namespace default, task queue ${TASK_QUEUE}`,
        `  Payloads          encrypted, ${describeKeyring(keyring)}, key ${local ? `in ${local.file}` : 'from ONWARD_CODEC_KEYS'}; ` +
          `the web UI decrypts through ${codecServer.url}`,
        `  Dashboard         ${api.url}/dashboard/#key=${apiKey}`,
        `  Onward database   ${state.database.description}${databaseServer ? ` (other commands reach it at ${databaseServer.url})` : ''}`,
        `  HTTP API          ${api.url}   (tenant ${DEV_TENANT}, API key ${apiKey}; OpenAPI ${api.url}/openapi.json)`,
        '',
      ].join('\n'),
    );
    if (options.demo) {
      const input = demoInput();
      // Started for the dev tenant, so the dashboard shows it.
      const demo = await new SequenceService(server.client, TASK_QUEUE, suppressions).start(input, DEV_TENANT);
      console.log(
        `Demo sequence started: ${demo.workflowId}. Its emails arrive in the mailbox over the next few minutes.\n` +
          `In another terminal: npx onward status --tenant ${DEV_TENANT} ${input.rejection.id}   |   npx onward preview examples/rejection.json\n`,
      );
    }
    // Returns once Ctrl-C (SIGINT) or SIGTERM has been received and in-flight work has drained.
    await worker.run();
  } finally {
    // Pooled SMTP connections would otherwise hold the mailbox open until they time out.
    mailer.close();
    await api?.close();
    await server?.teardown();
    await codecServer?.close();
    await databaseServer?.close();
    await state?.close();
    await mailbox.close();
    console.log('Onward dev stopped.');
  }
}
