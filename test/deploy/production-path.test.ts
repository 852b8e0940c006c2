import { execFileSync, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { ONWARD_SEARCH_ATTRIBUTES } from '../../workflows/definitions';
import { serverExecutable } from '../../client/temporal-binaries';
import { sequenceHandle, sequenceStatus, startSequence } from '../../client/sequences';
import { generateCodecKey } from '../../common/codec';
import { connectClient, readClientConfig } from '../../common/connection';
import { STAGE_ATTRIBUTE } from '../../workflows/definitions';
import { parseRejectionDocument } from '../../workflows/input';
import { DEMO_POLICY } from '../../workflows/policy';
import { eventually } from '../helpers/eventually';
import { rejectionDocument } from '../helpers/fixtures';
import { freePort, ROOT } from '../helpers/processes';
import { startSmtpServer, type TestSmtpServer } from '../helpers/smtp';
import { startPostgres, type TestPostgres } from '../helpers/postgres';

// The production path without Docker: the image's build steps (tsc to dist/, the workflow bundle built ahead of
// time, the templates beside the compiled code), then the image's command, `node dist/client/cli.js worker`, with
// the environment the compose file gives it (address, namespace, TLS off, prebuilt bundle, tuning, metrics), against
// a real `temporal server start-dev` and a real SMTP server. A sequence is started through the connection code the API
// and the CLI use (common/connection.ts), and the compiled CLI is run with the settings an operator gives it.

const TASK_QUEUE = 'deploy-test';
const CODEC_KEYS = `k1:${generateCodecKey()}`;

let artifacts: string;
let testEnv: TestWorkflowEnvironment;
let smtp: TestSmtpServer;
let worker: ChildProcess;
let workerExit: Promise<number | null>;
let output = '';
let metricsPort: number;
let postgres: TestPostgres;
/** Onward's database, as compose gives it to the worker and the api: PostgreSQL. */
let databaseUrl: string;

/** What the container gets: the worker service's environment in docker-compose.yml, pointed at this machine. */
function containerEnvironment(): NodeJS.ProcessEnv {
  return {
    PATH: process.env.PATH,
    HOME: artifacts, // no Temporal config file here, as in the image
    XDG_CONFIG_HOME: artifacts,
    NODE_ENV: 'production',
    TEMPORAL_ADDRESS: testEnv.address,
    TEMPORAL_NAMESPACE: 'default',
    TEMPORAL_API_KEY: '',
    TEMPORAL_TLS: '',
    TEMPORAL_TLS_SERVER_NAME: '',
    ONWARD_TASK_QUEUE: TASK_QUEUE,
    SMTP_URL: smtp.url,
    ONWARD_FROM: 'onward@onward.test',
    ONWARD_CODEC_KEYS: CODEC_KEYS,
    ONWARD_CODEC_ACTIVE_KEY: '',
    ONWARD_WORKFLOW_BUNDLE: path.join(artifacts, 'dist', 'workflow-bundle.js'),
    ONWARD_MAX_CONCURRENT_ACTIVITIES: '4',
    ONWARD_MAX_CONCURRENT_WORKFLOW_TASKS: '4',
    ONWARD_MAX_CACHED_WORKFLOWS: '50',
    ONWARD_WORKER_ACTIVITY_RATE: '20',
    ONWARD_TASK_QUEUE_ACTIVITY_RATE: '600/minute',
    ONWARD_SHUTDOWN_GRACE_TIME: '5 seconds',
    ONWARD_METRICS_ADDRESS: `127.0.0.1:${metricsPort}`,
    ONWARD_DATABASE_URL: databaseUrl,
  };
}

beforeAll(async () => {
  mkdirSync(path.join(ROOT, 'test', 'artifacts'), { recursive: true });
  // Inside the project, as /app is in the image: the compiled code finds node_modules by walking up.
  artifacts = mkdtempSync(path.join(ROOT, 'test', 'artifacts', 'deploy-'));
  const dist = path.join(artifacts, 'dist');
  // The Dockerfile's build stage: `npm run build` (tsc -p tsconfig.build.json) and the bundle script...
  execFileSync('npx', ['tsc', '-p', 'tsconfig.build.json', '--outDir', dist], { cwd: ROOT, stdio: 'pipe' });
  execFileSync('npx', ['tsx', 'scripts/bundle-workflows.ts', path.join(dist, 'workflow-bundle.js')], { cwd: ROOT, stdio: 'pipe' });
  // ...and the runtime stage's COPY of the templates and the dashboard.
  cpSync(path.join(ROOT, 'templates'), path.join(dist, 'templates'), { recursive: true });
  cpSync(path.join(ROOT, 'client', 'dashboard'), path.join(dist, 'client', 'dashboard'), { recursive: true });

  postgres = await startPostgres();
  databaseUrl = await postgres.createDatabase();
  [testEnv, smtp, metricsPort] = await Promise.all([
    // The namespace as the compose setup job leaves it: with Onward's search attributes.
    TestWorkflowEnvironment.createLocal({ server: { executable: serverExecutable('temporal'), searchAttributes: [...ONWARD_SEARCH_ATTRIBUTES] } }),
    startSmtpServer(),
    freePort(),
  ]);

  // The image's command: ENTRYPOINT ["node", "/app/dist/client/cli.js"], CMD ["worker"].
  worker = spawn(process.execPath, [path.join(dist, 'client', 'cli.js'), 'worker'], { cwd: artifacts, env: containerEnvironment() });
  worker.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  worker.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  workerExit = new Promise((resolve) => worker.once('exit', (code) => resolve(code)));
  const started = await Promise.race([
    // The tuning line is the last one the worker prints before it polls; stdout may deliver the lines in separate chunks.
    eventually(() => (output.includes('tuning: ') ? Promise.resolve(true) : Promise.reject(new Error('worker not started'))), 60_000),
    workerExit.then((code) => {
      throw new Error(`the worker exited (${code}):\n${output}`);
    }),
  ]);
  expect(started).toBe(true);
});

afterAll(async () => {
  if (worker && worker.exitCode === null) {
    worker.kill('SIGKILL');
    await workerExit;
  }
  await testEnv?.teardown();
  await smtp?.close();
  postgres?.stop();
  if (artifacts) rmSync(artifacts, { recursive: true, force: true });
});

describe('the production path, without Docker', () => {
  test('the worker runs the prebuilt bundle, connected with the container settings (address, namespace, TLS off)', () => {
    expect(output).toContain(`Onward worker on ${testEnv.address}, namespace default, no TLS, task queue ${TASK_QUEUE}`);
    expect(output).toContain(`Workflows from the prebuilt bundle ${path.join(artifacts, 'dist', 'workflow-bundle.js')}`);
    // The bundle carries the data converter's failure converter, which the worker cannot add to a prebuilt bundle.
    expect(readFileSync(path.join(artifacts, 'dist', 'workflow-bundle.js'), 'utf8')).toContain('failure-converter');
    expect(output).toContain(
      'tuning: maxConcurrentActivityTaskExecutions=4 maxConcurrentWorkflowTaskExecutions=4 maxCachedWorkflows=50 ' +
        'maxActivitiesPerSecond=20 maxTaskQueueActivitiesPerSecond=10 shutdownGraceTime=5000',
    );
  });

  test("a sequence started through the API's and the CLI's connection code sends its first emails", async () => {
    // Payloads are encrypted: the client holds the same keys as the worker (read from the environment, as the CLI does).
    const environment = { TEMPORAL_ADDRESS: testEnv.address, TEMPORAL_NAMESPACE: 'default', ONWARD_TASK_QUEUE: TASK_QUEUE, HOME: artifacts, XDG_CONFIG_HOME: artifacts };
    const previousKeys = process.env.ONWARD_CODEC_KEYS;
    process.env.ONWARD_CODEC_KEYS = CODEC_KEYS;
    const { client, close } = await connectClient(readClientConfig(environment)).finally(() => {
      if (previousKeys === undefined) delete process.env.ONWARD_CODEC_KEYS;
      else process.env.ONWARD_CODEC_KEYS = previousKeys;
    });
    try {
      const parsed = parseRejectionDocument({
        ...rejectionDocument({ id: 'deploy-path-1', rejectedAt: new Date().toISOString() }),
        policy: DEMO_POLICY,
      });
      if (!parsed.ok) throw new Error(JSON.stringify(parsed.problems));
      expect(await startSequence(client, TASK_QUEUE, parsed.input)).toEqual({ workflowId: 'rejection-deploy-path-1', started: true });

      // The supportive note at once; the thank-you notes to both interviewers when the 20-second grieving ends.
      const received = await smtp.waitFor(3, 90_000);
      const recipients = received.map((mail) => mail.to.join(','));
      expect(recipients).toEqual(expect.arrayContaining(['ada@example.com', 'grace@acme.example.com', 'alan@acme.example.com']));
      expect(received.every((mail) => mail.parsed.from?.value[0]?.address === 'onward@onward.test')).toBe(true);

      const status = await eventually(async () => {
        const current = await sequenceStatus(client, 'deploy-path-1');
        expect(current.stage).toBe('following-up');
        return current;
      }, 30_000);
      // The stage search attribute (created at setup in production) is kept up to date by the workflow.
      await eventually(async () => {
        const description = await sequenceHandle(client, 'deploy-path-1').describe();
        expect(description.typedSearchAttributes.get(STAGE_ATTRIBUTE)).toBe(status.stage);
      }, 30_000);
    } finally {
      await close();
    }
  });

  /** The compiled CLI (the image's entrypoint), with only the given environment. */
  function runCli(args: string[], environment: Record<string, string>) {
    return spawnSync(process.execPath, [path.join(artifacts, 'dist', 'client', 'cli.js'), ...args], {
      cwd: artifacts,
      encoding: 'utf8',
      timeout: 60_000,
      env: { PATH: process.env.PATH, HOME: artifacts, XDG_CONFIG_HOME: artifacts, ONWARD_CODEC_KEYS: CODEC_KEYS, ...environment },
    });
  }

  test('the CLI connects with the TLS settings it is given: TLS asked for against a plaintext server fails', () => {
    const plain = runCli(['list', '--json'], { TEMPORAL_ADDRESS: testEnv.address, TEMPORAL_NAMESPACE: 'default' });
    expect(plain.stderr).toBe('');
    expect(plain.status).toBe(0);
    expect(JSON.parse(plain.stdout)).toEqual(expect.any(Array));
    // As with Temporal Cloud: an API key (TLS on by itself), or TLS asked for; the server here speaks plain gRPC.
    const asked: Record<string, string>[] = [{ TEMPORAL_API_KEY: 'a-temporal-cloud-api-key' }, { TEMPORAL_TLS: 'true' }];
    for (const tls of asked) {
      const result = runCli(['list'], { TEMPORAL_ADDRESS: testEnv.address, TEMPORAL_NAMESPACE: 'default', ...tls });
      expect(result.status, JSON.stringify(tls)).toBe(1);
      expect(result.stderr).toContain(`Cannot reach the Temporal server at ${testEnv.address}, namespace default, TLS`);
      expect(result.stderr).not.toContain('a-temporal-cloud-api-key');
    }
  });

  test('the CLI reads a Temporal config-file profile (envconfig), as the worker does', () => {
    const file = path.join(artifacts, 'temporal.toml');
    writeFileSync(file, `[profile.onward]\naddress = "${testEnv.address}"\nnamespace = "default"\n`);
    const result = runCli(['list', '--json'], { TEMPORAL_CONFIG_FILE: file, TEMPORAL_PROFILE: 'onward' });
    expect(result.stderr).toBe('');
    expect(JSON.parse(result.stdout)).toEqual(expect.any(Array));
    const missing = runCli(['list'], { TEMPORAL_CONFIG_FILE: file, TEMPORAL_PROFILE: 'elsewhere' });
    expect(missing.status).toBe(1);
    expect(missing.stderr).toContain('TEMPORAL_PROFILE: profile "elsewhere" is not in');
  });

  test("the worker serves metrics for Prometheus: the compose file's health check", async () => {
    const response = await fetch(`http://127.0.0.1:${metricsPort}/metrics`);
    expect(response.ok).toBe(true);
    expect(await response.text()).toMatch(/^temporal_\w+/m);
  });

  test('the api service (same image, `onward api`) serves its health check and the dashboard', async () => {
    const port = await freePort();
    const api = spawn(process.execPath, [path.join(artifacts, 'dist', 'client', 'cli.js'), 'api'], {
      cwd: artifacts,
      env: {
        PATH: process.env.PATH,
        HOME: artifacts,
        NODE_ENV: 'production',
        TEMPORAL_ADDRESS: testEnv.address,
        TEMPORAL_NAMESPACE: 'default',
        ONWARD_TASK_QUEUE: TASK_QUEUE,
        ONWARD_CODEC_KEYS: CODEC_KEYS,
        ONWARD_API_KEYS: 'agency:0123456789abcdef0123456789abcdef',
        ONWARD_API_HOST: '127.0.0.1',
        ONWARD_API_PORT: String(port),
        ONWARD_API_RECORDS: path.join(artifacts, 'data', 'api-records.json'),
        ONWARD_DATABASE_URL: databaseUrl,
      },
    });
    let apiOutput = '';
    api.stdout.on('data', (chunk: Buffer) => (apiOutput += chunk.toString()));
    api.stderr.on('data', (chunk: Buffer) => (apiOutput += chunk.toString()));
    const apiExit = new Promise<number | null>((resolve) => api.once('exit', (code) => resolve(code)));
    try {
      await Promise.race([
        eventually(() => (apiOutput.includes('Onward API on ') ? Promise.resolve() : Promise.reject(new Error('api not started'))), 60_000),
        apiExit.then((code) => Promise.reject(new Error(`the api exited (${code}):\n${apiOutput}`))),
      ]);
      // The compose file's health check.
      expect((await fetch(`http://127.0.0.1:${port}/health`)).ok).toBe(true);
      const page = await fetch(`http://127.0.0.1:${port}/dashboard/`);
      expect(page.ok).toBe(true);
      expect(await page.text()).toMatch(/<html/i);
      const script = await fetch(`http://127.0.0.1:${port}/dashboard/app.js`);
      expect(script.ok).toBe(true);
    } finally {
      api.kill('SIGTERM');
    }
    expect(await apiExit).toBe(0);
  });

  test('`docker stop` (SIGTERM): the worker drains and exits cleanly', async () => {
    worker.kill('SIGTERM');
    expect(await workerExit).toBe(0);
    expect(output).toContain('Onward worker stopped.');
  });
});
