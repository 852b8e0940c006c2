import { describe, expect, it } from 'vitest';
import { actionLinks } from '../../activities/action-links';
import { ACTION_TOKEN_LIFETIME_MS, signActionToken, signUnsubscribeToken, verifyActionToken, verifyUnsubscribeToken } from '../../activities/unsubscribe-token';

const SECRET = 'a-test-secret-of-at-least-32-characters';
const NOW = Date.parse('2026-11-25T12:00:00Z');
const LINKS = { publicUrl: 'https://onward.example.com/api', secret: SECRET };
const SEQUENCE = 'acme:rejection-eng-4711';

const tokenOf = (url: string) => new URL(url).searchParams.get('token') ?? '';

describe('action tokens', () => {
  it('name the sequence and the action, and verify until they expire', () => {
    const token = signActionToken({ sequenceId: SEQUENCE, action: 'snooze' }, SECRET, NOW);
    expect(verifyActionToken(token, SECRET, NOW + ACTION_TOKEN_LIFETIME_MS - 1000)).toEqual({ ok: true, sequenceId: SEQUENCE, action: 'snooze', expiresAt: NOW + ACTION_TOKEN_LIFETIME_MS, locale: 'en' });
    expect(verifyActionToken(token, SECRET, NOW + ACTION_TOKEN_LIFETIME_MS)).toEqual({ ok: false, reason: 'the link has expired' });
  });

  it('carry the candidate\'s language for the page they open; English links are as before, and tokens without one open English pages', () => {
    expect(verifyActionToken(signActionToken({ sequenceId: SEQUENCE, action: 'ready', locale: 'de' }, SECRET, NOW), SECRET, NOW)).toMatchObject({ ok: true, locale: 'de' });
    expect(verifyActionToken(signActionToken({ sequenceId: SEQUENCE, action: 'ready', locale: 'fr' }, SECRET, NOW), SECRET, NOW)).toMatchObject({ ok: true, locale: 'fr' });
    // A token sent before the locale was carried: the same claims, no `l`.
    const english = signActionToken({ sequenceId: SEQUENCE, action: 'ready', locale: 'en' }, SECRET, NOW);
    expect(english).toBe(signActionToken({ sequenceId: SEQUENCE, action: 'ready' }, SECRET, NOW));
    expect(verifyActionToken(english, SECRET, NOW)).toMatchObject({ ok: true, locale: 'en' });
    expect(signActionToken({ sequenceId: SEQUENCE, action: 'ready', locale: 'de' }, SECRET, NOW)).not.toBe(english);
  });

  it('are opaque: neither the sequence nor the action can be read from the link', () => {
    const token = signActionToken({ sequenceId: SEQUENCE, action: 'progress' }, SECRET, NOW);
    const bytes = Buffer.from(token.slice(3), 'base64url').toString('latin1');
    expect(bytes).not.toContain('rejection');
    expect(bytes).not.toContain('progress');
  });

  it('refuse a flipped byte, another secret, and an unsubscribe token (and an unsubscribe link refuses an action token)', () => {
    const token = signActionToken({ sequenceId: SEQUENCE, action: 'hired' }, SECRET, NOW);
    const bytes = Buffer.from(token.slice(3), 'base64url');
    bytes[20] = (bytes[20] ?? 0) ^ 1;
    expect(verifyActionToken(`u2.${bytes.toString('base64url')}`, SECRET, NOW)).toEqual({ ok: false, reason: 'the link is not valid (bad signature)' });
    expect(verifyActionToken(signActionToken({ sequenceId: SEQUENCE, action: 'hired' }, 'another-secret-of-at-least-32-chars!!', NOW), SECRET, NOW).ok).toBe(false);
    expect(verifyActionToken(signUnsubscribeToken({ email: 'ada@example.com', sequenceId: SEQUENCE }, SECRET, NOW), SECRET, NOW)).toEqual({ ok: false, reason: 'the link is malformed' });
    expect(verifyUnsubscribeToken(token, SECRET, NOW)).toEqual({ ok: false, reason: 'the link is malformed' });
    for (const malformed of ['', 'abc', 'u2.', 'u2.abc']) expect(verifyActionToken(malformed, SECRET, NOW).ok).toBe(false);
  });
});

describe('the links of an email to the candidate', () => {
  const labelsOf = (kind: Parameters<typeof actionLinks>[1]['kind']) => actionLinks(LINKS, { kind, sequenceId: SEQUENCE }, NOW).map((link) => link.label);

  it('fit the step: ready and more time only while grieving, progress with the check-ins, none in the last notes', () => {
    expect(labelsOf('supportive-note')).toEqual(["I'm ready", 'I need more time', 'I got a job']);
    expect(labelsOf('check-in')).toEqual(['Report progress', 'I got a job']);
    expect(labelsOf('linkedin-task')).toEqual(['Report progress', 'I got a job']);
    expect(labelsOf('closing-summary')).toEqual([]);
    expect(labelsOf('congratulations')).toEqual([]);
  });

  it('speak the candidate\'s language', () => {
    expect(actionLinks(LINKS, { kind: 'supportive-note', sequenceId: SEQUENCE, locale: 'de' }, NOW).map((link) => link.label)).toEqual(['Ich bin so weit', 'Ich brauche mehr Zeit', 'Ich habe eine Stelle']);
    expect(actionLinks(LINKS, { kind: 'check-in', sequenceId: SEQUENCE, locale: 'fr' }, NOW).map((link) => link.label)).toEqual(['Indiquer mes avancées', 'J’ai trouvé un poste']);
  });

  it('point at the public URL with tokens for this sequence; no address in the URL', () => {
    const [ready] = actionLinks(LINKS, { kind: 'supportive-note', sequenceId: SEQUENCE }, NOW);
    expect(ready?.url).toMatch(/^https:\/\/onward\.example\.com\/api\/act\?token=u2\./);
    expect(verifyActionToken(tokenOf(ready?.url ?? ''), SECRET, NOW)).toMatchObject({ ok: true, sequenceId: SEQUENCE, action: 'ready' });
    for (const link of actionLinks(LINKS, { kind: 'supportive-note', sequenceId: SEQUENCE }, NOW)) {
      const sealed = Buffer.from(tokenOf(link.url).slice(3), 'base64url').toString('latin1');
      expect(`${decodeURIComponent(link.url)} ${sealed}`).not.toContain('ada@example.com');
    }
  });
});
