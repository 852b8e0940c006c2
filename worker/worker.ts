import path from 'node:path';
import type { DataConverter } from '@temporalio/common';
import { NativeConnection, Runtime, Worker, type State, type WorkerOptions, type WorkerStatus } from '@temporalio/worker';
import { createActivities, type ActivityDependencies } from '../activities';
import { createCredentialsDirectory } from '../activities/google/accounts';
import type { GoogleDependencies } from '../activities/google/clients';
import { createSmtpMailer } from '../activities/mailer';
import { messageIdDomainOf } from '../activities/message-id';
import { suppressionFileFrom } from '../activities/suppression';
import { databaseLocationFrom } from '../common/database/open';
import { openOnwardState } from '../common/database/state';
import { unsubscribeLinksFrom } from '../activities/unsubscribe-token';
import { loadTemplates } from '../activities/templates';
import { layoutPathFor, loadEmailLayout } from '../activities/email-layout';
import { sendQueueOf } from '../workflows/definitions';
import { durationMs } from '../workflows/durations';
import { createDataConverter, describeKeyring, readCodecKeyring, type CodecKeyring } from '../common/codec';
import { imapOAuthSettingsOf, redactUrl, type WorkerConfig } from './config';
import { connectClient, connectionOptions, describeConnection } from '../common/connection';
import { imapMailboxFrom } from './replies/imap-mailbox';
import { createAccessTokenSource } from './replies/oauth-token';
import { startReplyWatcher, type ReplyWatcher } from './replies/watcher';
import { startHealthServer, workerHealth } from './health';

/** The workflows' entry point (workflows/index), from source or from dist/. */
export const WORKFLOWS_PATH = path.resolve(__dirname, '..', 'workflows');

/** How much one worker takes on, and how fast activities (sends) may run: see docs/production.md. */
export type WorkerTuning = Pick<
  WorkerOptions,
  | 'maxConcurrentActivityTaskExecutions'
  | 'maxConcurrentWorkflowTaskExecutions'
  | 'maxCachedWorkflows'
  | 'maxActivitiesPerSecond'
  | 'maxTaskQueueActivitiesPerSecond'
  | 'shutdownGraceTime'
>;

export interface OnwardWorkerOptions {
  connection: NativeConnection;
  namespace: string;
  taskQueue: string;
  dependencies: ActivityDependencies;
  /** A prebuilt bundle (production images); otherwise the workflows are bundled at start. */
  workflowBundle?: WorkerOptions['workflowBundle'];
  /** Concurrency, cache and rate limits; the SDK's defaults for whatever is left out. */
  tuning?: WorkerTuning;
  /** Emails (and Google hand-overs) per second on the sends' task queue, all workers together; unlimited when absent. */
  sendRate?: number;
  /** Payload encryption (common/codec.ts createDataConverter); plain payloads when absent. */
  dataConverter?: DataConverter;
}

/**
 * An Onward worker: the sequences and their activities on the task queue, and the sends on a task queue of their own
 * (sendQueueOf), whose rate limit the server enforces for every worker together (maxTaskQueueActivitiesPerSecond).
 */
/** What runs a worker: a plain SDK Worker, or an Onward worker (two of them). */
export type RunnableWorker = Pick<Worker, 'run' | 'shutdown' | 'getState' | 'getStatus'>;

export class OnwardWorker implements RunnableWorker {
  constructor(
    readonly main: Worker,
    readonly sends: Worker,
  ) {}

  /** Runs both until shutdown (SIGINT/SIGTERM or `shutdown()`), then drains; a failure of either stops the other. */
  async run(): Promise<void> {
    const runs = [this.main.run(), this.sends.run()];
    try {
      await Promise.all(runs);
    } catch (error) {
      this.shutdown();
      await Promise.allSettled(runs);
      throw error;
    }
  }

  shutdown(): void {
    for (const worker of [this.main, this.sends]) if (worker.getState() === 'RUNNING') worker.shutdown();
  }

  getState(): State {
    return this.main.getState();
  }

  /** The main worker's status, with the sends in flight counted in; the sends' poller counts too (the health check). */
  getStatus(): WorkerStatus {
    const status = this.main.getStatus();
    const sends = this.sends.getStatus();
    return {
      ...status,
      runState: status.runState === 'RUNNING' ? sends.runState : status.runState,
      activityPollerState: status.activityPollerState === 'POLLING' ? sends.activityPollerState : status.activityPollerState,
      numInFlightActivities: status.numInFlightActivities + sends.numInFlightActivities,
    };
  }
}

