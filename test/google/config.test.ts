import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { ConfigError, readWorkerConfig } from '../../worker/config';
import { googleDependencies } from '../../worker/worker';

const scratch = mkdtempSync(path.join(os.tmpdir(), 'onward-google-config-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));
const base = { HOME: scratch, XDG_CONFIG_HOME: scratch, SMTP_URL: 'smtp://mail.example.com:587', ONWARD_FROM: 'onward@example.com' };

function problemsOf(environment: NodeJS.ProcessEnv): string {
  try {
    readWorkerConfig(environment);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as Error).message;
  }
  throw new Error('expected a ConfigError');
}

describe('the workers’ Google settings', () => {
  test('none by default: no Google clients, and the Google channels fail saying which settings are missing', () => {
    const config = readWorkerConfig(base);
    expect(config.ONWARD_GOOGLE_CREDENTIALS_DIR).toBeUndefined();
    expect(googleDependencies(config)).toBeUndefined();
  });

  test('a credentials directory and a default account', () => {
    const config = readWorkerConfig({ ...base, ONWARD_GOOGLE_CREDENTIALS_DIR: scratch, ONWARD_GOOGLE_ACCOUNT: 'agency' });
    expect(config).toMatchObject({ ONWARD_GOOGLE_CREDENTIALS_DIR: scratch, ONWARD_GOOGLE_ACCOUNT: 'agency' });
    const google = googleDependencies(config);
    expect(google?.accounts).toBeDefined();
    // The default account is used when a policy names none; its file is missing here, which says what to do.
    expect(() => google?.accounts.account(undefined, 'ada@example.com', [])).toThrow(/No Google credentials "agency" on this worker .*onward google auth agency/);
  });

  test('each bad setting is named', () => {
    expect(problemsOf({ ...base, ONWARD_GOOGLE_CREDENTIALS_DIR: path.join(scratch, 'missing') })).toMatch(/ONWARD_GOOGLE_CREDENTIALS_DIR: .*missing does not exist or cannot be read/);
    expect(problemsOf({ ...base, ONWARD_GOOGLE_CREDENTIALS_DIR: scratch, ONWARD_GOOGLE_ACCOUNT: '../ada' })).toMatch(/ONWARD_GOOGLE_ACCOUNT: must be the name of a file/);
    expect(problemsOf({ ...base, ONWARD_GOOGLE_ACCOUNT: 'ada' })).toMatch(/ONWARD_GOOGLE_ACCOUNT: needs ONWARD_GOOGLE_CREDENTIALS_DIR/);
  });
});
