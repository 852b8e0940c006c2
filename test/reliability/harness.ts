import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import type { Socket } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Client, Connection, type WorkflowHandle } from '@temporalio/client';
import { bundleWorkflowCode, DefaultLogger } from '@temporalio/worker';
import { simpleParser } from 'mailparser';
import { SMTPServer, type SMTPServerAuthentication, type SMTPServerSession } from 'smtp-server';
import { afterAll, beforeAll, expect } from 'vitest';
import { messageIdFor } from '../../activities/message-id';
import { registerSequence, stepOf } from '../helpers/steps';
import { startSequence } from '../../client/sequences';
import { resolveTemporalBinary } from '../../client/temporal-binaries';
import { createDataConverter, failureConverterPath, type CodecKeyring } from '../../common/codec';
import { ONWARD_SEARCH_ATTRIBUTES, statusQuery } from '../../workflows/definitions';
import { SEARCH_ATTRIBUTE_TYPE_NAMES } from '../../client/visibility';
import { describeProblems, parseRejectionDocument, type SequenceInput } from '../../workflows/input';
import type { PolicyOverrides } from '../../workflows/policy';
import type { RejectionDocument } from '../../workflows/rejection';
import { previewSequence } from '../../workflows/schedule';
import type { SequenceOutcome, SequenceStatus } from '../../workflows/status';
import { rejectionDocument } from '../helpers/fixtures';
import { startPostgres, type TestPostgres } from '../helpers/postgres';
import { freePort, ROOT } from '../helpers/processes';
import { SmtpReply } from '../helpers/smtp';

/**
 * What the fault drills and the security tests run against, as in production: `temporal server start-dev` with a
 * database file (a child process this harness can stop and restart on the same file), the worker as a separate process
 * (`node bin/onward.js worker`, configured by its environment), and a real SMTP server in the test process that can
 * hold a transaction at a chosen point, go down and come back, refuse a recipient or require a password.
 */

/**
 * The fault drills take minutes (a killed worker's work resumes only when its timeouts expire, an SMTP outage is
 * retried after 30 s, then 60 s): they run with `npm run test:faults`, or whenever ONWARD_FAULT_DRILLS=1 (e.g. `ONWARD_FAULT_DRILLS=1 npm test`
 * in CI), and are skipped otherwise.
 */
export const FAULT_DRILLS_ENABLED = process.env.ONWARD_FAULT_DRILLS === '1' || process.env.npm_lifecycle_event === 'test:faults';
const ALL_DAYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const;

/** A sequence in seconds (about 30 s from rejection to the last touchpoint), at any hour. */
export const DRILL_POLICY: PolicyOverrides = {
  grievingPeriod: '4 seconds',
  feedbackRequestDelay: '3 seconds',
  feedbackWait: '16 seconds',
  feedbackReminderAfter: '6 seconds',
  checkInEvery: '5 seconds',
  checkInCount: 3,
  otherOpeningsDelay: '4 seconds',
  linkedInTaskDelay: '6 seconds',
  touchpointsAfter: ['14 seconds', '22 seconds'],
  sendWindow: { days: [...ALL_DAYS], start: '00:00', end: '24:00' },
  // The candidate's emails have a window of their own: without this one they would wait for the next morning.
  candidateSendWindow: { days: [...ALL_DAYS], start: '00:00', end: '24:00' },
  avoidRejectionDay: false,
  approvalTimeout: '1 minute',
};

export const FROM_ADDRESS = 'onward@drill.example';

export function temporaryDirectory(prefix: string): { path: string; remove(): void } {
  const directory = mkdtempSync(path.join(tmpdir(), prefix));
  return { path: directory, remove: () => rmSync(directory, { recursive: true, force: true }) };
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Polls until `check` returns a value other than undefined/false, or fails with `what` on timeout. */
export async function waitUntil<T>(what: string, check: () => T | undefined | false | Promise<T | undefined | false>, timeoutMs = 60_000, everyMs = 100): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(everyMs);
  }
}

