import path from 'node:path';
import { describe, expect, test } from 'vitest';
import { readWorkerConfig } from '../../worker/config';
import { googleDependencies } from '../../worker/worker';
import { problemsOf, useWorkerConfigScratch } from '../helpers/worker-config';

const { scratch, base } = useWorkerConfigScratch('onward-google-config-');

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