/** The one way to build an Onward worker: used by `onward worker`, `onward dev` and the tests. */
export async function createOnwardWorker(options: OnwardWorkerOptions): Promise<OnwardWorker> {
  const tuning = Object.fromEntries(Object.entries(options.tuning ?? {}).filter(([, value]) => value !== undefined));
  const activities = createActivities({ ...options.dependencies, sendingRateLimited: isSendingRateLimited(options.tuning) });
  const common = { connection: options.connection, namespace: options.namespace, ...(options.dataConverter ? { dataConverter: options.dataConverter } : {}) };
  const main = await Worker.create({
    ...common,
    taskQueue: options.taskQueue,
    ...(options.workflowBundle ? { workflowBundle: options.workflowBundle } : { workflowsPath: WORKFLOWS_PATH }),
    activities,
    ...tuning,
  });
  const sends = await Worker.create({
    ...common,
    taskQueue: sendQueueOf(options.taskQueue),
    activities,
    ...(options.tuning?.maxConcurrentActivityTaskExecutions === undefined ? {} : { maxConcurrentActivityTaskExecutions: options.tuning.maxConcurrentActivityTaskExecutions }),
    ...(options.tuning?.shutdownGraceTime === undefined ? {} : { shutdownGraceTime: options.tuning.shutdownGraceTime }),
    ...(options.sendRate === undefined ? {} : { maxTaskQueueActivitiesPerSecond: options.sendRate }),
  });
  return new OnwardWorker(main, sends);
}

/** Sequences started with local sends (before `wf-task-queue-sends`): a rate limit sends theirs through the task queue. */
const isSendingRateLimited = (tuning: WorkerTuning = {}): boolean =>
  tuning.maxActivitiesPerSecond !== undefined || tuning.maxTaskQueueActivitiesPerSecond !== undefined;

/** The worker tuning a configuration asks for. */
export function workerTuning(config: WorkerConfig): WorkerTuning {
  return {
    maxConcurrentActivityTaskExecutions: config.ONWARD_MAX_CONCURRENT_ACTIVITIES,
    maxConcurrentWorkflowTaskExecutions: config.ONWARD_MAX_CONCURRENT_WORKFLOW_TASKS,
    maxCachedWorkflows: config.ONWARD_MAX_CACHED_WORKFLOWS,
    maxActivitiesPerSecond: config.ONWARD_WORKER_ACTIVITY_RATE,
    maxTaskQueueActivitiesPerSecond: config.ONWARD_TASK_QUEUE_ACTIVITY_RATE,
    shutdownGraceTime: config.ONWARD_SHUTDOWN_GRACE_TIME ? durationMs(config.ONWARD_SHUTDOWN_GRACE_TIME) : undefined,
  };
}

function describeTuning(tuning: WorkerTuning): string {
  const parts = Object.entries(tuning)
    .filter(([, value]) => value !== undefined)
    .map(([key, value]) => `${key}=${typeof value === 'number' ? Number(value.toPrecision(4)) : String(value)}`);
  return parts.length > 0 ? parts.join(' ') : 'SDK defaults';
}

/** Serves the worker's metrics (Temporal SDK metrics, Prometheus format); must run before the first connection. */
function installMetrics(bindAddress: string): void {
  try {
    Runtime.install({ telemetryOptions: { metrics: { prometheus: { bindAddress } } } });
  } catch (error) {
    throw new Error(`ONWARD_METRICS_ADDRESS: cannot serve metrics on ${bindAddress}: ${(error as Error).message}`);
  }
}

/** The Google channels' clients, when the configuration has a credentials directory (docs/google.md). */
export function googleDependencies(config: Pick<WorkerConfig, 'ONWARD_GOOGLE_CREDENTIALS_DIR' | 'ONWARD_GOOGLE_ACCOUNT'>): GoogleDependencies | undefined {
  if (!config.ONWARD_GOOGLE_CREDENTIALS_DIR) return undefined;
  return {
    accounts: createCredentialsDirectory({
      directory: path.resolve(config.ONWARD_GOOGLE_CREDENTIALS_DIR),
      ...(config.ONWARD_GOOGLE_ACCOUNT ? { defaultAccount: config.ONWARD_GOOGLE_ACCOUNT } : {}),
    }),
  };
}

