import { describe, expect, it } from 'vitest';
import { ConfigError, readWorkerConfig, redactUrl } from '../../worker/config';

/**
 * The worker's start-up line names its SMTP server (`via smtp://…`, worker/worker.ts) and must never show the password
 * (issue 11, finding 6): one with an unencoded "@" in its user name was printed whole.
 */
const base = { ONWARD_FROM: 'onward@onward.test', TEMPORAL_ADDRESS: '127.0.0.1:7233', ONWARD_CODEC_KEYS: `k1:${Buffer.alloc(32, 7).toString('base64')}` };

function configProblem(smtpUrl: string): string {
  try {
    readWorkerConfig({ ...base, SMTP_URL: smtpUrl });
  } catch (error) {
    if (error instanceof ConfigError) return error.message;
    throw error;
  }
  return '';
}

describe('SMTP URL in logs', () => {
  it('hides the password of an encoded URL, whatever it contains', () => {
    expect(redactUrl('smtp://mailer%40onward.test:Pl41nPassw0rd@mail.onward.test:587')).toBe('smtp://mailer%40onward.test:***@mail.onward.test:587');
    expect(redactUrl('smtps://mailer:p%40ss%2Fw%3Ard@mail.onward.test')).toBe('smtps://mailer:***@mail.onward.test');
    expect(redactUrl('smtp://mail.onward.test:25')).toBe('smtp://mail.onward.test:25');
  });

  it('never prints the password of the URLs that leaked', () => {
    for (const url of ['smtp://mailer@onward.test:Pl41nPassw0rd@host', 'smtp://mailer:Pl41n@Passw0rd@host', 'smtp://mailer:Pl41n/Passw0rd@host']) {
      expect(redactUrl(url)).not.toMatch(/Pl41n|Passw0rd/);
    }
  });

  it('refuses an unencoded "@" or "/" in the user info, saying how to encode it, without echoing the URL', () => {
    for (const url of ['smtp://mailer@onward.test:Pl41nPassw0rd@host', 'smtp://mailer:Pl41n@Passw0rd@host:587', 'smtp://mailer:Pl41n/Passw0rd@host']) {
      const message = configProblem(url);
      expect(message, url).toContain('SMTP_URL: has an "@" or "/" in its user name or password: percent-encode them ("@" as %40, "/" as %2F');
      expect(message, url).not.toMatch(/Pl41n|Passw0rd/);
    }
    expect(configProblem('smtp://mailer%40onward.test:Pl41n%40Passw0rd@host:587')).toBe('');
  });
});
