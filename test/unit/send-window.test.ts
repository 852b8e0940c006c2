import { describe, expect, it } from 'vitest';
import { isInsideSendWindow, nextSendTime, type SendRules } from '../../workflows/send-window';
import { local, sendRules, utc, wallClock } from './support';

const LONDON = 'Europe/London';
const NEW_YORK = 'America/New_York';

/** The next send time, shown as wall-clock time in `zone` so failures read naturally. */
function next(earliest: number, zone: string, rules: SendRules, rejectedAt: number): string {
  return wallClock(nextSendTime(earliest, zone, rules, rejectedAt), zone);
}

// Rejected on Monday 2026-11-23 in London; most tests look at later days.
const MONDAY_REJECTION = local('2026-11-23T11:00', LONDON);

describe('nextSendTime: the weekday 09:00-17:00 window', () => {
  it('returns a time inside the window unchanged, to the millisecond', () => {
    const inside = local('2026-11-24T10:17:23.456', LONDON);
    expect(nextSendTime(inside, LONDON, sendRules(), MONDAY_REJECTION)).toBe(inside);
    expect(isInsideSendWindow(inside, LONDON, sendRules(), MONDAY_REJECTION)).toBe(true);
  });

  it('moves a time before 09:00 to 09:00 the same day', () => {
    expect(next(local('2026-11-24T06:45', LONDON), LONDON, sendRules(), MONDAY_REJECTION)).toBe('2026-11-24T09:00 Tue');
  });

  it('treats 09:00 as open and 17:00 as closed', () => {
    const opening = local('2026-11-24T09:00', LONDON);
    const lastMoment = local('2026-11-24T16:59:59.999', LONDON);
    expect(nextSendTime(opening, LONDON, sendRules(), MONDAY_REJECTION)).toBe(opening);
    expect(nextSendTime(lastMoment, LONDON, sendRules(), MONDAY_REJECTION)).toBe(lastMoment);
    expect(next(local('2026-11-24T17:00', LONDON), LONDON, sendRules(), MONDAY_REJECTION)).toBe('2026-11-25T09:00 Wed');
    expect(isInsideSendWindow(local('2026-11-24T17:00', LONDON), LONDON, sendRules(), MONDAY_REJECTION)).toBe(false);
  });

  it('skips the weekend: Friday evening and Saturday both go to Monday 09:00', () => {
    expect(next(local('2026-11-27T18:30', LONDON), LONDON, sendRules(), MONDAY_REJECTION)).toBe('2026-11-30T09:00 Mon');
    expect(next(local('2026-11-28T12:00', LONDON), LONDON, sendRules(), MONDAY_REJECTION)).toBe('2026-11-30T09:00 Mon');
  });

  it('sends on a weekend day when the policy allows that day', () => {
    const rules = sendRules({ sendWindow: { days: ['sat'], start: '10:00', end: '12:00' } });
    expect(next(local('2026-11-24T11:00', LONDON), LONDON, rules, MONDAY_REJECTION)).toBe('2026-11-28T10:00 Sat');
  });

  it('skips holidays, several in a row', () => {
    const rules = sendRules({ holidays: ['2026-12-24', '2026-12-25'] });
    expect(next(local('2026-12-24T10:00', LONDON), LONDON, rules, MONDAY_REJECTION)).toBe('2026-12-28T09:00 Mon');
    expect(next(local('2026-12-23T10:00', LONDON), LONDON, rules, MONDAY_REJECTION)).toBe('2026-12-23T10:00 Wed');
  });
});

describe('nextSendTime: never on the day of the rejection', () => {
  it('waits until the next day even when the window is open', () => {
    const rejectedAt = local('2026-11-24T10:00', LONDON);
    expect(next(local('2026-11-24T10:30', LONDON), LONDON, sendRules(), rejectedAt)).toBe('2026-11-25T09:00 Wed');
  });

  it('sends the same day when avoidRejectionDay is off', () => {
    const rejectedAt = local('2026-11-24T10:00', LONDON);
    const earliest = local('2026-11-24T10:30', LONDON);
    expect(nextSendTime(earliest, LONDON, sendRules({ avoidRejectionDay: false }), rejectedAt)).toBe(earliest);
  });

  it("judges the rejection day in the recipient's zone, ahead of UTC", () => {
    // Tuesday 23:30 in London is already Wednesday 08:30 in Tokyo: Wednesday is the rejection day there.
    const rejectedAt = utc('2026-11-24T23:30:00Z');
    expect(next(rejectedAt, 'Asia/Tokyo', sendRules(), rejectedAt)).toBe('2026-11-26T09:00 Thu');
    expect(next(rejectedAt, LONDON, sendRules(), rejectedAt)).toBe('2026-11-25T09:00 Wed');
  });

  it("judges the rejection day in the recipient's zone, behind UTC", () => {
    // 02:00 UTC on Wednesday is still Tuesday 21:00 in New York: Wednesday is a fine day to send there.
    const rejectedAt = utc('2026-11-25T02:00:00Z');
    expect(next(rejectedAt, NEW_YORK, sendRules(), rejectedAt)).toBe('2026-11-25T09:00 Wed');
  });
});

