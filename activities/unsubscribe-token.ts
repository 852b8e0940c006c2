import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * The token of an unsubscribe link (RFC 8058 one-click): `<payload>.<signature>`, both base64url, the payload the JSON
 * `{ e: email, s: sequence id, x: expiry (epoch seconds) }`, the signature HMAC-SHA256 of the payload text under
 * ONWARD_UNSUBSCRIBE_SECRET. The token is the only authority the unsubscribe endpoint asks for. Pure: no clock, no I/O.
 */
export interface UnsubscribeClaims {
  email: string;
  sequenceId: string;
  /** Epoch milliseconds. */
  expiresAt: number;
}

export type VerifiedToken = ({ ok: true } & UnsubscribeClaims) | { ok: false; reason: string };

/** How long an unsubscribe link works. */
export const UNSUBSCRIBE_TOKEN_LIFETIME_MS = 180 * 24 * 3_600_000;

const signature = (payload: string, secret: string) => createHmac('sha256', secret).update(payload).digest();

export function signUnsubscribeToken(claims: { email: string; sequenceId: string }, secret: string, now: number, lifetimeMs = UNSUBSCRIBE_TOKEN_LIFETIME_MS): string {
  const payload = Buffer.from(
    JSON.stringify({ e: claims.email.trim().toLowerCase(), s: claims.sequenceId, x: Math.floor((now + lifetimeMs) / 1000) }),
  ).toString('base64url');
  return `${payload}.${signature(payload, secret).toString('base64url')}`;
}

export function verifyUnsubscribeToken(token: string, secret: string, now: number): VerifiedToken {
  const [payload, signed, ...rest] = token.split('.');
  if (!payload || !signed || rest.length > 0) return { ok: false, reason: 'the link is malformed' };
  const expected = signature(payload, secret);
  const given = Buffer.from(signed, 'base64url');
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return { ok: false, reason: 'the link is not valid (bad signature)' };
  let claims: unknown;
  try {
    claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
  } catch {
    return { ok: false, reason: 'the link is malformed' };
  }
  if (!isClaims(claims)) return { ok: false, reason: 'the link is malformed' };
  const expiresAt = claims.x * 1000;
  if (now >= expiresAt) return { ok: false, reason: 'the link has expired' };
  return { ok: true, email: claims.e, sequenceId: claims.s, expiresAt };
}

function isClaims(value: unknown): value is { e: string; s: string; x: number } {
  if (!value || typeof value !== 'object') return false;
  const { e, s, x } = value as Record<string, unknown>;
  return typeof e === 'string' && e.includes('@') && typeof s === 'string' && s.length > 0 && typeof x === 'number' && Number.isFinite(x);
}

/** Where unsubscribe links point, and the key that signs them: both set, or no links at all. */
export interface UnsubscribeLinks {
  /** ONWARD_PUBLIC_URL: the API as the recipient reaches it, e.g. https://onward.example.com */
  publicUrl: string;
  /** ONWARD_UNSUBSCRIBE_SECRET */
  secret: string;
}

/** The unsubscribe links from the environment, when both settings are present. */
export function unsubscribeLinksFrom(environment: { ONWARD_PUBLIC_URL?: string; ONWARD_UNSUBSCRIBE_SECRET?: string } = process.env): UnsubscribeLinks | undefined {
  const publicUrl = environment.ONWARD_PUBLIC_URL;
  const secret = environment.ONWARD_UNSUBSCRIBE_SECRET;
  return publicUrl && secret ? { publicUrl, secret } : undefined;
}

/** The RFC 8058 headers of a message to `email` in one sequence. */
export function unsubscribeHeaders(links: UnsubscribeLinks, claims: { email: string; sequenceId: string }, now: number): Record<string, string> {
  const url = new URL('unsubscribe', links.publicUrl.endsWith('/') ? links.publicUrl : `${links.publicUrl}/`);
  url.searchParams.set('token', signUnsubscribeToken(claims, links.secret, now));
  return { 'List-Unsubscribe': `<${url.toString()}>`, 'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click' };
}
