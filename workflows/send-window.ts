import { DateTime } from 'luxon';
import type { Policy, ResolvedPolicy, SendWindow, Weekday } from './policy';
import { recipientOf, type Audience } from './recipients';
import type { Rejection } from './rejection';

/** The rules for one recipient's messages: their window, the dates nothing goes out, and the rejection day. */
export interface SendRules {
  sendWindow: SendWindow;
  holidays: readonly string[];
  avoidRejectionDay: boolean;
}

/**
 * The candidate's own messages keep the candidate's window (every day by default: a Friday rejection keeps its
 * supportive note); everyone else's follow the policy's `sendWindow`. Policies recorded before the candidate's window
 * existed have no `candidateSendWindow`: theirs is `sendWindow`, as it was. With `holidays: "auto"`, the recipient's
 * country's public holidays, resolved at start (none when the country is unknown).
 */
export function sendRulesFor(policy: ResolvedPolicy, audience: Audience, rejection: Rejection): SendRules {
  const candidateWindow = (policy as Partial<Policy>).candidateSendWindow;
  const country = recipientOf(rejection, audience).country;
  return {
    sendWindow: audience.role === 'candidate' && candidateWindow ? candidateWindow : policy.sendWindow,
    holidays: policy.holidays === 'auto' ? ((country && policy.publicHolidays?.[country]) || []) : policy.holidays,
    avoidRejectionDay: policy.avoidRejectionDay,
  };
}

const LUXON_WEEKDAYS: Record<number, Weekday> = { 1: 'mon', 2: 'tue', 3: 'wed', 4: 'thu', 5: 'fri', 6: 'sat', 7: 'sun' };
const SEARCH_LIMIT_DAYS = 800;

function atClock(day: DateTime, clock: string): DateTime {
  if (clock === '24:00') return day.plus({ days: 1 }).startOf('day');
  const [hour, minute] = clock.split(':').map(Number);
  return day.set({ hour, minute, second: 0, millisecond: 0 });
}

/**
 * The first instant at or after `earliest` when an email may go out to someone in `zone`:
 * on an allowed weekday, inside the window, not on a holiday, and not on the day of the rejection.
 */
export function nextSendTime(earliest: number, zone: string, rules: SendRules, rejectedAt: number): number {
  const { days, start, end } = rules.sendWindow;
  const rejectionDay = DateTime.fromMillis(rejectedAt, { zone }).toISODate();
  let cursor = DateTime.fromMillis(earliest, { zone });
  for (let checked = 0; checked < SEARCH_LIMIT_DAYS; checked++) {
    const day = cursor.startOf('day');
    const date = day.toISODate() ?? '';
    const allowed =
      days.includes(LUXON_WEEKDAYS[day.weekday] ?? 'mon') &&
      !rules.holidays.includes(date) &&
      !(rules.avoidRejectionDay && date === rejectionDay);
    if (allowed) {
      const opens = atClock(day, start);
      const closes = atClock(day, end);
      if (cursor < opens) return opens.toMillis();
      if (cursor < closes) return cursor.toMillis();
    }
    cursor = day.plus({ days: 1 }).startOf('day');
  }
  throw new RangeError(`no send window within ${SEARCH_LIMIT_DAYS} days of ${new Date(earliest).toISOString()} in ${zone}`);
}

/** True when an email may go out at `instant`. */
export function isInsideSendWindow(instant: number, zone: string, rules: SendRules, rejectedAt: number): boolean {
  return nextSendTime(instant, zone, rules, rejectedAt) === instant;
}
