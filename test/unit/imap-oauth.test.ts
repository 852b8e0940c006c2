import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readSecretFiles } from '../../common/secret-files';
import { imapOAuthSettingsOf, readWorkerConfig } from '../../worker/config';
import { createAccessTokenSource, EXPIRY_MARGIN_MS } from '../../worker/replies/oauth-token';
import { startOAuthProvider, type TestOAuthProvider } from '../helpers/oauth-provider';
import { problemsOf, useWorkerConfigScratch } from '../helpers/worker-config';

describe('ONWARD_IMAP_OAUTH_* (XOAUTH2 logins)', () => {
  const { base } = useWorkerConfigScratch('onward-imap-oauth-config-');
  const mailbox = { ONWARD_IMAP_URL: 'imaps://replies%40agency.com@outlook.office365.com/INBOX' };
  const appOnly = {
    ...mailbox,
    ONWARD_IMAP_OAUTH_TOKEN_URL: 'https://login.microsoftonline.com/contoso.onmicrosoft.com/oauth2/v2.0/token',
    ONWARD_IMAP_OAUTH_CLIENT_ID: '00000000-1111-2222-3333-444444444444',
    ONWARD_IMAP_OAUTH_CLIENT_SECRET: 'Cl1ent~Secret.Value',
    ONWARD_IMAP_OAUTH_SCOPE: 'https://outlook.office365.com/.default',
  };

  it('reads the client-credentials and refresh-token set-ups', () => {
    expect(imapOAuthSettingsOf(readWorkerConfig({ ...base, ...appOnly }))).toEqual({
      tokenUrl: appOnly.ONWARD_IMAP_OAUTH_TOKEN_URL,
      clientId: appOnly.ONWARD_IMAP_OAUTH_CLIENT_ID,
      clientSecret: appOnly.ONWARD_IMAP_OAUTH_CLIENT_SECRET,
      scope: appOnly.ONWARD_IMAP_OAUTH_SCOPE,
    });
    const gmail = {
      ONWARD_IMAP_URL: 'imaps://replies%40agency.com@imap.gmail.com/INBOX',
      ONWARD_IMAP_OAUTH_TOKEN_URL: 'https://oauth2.googleapis.com/token',
      ONWARD_IMAP_OAUTH_CLIENT_ID: 'client.apps.googleusercontent.com',
      ONWARD_IMAP_OAUTH_CLIENT_SECRET: 'GOCSPX-secret',
      ONWARD_IMAP_OAUTH_REFRESH_TOKEN: '1//refresh-token',
    };
    expect(imapOAuthSettingsOf(readWorkerConfig({ ...base, ...gmail }))?.refreshToken).toBe('1//refresh-token');
    expect(imapOAuthSettingsOf(readWorkerConfig({ ...base, ONWARD_IMAP_URL: 'imaps://u:p@imap.example.com/INBOX' }))).toBeUndefined();
  });

  it('names each missing or contradictory setting, and never echoes a secret', () => {
    const withoutSecretAndScope = problemsOf({ ...base, ...appOnly, ONWARD_IMAP_OAUTH_CLIENT_SECRET: '', ONWARD_IMAP_OAUTH_SCOPE: '' });
    expect(withoutSecretAndScope).toContain('ONWARD_IMAP_OAUTH_CLIENT_SECRET: is required without ONWARD_IMAP_OAUTH_REFRESH_TOKEN (client-credentials grant)');
    expect(withoutSecretAndScope).toContain('ONWARD_IMAP_OAUTH_SCOPE: is required without ONWARD_IMAP_OAUTH_REFRESH_TOKEN');
    expect(problemsOf({ ...base, ...appOnly, ONWARD_IMAP_OAUTH_CLIENT_ID: '' })).toContain('ONWARD_IMAP_OAUTH_CLIENT_ID: is required for XOAUTH2');
    expect(problemsOf({ ...base, ...appOnly, ONWARD_IMAP_OAUTH_TOKEN_URL: '' })).toContain('ONWARD_IMAP_OAUTH_TOKEN_URL: is required with ONWARD_IMAP_OAUTH_CLIENT_ID');
    expect(problemsOf({ ...base, ...appOnly, ONWARD_IMAP_URL: '' })).toContain('ONWARD_IMAP_URL: is required with ONWARD_IMAP_OAUTH_TOKEN_URL');
    const both = problemsOf({ ...base, ...appOnly, ONWARD_IMAP_URL: 'imaps://replies%40agency.com:P4ssw0rd@outlook.office365.com/INBOX' });
    expect(both).toContain('ONWARD_IMAP_URL: has a password, but ONWARD_IMAP_OAUTH_* logs in with a token');
    expect(both).not.toContain('P4ssw0rd');
    const plainHttp = problemsOf({ ...base, ...appOnly, ONWARD_IMAP_OAUTH_TOKEN_URL: 'http://login.example.com/token' });
    expect(plainHttp).toContain('ONWARD_IMAP_OAUTH_TOKEN_URL: must be an https:// URL (http:// only on localhost)');
    expect(readWorkerConfig({ ...base, ...appOnly, ONWARD_IMAP_OAUTH_TOKEN_URL: 'http://127.0.0.1:8080/token' }).ONWARD_IMAP_OAUTH_TOKEN_URL).toBe('http://127.0.0.1:8080/token');
    expect(problemsOf({ ...base, ONWARD_IMAP_URL: mailbox.ONWARD_IMAP_URL })).toContain('ONWARD_IMAP_URL: needs a user name and a password (or app password), or ONWARD_IMAP_OAUTH_TOKEN_URL');
    expect(withoutSecretAndScope).not.toContain(appOnly.ONWARD_IMAP_OAUTH_CLIENT_ID);
  });

  it('reads the client secret and refresh token from *_FILE', () => {
    const files: Record<string, string> = { '/run/secrets/imap-client-secret': 'from-a-file\n', '/run/secrets/imap-refresh-token': '1//refresh\n' };
    const values = readSecretFiles(
      { ONWARD_IMAP_OAUTH_CLIENT_SECRET_FILE: '/run/secrets/imap-client-secret', ONWARD_IMAP_OAUTH_REFRESH_TOKEN_FILE: '/run/secrets/imap-refresh-token' },
      (file) => files[file] ?? '',
    );
    expect(values).toEqual({ ONWARD_IMAP_OAUTH_CLIENT_SECRET: 'from-a-file', ONWARD_IMAP_OAUTH_REFRESH_TOKEN: '1//refresh' });
  });
});