/** A fixed, deterministic-per-seed pseudo-random source (mulberry32), so that a failing drill can be replayed. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

// ---- keys ---------------------------------------------------------------------------------------------------------

export interface TestKeys {
  keyring: CodecKeyring;
  /** The environment that configures them, as a worker or client reads it. */
  environment: { ONWARD_CODEC_KEYS: string; ONWARD_CODEC_ACTIVE_KEY: string };
  /** Every key in base64, base64url and hex, for grepping. */
  material: string[];
}

/** Two fresh keys: "old" (still decrypts) and "current" (encrypts), as after a rotation. */
export function testKeys(): TestKeys {
  const old = randomBytes(32);
  const current = randomBytes(32);
  const environment = { ONWARD_CODEC_KEYS: `old:${old.toString('base64')},current:${current.toString('base64')}`, ONWARD_CODEC_ACTIVE_KEY: 'current' };
  return {
    keyring: { activeKeyId: 'current', keys: new Map([['old', old], ['current', current]]) },
    environment,
    material: [old, current].flatMap((key) => [key.toString('base64'), key.toString('base64url'), key.toString('hex')]),
  };
}

// ---- Temporal dev server ----------------------------------------------------------------------------------------

/** `temporal server start-dev --search-attribute Name=Type` spells the types this way. */

export interface DevServer {
  address: string;
  dbFile: string;
  start(): Promise<void>;
  /** SIGTERM: a clean stop; SIGKILL: a crash. Resolves once the process is gone. */
  stop(signal?: NodeJS.Signals): Promise<void>;
  running(): boolean;
}

/** `temporal server start-dev` on a fixed port and database file, so that it can be stopped and started again. */
export async function devServer(dbFile: string): Promise<DevServer> {
  const executable = resolveTemporalBinary('temporal');
  if (!executable) throw new Error('the temporal CLI is not installed: run `npm run setup`');
  const port = await freePort();
  const address = `127.0.0.1:${port}`;
  let child: ChildProcess | undefined;
  let exited: Promise<void> = Promise.resolve();
  let output = '';

  const server: DevServer = {
    address,
    dbFile,
    running: () => child !== undefined && child.exitCode === null && child.signalCode === null,
    async start() {
      const uiPort = await freePort();
      const args = ['server', 'start-dev', '--ip', '127.0.0.1', '--port', String(port), '--ui-port', String(uiPort), '--headless'];
      args.push('--db-filename', dbFile, '--log-level', 'error');
      for (const attribute of ONWARD_SEARCH_ATTRIBUTES) args.push('--search-attribute', `${attribute.name}=${SEARCH_ATTRIBUTE_TYPE_NAMES[attribute.type]}`);
      const started = spawn(executable, args, { stdio: ['ignore', 'pipe', 'pipe'] });
      child = started;
      started.stdout.on('data', (chunk: Buffer) => (output = (output + chunk.toString()).slice(-20_000)));
      started.stderr.on('data', (chunk: Buffer) => (output = (output + chunk.toString()).slice(-20_000)));
      exited = new Promise((resolve) => started.once('exit', () => resolve()));
      await waitUntil(
        `the Temporal dev server at ${address}`,
        async () => {
          if (started.exitCode !== null) throw new Error(`temporal server start-dev exited (${started.exitCode}):\n${output}`);
          try {
            const connection = await Connection.connect({ address, connectTimeout: '1 second' });
            try {
              await connection.workflowService.describeNamespace({ namespace: 'default' });
              return true;
            } finally {
              await connection.close();
            }
          } catch {
            return false;
          }
        },
        60_000,
        250,
      );
    },
    async stop(signal = 'SIGTERM') {
      if (server.running()) child?.kill(signal);
      await exited;
    },
  };
  await server.start();
  return server;
}

/** A client of the dev server that encrypts like the worker (or, without keys, a plain one). */
export async function connect(address: string, keyring?: CodecKeyring): Promise<{ client: Client; connection: Connection }> {
  const connection = await Connection.connect({ address });
  return { client: new Client({ connection, namespace: 'default', dataConverter: createDataConverter(keyring) }), connection };
}

/** The bytes of the database file and its SQLite companions (-wal, -shm, -journal). */
export function databaseBytes(dbFile: string): Buffer {
  const directory = path.dirname(dbFile);
  const base = path.basename(dbFile);
  return Buffer.concat(
    readdirSync(directory)
      .filter((name) => name === base || name.startsWith(`${base}-`))
      .map((name) => readFileSync(path.join(directory, name))),
  );
}

