import { execFileSync, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { parse } from 'yaml';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { serverExecutable } from '../../client/temporal-binaries';
import { startSequence } from '../../client/sequences';
import { createDatabaseSuppressionList } from '../../activities/suppression';
import { generateCodecKey, readCodecKeyring } from '../../common/codec';
import { openDatabase } from '../../common/database/open';
import { createSealing } from '../../common/database/sealing';
import { connectClient, readClientConfig } from '../../common/connection';
import { ONWARD_SEARCH_ATTRIBUTES } from '../../workflows/definitions';
import { parseRejectionDocument } from '../../workflows/input';
import { DEMO_POLICY } from '../../workflows/policy';
import { eventually } from '../helpers/eventually';
import { rejectionDocument } from '../helpers/fixtures';
import { startPostgres, type TestPostgres } from '../helpers/postgres';
import { freePort, ROOT } from '../helpers/processes';
import { startSmtpServer, type TestSmtpServer } from '../helpers/smtp';

// The image, built from the real Dockerfile and run as docker-compose.yml runs it: the worker and api services' user,
// environment, init and the shared data volume, against a Temporal dev server and an SMTP sink on this host (the
// containers share the host's network, so each address the compose file gives is pointed at a free local port).
// The base image cannot be pulled here: test/deploy/node-base/build.sh builds a stand-in for the Dockerfile's
// NODE_IMAGE (same Node version) from Debian packages and the npm registry. Images are cached between runs.

const ENGINE = 'podman';
const engineFound = spawnSync(ENGINE, ['--version'], { encoding: 'utf8' }).status === 0;
if (!engineFound) {
  console.warn(`image.test.ts skipped: no container engine (${ENGINE}) here. As root on Debian, \`npm run setup\` installs it.`);
}

const NODE_VERSION = /^ARG NODE_IMAGE=node:(\d+\.\d+\.\d+)-bookworm-slim$/m.exec(readFileSync(path.join(ROOT, 'Dockerfile'), 'utf8'))?.[1] ?? '';
const BASE_IMAGE = `localhost/onward-node-base:${NODE_VERSION}`;
// One tag per checkout: engineers' worktrees on one machine share podman's image store.
const IMAGE = `localhost/onward:image-test-${path.basename(ROOT).toLowerCase().replace(/[^a-z0-9_.-]/g, '-')}`;
const RUN_ID = randomBytes(4).toString('hex');
const VOLUME = `onward-image-test-${RUN_ID}`;
const CODEC_KEYS = `k1:${generateCodecKey()}`;
const UNSUBSCRIBE_SECRET = randomBytes(32).toString('base64');

interface Service {
  command?: string[];
  init?: boolean;
  user?: string;
  read_only?: boolean;
  tmpfs?: string[];
  environment?: Record<string, string>;
  volumes?: string[];
  healthcheck?: { test: string[] };
  stop_grace_period?: string;
}
const compose = parse(readFileSync(path.join(ROOT, 'docker-compose.yml'), 'utf8'), { merge: true }) as { services: Record<string, Service> };

const engine = (args: string[], timeout = 60_000) => execFileSync(ENGINE, args, { encoding: 'utf8', timeout, stdio: ['ignore', 'pipe', 'pipe'] });

let testEnv: TestWorkflowEnvironment;
let smtp: TestSmtpServer;
let apiPort: number;
let healthPort: number;
let postgres: TestPostgres | undefined;
/** Onward's database (compose's postgresql service, here a throwaway server on this machine's loopback). */
let databaseUrl: string;
const containers: Record<'worker' | 'api', string> = { worker: `onward-worker-${RUN_ID}`, api: `onward-api-${RUN_ID}` };

/** A compose service's settings, with ${VAR:-default} and ${VAR:?} resolved from `values`, and addresses on this host. */
function environmentOf(service: Service, values: Record<string, string>, overrides: Record<string, string>): Record<string, string> {
  const resolved: Record<string, string> = {};
  for (const [key, value] of Object.entries(service.environment ?? {})) {
    resolved[key] = String(value).replace(/\$\{([A-Z0-9_]+)(?::?[-?]([^}]*))?\}/g, (_whole, name: string, fallback?: string) => values[name] ?? (fallback && !/^set /.test(fallback) ? fallback : ''));
  }
  return { ...resolved, ...overrides };
}

