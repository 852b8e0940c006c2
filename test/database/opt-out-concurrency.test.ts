import { spawn } from 'node:child_process';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDatabaseSuppressionList, createMemorySuppressionList } from '../../activities/suppression';
import { signUnsubscribeToken } from '../../activities/unsubscribe-token';
import { startSequence } from '../../client/sequences';
import { serverExecutable } from '../../client/temporal-binaries';
import { openDatabase, type OnwardDatabase } from '../../common/database/open';
import { createSealing } from '../../common/database/sealing';
import { ONWARD_SEARCH_ATTRIBUTES, optOutUpdate, workflowIdFor } from '../../workflows/definitions';
import { describeProblems, parseRejectionDocument } from '../../workflows/input';
import { rejectionDocument } from '../helpers/fixtures';
import { startPostgres, type TestPostgres } from '../helpers/postgres';
import { freePort, ROOT } from '../helpers/processes';
import {
  connect,
  spawnWorker,
  startDrillSmtp,
  temporaryDirectory,
  testKeys,
  waitUntil,
  workerEnvironment,
  workflowBundleFile,
  WorkerLogs,
  type DrillSmtp,
  type WorkerProcess,
} from '../reliability/harness';

// Two workers and two API processes record 1,000 opt-outs at once in one PostgreSQL database: none may be lost.
// The Temporal dev server keeps its state in memory: nothing here restarts it, and a database file would cost an fsync
// per write on a shared disk. The opt-outs of the four processes are interleaved, up to IN_FLIGHT at once.
const PER_API = 250;
const PER_WORKER_SIDE = 500;
const IN_FLIGHT = 100;
const SECRET = 'an-unsubscribe-secret-of-at-least-32-characters';
const keys = testKeys();
const directory = temporaryDirectory('onward-opt-outs-');
const logs = new WorkerLogs();
let postgres: TestPostgres;
let server: TestWorkflowEnvironment;
let smtp: DrillSmtp;
let databaseUrl: string;
let database: OnwardDatabase;
const workers: WorkerProcess[] = [];
const apis: Array<{ url: string; stop(): void }> = [];

