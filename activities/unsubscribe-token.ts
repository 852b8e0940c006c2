import { createCipheriv, createDecipheriv, createHmac, timingSafeEqual } from 'node:crypto';
import { DEFAULT_LOCALE, LOCALES, type Locale } from '../workflows/locale';

/**
 * The token of an unsubscribe link (RFC 8058 one-click): `u2.<sealed>`, base64url of AES-256-GCM over the JSON
 * `{ e: email, s: sequence id, x: expiry (epoch seconds) }`, with keys derived from ONWARD_UNSUBSCRIBE_SECRET. The
 * candidate's action links (./action-links.ts) are sealed the same way over `{ s, a: action, x }`; both carry `l`, the candidate's language for
 the page the link opens, when it is not English (tokens without it, as sent before, open English pages): opaque
 * (the address cannot be read from the link, in a log or a forwarded email) and authenticated (GCM's tag). The nonce is
 * an HMAC of the claims, so the same claims give the same token. The token is the only authority the unsubscribe
 * endpoint asks for. Tokens of the first format (`<base64 JSON>.<HMAC>`, readable) already sent in emails keep working
 * until they expire. Pure: no clock, no I/O.
 */
export interface UnsubscribeClaims {
  email: string;
  sequenceId: string;
  /** Epoch milliseconds. */
  expiresAt: number;
  /** The language of the page the link opens. */
  locale: Locale;
}

export type VerifiedToken = ({ ok: true } & UnsubscribeClaims) | { ok: false; reason: string };

/** How long an unsubscribe link works. */
export const UNSUBSCRIBE_TOKEN_LIFETIME_MS = 180 * 24 * 3_600_000;

/** The actions a candidate's link may carry (`stop` is the unsubscribe link itself). */
export const LINK_ACTIONS = ['ready', 'snooze', 'progress', 'hired'] as const;
export type LinkAction = (typeof LINK_ACTIONS)[number];

export interface ActionClaims {
  sequenceId: string;
  action: LinkAction;
  /** Epoch milliseconds. */
  expiresAt: number;
  /** The language of the page the link opens. */
  locale: Locale;
}

export type VerifiedActionToken = ({ ok: true } & ActionClaims) | { ok: false; reason: string };

/** How long an action link works: past the check-ins of a long sequence, shorter than an unsubscribe link. */
export const ACTION_TOKEN_LIFETIME_MS = 60 * 24 * 3_600_000;

const signature = (payload: string, secret: string) => createHmac('sha256', secret).update(payload).digest();

const SEALED_PREFIX = 'u2.';
const NONCE_BYTES = 12;
const TAG_BYTES = 16;
// One secret, two keys: one encrypts, one derives the nonce (never the same key for both jobs).
const subkey = (secret: string, purpose: string) => createHmac('sha256', secret).update(`onward unsubscribe token ${purpose}`).digest();

// English is the default: an English link's token stays exactly as before the locale was carried.
const localeClaim = (locale: Locale | undefined): Record<string, string> => (locale && locale !== DEFAULT_LOCALE ? { l: locale } : {});
const localeOf = (claim: unknown): Locale => (LOCALES as readonly unknown[]).includes(claim) ? (claim as Locale) : DEFAULT_LOCALE;

export function signUnsubscribeToken(claims: { email: string; sequenceId: string; locale?: Locale }, secret: string, now: number, lifetimeMs = UNSUBSCRIBE_TOKEN_LIFETIME_MS): string {
  return seal({ e: claims.email.trim().toLowerCase(), s: claims.sequenceId, x: Math.floor((now + lifetimeMs) / 1000), ...localeClaim(claims.locale) }, secret);
}

export function signActionToken(claims: { sequenceId: string; action: LinkAction; locale?: Locale }, secret: string, now: number, lifetimeMs = ACTION_TOKEN_LIFETIME_MS): string {
  return seal({ s: claims.sequenceId, a: claims.action, x: Math.floor((now + lifetimeMs) / 1000), ...localeClaim(claims.locale) }, secret);
}

function seal(claims: Record<string, string | number>, secret: string): string {
  const plain = Buffer.from(JSON.stringify(claims));
  const nonce = createHmac('sha256', subkey(secret, 'nonce')).update(plain).digest().subarray(0, NONCE_BYTES);
  const cipher = createCipheriv('aes-256-gcm', subkey(secret, 'encryption'), nonce);
  const sealed = Buffer.concat([nonce, cipher.update(plain), cipher.final(), cipher.getAuthTag()]);
  return `${SEALED_PREFIX}${sealed.toString('base64url')}`;
}