describe('nextSendTime across daylight-saving changes', () => {
  it.each([
    // Europe/London springs forward on Sunday 2026-03-29 and falls back on Sunday 2026-10-25.
    ['London, before spring', LONDON, '2026-03-26T20:00', '2026-03-27T09:00:00Z'],
    ['London, after spring', LONDON, '2026-03-27T18:00', '2026-03-30T08:00:00Z'],
    ['London, before autumn', LONDON, '2026-10-22T20:00', '2026-10-23T08:00:00Z'],
    ['London, after autumn', LONDON, '2026-10-23T18:00', '2026-10-26T09:00:00Z'],
    // America/New_York springs forward on Sunday 2026-03-08 and falls back on Sunday 2026-11-01.
    ['New York, before spring', NEW_YORK, '2026-03-05T20:00', '2026-03-06T14:00:00Z'],
    ['New York, after spring', NEW_YORK, '2026-03-06T17:30', '2026-03-09T13:00:00Z'],
    ['New York, before autumn', NEW_YORK, '2026-10-29T20:00', '2026-10-30T13:00:00Z'],
    ['New York, after autumn', NEW_YORK, '2026-10-30T17:30', '2026-11-02T14:00:00Z'],
  ])('%s: opens at 09:00 local time', (_label, zone, earliest, expectedUtc) => {
    const rejectedAt = utc('2026-01-05T12:00:00Z');
    expect(nextSendTime(local(earliest, zone), zone, sendRules(), rejectedAt)).toBe(utc(expectedUtc));
  });

  it.each([
    [LONDON, '2026-03-29', '2026-03-29T08:00:00Z', '2026-03-29T16:00:00Z'],
    [LONDON, '2026-10-25', '2026-10-25T09:00:00Z', '2026-10-25T17:00:00Z'],
    [NEW_YORK, '2026-03-08', '2026-03-08T13:00:00Z', '2026-03-08T21:00:00Z'],
    [NEW_YORK, '2026-11-01', '2026-11-01T14:00:00Z', '2026-11-01T22:00:00Z'],
  ])('%s on the day of the change (%s): opens at 09:00 and closes at 17:00 local', (zone, date, opensUtc, closesUtc) => {
    const everyDay = sendRules({ sendWindow: { days: ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'], start: '09:00', end: '17:00' } });
    const rejectedAt = utc('2026-01-05T12:00:00Z');
    expect(nextSendTime(local(`${date}T00:00`, zone), zone, everyDay, rejectedAt)).toBe(utc(opensUtc));
    expect(isInsideSendWindow(utc(closesUtc) - 1, zone, everyDay, rejectedAt)).toBe(true);
    expect(isInsideSendWindow(utc(closesUtc), zone, everyDay, rejectedAt)).toBe(false);
  });
});

describe('nextSendTime with a window ending at "24:00"', () => {
  const mondayEvenings = sendRules({ sendWindow: { days: ['mon'], start: '20:00', end: '24:00' } });

  it('keeps the last minute of the day inside the window', () => {
    const lateMonday = local('2026-11-30T23:59:59', LONDON);
    expect(nextSendTime(lateMonday, LONDON, mondayEvenings, MONDAY_REJECTION)).toBe(lateMonday);
  });

  it('does not spill into the next day', () => {
    expect(next(local('2026-12-01T00:00', LONDON), LONDON, mondayEvenings, MONDAY_REJECTION)).toBe('2026-12-07T20:00 Mon');
  });

  it('accepts every instant with a 00:00-24:00 window on every day', () => {
    const always = sendRules({
      sendWindow: { days: ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'], start: '00:00', end: '24:00' },
      avoidRejectionDay: false,
    });
    for (let hour = 0; hour < 24 * 7; hour += 5) {
      const instant = utc('2026-11-23T00:00:00Z') + hour * 3_600_000 + 17_000;
      expect(nextSendTime(instant, 'Pacific/Auckland', always, MONDAY_REJECTION)).toBe(instant);
    }
  });
});

describe('nextSendTime in zones far from UTC', () => {
  const AUCKLAND = 'Pacific/Auckland';
  const KOLKATA = 'Asia/Kolkata';
  const HONOLULU = 'Pacific/Honolulu';
  const longAgo = utc('2026-01-05T12:00:00Z');

  it('Auckland: a UTC Sunday that is a local Monday is a working day', () => {
    // 2026-11-22T19:00Z is Monday 08:00 in Auckland (UTC+13 in summer).
    expect(nextSendTime(utc('2026-11-22T19:00:00Z'), AUCKLAND, sendRules(), longAgo)).toBe(utc('2026-11-22T20:00:00Z'));
  });

  it('Auckland: a UTC Friday that is a local Saturday is the weekend', () => {
    // 2026-11-27T21:00Z is Saturday 10:00 in Auckland.
    expect(next(utc('2026-11-27T21:00:00Z'), AUCKLAND, sendRules(), longAgo)).toBe('2026-11-30T09:00 Mon');
  });

  it('Kolkata: the window follows the half-hour offset', () => {
    // Monday 08:30 IST (UTC+05:30) opens at 09:00 IST, which is 03:30 UTC.
    expect(nextSendTime(utc('2026-11-23T03:00:00Z'), KOLKATA, sendRules(), longAgo)).toBe(utc('2026-11-23T03:30:00Z'));
    // Friday 17:00 IST is closed: Monday 09:00 IST.
    expect(nextSendTime(utc('2026-11-27T11:30:00Z'), KOLKATA, sendRules(), longAgo)).toBe(utc('2026-11-30T03:30:00Z'));
    expect(isInsideSendWindow(utc('2026-11-27T11:29:00Z'), KOLKATA, sendRules(), longAgo)).toBe(true);
  });

  it('Honolulu: a UTC Saturday that is a local Friday afternoon is inside the window', () => {
    const fridayAfternoon = utc('2026-11-28T02:00:00Z'); // Friday 16:00 HST (UTC-10)
    expect(nextSendTime(fridayAfternoon, HONOLULU, sendRules(), longAgo)).toBe(fridayAfternoon);
  });
});