/** What the compose file says about a service's container: init, user, read-only root file system, tmpfs, volumes. */
function containerOptions(service: Service, volume: string): string[] {
  const args: string[] = [];
  if (service.init) args.push('--init');
  if (service.user) args.push('--user', service.user);
  // As Docker does: writable only where compose says (podman alone would add tmpfs on /run, /tmp and /var/tmp).
  if (service.read_only) args.push('--read-only', '--read-only-tmpfs=false');
  for (const mount of service.tmpfs ?? []) args.push('--tmpfs', mount);
  for (const mount of service.volumes ?? []) args.push('--volume', mount.replace(/^api-data:/, `${volume}:`));
  return args;
}

/** `podman run` with what the compose file says about the service: command, container options, environment. */
function runService(name: 'worker' | 'api', environment: Record<string, string>): void {
  const service = compose.services[name] as Service;
  const args = ['run', '--detach', '--name', containers[name], '--network', 'host', ...containerOptions(service, VOLUME)];
  for (const [key, value] of Object.entries(environment)) args.push('--env', `${key}=${value}`);
  args.push(IMAGE, ...(service.command ?? []));
  engine(args);
}

/** The compose health check, run inside the container, with its port moved as the service's address was. */
function healthCheck(name: 'worker' | 'api', from: string, to: string): { status: number | null; output: string } {
  const [kind, ...command] = (compose.services[name]?.healthcheck?.test ?? []).map((part) => part.replace(from, to));
  expect(kind).toBe('CMD');
  const result = spawnSync(ENGINE, ['exec', containers[name], ...command], { encoding: 'utf8', timeout: 30_000 });
  return { status: result.status, output: result.stdout + result.stderr };
}

const logsOf = (name: 'worker' | 'api') => spawnSync(ENGINE, ['logs', containers[name]], { encoding: 'utf8' }).output.join('');

