import { accessSync, constants, existsSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import type { DataConverter } from '@temporalio/common';
import { loadClientConfigProfile, toClientOptions, type ClientConfigProfile, type ConfigDataSource } from '@temporalio/envconfig';
import type { NativeConnectionOptions } from '@temporalio/worker';
import { clientDataConverter } from './codec-keys';
import { ConfigError, type ConfigProblem } from './config-error';

// How Onward reaches Temporal: a local dev server, a self-hosted cluster (plain or TLS) or Temporal Cloud (mTLS or
// API key). The settings are the ones the Temporal CLI and SDKs share ("environment configuration"): the TEMPORAL_*
// variables, over an optional profile of a TOML config file (TEMPORAL_CONFIG_FILE, TEMPORAL_PROFILE). The worker, the
// API and every CLI command connect through `connectionOptions`, so they always agree.

export const DEFAULT_TEMPORAL_ADDRESS = 'localhost:7233';
export const DEFAULT_TEMPORAL_NAMESPACE = 'default';
export const DEFAULT_TASK_QUEUE = 'onward';
const ADDRESS = /^[^\s:]+:\d{1,5}$/;

export interface TemporalTls {
  /** Overrides the server name checked against the server's certificate (SNI). */
  serverName?: string;
  /** The CA that signed the server's certificate, when it is not one the system trusts. */
  serverCACert?: ConfigDataSource;
  /** mTLS: the client certificate and its private key. */
  clientCert?: ConfigDataSource;
  clientKey?: ConfigDataSource;
}

/** Where and how to connect to Temporal, resolved and checked; certificate files are read at connect time. */
export interface TemporalSettings {
  address: string;
  namespace: string;
  /** `false`: plain connection. Otherwise TLS, with the given certificates (none: the system's trusted CAs). */
  tls: false | TemporalTls;
  /** Temporal Cloud API key (a secret: never logged). */
  apiKey?: string;
  /** Extra gRPC headers (TEMPORAL_GRPC_META_*). */
  grpcMeta?: Record<string, string>;
  /** The config-file profile the settings started from, when one was found. */
  profile?: { name: string; file: string };
}

/** What both `NativeConnection.connect` (worker) and `Connection.connect` (client) accept. */
export type TemporalConnectionOptions = Pick<NativeConnectionOptions, 'address' | 'tls' | 'apiKey' | 'metadata'>;

type Environment = Record<string, string | undefined>;

function parseBoolean(value: string): boolean | undefined {
  if (/^(true|1)$/i.test(value)) return true;
  if (/^(false|0)$/i.test(value)) return false;
  return undefined;
}

/** The file the SDK reads when TEMPORAL_CONFIG_FILE is not set (same rules as @temporalio/envconfig). */
function defaultConfigFile(environment: Environment): string | undefined {
  let directory: string | undefined;
  if (os.platform() === 'win32') directory = environment.APPDATA;
  else if (os.platform() === 'darwin') directory = environment.HOME && path.join(environment.HOME, 'Library', 'Application Support');
  else directory = environment.XDG_CONFIG_HOME || (environment.HOME && path.join(environment.HOME, '.config'));
  return directory && path.isAbsolute(directory) ? path.join(directory, 'temporalio', 'temporal.toml') : undefined;
}

/** A TOML parse error, described by position only: the offending line could hold an API key. */
function describeLoadError(error: unknown): string {
  if (error instanceof Error && 'line' in error && 'column' in error) {
    return `is not valid TOML (line ${String(error.line)}, column ${String(error.column)})`;
  }
  const message = error instanceof Error ? error.message : String(error);
  // The SDK's own validation messages name keys and profiles, never values.
  return message.replace(/^Validation error: /, '');
}

/**
 * Resolves the Temporal settings from the environment (and the config-file profile it points at) and lists every
 * problem, each naming the variable or config-file key at fault. Secrets (API key, private key data) are never quoted.
 */
export function resolveTemporalSettings(environment: NodeJS.ProcessEnv = process.env): { settings?: TemporalSettings; problems: ConfigProblem[] } {
  const problems: ConfigProblem[] = [];
  // Compose passes `${VAR:-}` as an empty string: empty means unset.
  const env: Record<string, string> = {};
  for (const [key, value] of Object.entries(environment)) if (value !== undefined && value !== '') env[key] = value;

  for (const variable of ['TEMPORAL_TLS', 'TEMPORAL_TLS_DISABLE_HOST_VERIFICATION']) {
    const value = env[variable];
    if (value === undefined) continue;
    const flag = parseBoolean(value);
    if (flag === undefined) problems.push({ setting: variable, problem: 'must be true or false' });
    else env[variable] = String(flag); // the SDK reads only "true" and "1" as true
  }
  if (env.TEMPORAL_TLS_DISABLE_HOST_VERIFICATION === 'true') {
    problems.push({
      setting: 'TEMPORAL_TLS_DISABLE_HOST_VERIFICATION',
      problem: 'is not supported by the TypeScript SDK; set TEMPORAL_TLS_SERVER_NAME to the name on the server certificate instead',
    });
  }

  const configFile = env.TEMPORAL_CONFIG_FILE ?? defaultConfigFile(env);
  const fileSetting = env.TEMPORAL_CONFIG_FILE ? 'TEMPORAL_CONFIG_FILE' : `Temporal config file ${configFile ?? ''}`.trim();
  if (env.TEMPORAL_CONFIG_FILE && !existsSync(env.TEMPORAL_CONFIG_FILE)) {
    problems.push({ setting: 'TEMPORAL_CONFIG_FILE', problem: `${env.TEMPORAL_CONFIG_FILE} does not exist` });
    return { problems };
  }
  if (env.TEMPORAL_PROFILE && !configFile) {
    problems.push({ setting: 'TEMPORAL_PROFILE', problem: 'needs a config file: set TEMPORAL_CONFIG_FILE' });
    return { problems };
  }

  const profileName = env.TEMPORAL_PROFILE ?? 'default';
  const load = (withEnvironment: boolean): ClientConfigProfile =>
    loadClientConfigProfile({
      profile: env.TEMPORAL_PROFILE,
      configSource: env.TEMPORAL_CONFIG_FILE ? { path: env.TEMPORAL_CONFIG_FILE } : undefined,
      configFileStrict: true,
      disableEnv: !withEnvironment,
      overrideEnvVars: env,
    });
  let fromFile: ClientConfigProfile;
  let merged: ClientConfigProfile;
  try {
    fromFile = load(false);
    merged = load(true);
  } catch (error) {
    const message = error instanceof Error ? error.message : '';
    if (/^Profile '.*' not found/.test(message)) {
      problems.push({ setting: 'TEMPORAL_PROFILE', problem: `profile "${profileName}" is not in ${configFile ?? 'the config file'}` });
    } else {
      problems.push({ setting: fileSetting, problem: describeLoadError(error) });
    }
    return { problems };
  }
  const usedFile = Object.keys(fromFile).length > 0 && configFile !== undefined;
  // Which setting a value came from: the variable when it is set, else the profile's key.
  const source = (variable: string, key: string) => (env[variable] !== undefined || !usedFile ? variable : `${key} in profile "${profileName}" of ${configFile}`);

  const address = merged.address ?? DEFAULT_TEMPORAL_ADDRESS;
  if (!ADDRESS.test(address)) problems.push({ setting: source('TEMPORAL_ADDRESS', 'address'), problem: 'must be host:port, e.g. localhost:7233' });
  const namespace = merged.namespace ?? DEFAULT_TEMPORAL_NAMESPACE;

  const tlsConfig = merged.tls;
  const files: [keyof TemporalTls, string, string][] = [
    ['clientCert', 'TEMPORAL_TLS_CLIENT_CERT_PATH', 'tls.client_cert_path'],
    ['clientKey', 'TEMPORAL_TLS_CLIENT_KEY_PATH', 'tls.client_key_path'],
    ['serverCACert', 'TEMPORAL_TLS_SERVER_CA_CERT_PATH', 'tls.server_ca_cert_path'],
  ];
  for (const [field, variable, key] of files) {
    const data = tlsConfig?.[field];
    if (!data || typeof data === 'string' || !('path' in data)) continue;
    try {
      accessSync(data.path, constants.R_OK);
    } catch {
      problems.push({ setting: source(variable, key), problem: `${data.path} does not exist or cannot be read` });
    }
  }
  if (Boolean(tlsConfig?.clientCert) !== Boolean(tlsConfig?.clientKey)) {
    const [missing, key] = tlsConfig?.clientCert ? ['TEMPORAL_TLS_CLIENT_KEY_PATH', 'tls.client_key_path'] : ['TEMPORAL_TLS_CLIENT_CERT_PATH', 'tls.client_cert_path'];
    problems.push({ setting: source(missing, key), problem: 'mTLS needs both a client certificate and its private key' });
  }

  // TLS is on when asked for, or implied by an API key or any TLS setting (as in the SDK); off when disabled.
  const tlsEnabled = tlsConfig ? tlsConfig.disabled !== true : merged.apiKey !== undefined;
  if (!tlsEnabled && merged.apiKey !== undefined) {
    problems.push({ setting: source('TEMPORAL_TLS', 'tls.disabled'), problem: 'TLS is off, but an API key is set: the key would be sent in the clear' });
  }
  if (problems.length > 0) return { problems };

  const settings: TemporalSettings = {
    address,
    namespace,
    tls: tlsEnabled
      ? Object.fromEntries(
          Object.entries({
            serverName: tlsConfig?.serverName,
            serverCACert: tlsConfig?.serverCACert,
            clientCert: tlsConfig?.clientCert,
            clientKey: tlsConfig?.clientKey,
          }).filter(([, value]) => value !== undefined),
        )
      : false,
    ...(merged.apiKey !== undefined ? { apiKey: merged.apiKey } : {}),
    ...(merged.grpcMeta && Object.keys(merged.grpcMeta).length > 0 ? { grpcMeta: merged.grpcMeta } : {}),
    ...(usedFile ? { profile: { name: profileName, file: configFile } } : {}),
  };
  return { settings, problems };
}

/** The Temporal settings, or a ConfigError listing every problem. For clients that need nothing else. */
export function readTemporalSettings(environment: NodeJS.ProcessEnv = process.env): TemporalSettings {
  const { settings, problems } = resolveTemporalSettings(environment);
  if (!settings) throw ConfigError.of('Invalid Temporal connection settings', problems);
  return settings;
}

/** Anything that carries Temporal settings: TemporalSettings itself, or a WorkerConfig. */
export interface HasTemporalSettings {
  temporal?: TemporalSettings;
  TEMPORAL_ADDRESS?: string;
  TEMPORAL_NAMESPACE?: string;
}

function settingsOf(source: TemporalSettings | HasTemporalSettings): TemporalSettings {
  if ('tls' in source && 'address' in source) return source;
  return (
    source.temporal ?? {
      address: source.TEMPORAL_ADDRESS ?? DEFAULT_TEMPORAL_ADDRESS,
      namespace: source.TEMPORAL_NAMESPACE ?? DEFAULT_TEMPORAL_NAMESPACE,
      tls: false,
    }
  );
}

/**
 * The connection options for the worker's NativeConnection and the client's Connection alike: address, TLS (with
 * the certificate files read now, so a restart picks up rotated certificates), API key and gRPC headers.
 */
export function connectionOptions(source: TemporalSettings | HasTemporalSettings): TemporalConnectionOptions {
  const settings = settingsOf(source);
  const { connectionOptions: options } = toClientOptions({
    address: settings.address,
    namespace: settings.namespace,
    apiKey: settings.apiKey,
    grpcMeta: settings.grpcMeta,
    tls: settings.tls === false ? { disabled: true } : settings.tls,
  });
  return {
    address: options.address,
    tls: options.tls ?? false,
    ...(options.apiKey !== undefined ? { apiKey: options.apiKey } : {}),
    ...(options.metadata ? { metadata: options.metadata } : {}),
  };
}

/** The namespace to use with these settings. */
export function namespaceOf(source: TemporalSettings | HasTemporalSettings): string {
  return settingsOf(source).namespace;
}

/** One line for logs: where, which namespace, how it authenticates; never a secret. */
export function describeConnection(source: TemporalSettings | HasTemporalSettings): string {
  const settings = settingsOf(source);
  const security =
    settings.tls === false
      ? 'no TLS'
      : [
          settings.tls.clientCert ? 'mTLS' : 'TLS',
          settings.tls.serverCACert ? 'custom CA' : undefined,
          settings.tls.serverName ? `server name ${settings.tls.serverName}` : undefined,
        ]
          .filter(Boolean)
          .join(', ');
  const parts = [`${settings.address}`, `namespace ${settings.namespace}`, security];
  if (settings.apiKey !== undefined) parts.push('API key');
  if (settings.profile) parts.push(`profile "${settings.profile.name}" of ${settings.profile.file}`);
  return parts.join(', ');
}

/** What a client (the API, a CLI command) needs: the Temporal settings, as the worker resolves them, and the task queue. */
export interface ClientConfig {
  temporal: TemporalSettings;
  TEMPORAL_ADDRESS: string;
  TEMPORAL_NAMESPACE: string;
  ONWARD_TASK_QUEUE: string;
}

export class UnreachableServerError extends Error {
  override name = 'UnreachableServerError';
}

/** The client's settings, or a ConfigError naming every variable (or config-file key) at fault. */
export function readClientConfig(environment: NodeJS.ProcessEnv = process.env): ClientConfig {
  const { settings, problems } = resolveTemporalSettings(environment);
  const taskQueue = environment.ONWARD_TASK_QUEUE?.trim() || DEFAULT_TASK_QUEUE;
  if (!settings) throw ConfigError.of('Invalid Temporal connection settings', problems);
  return { temporal: settings, TEMPORAL_ADDRESS: settings.address, TEMPORAL_NAMESPACE: settings.namespace, ONWARD_TASK_QUEUE: taskQueue };
}

/**
 * Connects a client to Temporal with the same options as the worker (TLS, mTLS, API key, profile), failing within
 * seconds with a message that says what to do when nothing answers. Payloads are encrypted with the keys of the
 * environment (or the local key of `onward dev`): see common/codec-keys.ts.
 */
export async function connectClient(
  config: ClientConfig,
  options: { dataConverter?: DataConverter } = {},
): Promise<{ client: Client; close: () => Promise<void> }> {
  // Checked before connecting: a client without the key refuses to write personal data in clear.
  const dataConverter = options.dataConverter ?? clientDataConverter(process.env, config.TEMPORAL_ADDRESS);
  let connection: Connection;
  try {
    connection = await Connection.connect({ ...connectionOptions(config.temporal), connectTimeout: '5 seconds' });
  } catch (error) {
    throw new UnreachableServerError(
      `Cannot reach the Temporal server at ${describeConnection(config.temporal)} (${(error as Error).message}). ` +
        'Start one with `npx onward dev`, or check TEMPORAL_ADDRESS and the TLS settings (docs/production.md).',
    );
  }
  return { client: new Client({ connection, namespace: config.TEMPORAL_NAMESPACE, dataConverter }), close: () => connection.close() };
}
