import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One request to the token endpoint, as the provider saw it (form fields). */
export type TokenGrant = Record<string, string>;

export interface TestOAuthProvider {
  /** The token endpoint (RFC 6749 section 3.2), as ONWARD_IMAP_OAUTH_TOKEN_URL takes it. */
  tokenUrl: string;
  /** The introspection endpoint (RFC 7662), as dovecot's oauth2 passdb asks it. */
  introspectionUrl: string;
  clientId: string;
  clientSecret: string;
  refreshToken: string;
  grants: TokenGrant[];
  /** The access tokens issued, oldest first. */
  issued: string[];
  /** Tokens issued from now on live this long (expires_in). */
  setLifetime(seconds: number): void;
  /** Every token issued so far is no longer active (as if revoked or expired early). */
  revokeAll(): void;
  close(): Promise<void>;
}

/**
 * The identity provider for XOAUTH2 tests: a token endpoint that speaks the real OAuth 2.0 token response shape
 * (refresh-token and client-credentials grants, client authentication in the form, rotated refresh tokens like
 * Microsoft's) and an introspection endpoint for dovecot, answering `active` and the user each token belongs to.
 */
export async function startOAuthProvider(options: { user: string; lifetimeSeconds?: number }): Promise<TestOAuthProvider> {
  const clientId = 'onward-test-client';
  const clientSecret = `secret-${randomBytes(12).toString('hex')}`;
  const refreshTokens = new Set([`refresh-${randomBytes(12).toString('hex')}`]);
  const [refreshToken] = refreshTokens;
  let lifetimeSeconds = options.lifetimeSeconds ?? 3600;
  const active = new Map<string, { user: string; expiresAt: number }>();
  const grants: TokenGrant[] = [];
  const issued: string[] = [];

  const server = createServer((request, response) => void answer(request, response));
  async function answer(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const form = Object.fromEntries(new URLSearchParams(await bodyOf(request)));
    const reply = (status: number, body: object) => {
      response.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store' });
      response.end(JSON.stringify(body));
    };
    if (request.method === 'POST' && request.url === '/token') {
      grants.push(form);
      if (form.client_id !== clientId || form.client_secret !== clientSecret) return reply(401, { error: 'invalid_client', error_description: 'Client authentication failed.' });
      if (form.grant_type === 'refresh_token' && !refreshTokens.has(form.refresh_token ?? '')) {
        return reply(400, { error: 'invalid_grant', error_description: 'The refresh token is invalid or has been revoked.' });
      }
      if (form.grant_type !== 'refresh_token' && form.grant_type !== 'client_credentials') return reply(400, { error: 'unsupported_grant_type' });
      const accessToken = `access-${randomBytes(18).toString('base64url')}`;
      active.set(accessToken, { user: options.user, expiresAt: Date.now() + lifetimeSeconds * 1000 });
      issued.push(accessToken);
      const rotated = form.grant_type === 'refresh_token' ? `refresh-${randomBytes(12).toString('hex')}` : undefined;
      if (rotated) refreshTokens.add(rotated);
      return reply(200, { token_type: 'Bearer', access_token: accessToken, expires_in: lifetimeSeconds, ...(rotated ? { refresh_token: rotated } : {}) });
    }
    if (request.method === 'POST' && request.url === '/introspect') {
      const token = active.get(form.token ?? '');
      if (!token || token.expiresAt <= Date.now()) return reply(200, { active: false });
      return reply(200, { active: true, username: token.user, exp: Math.floor(token.expiresAt / 1000) });
    }
    reply(404, { error: 'not_found' });
  }
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    tokenUrl: `${base}/token`,
    introspectionUrl: `${base}/introspect`,
    clientId,
    clientSecret,
    refreshToken: refreshToken as string,
    grants,
    issued,
    setLifetime(seconds) {
      lifetimeSeconds = seconds;
    },
    revokeAll() {
      active.clear();
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

async function bodyOf(request: IncomingMessage): Promise<string> {
  let body = '';
  for await (const chunk of request) body += String(chunk);
  return body;
}
