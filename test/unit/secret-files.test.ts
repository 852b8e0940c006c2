import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readSecretFiles } from '../../common/secret-files';

const directory = mkdtempSync(path.join(tmpdir(), 'onward-secrets-'));
afterAll(() => rmSync(directory, { recursive: true, force: true }));
const secret = (name: string, text: string) => {
  const file = path.join(directory, name);
  writeFileSync(file, text);
  return file;
};

describe('secrets from files (<NAME>_FILE, e.g. Compose secrets)', () => {
  it('reads each named file into its variable, without the trailing newline', () => {
    const keys = secret('codec-keys', 'k1:c2VjcmV0\n');
    const apiKey = secret('api-key', 'tcld-key');
    expect(readSecretFiles({ ONWARD_CODEC_KEYS_FILE: keys, TEMPORAL_API_KEY_FILE: apiKey })).toEqual({ ONWARD_CODEC_KEYS: 'k1:c2VjcmV0', TEMPORAL_API_KEY: 'tcld-key' });
    expect(readSecretFiles({ ONWARD_CODEC_KEYS: 'k1:c2VjcmV0' })).toEqual({});
  });

  it('names every variable at fault, and never echoes a secret', () => {
    const empty = secret('empty', '\n');
    let message = '';
    try {
      readSecretFiles({
        ONWARD_UNSUBSCRIBE_SECRET_FILE: path.join(directory, 'missing'),
        SMTP_URL: 'smtps://user:hunter2@mail.example.com',
        SMTP_URL_FILE: secret('smtp', 'smtps://user:other@mail.example.com'),
        ONWARD_CODEC_SERVER_TOKEN_FILE: empty,
      });
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).toContain(`ONWARD_UNSUBSCRIBE_SECRET_FILE: cannot read ${path.join(directory, 'missing')} (ENOENT)`);
    expect(message).toContain('SMTP_URL_FILE: set either SMTP_URL or SMTP_URL_FILE, not both');
    expect(message).toContain(`ONWARD_CODEC_SERVER_TOKEN_FILE: ${empty} is empty`);
    expect(message).not.toMatch(/hunter2|other@/);
  });
});