function openSealed(sealed: string, secret: string): Buffer | undefined {
  const bytes = Buffer.from(sealed, 'base64url');
  if (bytes.length <= NONCE_BYTES + TAG_BYTES) return undefined;
  try {
    const decipher = createDecipheriv('aes-256-gcm', subkey(secret, 'encryption'), bytes.subarray(0, NONCE_BYTES));
    decipher.setAuthTag(bytes.subarray(bytes.length - TAG_BYTES));
    return Buffer.concat([decipher.update(bytes.subarray(NONCE_BYTES, bytes.length - TAG_BYTES)), decipher.final()]);
  } catch {
    return undefined;
  }
}

export function verifyUnsubscribeToken(token: string, secret: string, now: number): VerifiedToken {
  if (token.startsWith(SEALED_PREFIX)) {
    const plain = openSealed(token.slice(SEALED_PREFIX.length), secret);
    if (!plain) return { ok: false, reason: 'the link is not valid (bad signature)' };
    return claimsOf(plain.toString('utf8'), now);
  }
  return verifyReadableToken(token, secret, now);
}

/** An action link's token; an unsubscribe token (or any other sealed claims) is no action token. */
export function verifyActionToken(token: string, secret: string, now: number): VerifiedActionToken {
  if (!token.startsWith(SEALED_PREFIX)) return { ok: false, reason: 'the link is malformed' };
  const plain = openSealed(token.slice(SEALED_PREFIX.length), secret);
  if (!plain) return { ok: false, reason: 'the link is not valid (bad signature)' };
  const claims = parsed(plain.toString('utf8'));
  if (!isActionClaims(claims)) return { ok: false, reason: 'the link is malformed' };
  const expiresAt = claims.x * 1000;
  if (now >= expiresAt) return { ok: false, reason: 'the link has expired' };
  return { ok: true, sequenceId: claims.s, action: claims.a, expiresAt, locale: localeOf(claims.l) };
}

function parsed(json: string): unknown {
  try {
    return JSON.parse(json) as unknown;
  } catch {
    return undefined;
  }
}

/** The first format, `<base64url JSON>.<HMAC>`: still in emails already sent, accepted until they expire. */
function verifyReadableToken(token: string, secret: string, now: number): VerifiedToken {
  const [payload, signed, ...rest] = token.split('.');
  if (!payload || !signed || rest.length > 0) return { ok: false, reason: 'the link is malformed' };
  const expected = signature(payload, secret);
  const given = Buffer.from(signed, 'base64url');
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return { ok: false, reason: 'the link is not valid (bad signature)' };
  return claimsOf(Buffer.from(payload, 'base64url').toString('utf8'), now);
}

function claimsOf(json: string, now: number): VerifiedToken {
  const claims = parsed(json);
  if (!isClaims(claims)) return { ok: false, reason: 'the link is malformed' };
  const expiresAt = claims.x * 1000;
  if (now >= expiresAt) return { ok: false, reason: 'the link has expired' };
  return { ok: true, email: claims.e, sequenceId: claims.s, expiresAt, locale: localeOf(claims.l) };
}

function isClaims(value: unknown): value is { e: string; s: string; x: number; l?: unknown } {
  if (!value || typeof value !== 'object') return false;
  const { e, s, x } = value as Record<string, unknown>;
  return typeof e === 'string' && e.includes('@') && typeof s === 'string' && s.length > 0 && typeof x === 'number' && Number.isFinite(x);
}

function isActionClaims(value: unknown): value is { s: string; a: LinkAction; x: number; l?: unknown } {
  if (!value || typeof value !== 'object') return false;
  const { s, a, x } = value as Record<string, unknown>;
  return typeof s === 'string' && s.length > 0 && (LINK_ACTIONS as readonly unknown[]).includes(a) && typeof x === 'number' && Number.isFinite(x);
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

/** A page of the API (`route`, relative to the public URL, which may have a path) with a token in its query. */
export function publicLink(links: UnsubscribeLinks, route: string, token: string): string {
  const url = new URL(route, links.publicUrl.endsWith('/') ? links.publicUrl : `${links.publicUrl}/`);
  url.searchParams.set('token', token);
  return url.toString();
}

/** The signed unsubscribe link of a message to `email` in one sequence: in its headers and in its footer. */
export const unsubscribeUrl = (links: UnsubscribeLinks, claims: { email: string; sequenceId: string; locale?: Locale }, now: number): string =>
  publicLink(links, 'unsubscribe', signUnsubscribeToken(claims, links.secret, now));

/** The RFC 8058 headers for an unsubscribe link. */
export const listUnsubscribeHeaders = (url: string): Record<string, string> => ({ 'List-Unsubscribe': `<${url}>`, 'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click' });

/** The RFC 8058 headers of a message to `email` in one sequence. */
export function unsubscribeHeaders(links: UnsubscribeLinks, claims: { email: string; sequenceId: string }, now: number): Record<string, string> {
  return listUnsubscribeHeaders(unsubscribeUrl(links, claims, now));
}
