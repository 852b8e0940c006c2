import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import Ajv from 'ajv';
import { parse } from 'yaml';
import { describe, expect, test } from 'vitest';
import { ONWARD_SEARCH_ATTRIBUTES } from '../../workflows/definitions';
import { ACTIVE_KEY_VARIABLE, CODEC_KEYS_VARIABLE, generateCodecKey, readCodecKeyring } from '../../common/codec';
import { readWorkerConfig, workerConfigSchema } from '../../worker/config';
import { STAGE_ATTRIBUTE } from '../../workflows/definitions';

// docker-compose.yml cannot be run here (no Docker engine): it is validated against the Compose Specification's
// JSON Schema and checked for what `docker compose up` relies on. The schema in fixtures/compose-spec.json is
// schema/compose-spec.json of github.com/compose-spec/compose-spec (the one `docker compose` embeds via compose-go).

const ROOT = path.resolve(__dirname, '..', '..');
const read = (file: string) => readFileSync(path.join(ROOT, file), 'utf8');

interface Service {
  image?: string;
  build?: unknown;
  container_name?: string;
  hostname?: string;
  ports?: unknown[];
  restart?: string;
  profiles?: string[];
  entrypoint?: string[];
  environment?: Record<string, string | number | boolean | null>;
  volumes?: (string | { source?: string })[];
  healthcheck?: { test?: string[] | string; disable?: boolean };
  depends_on?: Record<string, { condition: string; required?: boolean }> | string[];
  deploy?: { replicas?: number };
}
interface ComposeFile {
  name?: string;
  services: Record<string, Service>;
  secrets?: Record<string, { file?: string }>;
}

const composeText = read('docker-compose.yml');
const compose = parse(composeText) as ComposeFile;
const services = compose.services;

function validator() {
  const schema = JSON.parse(read('test/deploy/fixtures/compose-spec.json')) as Record<string, unknown>;
  // Ajv knows draft-07 by its http:// URI; the schema names it with https://. Same meta-schema.
  delete schema.$schema;
  return new Ajv({ allErrors: true, strict: false }).compile(schema);
}

/** Reads a dotenv file the simple way Compose does for KEY=VALUE lines. */
function dotenv(file: string): Record<string, string> {
  const values: Record<string, string> = {};
  for (const line of read(file).split('\n')) {
    const match = /^\s*([A-Za-z_][A-Za-z0-9_]*)=(.*)$/.exec(line);
    if (match) values[match[1] as string] = (match[2] as string).trim();
  }
  return values;
}

/** Compose's interpolation: ${VAR}, ${VAR:-default}, ${VAR-default}, ${VAR:?error}, ${VAR?error}, and $$. */
function interpolate(value: string, variables: Record<string, string>): string {
  return value.replace(/\$\$|\$\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?)([-?])([^}]*))?\}/g, (whole, name?: string, colon?: string, kind?: string, rest?: string) => {
    if (whole === '$$') return '$';
    const current = variables[name as string];
    const missing = current === undefined || (colon === ':' && current === '');
    if (!missing) return current;
    if (kind === '?') throw new Error(`required variable ${name}: ${rest}`);
    return rest ?? '';
  });
}

const dependencies = (service: Service) => (Array.isArray(service.depends_on) ? {} : (service.depends_on ?? {}));
const isOneShot = (service: Service) => !['always', 'unless-stopped'].includes(service.restart ?? 'no');

