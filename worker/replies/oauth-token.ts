/**
 * OAuth 2.0 for IMAP logins (XOAUTH2, docs/replies.md): where the access token comes from. Microsoft 365 takes no
 * password over IMAP; Gmail prefers a token to an app password.
 */
export interface ImapOAuthSettings {
  /** The provider's token endpoint, e.g. https://oauth2.googleapis.com/token. */
  tokenUrl: string;
  clientId: string;
  /** Absent for a public client (refresh-token grant only). */
  clientSecret?: string;
  /** Present: the refresh-token grant (Gmail, Microsoft 365 delegated); absent: client credentials (Microsoft 365 app-only). */
  refreshToken?: string;
  /** e.g. https://outlook.office365.com/.default; optional for the refresh-token grant. */
  scope?: string;
}

export interface AccessTokenSource {
  /** A token valid for at least a minute more: the cached one, or a new one from the token endpoint. */
  token(): Promise<string>;
  /** The server refused the token (revoked, or expired early): the next call fetches a new one. */
  forget(): void;
}

/** A token is renewed this long before it expires, so it cannot expire between fetching it and logging in. */
export const EXPIRY_MARGIN_MS = 60_000;
/** When the endpoint does not say (expires_in is optional in RFC 6749), a token is kept this long. */
const DEFAULT_LIFETIME_MS = 10 * 60_000;

export interface AccessTokenSourceOptions {
  fetch?: typeof fetch;
  now?: () => number;
}

/** The token endpoint's answer, as RFC 6749 section 5 defines it. */
interface TokenResponse {
  access_token?: unknown;
  expires_in?: unknown;
  refresh_token?: unknown;
  error?: unknown;
  error_description?: unknown;
}

/** Fetches access tokens with the refresh-token or client-credentials grant, and caches each until shortly before it expires. */
export function createAccessTokenSource(settings: ImapOAuthSettings, options: AccessTokenSourceOptions = {}): AccessTokenSource {
  const fetchToken = options.fetch ?? fetch;
  const now = options.now ?? Date.now;
  // Microsoft rotates refresh tokens: the newest one the endpoint returned is the one to use next.
  let refreshToken = settings.refreshToken;
  let cached: { token: string; renewAt: number } | undefined;

  async function request(): Promise<{ token: string; renewAt: number }> {
    const form = new URLSearchParams(
      refreshToken ? { grant_type: 'refresh_token', refresh_token: refreshToken } : { grant_type: 'client_credentials' },
    );
    form.set('client_id', settings.clientId);
    if (settings.clientSecret) form.set('client_secret', settings.clientSecret);
    if (settings.scope) form.set('scope', settings.scope);
    const requestedAt = now();
    const response = await fetchToken(settings.tokenUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
      body: form,
      signal: AbortSignal.timeout(30_000),
    });
    const text = await response.text();
    const body = parseTokenResponse(text);
    if (!response.ok || typeof body.access_token !== 'string' || body.access_token === '') {
      throw new Error(`the OAuth token endpoint ${new URL(settings.tokenUrl).origin} refused: ${describeRefusal(response.status, body)}`);
    }
    if (typeof body.refresh_token === 'string' && body.refresh_token !== '') refreshToken = body.refresh_token;
    const lifetimeMs = typeof body.expires_in === 'number' || typeof body.expires_in === 'string' ? Number(body.expires_in) * 1000 : NaN;
    const validMs = Number.isFinite(lifetimeMs) && lifetimeMs > 0 ? lifetimeMs : DEFAULT_LIFETIME_MS;
    return { token: body.access_token, renewAt: requestedAt + Math.max(validMs - EXPIRY_MARGIN_MS, 0) };
  }

  return {
    async token() {
      if (!cached || now() >= cached.renewAt) cached = await request();
      return cached.token;
    },
    forget() {
      cached = undefined;
    },
  };
}

function parseTokenResponse(text: string): TokenResponse {
  try {
    const parsed: unknown = JSON.parse(text);
    return typeof parsed === 'object' && parsed !== null ? parsed : {};
  } catch {
    return {};
  }
}

/** The endpoint's error code and description (never a token: error responses carry none). */
function describeRefusal(status: number, body: TokenResponse): string {
  const code = typeof body.error === 'string' ? body.error : `HTTP ${status}`;
  const description = typeof body.error_description === 'string' ? ` (${body.error_description.split(/\r?\n/)[0]})` : '';
  return status >= 200 && status < 300 && !body.error ? 'no access_token in the response' : `${code}${description}`;
}