describe.skipIf(!engineFound)('the image, built from the Dockerfile and run as docker-compose.yml runs it', () => {
  beforeAll(async () => {
    expect(NODE_VERSION).not.toBe('');
    execFileSync(path.join(ROOT, 'test', 'deploy', 'node-base', 'build.sh'), [NODE_VERSION, BASE_IMAGE], { stdio: 'inherit', timeout: 900_000 });
    execFileSync(ENGINE, ['build', '--quiet', '--build-arg', `NODE_IMAGE=${BASE_IMAGE}`, '--tag', IMAGE, ROOT], { stdio: ['ignore', 'ignore', 'inherit'], timeout: 1_500_000 });
    engine(['volume', 'create', VOLUME]);

    let metricsPort: number;
    [testEnv, smtp, apiPort, healthPort, metricsPort] = await Promise.all([
      TestWorkflowEnvironment.createLocal({ server: { executable: serverExecutable('temporal'), searchAttributes: [...ONWARD_SEARCH_ATTRIBUTES] } }),
      startSmtpServer(),
      freePort(),
      freePort(),
      freePort(),
    ]);
    postgres = await startPostgres();
    databaseUrl = await postgres.createDatabase();
    const database = { ONWARD_DATABASE_URL: databaseUrl, ONWARD_DATABASE_USER: 'postgres', ONWARD_DATABASE_PASSWORD: '' };
    const values = { ONWARD_CODEC_KEYS: CODEC_KEYS, ONWARD_UNSUBSCRIBE_SECRET: UNSUBSCRIBE_SECRET, ONWARD_API_KEYS: 'agency:0123456789abcdef0123456789abcdef' };
    const temporal = { TEMPORAL_ADDRESS: testEnv.address, TEMPORAL_NAMESPACE: 'default', ONWARD_TASK_QUEUE: `image-test-${RUN_ID}`, ...database };
    runService(
      'worker',
      environmentOf(compose.services.worker as Service, values, {
        ...temporal,
        SMTP_URL: smtp.url,
        ONWARD_FROM: 'onward@onward.test',
        ONWARD_PUBLIC_URL: `http://127.0.0.1:${apiPort}`,
        ONWARD_METRICS_ADDRESS: `127.0.0.1:${metricsPort}`,
        ONWARD_HEALTH_ADDRESS: `127.0.0.1:${healthPort}`,
        ONWARD_SHUTDOWN_GRACE_TIME: '5 seconds',
      }),
    );
    runService('api', environmentOf(compose.services.api as Service, values, { ...temporal, ONWARD_API_HOST: '127.0.0.1', ONWARD_API_PORT: String(apiPort) }));
    await eventually(() => {
      const { status, output } = healthCheck('worker', ':9465/', `:${healthPort}/`);
      if (status !== 0) throw new Error(`worker not healthy: ${output}\n${logsOf('worker')}`);
      return Promise.resolve();
    }, 90_000);
    await eventually(() => {
      const { status, output } = healthCheck('api', ':8080/', `:${apiPort}/`);
      if (status !== 0) throw new Error(`api not healthy: ${output}\n${logsOf('api')}`);
      return Promise.resolve();
    }, 90_000);
  }, 1_800_000);

  afterAll(async () => {
    for (const name of Object.values(containers)) spawnSync(ENGINE, ['rm', '--force', '--time', '0', name]);
    spawnSync(ENGINE, ['volume', 'rm', '--force', VOLUME]);
    // The health-check test stops and restarts the server: after a failure there, it may be down already.
    await testEnv?.teardown().catch(() => undefined);
    await smtp?.close();
    postgres?.stop();
  });

  test('the worker sends a sequence through the SMTP sink; the candidate opts out with the link, and the opt-out is kept in the database', async () => {
    const keys = process.env.ONWARD_CODEC_KEYS;
    process.env.ONWARD_CODEC_KEYS = CODEC_KEYS;
    const { client, close } = await connectClient(readClientConfig({ TEMPORAL_ADDRESS: testEnv.address, TEMPORAL_NAMESPACE: 'default' })).finally(() => {
      if (keys === undefined) delete process.env.ONWARD_CODEC_KEYS;
      else process.env.ONWARD_CODEC_KEYS = keys;
    });
    try {
      const parsed = parseRejectionDocument({ ...rejectionDocument({ id: `image-${RUN_ID}`, rejectedAt: new Date().toISOString() }), policy: DEMO_POLICY });
      if (!parsed.ok) throw new Error(JSON.stringify(parsed.problems));
      expect((await startSequence(client, `image-test-${RUN_ID}`, parsed.input)).started).toBe(true);
    } finally {
      await close();
    }
    const received = await smtp.waitFor(1, 120_000);
    const toCandidate = received.find((mail) => mail.to.includes('ada@example.com'));
    expect(toCandidate, logsOf('worker')).toBeDefined();
    const link = /^List-Unsubscribe:\s*<([^>]+)>/im.exec(toCandidate?.raw ?? '')?.[1] ?? '';
    expect(link).toMatch(new RegExp(`^http://127\\.0\\.0\\.1:${apiPort}/unsubscribe\\?token=`));

    // RFC 8058 one-click, as a mail client sends it, to the api container.
    const response = await fetch(link, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'List-Unsubscribe=One-Click' });
    expect(response.status, await response.text()).toBeLessThan(300);
    // Kept where compose keeps state: Onward's database, which the worker checks before every send.
    const database = await openDatabase({ kind: 'postgres', url: databaseUrl });
    try {
      const list = createDatabaseSuppressionList(database.db, createSealing(readCodecKeyring({ ONWARD_CODEC_KEYS: CODEC_KEYS })));
      expect(await list.isSuppressed('ada@example.com')).toBe(true);
    } finally {
      await database.close();
    }
  });

  test('the processes run as the unprivileged node user, on a read-only root file system, and nothing under /app is written', () => {
    for (const name of Object.values(containers)) {
      const users = engine(['top', name, 'user', 'comm']).trim().split('\n').slice(1);
      expect(users.length, name).toBeGreaterThan(0);
      for (const line of users) expect(line, name).toMatch(/^node\s/);
      expect(engine(['inspect', '--format', '{{.HostConfig.ReadonlyRootfs}}', name]).trim(), name).toBe('true');
      const changed = engine(['diff', name]).split('\n').filter((line) => /\s\/app(\/|$)/.test(line));
      expect(changed, name).toEqual([]);
    }
  });

  test("with no paths configured, a process's default state lands on the /data volume (the working directory), not under /app", () => {
    const volume = `onward-image-defaults-${RUN_ID}`;
    engine(['volume', 'create', volume]);
    try {
      // As the worker service runs, but without ONWARD_DATABASE_URL: the embedded database in its default place.
      const worker = compose.services.worker as Service;
      const cli = (service: Service, ...args: string[]) =>
        spawnSync(ENGINE, ['run', '--rm', ...containerOptions(service, volume), '--env', `ONWARD_CODEC_KEYS=${CODEC_KEYS}`, IMAGE, ...args], { encoding: 'utf8', timeout: 120_000 });
      const added = cli(worker, 'suppression', 'add', 'grace@example.com');
      expect(added.status, added.stderr).toBe(0);
      const checked = cli(worker, 'suppression', 'check', 'grace@example.com');
      expect(checked.stdout.trim(), checked.stderr).toBe('grace@example.com: suppressed');
      const listed = spawnSync(ENGINE, ['run', '--rm', '--volume', `${volume}:/data`, '--entrypoint', 'ls', IMAGE, '-A', '/data/.onward'], { encoding: 'utf8', timeout: 60_000 });
      expect(listed.stdout.split('\n'), listed.stderr).toContain('db');
      // Without the volume nothing is writable: the command refuses, naming the variable that puts the database elsewhere.
      const refused = cli({ ...worker, volumes: [] }, 'suppression', 'add', 'grace@example.com');
      expect(refused.status).toBe(1);
      expect(refused.stderr).toContain('cannot create the embedded database /data/.onward/db');
      expect(refused.stderr).toContain('set ONWARD_DATABASE_URL');
    } finally {
      spawnSync(ENGINE, ['volume', 'rm', '--force', volume]);
    }
  }, 600_000);

  test('`onward dev` is not in the image, and says so', () => {
    const result = spawnSync(ENGINE, ['run', '--rm', IMAGE, 'dev'], { encoding: 'utf8', timeout: 60_000 });
    expect(result.status).toBe(1);
    expect(result.stderr).toContain('`onward dev` is a development command');
  });

  test('the health check reports whether the worker polls: unhealthy once the Temporal server is gone', async () => {
    expect(healthCheck('worker', ':9465/', `:${healthPort}/`).status).toBe(0);
    await testEnv.teardown();
    await eventually(() => {
      const { status, output } = healthCheck('worker', ':9465/', `:${healthPort}/`);
      if (status === 0) throw new Error('still healthy');
      expect(output).toBe('');
      return Promise.resolve();
    }, 30_000);
    // Back up, on the same port: the worker polls again.
    testEnv = await TestWorkflowEnvironment.createLocal({
      server: { executable: serverExecutable('temporal'), port: Number(testEnv.address.split(':')[1]), searchAttributes: [...ONWARD_SEARCH_ATTRIBUTES] },
    });
    await eventually(() => {
      if (healthCheck('worker', ':9465/', `:${healthPort}/`).status !== 0) throw new Error('not healthy again');
      return Promise.resolve();
    }, 60_000);
  });

  test('SIGTERM (`docker stop`): the worker drains and exits 0', () => {
    engine(['stop', '--time', '45', containers.worker], 90_000);
    expect(engine(['inspect', '--format', '{{.State.ExitCode}}', containers.worker]).trim()).toBe('0');
    expect(logsOf('worker')).toContain('Onward worker stopped.');
  });
});
