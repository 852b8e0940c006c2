import path from 'node:path';
import type { WorkflowHandle } from '@temporalio/client';
import { WorkflowUpdateFailedError } from '@temporalio/client';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { bundleWorkflowCode, DefaultLogger, Runtime, type LogLevel, type LogMetadata } from '@temporalio/worker';
import { DateTime } from 'luxon';
import { afterAll, afterEach, beforeAll } from 'vitest';
import { createSmtpMailer, loadTemplates, type ActivityDependencies, type Mailer } from '../../activities';
import { messageIdFor } from '../../activities/message-id';
import { startSequence } from '../../client/sequences';
import { serverExecutable } from '../../client/temporal-binaries';
import { createOnwardWorker, type OnwardWorker, type WorkerTuning } from '../../worker/worker';
import { statusQuery, workflowIdFor } from '../../workflows/definitions';
import { describeProblems, parseRejectionDocument, type SequenceInput } from '../../workflows/input';
import type { PolicyOverrides } from '../../workflows/policy';
import type { rejectionFollowUp } from '../../workflows/rejection-follow-up';
import type { RejectionDocument } from '../../workflows/rejection';
import type { SequenceStatus, TimelineEntry } from '../../workflows/status';
import { rejectionDocument } from './fixtures';
import { registerSequence, stepOf } from './steps';
import { startSmtpServer, type ReceivedMail, type TestSmtpServer } from './smtp';
import { onwardIndexedSearchAttributes } from '../../client/visibility';

/**
 * One time-skipping Temporal test server, one in-process SMTP server and one Onward worker (built with
 * createOnwardWorker, running in the background) per test file. Every test starts its own sequence with
 * its own rejection id, and everything it left running is terminated after it.
 */

export const FROM_ADDRESS = 'onward@onward.test';
const FROM_DOMAIN = 'onward.test';
const WORKFLOWS_ENTRY = path.resolve(__dirname, '..', '..', 'workflows', 'index.ts');

/** A message as it arrived at the SMTP server, with the simulated time it was handed to SMTP. */
export interface Delivered extends ReceivedMail {
  /** The step key, known from the Message-ID (test/helpers/steps.ts), e.g. "thank-you:1". */
  step: string;
  messageId: string;
  /** Workflow (test server) time of the delivering attempt, epoch milliseconds. */
  at: number;
}

export interface StartedSequence {
  workflowId: string;
  handle: WorkflowHandle<typeof rejectionFollowUp>;
  input: SequenceInput;
  rejectedAt: number;
  status: () => Promise<SequenceStatus>;
  /** The messages of this sequence that arrived so far, in arrival order. */
  mails: () => Delivered[];
  mail: (step: string) => Delivered | undefined;
  /** The deterministic Message-ID of one step of this sequence. */
  messageIdOf: (step: string) => string;
  entry: (status: SequenceStatus, key: string) => TimelineEntry;
}

export interface StartOptions {
  /** A distinct id per test: the sequences of a file share one server and one mailbox. */
  id: string;
  policy?: PolicyOverrides;
  document?: Partial<RejectionDocument>;
  /** Defaults to the test server's current time (whole seconds). */
  rejectedAt?: number;
  /** Starts the sequence as this tenant's (workflow id `<tenant>:rejection-<id>`), as the API does. */
  tenant?: string;
}

export interface TimeSkippingHarness {
  env: TestWorkflowEnvironment;
  smtp: TestSmtpServer;
  worker: OnwardWorker;
  taskQueue: string;
  now: () => Promise<number>;
  /** Skips the test server's clock forward to the next `weekday` (1 = Monday) at `time` in `zone`. */
  advanceTo: (weekday: number, time: string, zone: string) => Promise<number>;
  /** Skips the test server's clock to an instant (no-op when it is already past). */
  advanceUntil: (instant: number) => Promise<void>;
  start: (options: StartOptions) => Promise<StartedSequence>;
  /** Delivery attempts the mailer made per Message-ID (a retried send counts twice). */
  attempts: (messageId: string) => number;
  /** Terminates every sequence still running (call after each test). */
  terminateRunning: () => Promise<void>;
  teardown: () => Promise<void>;
}

/** One line of the worker's log, as the Runtime's logger received it. */
export interface WorkerLogEntry {
  level: LogLevel;
  message: string;
  meta?: LogMetadata;
}

