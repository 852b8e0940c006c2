import { readFileSync } from 'node:fs';
import path from 'node:path';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { DefaultLogger, Runtime } from '@temporalio/worker';
import { createSmtpMailer } from '../activities/mailer';
import { loadTemplates } from '../activities/templates';
import { createOnwardWorker } from '../worker/worker';
import { STAGE_ATTRIBUTE } from '../workflows/definitions';
import { parseRejectionDocument, describeProblems } from '../workflows/input';
import { DEMO_POLICY } from '../workflows/policy';
import { startLocalMailbox } from './mailbox';
import { startSequence } from './sequences';
import { serverExecutable } from './temporal-binaries';

export interface DevOptions {
  demo: boolean;
  dataDir: string;
  temporalPort: number;
  uiPort: number;
  smtpPort: number;
  mailboxPort: number;
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
  let server: TestWorkflowEnvironment | undefined;
  try {
    server = await TestWorkflowEnvironment.createLocal({
      server: {
        executable: serverExecutable('temporal'),
        ip: '127.0.0.1',
        port: options.temporalPort,
        ui: true,
        uiPort: options.uiPort,
        dbFilename: path.join(options.dataDir, 'temporal.db'),
        searchAttributes: [STAGE_ATTRIBUTE],
      },
    });
    const worker = await createOnwardWorker({
      connection: server.nativeConnection,
      namespace: 'default',
      taskQueue: TASK_QUEUE,
      dependencies: { mailer: createSmtpMailer(mailbox.smtpUrl), templates: loadTemplates(), fromAddress: 'onward@onward.localhost' },
    });
    console.log(
      [
        '',
        'Onward is running on the embedded default (Ctrl-C to stop).',
        `  Temporal web UI   http://127.0.0.1:${options.uiPort}`,
        `  Local mailbox     ${mailbox.webUrl}   (files: ${mailbox.directory})`,
        `  Temporal server   127.0.0.1:${options.temporalPort}, namespace default, task queue ${TASK_QUEUE}`,
        '',
      ].join('\n'),
    );
    if (options.demo) {
      const input = demoInput();
      await startSequence(server.client, TASK_QUEUE, input);
      console.log(
        `Demo sequence started: rejection-${input.rejection.id}. Its emails arrive in the mailbox over the next few minutes.\n` +
          `In another terminal: npx onward status ${input.rejection.id}   |   npx onward preview examples/rejection.json\n`,
      );
    }
    // Returns once Ctrl-C (SIGINT) or SIGTERM has been received and in-flight work has drained.
    await worker.run();
  } finally {
    await server?.teardown();
    await mailbox.close();
    console.log('Onward dev stopped.');
  }
}