describe('docker-compose.yml', () => {
  test('is valid against the Compose Specification schema (and so is the mTLS overlay)', () => {
    const validate = validator();
    expect(validate(compose), JSON.stringify(validate.errors, null, 2)).toBe(true);
    const overlay = parse(read('deploy/compose.temporal-mtls.yml')) as unknown;
    expect(validate(overlay), JSON.stringify(validate.errors, null, 2)).toBe(true);
  });

  test('the schema check has teeth: a misspelt key or a bad condition is refused', () => {
    const validate = validator();
    const misspelt = structuredClone(compose);
    (misspelt.services.worker as Record<string, unknown>).healtcheck = { test: ['CMD', 'true'] };
    expect(validate(misspelt)).toBe(false);
    const badCondition = structuredClone(compose);
    (badCondition.services.worker as Service).depends_on = { temporal: { condition: 'service_ready' } };
    expect(validate(badCondition)).toBe(false);
  });

  test("follows Temporal's current self-hosting setup: PostgreSQL 16, admin-tools jobs, server, UI; no auto-setup", () => {
    expect(Object.keys(services).sort()).toEqual(['api', 'mailpit', 'postgresql', 'temporal', 'temporal-schema', 'temporal-setup', 'temporal-ui', 'worker']);
    expect(services.postgresql?.image).toMatch(/^postgres:16\./);
    expect(services['temporal-schema']?.image).toMatch(/^temporalio\/admin-tools:/);
    expect(services['temporal-setup']?.image).toMatch(/^temporalio\/admin-tools:/);
    expect(services.temporal?.image).toMatch(/^temporalio\/server:/);
    expect(services['temporal-ui']?.image).toMatch(/^temporalio\/ui:/);
    expect(services.mailpit?.image).toMatch(/^axllent\/mailpit:/);
    expect(composeText).not.toContain('auto-setup');
    // The server and the admin-tools jobs are the same Temporal release.
    expect(services.temporal?.image?.split(':')[1]).toBe(services['temporal-schema']?.image?.split(':')[1]);
    expect(services['temporal-setup']?.image).toBe(services['temporal-schema']?.image);
  });

  test('every third-party image is pinned to an exact version', () => {
    for (const [name, service] of Object.entries(services)) {
      if (service.build) continue; // Onward's own image, built from this repository
      expect(service.image, name).toMatch(/^[a-z0-9./-]+:v?\d+\.\d+(\.\d+)?$/);
    }
  });

  test('comes up in order: each dependency has a condition, backed by a health check or a one-shot job', () => {
    for (const [name, service] of Object.entries(services)) {
      expect(Array.isArray(service.depends_on), `${name}: depends_on must use conditions`).toBe(false);
      for (const [target, { condition }] of Object.entries(dependencies(service))) {
        const dependency = services[target];
        expect(dependency, `${name} depends on unknown ${target}`).toBeDefined();
        if (condition === 'service_healthy') expect(dependency?.healthcheck?.test, `${target} needs a health check`).toBeDefined();
        else if (condition === 'service_completed_successfully') expect(isOneShot(dependency as Service), `${target} must be a one-shot job`).toBe(true);
        else throw new Error(`${name} → ${target}: ${condition} does not wait for readiness`);
      }
    }
    const conditionOf = (from: string, to: string) => (dependencies(services[from] as Service)[to] ?? { condition: 'none' }).condition;
    expect(conditionOf('temporal-schema', 'postgresql')).toBe('service_healthy');
    expect(conditionOf('temporal', 'temporal-schema')).toBe('service_completed_successfully');
    expect(conditionOf('temporal-setup', 'temporal')).toBe('service_healthy');
    expect(conditionOf('worker', 'temporal-setup')).toBe('service_completed_successfully');
    expect(conditionOf('worker', 'temporal')).toBe('service_healthy');
    // Mailpit only runs in staging; the worker waits for it only when it is there.
    expect(services.mailpit?.profiles).toEqual(['staging']);
    expect(dependencies(services.worker as Service).mailpit).toEqual({ condition: 'service_healthy', required: false });
  });

  test('every long-running service that is waited on, and the worker, has a health check', () => {
    for (const name of ['postgresql', 'temporal', 'mailpit', 'worker', 'api']) {
      expect(services[name]?.healthcheck?.test, name).toBeDefined();
      expect(services[name]?.healthcheck?.disable, name).not.toBe(true);
    }
    // The worker's health check is its metrics endpoint, which the worker serves on this address.
    expect(services.worker?.environment?.ONWARD_METRICS_ADDRESS).toBe('0.0.0.0:9464');
    expect(JSON.stringify(services.worker?.healthcheck?.test)).toContain('http://127.0.0.1:9464/metrics');
    expect(JSON.stringify(services.api?.healthcheck?.test)).toContain(`http://127.0.0.1:${String(services.api?.environment?.ONWARD_API_PORT)}/health`);
  });

  test('the setup jobs: schemas of both databases; namespace and every search attribute (run for real in setup-namespace.test.ts)', () => {
    const script = read('deploy/temporal/setup-namespace.sh');
    for (const key of ONWARD_SEARCH_ATTRIBUTES) expect(script).toContain(`${key.name}:Keyword`);
    expect(ONWARD_SEARCH_ATTRIBUTES).toContain(STAGE_ATTRIBUTE);
    const schema = read('deploy/temporal/setup-schema.sh');
    for (const database of ['temporal', 'temporal_visibility']) expect(schema).toContain(`${database}:`);
    expect(schema).toMatch(/setup-schema -v 0\.0/);
    expect(schema).toMatch(/update-schema -d/);
  });

  test('the scripts and files it mounts exist, and the shell scripts parse', () => {
    for (const service of Object.values(services)) {
      for (const volume of service.volumes ?? []) {
        const source = typeof volume === 'string' ? volume.split(':')[0] : volume.source;
        if (source?.startsWith('./')) expect(existsSync(path.join(ROOT, source)), source).toBe(true);
      }
    }
    for (const script of ['deploy/temporal/setup-schema.sh', 'deploy/temporal/setup-namespace.sh']) {
      execFileSync('sh', ['-n', path.join(ROOT, script)]);
    }
    const dynamicConfig = parse(read('deploy/temporal/dynamicconfig/onward.yaml')) as Record<string, { value: unknown }[]>;
    expect(dynamicConfig['frontend.enableUpdateWorkflowExecution']?.[0]?.value).toBe(true);
    expect(services.temporal?.environment?.DYNAMIC_CONFIG_FILE_PATH).toBe('/etc/temporal/config/dynamicconfig/onward.yaml');
  });

  test('no secret is written inline: secrets come from .env, and .env.example holds none', () => {
    const secretName = /PASSWORD|PWD|SECRET|TOKEN|API_KEY|KEY_DATA|SMTP_URL|CODEC_KEYS/;
    const fromEnvFile = /^\$\{([A-Z0-9_]+)(:\?[^}]*|:-)?\}$/; // required, or empty by default: never a literal
    for (const [name, service] of Object.entries(services)) {
      for (const [key, value] of Object.entries(service.environment ?? {})) {
        if (secretName.test(key)) expect(String(value), `${name}.${key}`).toMatch(fromEnvFile);
      }
    }
    expect(composeText).not.toMatch(/:\/\/[^/\s:@]+:[^@\s]+@/); // no user:password@ in any URL
    const example = dotenv('.env.example');
    expect(example.POSTGRES_PASSWORD).toBe('');
    expect(example.SMTP_URL).toBe('smtp://mailpit:1025');
    for (const [key, value] of Object.entries(example)) {
      if (/PASSWORD|API_KEY|SECRET|TOKEN|CODEC_KEYS/.test(key)) expect(value, key).toBe('');
    }
    expect(read('.gitignore').split('\n')).toContain('.env');
    expect(read('.dockerignore').split('\n')).toEqual(expect.arrayContaining(['.env', '.env.*', '!.env.example']));
  });

  test('.env.example documents every variable the compose files read', () => {
    const example = dotenv('.env.example');
    const documented = new Set([...Object.keys(example), ...[...read('.env.example').matchAll(/^# ([A-Z][A-Z0-9_]+)=/gm)].map((match) => match[1])]);
    for (const text of [composeText, read('deploy/compose.temporal-mtls.yml')]) {
      for (const [, name] of text.matchAll(/\$\{([A-Z0-9_]+)[:?-]/g)) expect(documented.has(name as string), `${name} in .env.example`).toBe(true);
    }
  });

  test('the worker scales with --scale worker=N: no fixed name, host port or replica count', () => {
    const worker = services.worker as Service;
    expect(worker.container_name).toBeUndefined();
    expect(worker.hostname).toBeUndefined();
    expect(worker.ports).toBeUndefined();
    expect(worker.deploy?.replicas).toBeUndefined();
    expect(worker.build).toBeDefined();
    // Other services publish their ports on the loopback interface only.
    for (const [name, service] of Object.entries(services)) {
      for (const port of service.ports ?? []) expect(String(port), name).toMatch(/^127\.0\.0\.1:\d+:\d+$/);
    }
  });

  test('the worker gets exactly the settings Onward reads, and with .env.example they make a valid configuration', () => {
    const known = new Set([
      ...Object.keys(workerConfigSchema.shape),
      'TEMPORAL_API_KEY',
      'TEMPORAL_TLS',
      'TEMPORAL_TLS_SERVER_NAME',
      'TEMPORAL_TLS_CLIENT_CERT_PATH',
      'TEMPORAL_TLS_CLIENT_KEY_PATH',
      CODEC_KEYS_VARIABLE,
      ACTIVE_KEY_VARIABLE,
    ]);
    const environment = services.worker?.environment ?? {};
    const overlay = parse(read('deploy/compose.temporal-mtls.yml')) as ComposeFile;
    for (const key of [...Object.keys(environment), ...Object.keys(overlay.services.worker?.environment ?? {})]) expect(known.has(key), key).toBe(true);

    // .env.example leaves the secrets empty (and Compose refuses to start without them): fill them in as a user does.
    const variables = { ...dotenv('.env.example'), POSTGRES_PASSWORD: 'a-long-random-password', [CODEC_KEYS_VARIABLE]: `k1:${generateCodecKey()}` };
    expect(() => interpolate(String(environment[CODEC_KEYS_VARIABLE]), dotenv('.env.example'))).toThrow(/required variable ONWARD_CODEC_KEYS/);
    const resolved = Object.fromEntries(Object.entries(environment).map(([key, value]) => [key, interpolate(String(value), variables)]));
    const config = readWorkerConfig({ ...resolved, HOME: '/nonexistent', XDG_CONFIG_HOME: '/nonexistent' });
    expect(readCodecKeyring(resolved).activeKeyId).toBe('k1');
    expect(config).toMatchObject({
      TEMPORAL_ADDRESS: 'temporal:7233',
      TEMPORAL_NAMESPACE: 'onward',
      ONWARD_TASK_QUEUE: 'onward',
      SMTP_URL: 'smtp://mailpit:1025',
      ONWARD_SHUTDOWN_GRACE_TIME: '30 seconds',
      ONWARD_METRICS_ADDRESS: '0.0.0.0:9464',
    });
    expect(config.temporal?.tls).toBe(false);
    // The namespace the setup job creates is the one the worker uses.
    expect(interpolate(String(services['temporal-setup']?.environment?.TEMPORAL_NAMESPACE), variables)).toBe(config.TEMPORAL_NAMESPACE);
  });

  test("Onward's containers (worker, api) get only variables the code reads, and share one image", () => {
    const sources = ['common', 'worker', 'client', 'activities']
      .flatMap((directory) => readdirSync(path.join(ROOT, directory), { recursive: true, encoding: 'utf8' }).map((file) => path.join(directory, file)))
      .filter((file) => file.endsWith('.ts'))
      .map((file) => read(file))
      // The TEMPORAL_* connection variables are read by the SDK's environment configuration (common/connection.ts).
      .concat(read('node_modules/@temporalio/envconfig/lib/envconfig-toml.js'))
      .join('\n');
    for (const name of ['worker', 'api']) {
      const service = services[name] as Service;
      expect(service.build, name).toEqual(services.worker?.build);
      expect(service.image, name).toBe(services.worker?.image);
      for (const key of Object.keys(service.environment ?? {})) expect(sources.includes(`'${key}'`) || sources.includes(`.${key}`), `${name}: ${key}`).toBe(true);
    }
    expect(services.api?.environment?.ONWARD_API_RECORDS).toMatch(/^\/data\//);
    expect(services.api?.volumes).toEqual(['api-data:/data']);
    expect(read('Dockerfile')).toMatch(/mkdir \/data && chown node:node \/data/);
  });

  // Where the Compose CLI plugin is installed (it needs no Docker engine for this), let it have the last word.
  const composeCli = spawnSync('docker', ['compose', 'version'], { encoding: 'utf8' });
  test.skipIf(composeCli.status !== 0)('`docker compose config` accepts it', () => {
    const environment = {
      ...process.env,
      POSTGRES_PASSWORD: 'not-a-real-password',
      ONWARD_CODEC_KEYS: `k1:${generateCodecKey()}`,
      ONWARD_API_KEYS: 'agency:not-a-real-key',
      COMPOSE_PROFILES: 'staging',
    };
    execFileSync('docker', ['compose', '--env-file', '.env.example', '-f', 'docker-compose.yml', 'config', '--quiet'], { cwd: ROOT, env: environment });
  });
});

describe('Dockerfile', () => {
  const dockerfile = read('Dockerfile');
  const stages = dockerfile.split(/^FROM /m).slice(1);
  const runtime = stages.at(-1) ?? '';

  test('multi-stage: build, production dependencies, slim runtime on a pinned Debian Node image', () => {
    expect(dockerfile.match(/^FROM \$\{NODE_IMAGE\} AS (\w+)$/gm)).toEqual(['FROM ${NODE_IMAGE} AS build', 'FROM ${NODE_IMAGE} AS deps', 'FROM ${NODE_IMAGE} AS runtime']);
    expect(dockerfile).toMatch(/^ARG NODE_IMAGE=node:\d+\.\d+\.\d+-bookworm-slim$/m);
    expect(stages[0]).toMatch(/RUN npm ci [^\n]*--ignore-scripts/);
    expect(stages[1]).toMatch(/RUN npm ci --omit=dev [^\n]*--ignore-scripts/);
    expect(runtime).toContain('COPY --from=deps /app/node_modules ./node_modules');
    expect(runtime).toContain('COPY --from=build /app/dist ./dist');
  });

  test('builds the workflow bundle ahead of time, and the runtime loads it through ONWARD_WORKFLOW_BUNDLE', () => {
    expect(stages[0]).toContain('npx tsx scripts/bundle-workflows.ts dist/workflow-bundle.js');
    expect(runtime).toMatch(/ONWARD_WORKFLOW_BUNDLE=\/app\/dist\/workflow-bundle\.js/);
    // The compiled code looks for its templates beside it: dist/activities/../templates.
    expect(runtime).toContain('COPY templates ./dist/templates');
  });

  test('runs as the unprivileged node user, with `onward worker` as the default command', () => {
    expect(runtime).toMatch(/^USER node$/m);
    expect(runtime.indexOf('USER node')).toBeGreaterThan(runtime.lastIndexOf('RUN '));
    expect(runtime).toContain('ENTRYPOINT ["node", "/app/dist/client/cli.js"]');
    expect(runtime).toMatch(/^CMD \["worker"\]$/m);
  });

  test('the build context leaves out dependencies, build output and secrets', () => {
    const ignored = read('.dockerignore').split('\n');
    expect(ignored).toEqual(expect.arrayContaining(['node_modules', 'dist', '.git', '.temporal', '.env', '*.key', '*.pem']));
  });
});
