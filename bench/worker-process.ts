// A worker in its own process, so that the bench can read its RSS from the outside (figure 4) and it does not
// share the event loop of the process that measures. `onward` runs the product worker as `onward worker` builds
// it (createOnwardWorker with the tuning its configuration gives by default); `bench` runs the bench worker
// (bench/workflows.ts, separate task queue).
import { DefaultLogger, NativeConnection, Runtime, Worker } from '@temporalio/worker';
import { createSmtpMailer } from '../activities/mailer';
import { loadTemplates } from '../activities/templates';
import { readWorkerConfig } from '../worker/config';
import { createOnwardWorker, workerTuning, type RunnableWorker } from '../worker/worker';
import { BenchChild, exitWithParent, serveRequests } from './children';

export interface WorkerProcessOptions {
  kind: 'onward' | 'bench';
  address: string;
  namespace: string;
  taskQueue: string;
  /** A prebuilt workflow bundle (as the container image runs); without it, the Onward worker bundles at start. */
  bundlePath?: string;
  /** Onward only: where its emails go. */
  smtpUrl?: string;
  /**
   * A workflow cache size instead of the default (the product's configured default for `onward`, the SDK's for
   * `bench`); 'sdk-default' gives the Onward worker the SDK's own default (sized from the heap limit).
   */
  maxCachedWorkflows?: number | 'sdk-default';
  /** Run the process with --max-old-space-size (the SDK sizes its default workflow cache from the heap limit). */
  heapLimitMb?: number;
}

export interface WorkerReport {
  numCachedWorkflows: number;
  numInFlightWorkflowActivations: number;
  numInFlightActivities: number;
  heapUsed: number;
  heapTotal: number;
  external: number;
  arrayBuffers: number;
  rss: number;
}

export class WorkerProcess {
  private constructor(
    readonly child: BenchChild,
    readonly startupMs: number,
  ) {}

  static async start(name: string, options: WorkerProcessOptions): Promise<WorkerProcess> {
    const began = Date.now();
    const nodeOptions = options.heapLimitMb ? [`--max-old-space-size=${options.heapLimitMb}`] : [];
    const { child } = await BenchChild.start(name, 'worker-process.ts', { BENCH_WORKER_OPTIONS: JSON.stringify(options) }, 180_000, nodeOptions);
    return new WorkerProcess(child, Date.now() - began);
  }

  async report(): Promise<WorkerReport> {
    const reply = await this.child.request({ type: 'status' });
    return reply.report as WorkerReport;
  }

  memory() {
    return this.child.memory();
  }

  stop(): Promise<void> {
    return this.child.stop(30_000);
  }
}

async function runWorkerProcess(options: WorkerProcessOptions): Promise<void> {
  exitWithParent();
  Runtime.install({
    logger: new DefaultLogger('WARN'),
    telemetryOptions: { logging: { filter: { core: 'ERROR', other: 'ERROR' }, console: {} } },
  });
  const connection = await NativeConnection.connect({ address: options.address });
  const mailer = options.kind === 'onward' ? createSmtpMailer(options.smtpUrl ?? 'smtp://127.0.0.1:25') : undefined;
  let worker: RunnableWorker;
  if (mailer) {
    // The tuning `onward worker` applies when nothing is configured (worker/config.ts defaults), then the variant's.
    const tuning = workerTuning(
      readWorkerConfig({
        TEMPORAL_ADDRESS: options.address,
        TEMPORAL_NAMESPACE: options.namespace,
        ONWARD_TASK_QUEUE: options.taskQueue,
        SMTP_URL: options.smtpUrl ?? 'smtp://127.0.0.1:25',
        ONWARD_FROM: 'onward@bench.onward.test',
      }),
    );
    if (options.maxCachedWorkflows === 'sdk-default') delete tuning.maxCachedWorkflows;
    else if (options.maxCachedWorkflows !== undefined) tuning.maxCachedWorkflows = options.maxCachedWorkflows;
    worker = await createOnwardWorker({
      connection,
      namespace: options.namespace,
      taskQueue: options.taskQueue,
      dependencies: { mailer, templates: loadTemplates(), fromAddress: 'onward@bench.onward.test' },
      ...(options.bundlePath ? { workflowBundle: { codePath: options.bundlePath } } : {}),
      tuning,
    });
  } else {
    if (!options.bundlePath) throw new Error('the bench worker needs a prebuilt bundle');
    worker = await Worker.create({
      connection,
      namespace: options.namespace,
      taskQueue: options.taskQueue,
      workflowBundle: { codePath: options.bundlePath },
      activities: { benchSend: (_key: string): Promise<void> => Promise.resolve() },
      ...(typeof options.maxCachedWorkflows === 'number' ? { maxCachedWorkflows: options.maxCachedWorkflows } : {}),
    });
  }
  const running = worker.run();
  serveRequests((message) => {
    if (message.type === 'status') {
      const status = worker.getStatus();
      const memory = process.memoryUsage();
      const report: WorkerReport = {
        numCachedWorkflows: status.numCachedWorkflows,
        numInFlightWorkflowActivations: status.numInFlightWorkflowActivations,
        numInFlightActivities: status.numInFlightActivities,
        heapUsed: memory.heapUsed,
        heapTotal: memory.heapTotal,
        external: memory.external,
        arrayBuffers: memory.arrayBuffers,
        rss: memory.rss,
      };
      return { report };
    }
    if (message.type === 'stop') worker.shutdown();
    return {};
  });
  process.send?.({ type: 'ready' });
  try {
    await running;
  } finally {
    mailer?.close();
    await connection.close();
  }
}

if (process.env.BENCH_WORKER_OPTIONS && require.main === module) {
  runWorkerProcess(JSON.parse(process.env.BENCH_WORKER_OPTIONS) as WorkerProcessOptions).then(
    () => process.exit(0),
    (error: unknown) => {
      console.error('[bench worker]', error);
      process.exit(1);
    },
  );
}