let runtimeInstalled = false;
function installQuietRuntime(onLog?: (entry: WorkerLogEntry) => void): void {
  if (runtimeInstalled) return;
  runtimeInstalled = true;
  // Warnings and errors only; failed send attempts are what the failure tests provoke on purpose.
  const defaultLogger = new DefaultLogger('WARN');
  Runtime.install({
    logger: new DefaultLogger(onLog ? 'DEBUG' : 'WARN', (entry) => {
      onLog?.({ level: entry.level, message: entry.message, meta: entry.meta });
      if (entry.message !== 'Activity failed') defaultLogger.log(entry.level, entry.message, entry.meta);
    }),
    telemetryOptions: { logging: { filter: { core: 'ERROR', other: 'ERROR' }, console: {} } },
  });
}

/** What a test file may add to the harness (e.g. the `google` clients of a local fake). */
export interface HarnessOptions {
  /** More activity dependencies, built when the harness starts (before the worker is created). */
  dependencies?: () => Partial<ActivityDependencies> | Promise<Partial<ActivityDependencies>>;
  /** The worker's tuning, as `onward worker` reads it from its configuration. */
  tuning?: WorkerTuning;
  /** Sends per second on the sends' task queue (ONWARD_SEND_RATE). */
  sendRate?: number;
  /** Sees every line the worker logs, debug included (the first harness of the process decides). */
  onLog?: (entry: WorkerLogEntry) => void;
}

export async function setUpTimeSkipping(options: HarnessOptions = {}): Promise<TimeSkippingHarness> {
  installQuietRuntime(options.onLog);
  const env = await TestWorkflowEnvironment.createTimeSkipping({
    server: { executable: serverExecutable('temporal-test-server') },
  });
  try {
    return await startServices(env, options);
  } catch (error) {
    await env.teardown();
    throw error;
  }
}