// ---- the worker process -----------------------------------------------------------------------------------------

let bundlePath: string | undefined;

/**
 * The workflow bundle, built once per test file (with the failure converter that encrypts error messages), so that
 * a restarted worker is up in a couple of seconds instead of running webpack again.
 */
export async function workflowBundleFile(directory: string): Promise<string> {
  if (bundlePath) return bundlePath;
  const { code } = await bundleWorkflowCode({
    workflowsPath: path.join(ROOT, 'workflows', 'index.ts'),
    failureConverterPath: failureConverterPath(),
    logger: new DefaultLogger('WARN'),
  });
  bundlePath = path.join(directory, 'workflow-bundle.js');
  writeFileSync(bundlePath, code);
  return bundlePath;
}

export interface WorkerProcess {
  pid: number;
  /** Resolves once the worker has said it is polling. */
  ready: Promise<void>;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  kill(signal?: NodeJS.Signals): Promise<void>;
}

/** Everything every worker process of a test printed, in order. */
export class WorkerLogs {
  private text = '';
  append(chunk: string): void {
    this.text += chunk;
  }
  toString(): string {
    return this.text;
  }
}

/** `node bin/onward.js worker`, exactly as an operator runs it, with only the given environment (plus PATH/HOME). */
export function spawnWorker(environment: Record<string, string>, logs: WorkerLogs): WorkerProcess {
  const child = spawn(process.execPath, [path.join(ROOT, 'bin', 'onward.js'), 'worker'], {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...environment },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let resolveReady: () => void = () => undefined;
  let rejectReady: (error: Error) => void = () => undefined;
  const ready = new Promise<void>((resolve, reject) => {
    resolveReady = resolve;
    rejectReady = reject;
  });
  let seen = '';
  const onOutput = (chunk: Buffer) => {
    const text = chunk.toString();
    logs.append(text);
    seen += text;
    if (seen.includes('Onward worker on ')) resolveReady();
  };
  child.stdout.on('data', onOutput);
  child.stderr.on('data', onOutput);
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => {
      rejectReady(new Error(`the worker exited (${code ?? signal ?? '?'}) before it was ready:\n${seen.slice(-3000)}`));
      resolve({ code, signal });
    }),
  );
  // A test that awaits `exited` instead must not see an unhandled rejection.
  ready.catch(() => undefined);
  return {
    pid: child.pid ?? -1,
    ready,
    exited,
    async kill(signal = 'SIGKILL') {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      await exited;
    },
  };
}

export function workerEnvironment(options: { address: string; smtpUrl: string; taskQueue: string; keys: TestKeys; bundle?: string }): Record<string, string> {
  return {
    TEMPORAL_ADDRESS: options.address,
    TEMPORAL_NAMESPACE: 'default',
    ONWARD_TASK_QUEUE: options.taskQueue,
    SMTP_URL: options.smtpUrl,
    ONWARD_FROM: FROM_ADDRESS,
    ...options.keys.environment,
    ...(options.bundle ? { ONWARD_WORKFLOW_BUNDLE: options.bundle } : {}),
  };
}

// ---- SMTP -------------------------------------------------------------------------------------------------------

export interface DrillMail {
  messageId: string;
  step: string;
  to: string[];
  raw: string;
  /** When its DATA ended (Date.now()), before the server parsed and committed it. */
  committedAt: number;
}

export interface Hold {
  /** Resolves when a transaction reached the held point. */
  reached: Promise<void>;
  release(): void;
}

export interface DrillSmtp {
  port: number;
  /** The URL for SMTP_URL, with the credentials the server requires (if any). */
  url: string;
  /** Messages the server committed (accepted at the end of DATA), in order. */
  messages: DrillMail[];
  /** RCPT TO commands seen per address (lower case). */
  rcptCount(address: string): number;
  /** The next RCPT TO for `address` waits (before anything is committed) until released. */
  holdRcpt(address: string): Hold;
  /** The next message to `address` is committed, then its "250 OK" waits until released: the duplicate window. */
  holdAfterCommit(address: string): Hold;
  rejectRecipient(address: string, code?: number): void;
  /** Refuse the next `count` AUTH attempts (535). */
  failNextAuth(count: number): void;
  /** Answer the next `count` DATA commands with `code`. */
  failNext(count: number, code: number): void;
  /** Stops listening and drops every connection (the server is down). */
  stop(): Promise<void>;
  /** Listens again on the same port. */
  start(): Promise<void>;
  close(): Promise<void>;
}

