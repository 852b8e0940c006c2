import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { signUnsubscribeToken, UNSUBSCRIBE_TOKEN_LIFETIME_MS, unsubscribeHeaders, verifyUnsubscribeToken } from '../../activities/unsubscribe-token';

/**
 * Unsubscribe links travel in emails, forwards and logs: their token must not reveal the address (issue 11: it was
 * readable base64). The links already sent keep working until they expire.
 */
const SECRET = 'a-test-secret-of-at-least-32-characters';
const NOW = Date.parse('2026-11-25T12:00:00Z');
const CLAIMS = { email: 'ada.lovelace@example.com', sequenceId: 'acme:rejection-greenhouse-2001' };

/** Every way the token (or a part of it) could be decoded as text. */
function decodings(token: string): string[] {
  return [token, ...token.split(/[.]/)].flatMap((part) => [part, Buffer.from(part, 'base64url').toString('latin1'), Buffer.from(part, 'base64').toString('latin1')]);
}

/** A token as the first format made them (base64url JSON, then its HMAC): what earlier emails carry. */
function readableToken(claims: { email: string; sequenceId: string }, expiresAt: number): string {
  const payload = Buffer.from(JSON.stringify({ e: claims.email, s: claims.sequenceId, x: Math.floor(expiresAt / 1000) })).toString('base64url');
  return `${payload}.${createHmac('sha256', SECRET).update(payload).digest('base64url')}`;
}

describe('unsubscribe tokens are opaque', () => {
  it('reveal neither the address nor the sequence, in any decoding', () => {
    const token = signUnsubscribeToken(CLAIMS, SECRET, NOW);
    for (const text of decodings(token)) {
      expect(text).not.toContain('ada.lovelace');
      expect(text).not.toContain('example.com');
      expect(text).not.toContain('greenhouse-2001');
    }
    const url = new URL(/<(.*)>/.exec(unsubscribeHeaders({ publicUrl: 'https://onward.example.com', secret: SECRET }, CLAIMS, NOW)['List-Unsubscribe'] ?? '')?.[1] ?? '');
    for (const text of decodings(url.searchParams.get('token') ?? '')) expect(text).not.toContain('lovelace');
  });

  it('still verify, and a changed byte or another secret is refused', () => {
    const token = signUnsubscribeToken(CLAIMS, SECRET, NOW);
    expect(verifyUnsubscribeToken(token, SECRET, NOW + 1000)).toMatchObject({ ok: true, email: CLAIMS.email, sequenceId: CLAIMS.sequenceId });
    const last = token.at(-5) === 'A' ? 'B' : 'A';
    expect(verifyUnsubscribeToken(`${token.slice(0, -5)}${last}${token.slice(-4)}`, SECRET, NOW).ok).toBe(false);
    expect(verifyUnsubscribeToken(token, 'another-secret-of-at-least-32-characters', NOW)).toEqual({ ok: false, reason: 'the link is not valid (bad signature)' });
    expect(verifyUnsubscribeToken(token, SECRET, NOW + UNSUBSCRIBE_TOKEN_LIFETIME_MS)).toEqual({ ok: false, reason: 'the link has expired' });
  });

  it('keeps the links already sent (readable format) working until they expire', () => {
    const sent = readableToken(CLAIMS, NOW + 30 * 24 * 3_600_000);
    expect(verifyUnsubscribeToken(sent, SECRET, NOW)).toMatchObject({ ok: true, email: CLAIMS.email, sequenceId: CLAIMS.sequenceId });
    expect(verifyUnsubscribeToken(sent, SECRET, NOW + 31 * 24 * 3_600_000)).toEqual({ ok: false, reason: 'the link has expired' });
    const forged = readableToken({ ...CLAIMS, email: 'mallory@example.com' }, NOW + 1000).replace(/\.[^.]+$/, `.${sent.split('.')[1] ?? ''}`);
    expect(verifyUnsubscribeToken(forged, SECRET, NOW).ok).toBe(false);
  });
});