async function startServices(env: TestWorkflowEnvironment, options: HarnessOptions = {}): Promise<TimeSkippingHarness> {
  // The time-skipping server knows no custom search attribute until one is registered through its operator
  // service; without this, starting a sequence fails with "search attribute OnwardStage is not defined".
  await env.connection.operatorService.addSearchAttributes({
    namespace: env.namespace ?? 'default',
    searchAttributes: onwardIndexedSearchAttributes(),
  });

  const smtp = await startSmtpServer();
  const smtpMailer = createSmtpMailer(smtp.url, { maxConnections: 2 });
  const sentAt = new Map<string, number>();
  const attempts = new Map<string, number>();
  // The real SMTP mailer, noting the simulated time of each attempt: activities run on the real clock.
  const mailer: Mailer = {
    async send(mail) {
      const messageId = String(mail.messageId);
      attempts.set(messageId, (attempts.get(messageId) ?? 0) + 1);
      sentAt.set(messageId, await env.currentTimeMs());
      return smtpMailer.send(mail);
    },
    close: () => smtpMailer.close(),
  };

  const taskQueue = `onward-test-${process.pid}`;
  let worker: OnwardWorker;
  try {
    // createOnwardWorker bundles `require.resolve('../workflows')` by default, which plain Node cannot resolve to
    // a .ts file (vitest does not hook require): hand it a bundle built from the TypeScript sources instead.
    const workflowBundle = await bundleWorkflowCode({ workflowsPath: WORKFLOWS_ENTRY, logger: new DefaultLogger('WARN') });
    worker = await createOnwardWorker({
      connection: env.nativeConnection,
      namespace: env.namespace ?? 'default',
      taskQueue,
      workflowBundle,
      dependencies: { mailer, templates: loadTemplates(), fromAddress: FROM_ADDRESS, ...(await options.dependencies?.()) },
      ...(options.tuning ? { tuning: options.tuning } : {}),
      ...(options.sendRate === undefined ? {} : { sendRate: options.sendRate }),
    });
  } catch (error) {
    mailer.close();
    await smtp.close();
    throw error;
  }
  let workerError: unknown;
  const running = worker.run().catch((error: unknown) => {
    workerError = error;
  });

  const started: StartedSequence[] = [];

  const now = () => env.currentTimeMs();
  const advanceUntil = async (instant: number) => {
    const remaining = instant - (await now());
    if (remaining > 0) await env.sleep(remaining);
  };

  return {
    env,
    smtp,
    worker,
    taskQueue,
    now,
    advanceUntil,
    advanceTo: async (weekday, time, zone) => {
      const [hour, minute] = time.split(':').map(Number);
      const current = DateTime.fromMillis(await now(), { zone });
      let target = current.set({ hour, minute, second: 0, millisecond: 0 });
      while (target.weekday !== weekday || target <= current) target = target.plus({ days: 1 }).set({ hour, minute });
      await advanceUntil(target.toMillis());
      return target.toMillis();
    },
    start: async ({ id, policy, document = {}, rejectedAt, tenant }) => {
      const at = rejectedAt ?? Math.floor((await now()) / 1000) * 1000;
      const parsed = parseRejectionDocument(
        rejectionDocument({ ...document, id, rejectedAt: new Date(at).toISOString(), ...(policy ? { policy } : {}) }),
      );
      if (!parsed.ok) throw new Error(`test document is invalid:\n${describeProblems(parsed.problems)}`);
      const { workflowId, started: isNew } = await startSequence(env.client, taskQueue, parsed.input, tenant === undefined ? {} : { workflowId: workflowIdFor(id, tenant) });
      if (!isNew) throw new Error(`${workflowId} already exists: use a distinct rejection id per test`);
      const handle = env.client.workflow.getHandle<typeof rejectionFollowUp>(workflowId);
      registerSequence(workflowId, FROM_DOMAIN);
      const mails = (): Delivered[] =>
        smtp.received.flatMap((mail) => {
          const messageId = mail.parsed.messageId ?? '';
          const step = stepOf(messageId);
          if (!step || messageId !== messageIdFor(workflowId, step, FROM_DOMAIN)) return [];
          return [{ ...mail, step, messageId, at: sentAt.get(messageId) ?? Number.NaN }];
        });
      const sequence: StartedSequence = {
        workflowId,
        handle,
        input: parsed.input,
        rejectedAt: at,
        status: () => handle.query(statusQuery),
        mails,
        mail: (step) => mails().find((mail) => mail.step === step),
        messageIdOf: (step) => messageIdFor(workflowId, step, FROM_DOMAIN),
        entry: (status, key) => {
          const found = status.timeline.find((entry) => entry.key === key);
          if (!found) throw new Error(`no timeline entry ${key} in ${status.timeline.map((entry) => entry.key).join(', ')}`);
          return found;
        },
      };
      started.push(sequence);
      return sequence;
    },
    attempts: (messageId) => attempts.get(messageId) ?? 0,
    terminateRunning: async () => {
      for (const sequence of started.splice(0)) {
        const { status } = await sequence.handle.describe();
        if (status.name === 'RUNNING') await sequence.handle.terminate('test over');
      }
    },
    teardown: async () => {
      worker.shutdown();
      await running;
      mailer.close();
      await env.teardown();
      await smtp.close();
      if (workerError) throw workerError instanceof Error ? workerError : new Error('the worker failed', { cause: workerError });
    },
  };
}

/** Registers the file's hooks: one harness for the file, running sequences terminated after each test. */
export function useTimeSkipping(options: HarnessOptions = {}): () => TimeSkippingHarness {
  let harness: TimeSkippingHarness | undefined;
  beforeAll(async () => {
    harness = await setUpTimeSkipping(options);
  });
  afterEach(async () => harness?.terminateRunning());
  afterAll(async () => harness?.teardown());
  return () => {
    if (!harness) throw new Error('the time-skipping harness is not set up');
    return harness;
  };
}

/** The reason an update was refused (the validator's message), or an error when it was accepted. */
export async function refusal(update: Promise<unknown>): Promise<string> {
  try {
    await update;
  } catch (error) {
    if (error instanceof WorkflowUpdateFailedError) return error.cause?.message ?? error.message;
    throw error;
  }
  throw new Error('the update was accepted');
}

/** Workflow durations ("2 days") are absolute: 48 hours, whatever the clocks do. */
export const HOUR = 3_600_000;
export const DAY = 24 * HOUR;

/** `instant` moved by a calendar duration in a zone (days keep their wall-clock time across DST changes). */
export function later(instant: number, duration: { days?: number; hours?: number; minutes?: number }, zone = 'Europe/London'): number {
  return DateTime.fromMillis(instant, { zone }).plus(duration).toMillis();
}

/** A readable local time for assertion messages, e.g. "Mon 2026-11-30 14:00 Europe/London". */
export function localTime(instant: number, zone = 'Europe/London'): string {
  return `${DateTime.fromMillis(instant, { zone }).toFormat('ccc yyyy-LL-dd HH:mm:ss')} ${zone}`;
}
