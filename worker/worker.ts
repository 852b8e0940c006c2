import path from 'node:path';
import { NativeConnection, Worker, type WorkerOptions } from '@temporalio/worker';
import { createActivities, type ActivityDependencies } from '../activities';
import { createSmtpMailer } from '../activities/mailer';
import { loadTemplates } from '../activities/templates';
import { redactUrl, type WorkerConfig } from './config';

/** The workflows' entry point (workflows/index), from source or from dist/. */
export const WORKFLOWS_PATH = path.resolve(__dirname, '..', 'workflows');

export interface OnwardWorkerOptions {
  connection: NativeConnection;
  namespace: string;
  taskQueue: string;
  dependencies: ActivityDependencies;
  /** A prebuilt bundle (production images); otherwise the workflows are bundled at start. */
  workflowBundle?: WorkerOptions['workflowBundle'];
}

/** The one way to build an Onward worker: used by `onward worker`, `onward dev` and the tests. */
export async function createOnwardWorker(options: OnwardWorkerOptions): Promise<Worker> {
  return Worker.create({
    connection: options.connection,
    namespace: options.namespace,
    taskQueue: options.taskQueue,
    ...(options.workflowBundle ? { workflowBundle: options.workflowBundle } : { workflowsPath: WORKFLOWS_PATH }),
    activities: createActivities(options.dependencies),
  });
}

/** Connects to Temporal and SMTP as configured and runs until SIGINT/SIGTERM, then drains and exits. */
export async function runWorker(config: WorkerConfig, log: (line: string) => void = console.log): Promise<void> {
  const templates = loadTemplates(config.ONWARD_TEMPLATES_DIR);
  const mailer = createSmtpMailer(config.SMTP_URL);
  const connection = await NativeConnection.connect({ address: config.TEMPORAL_ADDRESS });
  try {
    const worker = await createOnwardWorker({
      connection,
      namespace: config.TEMPORAL_NAMESPACE,
      taskQueue: config.ONWARD_TASK_QUEUE,
      dependencies: { mailer, templates, fromAddress: config.ONWARD_FROM },
    });
    log(
      `Onward worker on ${config.TEMPORAL_ADDRESS}, namespace ${config.TEMPORAL_NAMESPACE}, task queue ${config.ONWARD_TASK_QUEUE}, ` +
        `sending from ${config.ONWARD_FROM} via ${redactUrl(config.SMTP_URL)}`,
    );
    // Worker.run() returns once SIGINT/SIGTERM has been received and in-flight tasks have drained.
    await worker.run();
    log('Onward worker stopped.');
  } finally {
    mailer.close();
    await connection.close();
  }
}