describe('the access token source', () => {
  let idp: TestOAuthProvider;
  beforeAll(async () => {
    idp = await startOAuthProvider({ user: 'replies@agency.test', lifetimeSeconds: 3600 });
  });
  afterAll(() => idp.close());

  it('keeps a token until shortly before it expires, then asks for a new one with the rotated refresh token', async () => {
    let clock = 1_000_000;
    const source = createAccessTokenSource(
      { tokenUrl: idp.tokenUrl, clientId: idp.clientId, clientSecret: idp.clientSecret, refreshToken: idp.refreshToken },
      { now: () => clock },
    );
    const before = idp.grants.length;
    const first = await source.token();
    clock += 3600_000 - EXPIRY_MARGIN_MS - 1;
    expect(await source.token()).toBe(first);
    expect(idp.grants.length - before).toBe(1);

    clock += 1;
    const second = await source.token();
    expect(second).not.toBe(first);
    const [firstGrant, secondGrant] = idp.grants.slice(before);
    expect(firstGrant?.refresh_token).toBe(idp.refreshToken);
    expect(secondGrant?.refresh_token).toMatch(/^refresh-/);
    expect(secondGrant?.refresh_token).not.toBe(idp.refreshToken);

    source.forget();
    expect(await source.token()).not.toBe(second);
  });

  it('reports the endpoint refusing with the error code and description, not the secret', async () => {
    const source = createAccessTokenSource({ tokenUrl: idp.tokenUrl, clientId: idp.clientId, clientSecret: 'not-the-secret', scope: 'https://outlook.office365.com/.default' });
    const refusal = source.token();
    await expect(refusal).rejects.toThrow(`the OAuth token endpoint ${new URL(idp.tokenUrl).origin} refused: invalid_client (Client authentication failed.)`);
    await expect(refusal).rejects.not.toThrow('not-the-secret');
  });
});
