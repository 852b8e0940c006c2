import { describe, expect, it } from 'vitest';
import {
  signUnsubscribeToken,
  UNSUBSCRIBE_TOKEN_LIFETIME_MS,
  unsubscribeHeaders,
  verifyUnsubscribeToken,
} from '../../activities/unsubscribe-token';

const SECRET = 'a-test-secret-of-at-least-32-characters';
const NOW = Date.parse('2026-11-25T12:00:00Z');
const CLAIMS = { email: 'Ada@Example.com', sequenceId: 'rejection-acme-eng-4711' };

describe('unsubscribe tokens', () => {
  it('carry the address (lowercased) and the sequence, and verify until they expire', () => {
    const token = signUnsubscribeToken(CLAIMS, SECRET, NOW);
    expect(token).toMatch(/^[\w-]+\.[\w-]+$/);
    const verified = verifyUnsubscribeToken(token, SECRET, NOW + UNSUBSCRIBE_TOKEN_LIFETIME_MS - 1000);
    expect(verified).toEqual({ ok: true, email: 'ada@example.com', sequenceId: 'rejection-acme-eng-4711', expiresAt: NOW + UNSUBSCRIBE_TOKEN_LIFETIME_MS, locale: 'en' });
  });

  it('carry the candidate\'s language when it is not English; tokens sent without one open the English page', () => {
    expect(verifyUnsubscribeToken(signUnsubscribeToken({ ...CLAIMS, locale: 'fr' }, SECRET, NOW), SECRET, NOW)).toMatchObject({ ok: true, locale: 'fr' });
    expect(signUnsubscribeToken({ ...CLAIMS, locale: 'en' }, SECRET, NOW)).toBe(signUnsubscribeToken(CLAIMS, SECRET, NOW));
    expect(verifyUnsubscribeToken(signUnsubscribeToken(CLAIMS, SECRET, NOW), SECRET, NOW)).toMatchObject({ ok: true, locale: 'en' });
  });

  it('expire after 180 days', () => {
    const token = signUnsubscribeToken(CLAIMS, SECRET, NOW);
    expect(verifyUnsubscribeToken(token, SECRET, NOW + 180 * 24 * 3_600_000)).toEqual({ ok: false, reason: 'the link has expired' });
  });

  it('refuse a tampered payload (another address, a later expiry)', () => {
    const [, signature] = signUnsubscribeToken(CLAIMS, SECRET, NOW).split('.');
    const forged = Buffer.from(JSON.stringify({ e: 'grace@acme.example.com', s: CLAIMS.sequenceId, x: NOW / 1000 + 1e9 })).toString('base64url');
    expect(verifyUnsubscribeToken(`${forged}.${signature}`, SECRET, NOW)).toEqual({ ok: false, reason: 'the link is not valid (bad signature)' });
  });

  it('refuse a tampered signature, and one made with another secret', () => {
    const token = signUnsubscribeToken(CLAIMS, SECRET, NOW);
    const flipped = token.slice(0, -2) + (token.endsWith('AA') ? 'BA' : 'AA');
    expect(verifyUnsubscribeToken(flipped, SECRET, NOW).ok).toBe(false);
    expect(verifyUnsubscribeToken(signUnsubscribeToken(CLAIMS, 'another-secret-of-at-least-32-chars!!', NOW), SECRET, NOW)).toEqual({
      ok: false,
      reason: 'the link is not valid (bad signature)',
    });
  });

  it('refuse malformed tokens', () => {
    for (const token of ['', 'abc', 'a.b.c', '.', 'abc.']) expect(verifyUnsubscribeToken(token, SECRET, NOW).ok).toBe(false);
  });

  it('make the RFC 8058 headers: an https link with the token, and the one-click marker', () => {
    const headers = unsubscribeHeaders({ publicUrl: 'https://onward.example.com/api', secret: SECRET }, CLAIMS, NOW);
    expect(headers['List-Unsubscribe-Post']).toBe('List-Unsubscribe=One-Click');
    const match = /^<(.+)>$/.exec(headers['List-Unsubscribe'] ?? '');
    const url = new URL(match?.[1] ?? '');
    expect(`${url.origin}${url.pathname}`).toBe('https://onward.example.com/api/unsubscribe');
    expect(verifyUnsubscribeToken(url.searchParams.get('token') ?? '', SECRET, NOW)).toMatchObject({ ok: true, email: 'ada@example.com' });
  });
});