/** A real SMTP server, optionally requiring `credentials` (AUTH PLAIN/LOGIN without TLS, on loopback). */
export async function startDrillSmtp(credentials?: { user: string; password: string }): Promise<DrillSmtp> {
  const messages: DrillMail[] = [];
  const rcpt = new Map<string, number>();
  const rejected = new Map<string, number>();
  const rcptHolds = new Map<string, () => Promise<void>>();
  const commitHolds = new Map<string, () => Promise<void>>();
  let authFailures = 0;
  let dataFailures = { count: 0, code: 451 };
  let server: SMTPServer | undefined;
  const sockets = new Set<Socket>();
  const port = await freePort();

  const hold = (holds: Map<string, () => Promise<void>>, address: string): Hold => {
    let reach: () => void = () => undefined;
    let release: () => void = () => undefined;
    const reached = new Promise<void>((resolve) => (reach = resolve));
    const released = new Promise<void>((resolve) => (release = resolve));
    holds.set(address.toLowerCase(), () => {
      holds.delete(address.toLowerCase());
      reach();
      return released;
    });
    return { reached, release };
  };

  const create = () =>
    new SMTPServer({
      authOptional: !credentials,
      allowInsecureAuth: true,
      disabledCommands: credentials ? ['STARTTLS'] : ['STARTTLS', 'AUTH'],
      logger: false,
      onAuth(auth: SMTPServerAuthentication, _session, callback) {
        if (authFailures > 0) {
          authFailures -= 1;
          return callback(new SmtpReply('Authentication failed', 535));
        }
        if (!credentials || auth.username !== credentials.user || auth.password !== credentials.password) {
          return callback(new SmtpReply('Authentication failed', 535));
        }
        callback(null, { user: auth.username });
      },
      onRcptTo(address, _session, callback) {
        const key = address.address.toLowerCase();
        rcpt.set(key, (rcpt.get(key) ?? 0) + 1);
        const code = rejected.get(key);
        const held = rcptHolds.get(key);
        const answer = () => (code ? callback(new SmtpReply(`<${address.address}>: mailbox unavailable`, code)) : callback());
        if (held) void held().then(answer);
        else answer();
      },
      onData(stream, session: SMTPServerSession, callback) {
        const chunks: Buffer[] = [];
        stream.on('data', (chunk: Buffer) => chunks.push(chunk));
        stream.on('end', () => {
          const committedAt = Date.now();
          if (dataFailures.count > 0) {
            dataFailures.count -= 1;
            return callback(new SmtpReply('try again later', dataFailures.code));
          }
          const raw = Buffer.concat(chunks).toString('utf8');
          const to = session.envelope.rcptTo.map((entry) => entry.address.toLowerCase());
          simpleParser(raw)
            .then(async (parsed) => {
              // Committed: from here on the message counts as delivered, whatever happens to the connection.
              messages.push({ messageId: parsed.messageId ?? '', step: stepOf(parsed.messageId), to, raw, committedAt });
              const held = to.map((address) => commitHolds.get(address)).find(Boolean);
              if (held) await held();
              callback();
            })
            .catch((error: Error) => callback(error));
        });
      },
    });

  const listen = async () => {
    server = create();
    server.server.on('connection', (socket: Socket) => {
      sockets.add(socket);
      socket.once('close', () => sockets.delete(socket));
    });
    server.on('error', () => undefined);
    const listening = server;
    await new Promise<void>((resolve, reject) => {
      listening.server.once('error', reject);
      listening.listen(port, '127.0.0.1', () => resolve());
    });
  };
  const shutdown = async () => {
    const closing = server;
    server = undefined;
    if (!closing) return;
    for (const socket of sockets) socket.destroy();
    await new Promise<void>((resolve) => closing.server.close(() => resolve()));
  };

  await listen();
  const auth = credentials ? `${encodeURIComponent(credentials.user)}:${encodeURIComponent(credentials.password)}@` : '';
  return {
    port,
    url: `smtp://${auth}127.0.0.1:${port}`,
    messages,
    rcptCount: (address) => rcpt.get(address.toLowerCase()) ?? 0,
    holdRcpt: (address) => hold(rcptHolds, address),
    holdAfterCommit: (address) => hold(commitHolds, address),
    rejectRecipient: (address, code = 550) => rejected.set(address.toLowerCase(), code),
    failNextAuth: (count) => (authFailures = count),
    failNext: (count, code) => (dataFailures = { count, code }),
    stop: shutdown,
    start: listen,
    close: shutdown,
  };
}

