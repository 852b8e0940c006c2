import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { ConnectionOptions } from '@temporalio/client';
import type { NativeConnectionOptions } from '@temporalio/worker';
import { describe, expect, test } from 'vitest';
import { readWorkerConfig, type WorkerConfig } from '../../worker/config';
import { connectionOptions, describeConnection, readTemporalSettings } from '../../common/connection';
import { workerTuning } from '../../worker/worker';
import { problemsOf, useWorkerConfigScratch } from '../helpers/worker-config';

// The production settings: Temporal connection (plain, TLS, mTLS, API key, config-file profiles), worker tuning and
// the prebuilt bundle. Every environment here is hermetic (see useWorkerConfigScratch).

const { scratch, base } = useWorkerConfigScratch('onward-config-');

function file(name: string, content: string): string {
  const target = path.join(scratch, name);
  writeFileSync(target, content);
  return target;
}

const API_KEY = 'tmprl-api-key-that-must-never-be-printed';

describe('Temporal connection settings', () => {
  test('by default: localhost:7233, namespace "default", no TLS, as before', () => {
    const config = readWorkerConfig(base);
    expect(config.TEMPORAL_ADDRESS).toBe('localhost:7233');
    expect(config.TEMPORAL_NAMESPACE).toBe('default');
    expect(connectionOptions(config)).toEqual({ address: 'localhost:7233', tls: false });
    expect(describeConnection(config)).toBe('localhost:7233, namespace default, no TLS');
  });

  test('a self-hosted cluster without TLS (the compose file): address and namespace from the environment', () => {
    const config = readWorkerConfig({ ...base, TEMPORAL_ADDRESS: 'temporal:7233', TEMPORAL_NAMESPACE: 'onward', TEMPORAL_TLS: '' });
    expect(connectionOptions(config)).toEqual({ address: 'temporal:7233', tls: false });
    expect(config.TEMPORAL_NAMESPACE).toBe('onward');
  });

  test('Temporal Cloud with an API key: TLS turns on by itself; the key is used but never described', () => {
    const config = readWorkerConfig({
      ...base,
      TEMPORAL_ADDRESS: 'us-east-1.aws.api.temporal.io:7233',
      TEMPORAL_NAMESPACE: 'onward.a1b2c',
      TEMPORAL_API_KEY: API_KEY,
    });
    const options = connectionOptions(config);
    expect(options.apiKey).toBe(API_KEY);
    expect(options.tls).toBeTruthy();
    expect(describeConnection(config)).toBe('us-east-1.aws.api.temporal.io:7233, namespace onward.a1b2c, TLS, API key');
    expect(JSON.stringify(config.temporal)).toContain(API_KEY); // held in memory to connect...
    expect(describeConnection(config)).not.toContain(API_KEY); // ...but never written out
  });

  test('mTLS: the certificate, key and CA files are read when connecting', () => {
    const cert = file('client.pem', '-----BEGIN CERTIFICATE-----\nclient\n-----END CERTIFICATE-----\n');
    const key = file('client.key', '-----BEGIN PRIVATE KEY-----\nsecret\n-----END PRIVATE KEY-----\n');
    const ca = file('ca.pem', '-----BEGIN CERTIFICATE-----\nca\n-----END CERTIFICATE-----\n');
    const config = readWorkerConfig({
      ...base,
      TEMPORAL_ADDRESS: 'onward.a1b2c.tmprl.cloud:7233',
      TEMPORAL_TLS_CLIENT_CERT_PATH: cert,
      TEMPORAL_TLS_CLIENT_KEY_PATH: key,
      TEMPORAL_TLS_SERVER_CA_CERT_PATH: ca,
      TEMPORAL_TLS_SERVER_NAME: 'onward.internal',
    });
    const { tls } = connectionOptions(config);
    if (!tls || tls === true) throw new Error('expected a TLS configuration');
    expect(Buffer.from(tls.clientCertPair?.crt ?? []).toString()).toContain('client');
    expect(Buffer.from(tls.clientCertPair?.key ?? []).toString()).toContain('secret');
    expect(Buffer.from(tls.serverRootCACertificate ?? []).toString()).toContain('ca');
    expect(tls.serverNameOverride).toBe('onward.internal');
    expect(describeConnection(config)).toBe('onward.a1b2c.tmprl.cloud:7233, namespace default, mTLS, custom CA, server name onward.internal');
  });

  test('TLS with the system CAs only (TEMPORAL_TLS=true), and TLS switched off explicitly', () => {
    expect(connectionOptions(readWorkerConfig({ ...base, TEMPORAL_TLS: 'true' })).tls).toEqual({});
    expect(connectionOptions(readWorkerConfig({ ...base, TEMPORAL_TLS: 'FALSE' })).tls).toBe(false);
  });

  test('the options fit both the worker (NativeConnection) and the client (Connection)', () => {
    const options = connectionOptions(readWorkerConfig({ ...base, TEMPORAL_API_KEY: API_KEY }));
    const forWorker: NativeConnectionOptions = options;
    const forClient: ConnectionOptions = options;
    expect(forWorker.address).toBe(forClient.address);
  });

  test('a profile of a Temporal config file (as written by `temporal config set`), under the environment', () => {
    const cert = file('profile-client.pem', 'cert');
    const key = file('profile-client.key', 'key');
    const toml = file(
      'temporal.toml',
      [
        '[profile.prod]',
        'address = "onward.a1b2c.tmprl.cloud:7233"',
        'namespace = "onward.a1b2c"',
        '[profile.prod.tls]',
        `client_cert_path = "${cert}"`,
        `client_key_path = "${key}"`,
        '[profile.cloud-key]',
        'address = "us-east-1.aws.api.temporal.io:7233"',
        'namespace = "onward.a1b2c"',
        `api_key = "${API_KEY}"`,
      ].join('\n'),
    );
    const prod = readWorkerConfig({ ...base, TEMPORAL_CONFIG_FILE: toml, TEMPORAL_PROFILE: 'prod' });
    expect(prod.TEMPORAL_ADDRESS).toBe('onward.a1b2c.tmprl.cloud:7233');
    expect(prod.TEMPORAL_NAMESPACE).toBe('onward.a1b2c');
    expect(describeConnection(prod)).toBe(`onward.a1b2c.tmprl.cloud:7233, namespace onward.a1b2c, mTLS, profile "prod" of ${toml}`);

    // A variable beats the file.
    const overridden = readWorkerConfig({ ...base, TEMPORAL_CONFIG_FILE: toml, TEMPORAL_PROFILE: 'prod', TEMPORAL_NAMESPACE: 'staging.a1b2c' });
    expect(overridden.TEMPORAL_NAMESPACE).toBe('staging.a1b2c');

    const withKey = readWorkerConfig({ ...base, TEMPORAL_CONFIG_FILE: toml, TEMPORAL_PROFILE: 'cloud-key' });
    expect(connectionOptions(withKey)).toMatchObject({ address: 'us-east-1.aws.api.temporal.io:7233', apiKey: API_KEY, tls: {} });
  });

  test('the default config file (~/.config/temporalio/temporal.toml) is read, as the Temporal CLI does', () => {
    const home = mkdtempSync(path.join(scratch, 'xdg-'));
    const directory = path.join(home, 'temporalio');
    mkdirSync(directory);
    writeFileSync(path.join(directory, 'temporal.toml'), '[profile.default]\naddress = "temporal.internal:7233"\nnamespace = "onward"\n');
    const settings = readTemporalSettings({ XDG_CONFIG_HOME: home });
    expect(settings).toMatchObject({ address: 'temporal.internal:7233', namespace: 'onward', tls: false, profile: { name: 'default' } });
  });

  test('each problem names its variable (or config-file key) and what is wrong, all at once', () => {
    const cert = file('lonely.pem', 'cert');
    const message = problemsOf({
      ...base,
      TEMPORAL_ADDRESS: 'temporal',
      TEMPORAL_TLS: 'yes',
      TEMPORAL_TLS_CLIENT_CERT_PATH: cert,
      TEMPORAL_TLS_SERVER_CA_CERT_PATH: '/nowhere/ca.pem',
    });
    expect(message).toContain('TEMPORAL_ADDRESS: must be host:port, e.g. localhost:7233');
    expect(message).toContain('TEMPORAL_TLS: must be true or false');
    expect(message).toContain('TEMPORAL_TLS_SERVER_CA_CERT_PATH: /nowhere/ca.pem does not exist or cannot be read');
    expect(message).toContain('TEMPORAL_TLS_CLIENT_KEY_PATH: mTLS needs both a client certificate and its private key');
    expect(message.match(/TEMPORAL_ADDRESS/g)).toHaveLength(1);
  });

  test('an API key is never sent without TLS, and never quoted in the error', () => {
    const message = problemsOf({ ...base, TEMPORAL_API_KEY: API_KEY, TEMPORAL_TLS: 'false' });
    expect(message).toContain('TEMPORAL_TLS: TLS is off, but an API key is set');
    expect(message).not.toContain(API_KEY);
  });

  test('config-file problems: a missing file, an unknown profile, and bad TOML described without its content', () => {
    expect(problemsOf({ ...base, TEMPORAL_CONFIG_FILE: '/nowhere/temporal.toml' })).toContain(
      'TEMPORAL_CONFIG_FILE: /nowhere/temporal.toml does not exist',
    );
    const toml = file('one-profile.toml', '[profile.prod]\naddress = "a.example.com:7233"\n');
    expect(problemsOf({ ...base, TEMPORAL_CONFIG_FILE: toml, TEMPORAL_PROFILE: 'staging' })).toContain(
      `TEMPORAL_PROFILE: profile "staging" is not in ${toml}`,
    );
    const broken = file('broken.toml', `[profile.prod]\napi_key = "${API_KEY}\naddress = 7233\n`);
    const message = problemsOf({ ...base, TEMPORAL_CONFIG_FILE: broken, TEMPORAL_PROFILE: 'prod' });
    expect(message).toMatch(/TEMPORAL_CONFIG_FILE: is not valid TOML \(line \d+, column \d+\)/);
    expect(message).not.toContain(API_KEY);
    const unknownKey = file('unknown-key.toml', '[profile.prod]\nadress = "a.example.com:7233"\n');
    expect(problemsOf({ ...base, TEMPORAL_CONFIG_FILE: unknownKey, TEMPORAL_PROFILE: 'prod' })).toContain('TEMPORAL_CONFIG_FILE: key(s) unrecognized in profile.prod: adress');
    const badPath = file('bad-path.toml', '[profile.prod]\n[profile.prod.tls]\nclient_cert_path = "/nowhere/c.pem"\nclient_key_path = "/nowhere/c.key"\n');
    expect(problemsOf({ ...base, TEMPORAL_CONFIG_FILE: badPath, TEMPORAL_PROFILE: 'prod' })).toContain(
      `tls.client_cert_path in profile "prod" of ${badPath}: /nowhere/c.pem does not exist or cannot be read`,
    );
  });
});

