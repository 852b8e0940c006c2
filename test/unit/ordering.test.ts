import { describe, expect, it } from 'vitest';
import { afterThankYous, onADayOfItsOwn } from '../../workflows/ordering';
import { local, sendRules, wallClock } from './support';

const LONDON = 'Europe/London';
const DAY = 86_400_000;
const rejectedAt = local('2026-11-23T14:00', LONDON); // a Monday

describe('afterThankYous', () => {
  it('keeps the plan until the thank-you notes go out, then counts from the last one', () => {
    const planned = local('2026-11-28T14:00', LONDON);
    expect(afterThankYous(planned, [], 3 * DAY)).toBe(planned);
    expect(afterThankYous(planned, [local('2026-11-25T14:00', LONDON)], 3 * DAY)).toBe(planned);
    expect(afterThankYous(planned, [local('2026-11-25T14:00', LONDON), local('2026-11-27T15:00', LONDON)], 3 * DAY)).toBe(local('2026-11-30T15:00', LONDON));
  });
});

describe('onADayOfItsOwn', () => {
  it('takes the first send time on a day without another email to the same person', () => {
    const earliest = local('2026-11-30T15:00', LONDON); // Monday afternoon
    expect(wallClock(onADayOfItsOwn(earliest, LONDON, sendRules(), rejectedAt, []), LONDON)).toBe('2026-11-30T15:00 Mon');
    const busy = [local('2026-11-30T14:00', LONDON), local('2026-12-01T09:00', LONDON)];
    expect(wallClock(onADayOfItsOwn(earliest, LONDON, sendRules(), rejectedAt, busy), LONDON)).toBe('2026-12-02T09:00 Wed');
  });

  it('keeps to the send window: a busy Friday moves to Monday morning', () => {
    const friday = local('2026-12-04T10:00', LONDON);
    expect(wallClock(onADayOfItsOwn(friday, LONDON, sendRules(), rejectedAt, [local('2026-12-04T16:00', LONDON)]), LONDON)).toBe('2026-12-07T09:00 Mon');
  });
});
