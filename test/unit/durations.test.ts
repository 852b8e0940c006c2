import { describe, expect, it } from 'vitest';
import { durationMs, parseDuration } from '../../workflows/durations';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

describe('parseDuration', () => {
  it.each([
    ['2 days', 2 * DAY],
    ['1 week', 7 * DAY],
    ['90 minutes', 90 * MINUTE],
    ['1.5 hours', 90 * MINUTE],
    ['20 seconds', 20_000],
    ['1 day', DAY],
    ['  3 DAYS  ', 3 * DAY],
  ])('reads %j as a positive duration', (text, expected) => {
    expect(parseDuration(text)).toBe(expected);
  });

  it.each(['2 fortnights', '10', '-1 day', '0 days', '', '   ', 'two days', '1 month', '2 days ago', 'NaN days'])(
    'refuses %j',
    (text) => {
      expect(parseDuration(text)).toBeUndefined();
    },
  );
});

describe('durationMs', () => {
  it('returns the same milliseconds as parseDuration for valid text', () => {
    expect(durationMs('5 days')).toBe(5 * DAY);
  });

  it('throws, naming the text, instead of returning a bogus number', () => {
    expect(() => durationMs('10')).toThrow('"10"');
  });
});