// ---- the whole environment ------------------------------------------------------------------------------------

export interface DrillEnvironmentOptions {
  /** Prefix of the temporary directory (database file, workflow bundle), e.g. 'onward-drill-smtp-'. */
  directoryPrefix: string;
  /** Credentials the SMTP server requires (none by default). */
  smtpCredentials?: { user: string; password: string };
  /** Called each time a worker process is ready, the first one included (e.g. to note it in the drill's log). */
  onWorkerReady?: (worker: WorkerProcess) => void;
  /** The title of the drill's event log (see `note`), printed after its tests; nothing is printed without one. */
  eventLog?: string;
}

export interface DrillEnvironment {
  /** Fresh keys ("old" and "current"), as after a rotation; the worker encrypts with them. */
  readonly keys: TestKeys;
  /** Everything every worker process printed. */
  readonly logs: WorkerLogs;
  /** The temporary directory of the database file and the workflow bundle (from beforeAll on). */
  readonly directory: { path: string; remove(): void };
  /** `temporal server start-dev` on `<directory>/temporal.db` (from beforeAll on). */
  readonly server: DevServer;
  readonly smtp: DrillSmtp;
  /** The worker process running now. */
  readonly worker: WorkerProcess;
  /** The environment every worker process gets. */
  readonly workerEnvironment: Record<string, string>;
  /** Starts a new worker process with the same environment (after the last one was killed) and waits until it is ready. */
  startWorker(): Promise<WorkerProcess>;
  /** Adds a line, with the time since the environment was declared, to the event log printed after the tests. */
  note: (event: string) => void;
}

/**
 * Everything a fault drill or a security test of the whole system runs against, set up in beforeAll and torn down
 * in afterAll: a temporary directory, the Temporal dev server on a database file in it, an SMTP server, and a worker
 * process (task queue "onward", fresh keys, the prebuilt workflow bundle) that is ready. Hooks a test file declares
 * after this call run after this setup (beforeAll), and before this teardown (afterAll, in reverse order).
 */
export function useDrillEnvironment(options: DrillEnvironmentOptions): DrillEnvironment {
  const keys = testKeys();
  const logs = new WorkerLogs();
  const events: string[] = [];
  const started = Date.now();
  let directory: DrillEnvironment['directory'] | undefined;
  let server: DevServer | undefined;
  let smtp: DrillSmtp | undefined;
  let worker: WorkerProcess | undefined;
  let environment: Record<string, string> | undefined;
  let postgres: TestPostgres | undefined;
  const set = <T>(value: T | undefined, what: string): T => {
    if (value === undefined) throw new Error(`the drill environment has no ${what} yet (it is set up in beforeAll)`);
    return value;
  };

  const drill: DrillEnvironment = {
    keys,
    logs,
    get directory() {
      return set(directory, 'directory');
    },
    get server() {
      return set(server, 'server');
    },
    get smtp() {
      return set(smtp, 'SMTP server');
    },
    get worker() {
      return set(worker, 'worker');
    },
    get workerEnvironment() {
      return set(environment, 'worker environment');
    },
    async startWorker() {
      const spawned = spawnWorker(drill.workerEnvironment, logs);
      worker = spawned;
      await spawned.ready;
      options.onWorkerReady?.(spawned);
      return spawned;
    },
    note: (event) => events.push(`+${((Date.now() - started) / 1000).toFixed(1)}s ${event}`),
  };

  beforeAll(async () => {
    const created = temporaryDirectory(options.directoryPrefix);
    directory = created;
    [server, smtp, postgres] = await Promise.all([devServer(path.join(created.path, 'temporal.db')), startDrillSmtp(options.smtpCredentials), startPostgres()]);
    const bundle = await workflowBundleFile(created.path);
    // Onward's own database as production has it: PostgreSQL, which outlives every worker killed in a drill.
    environment = { ...workerEnvironment({ address: server.address, smtpUrl: smtp.url, taskQueue: 'onward', keys, bundle }), ONWARD_DATABASE_URL: await postgres.createDatabase() };
    await drill.startWorker();
  });

  afterAll(async () => {
    if (options.eventLog !== undefined) console.log(`${options.eventLog}:\n  ${events.join('\n  ')}`);
    await worker?.kill('SIGTERM');
    await server?.stop();
    await smtp?.close();
    postgres?.stop();
    directory?.remove();
  });

  return drill;
}