/** `onward api` as an operator runs it, on a free port; resolves once it serves. */
async function spawnApi(): Promise<{ url: string; stop(): void }> {
  const port = await freePort();
  const child = spawn(process.execPath, ['bin/onward.js', 'api'], {
    cwd: ROOT,
    env: {
      PATH: process.env.PATH ?? '',
      HOME: process.env.HOME ?? '',
      TEMPORAL_ADDRESS: server.address,
      TEMPORAL_NAMESPACE: 'default',
      ONWARD_TASK_QUEUE: 'onward',
      ...keys.environment,
      ONWARD_API_KEYS: 'acme:0123456789abcdef0123456789abcdef',
      ONWARD_UNSUBSCRIBE_SECRET: SECRET,
      ONWARD_API_PORT: String(port),
      ONWARD_RATE_LIMIT_PER_IP: '1000000',
      ONWARD_DATABASE_URL: databaseUrl,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  await waitUntil('the api to serve', () => {
    if (child.exitCode !== null) throw new Error(`onward api exited (${child.exitCode}):\n${output}`);
    return output.includes('Onward API on ');
  }, 120_000);
  return { url: `http://127.0.0.1:${port}`, stop: () => child.kill('SIGTERM') };
}

beforeAll(async () => {
  [postgres, server, smtp] = await Promise.all([
    startPostgres(),
    TestWorkflowEnvironment.createLocal({ server: { executable: serverExecutable('temporal'), searchAttributes: [...ONWARD_SEARCH_ATTRIBUTES] } }),
    startDrillSmtp(),
  ]);
  databaseUrl = await postgres.createDatabase();
  const bundle = await workflowBundleFile(directory.path);
  const environment = { ...workerEnvironment({ address: server.address, smtpUrl: smtp.url, taskQueue: 'onward', keys, bundle }), ONWARD_DATABASE_URL: databaseUrl };
  // All four start at once too: their migrations run under the advisory lock.
  const started = await Promise.all([spawnWorker(environment, logs), spawnWorker(environment, logs)].map(async (worker) => (await worker.ready, worker)));
  workers.push(...started);
  apis.push(...(await Promise.all([spawnApi(), spawnApi()])));
  database = await openDatabase({ kind: 'postgres', url: databaseUrl });
}, 300_000);

afterAll(async () => {
  for (const api of apis) api.stop();
  await Promise.all(workers.map((worker) => worker.kill('SIGTERM')));
  await database?.close();
  await server?.teardown();
  await smtp?.close();
  postgres?.stop();
  directory.remove();
});

describe('opt-outs from every replica at once (PostgreSQL)', () => {
  it('two workers and two API processes record 1,000 opt-outs at once, and none is lost', async () => {
    const { client, connection } = await connect(server.address, keys.keyring);
    try {
      // 500 sequences, each opted out with an update: their worker records the address (the suppressAddress activity).
      const inputs = Array.from({ length: PER_WORKER_SIDE }, (_, index) => {
        const parsed = parseRejectionDocument(
          rejectionDocument({ id: `opt-out-${index}`, candidate: { name: 'Ada Lovelace', email: `worker.${index}@example.com`, timezone: 'Europe/London' } }),
        );
        if (!parsed.ok) throw new Error(describeProblems(parsed.problems));
        return parsed.input;
      });
      for (let start = 0; start < inputs.length; start += IN_FLIGHT) {
        await Promise.all(inputs.slice(start, start + IN_FLIGHT).map((input) => startSequence(client, 'onward', input, { suppressions: createMemorySuppressionList() })));
      }
      // 500 one-click unsubscribes, 250 to each API process (their sequences do not exist: the address is recorded anyway).
      const unsubscribe = (index: number) => {
        const api = apis[index % apis.length] as { url: string };
        const token = signUnsubscribeToken({ email: `api.${index}@example.com`, sequenceId: `gone-${index}` }, SECRET, Date.now());
        return fetch(`${api.url}/unsubscribe?token=${encodeURIComponent(token)}`, {
          method: 'POST',
          headers: { 'content-type': 'application/x-www-form-urlencoded' },
          body: 'List-Unsubscribe=One-Click',
        }).then((response) => expect(response.status, `unsubscribe ${index}`).toBe(200));
      };
      // On a loaded machine a workflow task may time out; the server refuses updates until its retry: try again, as a client would.
      const optOut = async (index: number): Promise<void> => {
        for (let attempt = 1; ; attempt += 1) {
          try {
            await client.workflow.getHandle(workflowIdFor(`opt-out-${index}`)).executeUpdate(optOutUpdate, { args: [{ reason: 'asked to stop' }] });
            return;
          } catch (error) {
            const transient = /Workflow Task in failed state/.test(`${(error as Error).message} ${String((error as { cause?: unknown }).cause)}`);
            if (!transient || attempt >= 20) throw error;
            await new Promise((resolve) => setTimeout(resolve, 2_000));
          }
        }
      };
      // Interleaved (API 0, worker 0, API 1, worker 1, ...): the four processes write at the same time throughout.
      const all = Array.from({ length: PER_WORKER_SIDE }, (_, index) => [() => unsubscribe(index), () => optOut(index)]).flat();
      let next = 0;
      const lane = async (): Promise<void> => {
        for (let task = all[next++]; task; task = all[next++]) await task();
      };
      await Promise.all(Array.from({ length: IN_FLIGHT }, lane));
      const addresses = [...Array.from({ length: PER_API * apis.length }, (_, index) => `api.${index}@example.com`), ...inputs.map((input) => input.rejection.candidate.email)];
      await waitUntil('1,000 rows in the suppression list', async () => {
        const { rows } = await sql<{ count: string }>`select count(*) as count from suppressions`.execute(database.db);
        return Number(rows[0]?.count) >= addresses.length;
      }, 120_000);
      const list = createDatabaseSuppressionList(database.db, createSealing(keys.keyring));
      const missing = [];
      for (const address of addresses) if (!(await list.isSuppressed(address))) missing.push(address);
      expect(missing).toEqual([]);
      const { rows } = await sql<{ count: string }>`select count(*) as count from suppressions`.execute(database.db);
      expect(Number(rows[0]?.count)).toBe(1000);
    } finally {
      await connection.close();
    }
  }, 600_000);
});
