import { describe, expect, it } from 'vitest';
import { describeFallback } from '../../workflows/status';
import { dateInWords, percent, recipientName, stepName, whenInWords } from '../../client/dashboard/words';

const HOUR = 3600_000;
const DAY = 24 * HOUR;

describe('stepName', () => {
  it.each([
    [{ key: 'thank-you:1', kind: 'thank-you', to: 'Grace Hopper <grace@acme.example.com>' }, 'Thank-you note to Grace Hopper'],
    [{ key: 'feedback-request', kind: 'feedback-request', to: 'Alan Turing <alan@acme.example.com>' }, 'Feedback request to Alan Turing'],
    [{ key: 'feedback-reminder', kind: 'feedback-reminder', to: '"Alan Turing" <alan@acme.example.com>' }, 'Feedback reminder to Alan Turing'],
    [{ key: 'check-in:3', kind: 'check-in', to: 'ada@example.com' }, 'Check-in 3 with Ada Lovelace'],
    [{ key: 'supportive-note', kind: 'supportive-note', to: 'ada@example.com' }, 'Supportive note to Ada Lovelace'],
    [{ key: 'closing-summary', kind: 'closing-summary', to: 'ada@example.com' }, 'Closing summary for Ada Lovelace'],
    [{ key: 'touchpoint:2', kind: 'touchpoint', to: 'Grace Hopper <grace@acme.example.com>' }, 'Keeping in touch with Grace Hopper (2)'],
    [{ key: 'late-feedback:1', kind: 'late-feedback', to: 'ada@example.com' }, 'Late feedback passed on to Ada Lovelace'],
    [{ key: 'congratulations', kind: 'congratulations', to: 'ada@example.com' }, 'Congratulations to Ada Lovelace'],
  ])('names %j for people', (step, expected) => {
    expect(stepName(step, 'Ada Lovelace')).toBe(expected);
  });

  it('never shows the raw key, even for a kind it does not know', () => {
    const name = stepName({ key: 'new-kind:1', kind: 'new-kind', to: 'grace@acme.example.com' }, 'Ada Lovelace');
    expect(name).toBe('New kind to grace@acme.example.com');
    expect(name).not.toContain(':1');
  });

  it('takes the name from "Name <address>" and keeps a bare address', () => {
    expect(recipientName('Grace Hopper <grace@acme.example.com>')).toBe('Grace Hopper');
    expect(recipientName('grace@acme.example.com')).toBe('grace@acme.example.com');
  });
});

describe('whenInWords', () => {
  const now = Date.parse('2026-11-29T10:00:00Z');

  it('says how far and exactly when, in the locale and time zone', () => {
    const text = whenInWords('2026-12-01T10:00:00Z', now, 'en-GB', 'UTC');
    expect(text).toMatch(/^in 2 days, Tuesday 1 December( at)? 10:00$/);
  });

  it('speaks the locale: German weekday and month', () => {
    const text = whenInWords('2026-12-01T10:00:00Z', now, 'de-DE', 'Europe/Berlin');
    expect(text).toMatch(/^in 2 Tagen, Dienstag, 1\. Dezember( um)? 11:00$/);
  });

  it('counts hours and minutes under a day, and the past as past', () => {
    expect(whenInWords(new Date(now + 5 * HOUR).toISOString(), now, 'en-GB', 'UTC')).toMatch(/^in 5 hours, /);
    expect(whenInWords(new Date(now + 20 * 60_000).toISOString(), now, 'en-GB', 'UTC')).toMatch(/^in 20 minutes, /);
    expect(whenInWords(new Date(now - 3 * DAY).toISOString(), now, 'en-GB', 'UTC')).toMatch(/^3 days ago, /);
  });

  it('reads with the fallback in a sentence', () => {
    const draft = { decideBy: '2026-12-01T10:00:00Z', fallback: 'skip' as const };
    expect(describeFallback(draft, (iso) => dateInWords(Date.parse(iso), 'en-GB', 'UTC'))).toMatch(/^not sent if nobody approves it by Tuesday 1 December( at)? 10:00$/);
  });
});

describe('percent', () => {
  it('rounds a ratio to a whole percentage, and says — for none', () => {
    expect(percent(0.4167, 'en-GB')).toBe('42%');
    expect(percent(null, 'en-GB')).toBe('—');
  });
});