describe('worker tuning and the prebuilt bundle', () => {
  test('tuning variables become the worker options; rates accept per-second numbers or "N/unit"', () => {
    const config = readWorkerConfig({
      ...base,
      ONWARD_MAX_CONCURRENT_ACTIVITIES: '8',
      ONWARD_MAX_CONCURRENT_WORKFLOW_TASKS: '40',
      ONWARD_MAX_CACHED_WORKFLOWS: '0',
      ONWARD_WORKER_ACTIVITY_RATE: '2',
      ONWARD_TASK_QUEUE_ACTIVITY_RATE: '400/day',
      ONWARD_SHUTDOWN_GRACE_TIME: '1 minute',
    });
    expect(workerTuning(config)).toEqual({
      maxConcurrentActivityTaskExecutions: 8,
      maxConcurrentWorkflowTaskExecutions: 40,
      maxCachedWorkflows: 0,
      maxActivitiesPerSecond: 2,
      maxTaskQueueActivitiesPerSecond: 400 / 86_400,
      shutdownGraceTime: 60_000,
    });
    expect(readWorkerConfig({ ...base, ONWARD_TASK_QUEUE_ACTIVITY_RATE: '30 / minute' }).ONWARD_TASK_QUEUE_ACTIVITY_RATE).toBe(0.5);
    expect(readWorkerConfig({ ...base, ONWARD_TASK_QUEUE_ACTIVITY_RATE: '1/hour' }).ONWARD_TASK_QUEUE_ACTIVITY_RATE).toBeCloseTo(1 / 3600);
    expect(readWorkerConfig({ ...base, ONWARD_SEND_RATE: '200/hour' }).ONWARD_SEND_RATE).toBeCloseTo(200 / 3600);
  });

  test('unset or empty tuning (Compose passes `${VAR:-}` as ""): the SDK defaults, a 100-sequence cache, a 30-second drain', () => {
    const config: WorkerConfig = readWorkerConfig({ ...base, ONWARD_MAX_CONCURRENT_ACTIVITIES: '', ONWARD_TASK_QUEUE_ACTIVITY_RATE: '', ONWARD_MAX_CACHED_WORKFLOWS: '' });
    expect(workerTuning(config)).toEqual({
      maxConcurrentActivityTaskExecutions: undefined,
      maxConcurrentWorkflowTaskExecutions: undefined,
      maxCachedWorkflows: 100,
      maxActivitiesPerSecond: undefined,
      maxTaskQueueActivitiesPerSecond: undefined,
      shutdownGraceTime: 30_000,
    });
  });

  test('bad tuning is refused with the variable and the reason', () => {
    const message = problemsOf({
      ...base,
      ONWARD_MAX_CONCURRENT_ACTIVITIES: 'many',
      ONWARD_MAX_CONCURRENT_WORKFLOW_TASKS: '1',
      ONWARD_WORKER_ACTIVITY_RATE: '0',
      ONWARD_TASK_QUEUE_ACTIVITY_RATE: '500/fortnight',
      ONWARD_SHUTDOWN_GRACE_TIME: 'soon',
      ONWARD_METRICS_ADDRESS: '9464',
    });
    expect(message).toContain('ONWARD_MAX_CONCURRENT_ACTIVITIES: must be a whole number, e.g. 20');
    expect(message).toContain('ONWARD_MAX_CONCURRENT_WORKFLOW_TASKS: must be at least 2');
    expect(message).toContain('ONWARD_WORKER_ACTIVITY_RATE: must be a positive rate');
    expect(message).toContain('ONWARD_TASK_QUEUE_ACTIVITY_RATE: must be a positive rate');
    expect(message).toContain('ONWARD_SHUTDOWN_GRACE_TIME: must be a duration with a unit');
    expect(message).toContain('ONWARD_METRICS_ADDRESS: must be host:port, e.g. 0.0.0.0:9464');
  });

  test('ONWARD_WORKFLOW_BUNDLE must name a file that is there', () => {
    expect(problemsOf({ ...base, ONWARD_WORKFLOW_BUNDLE: '/nowhere/workflow-bundle.js' })).toContain(
      'ONWARD_WORKFLOW_BUNDLE: /nowhere/workflow-bundle.js does not exist or cannot be read',
    );
    const bundle = file('workflow-bundle.js', '// bundle');
    expect(readWorkerConfig({ ...base, ONWARD_WORKFLOW_BUNDLE: bundle }).ONWARD_WORKFLOW_BUNDLE).toBe(bundle);
  });

  test('the SMTP password is never part of an error', () => {
    const message = problemsOf({ ...base, SMTP_URL: 'http://user:hunter2@mail.example.com', TEMPORAL_TLS: 'maybe' });
    expect(message).toContain('SMTP_URL: must be an smtp:// or smtps:// URL');
    expect(message).not.toContain('hunter2');
  });
});
