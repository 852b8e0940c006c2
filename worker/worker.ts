import path from 'node:path';
import type { DataConverter } from '@temporalio/common';
import { NativeConnection, Runtime, Worker, type WorkerOptions } from '@temporalio/worker';
import { createActivities, type ActivityDependencies } from '../activities';
import { createCredentialsDirectory } from '../activities/google/accounts';
import type { GoogleDependencies } from '../activities/google/clients';
import { createSmtpMailer } from '../activities/mailer';
import { createFileSuppressionList, suppressionFileFrom } from '../activities/suppression';
import { unsubscribeLinksFrom } from '../activities/unsubscribe-token';
import { loadTemplates } from '../activities/templates';
import { durationMs } from '../workflows/durations';
import { createDataConverter, describeKeyring, readCodecKeyring, type CodecKeyring } from '../common/codec';
import { redactUrl, type WorkerConfig } from './config';
import { connectionOptions, describeConnection } from '../common/connection';
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
  /** Payload encryption (common/codec.ts createDataConverter); plain payloads when absent. */
  dataConverter?: DataConverter;
}

/** The one way to build an Onward worker: used by `onward worker`, `onward dev` and the tests. */
export async function createOnwardWorker(options: OnwardWorkerOptions): Promise<Worker> {
  const tuning = Object.fromEntries(Object.entries(options.tuning ?? {}).filter(([, value]) => value !== undefined));
  return Worker.create({
    connection: options.connection,
    namespace: options.namespace,
    taskQueue: options.taskQueue,
    ...(options.workflowBundle ? { workflowBundle: options.workflowBundle } : { workflowsPath: WORKFLOWS_PATH }),
    activities: createActivities({ ...options.dependencies, sendingRateLimited: isSendingRateLimited(options.tuning) }),
    ...tuning,
    ...(options.dataConverter ? { dataConverter: options.dataConverter } : {}),
  });
}

/** Activity rate limits do not reach local activities: with either, sends go through the task queue. */
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
  const mailer = createSmtpMailer(config.SMTP_URL);
  const google = googleDependencies(config);
  const suppressions = createFileSuppressionList(suppressionFileFrom(config));
  const unsubscribe = unsubscribeLinksFrom(config);
  const tuning = workerTuning(config);
  try {
    const connection = await NativeConnection.connect(connectionOptions(config));
    try {
      const worker = await createOnwardWorker({
        connection,
        namespace: config.TEMPORAL_NAMESPACE,
        taskQueue: config.ONWARD_TASK_QUEUE,
        dependencies: { mailer, templates, fromAddress: config.ONWARD_FROM, suppressions, ...(unsubscribe ? { unsubscribe } : {}), ...(google ? { google } : {}) },
        dataConverter: createDataConverter(codecKeyring),
        ...(config.ONWARD_WORKFLOW_BUNDLE ? { workflowBundle: { codePath: config.ONWARD_WORKFLOW_BUNDLE } } : {}),
        tuning,
      });
      log(
        `Onward worker on ${describeConnection(config)}, task queue ${config.ONWARD_TASK_QUEUE}, ` +
          `sending from ${config.ONWARD_FROM} via ${redactUrl(config.SMTP_URL)}; payloads encrypted (${describeKeyring(codecKeyring)})`,
      );
      log(
        `Workflows from ${config.ONWARD_WORKFLOW_BUNDLE ? `the prebuilt bundle ${config.ONWARD_WORKFLOW_BUNDLE}` : 'source (bundled at start)'}; ` +
          `tuning: ${describeTuning(tuning)}; emails sent ${isSendingRateLimited(tuning) ? 'as rate-limited activities' : 'in workflow tasks (local activities)'}` +
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
      try {
        // Worker.run() returns once SIGINT/SIGTERM has been received and in-flight tasks have drained.
        await worker.run();
      } finally {
        await health?.close();
      }
      log('Onward worker stopped.');
    } finally {
      await connection.close();
    }
  } finally {
    mailer.close();
  }
}