/** Connects to Temporal and SMTP as configured and runs until SIGINT/SIGTERM, then drains and exits. */
export async function runWorker(
  config: WorkerConfig,
  log: (line: string) => void = console.log,
  options: { codecKeyring?: CodecKeyring } = {},
): Promise<void> {
  // Personal data is encrypted before it reaches Temporal: a worker never runs without a key (ONWARD_CODEC_KEYS).
  const codecKeyring = options.codecKeyring ?? readCodecKeyring(process.env);
  if (config.ONWARD_METRICS_ADDRESS) installMetrics(config.ONWARD_METRICS_ADDRESS);
  const templates = loadTemplates(config.ONWARD_TEMPLATES_DIR);
  // Compiled once, before anything connects: a layout that does not compile stops the worker here.
  const layout = await loadEmailLayout(layoutPathFor(config.ONWARD_TEMPLATES_DIR));
  const mailer = createSmtpMailer(config.SMTP_URL);
  const google = googleDependencies(config);
  // The suppression list every worker and API replica shares (ONWARD_DATABASE_URL); the old file is imported once.
  const state = await openOnwardState({
    keyring: codecKeyring,
    location: databaseLocationFrom({
      ONWARD_DATABASE_URL: config.ONWARD_DATABASE_URL,
      ONWARD_DATABASE_USER: config.ONWARD_DATABASE_USER,
      ONWARD_DATABASE_PASSWORD: config.ONWARD_DATABASE_PASSWORD,
    }),
    suppressionFile: suppressionFileFrom(config),
  });
  const suppressions = state.suppressions;
  const unsubscribe = unsubscribeLinksFrom(config);
  const tuning = workerTuning(config);
  try {
    const connection = await NativeConnection.connect(connectionOptions(config));
    try {
      const worker = await createOnwardWorker({
        connection,
        namespace: config.TEMPORAL_NAMESPACE,
        taskQueue: config.ONWARD_TASK_QUEUE,
        dependencies: {
          mailer,
          templates,
          layout,
          fromAddress: config.ONWARD_FROM,
          suppressions,
          outcomes: state.outcomes,
          ...(config.senders ? { senders: config.senders } : {}),
          ...(unsubscribe ? { unsubscribe } : {}),
          ...(google ? { google } : {}),
        },
        dataConverter: createDataConverter(codecKeyring),
        ...(config.ONWARD_WORKFLOW_BUNDLE ? { workflowBundle: { codePath: config.ONWARD_WORKFLOW_BUNDLE } } : {}),
        tuning,
        ...(config.ONWARD_SEND_RATE === undefined ? {} : { sendRate: config.ONWARD_SEND_RATE }),
      });
      log(
        `Onward worker on ${describeConnection(config)}, task queue ${config.ONWARD_TASK_QUEUE}, ` +
          `sending from ${config.ONWARD_FROM} via ${redactUrl(config.SMTP_URL)}; payloads encrypted (${describeKeyring(codecKeyring)}); state in the ${state.database.description}`,
      );
      log(
        `Workflows from ${config.ONWARD_WORKFLOW_BUNDLE ? `the prebuilt bundle ${config.ONWARD_WORKFLOW_BUNDLE}` : 'source (bundled at start)'}; ` +
          `tuning: ${describeTuning(tuning)}; emails sent from task queue ${sendQueueOf(config.ONWARD_TASK_QUEUE)}, ` +
          `${config.ONWARD_SEND_RATE === undefined ? 'without a rate limit' : `at most ${Number(config.ONWARD_SEND_RATE.toPrecision(4))} per second across all workers`}` +
          (config.ONWARD_METRICS_ADDRESS ? `; metrics on http://${config.ONWARD_METRICS_ADDRESS}/metrics` : ''),
      );
      if (config.ONWARD_GOOGLE_CREDENTIALS_DIR) {
        log(
          `Google channels: credentials from ${path.resolve(config.ONWARD_GOOGLE_CREDENTIALS_DIR)}` +
            (config.ONWARD_GOOGLE_ACCOUNT ? `, "${config.ONWARD_GOOGLE_ACCOUNT}" when a policy names none` : ', named by each policy (googleAccount)'),
        );
      }
      const health = config.ONWARD_HEALTH_ADDRESS ? await startHealthServer(config.ONWARD_HEALTH_ADDRESS, () => workerHealth(worker, connection)) : undefined;
      if (health) log(`Health check on ${health.url}`);
      const replies = config.ONWARD_IMAP_URL ? await watchReplies(config, config.ONWARD_IMAP_URL, codecKeyring, log) : undefined;
      try {
        // Worker.run() returns once SIGINT/SIGTERM has been received and in-flight tasks have drained.
        await worker.run();
      } finally {
        await replies?.stop();
        await health?.close();
      }
      log('Onward worker stopped.');
    } finally {
      await connection.close();
    }
  } finally {
    mailer.close();
    await state.close();
  }
}

/** IMAP reply capture (docs/replies.md): one watcher per worker, handing replies to their sequences through a client. */
async function watchReplies(config: WorkerConfig, imapUrl: string, codecKeyring: CodecKeyring, log: (line: string) => void): Promise<ReplyWatcher> {
  const temporal = config.temporal ?? { address: config.TEMPORAL_ADDRESS, namespace: config.TEMPORAL_NAMESPACE, tls: false as const };
  const { client, close } = await connectClient(
    { temporal, TEMPORAL_ADDRESS: config.TEMPORAL_ADDRESS, TEMPORAL_NAMESPACE: config.TEMPORAL_NAMESPACE, ONWARD_TASK_QUEUE: config.ONWARD_TASK_QUEUE },
    { dataConverter: createDataConverter(codecKeyring) },
  );
  const oauth = imapOAuthSettingsOf(config);
  const mailbox = imapMailboxFrom(imapUrl);
  if (oauth) log(`IMAP reply capture: XOAUTH2 login as ${mailbox.user}, tokens from ${new URL(oauth.tokenUrl).origin} (${oauth.refreshToken ? 'refresh-token' : 'client-credentials'} grant)`);
  const watcher = startReplyWatcher({
    mailbox,
    client,
    domain: messageIdDomainOf(config.ONWARD_FROM),
    log,
    ...(oauth ? { accessToken: createAccessTokenSource(oauth) } : {}),
  });
  return {
    async stop() {
      await watcher.stop();
      await close();
    },
  };
}