// ---- sequences --------------------------------------------------------------------------------------------------

export interface DrillSequence {
  input: SequenceInput;
  workflowId: string;
  handle: WorkflowHandle;
  /** The step keys of every email the sequence sends when nothing stops it. */
  expectedSteps: string[];
  status(): Promise<SequenceStatus>;
  result(): Promise<SequenceOutcome>;
}

export function sequenceInput(document: Partial<RejectionDocument>, policy: PolicyOverrides = DRILL_POLICY): SequenceInput {
  const parsed = parseRejectionDocument(rejectionDocument({ rejectedAt: new Date().toISOString(), ...document, policy }));
  if (!parsed.ok) throw new Error(`invalid test document:\n${describeProblems(parsed.problems)}`);
  return parsed.input;
}

/** Distinct people per sequence, so that every message's recipients say which sequence it belongs to. */
export function people(tag: string): Partial<RejectionDocument> {
  return {
    id: `drill-${tag}`,
    candidate: { name: `Candidate ${tag}`, email: `candidate.${tag}@people.example`, timezone: 'Europe/London' },
    interviewers: [
      { name: `First Interviewer ${tag}`, email: `first.${tag}@acme.example` },
      { name: `Second Interviewer ${tag}`, email: `second.${tag}@acme.example` },
    ],
    recruiter: { name: `Recruiter ${tag}`, email: `recruiter.${tag}@acme.example` },
  };
}

/**
 * A query on a completed sequence replays its whole history on the worker (completed runs leave the cache): the status
 * it answers proves that what the faults left in the history replays with the workflow code.
 */
export async function expectReplays(handle: WorkflowHandle): Promise<void> {
  expect((await handle.query(statusQuery)).stage, `${handle.workflowId} replayed`).toBe('completed');
}

export async function startDrillSequence(client: Client, taskQueue: string, input: SequenceInput): Promise<DrillSequence> {
  const { workflowId, started } = await startSequence(client, taskQueue, input);
  if (!started) throw new Error(`${workflowId} already exists`);
  registerSequence(workflowId, FROM_ADDRESS.split('@')[1] as string);
  const handle = client.workflow.getHandle(workflowId);
  const expectedSteps = previewSequence(input.rejection, input.policy)
    .map((entry) => entry.key)
    .filter((key) => key !== 'grieving-ends' && key !== 'feedback-deadline');
  return {
    input,
    workflowId,
    handle,
    expectedSteps,
    status: () => handle.query(statusQuery),
    result: () => handle.result() as Promise<SequenceOutcome>,
  };
}

/** The messages of one sequence: those whose Message-ID is the one the worker derives from its workflow id and step. */
export function mailsOf(smtp: DrillSmtp, sequence: DrillSequence): DrillMail[] {
  const domain = FROM_ADDRESS.split('@')[1] as string;
  return smtp.messages.filter((mail) => mail.step !== '' && mail.messageId === messageIdFor(sequence.workflowId, mail.step, domain));
}

/** How many times each Message-ID arrived. */
export function countByMessageId(mails: DrillMail[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const mail of mails) counts.set(mail.messageId, (counts.get(mail.messageId) ?? 0) + 1);
  return counts;
}
