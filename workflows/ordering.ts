// Pure: the order of messages follows what actually happened (issue 10, section 3), beside the plan of ./schedule.
import { DateTime } from 'luxon';
import { nextSendTime, type SendRules } from './send-window';

/** The earliest a message that follows the thank-you notes may go: `delayMs` after the last one actually went out. */
export function afterThankYous(plannedAt: number, thankYousSentAt: readonly number[], delayMs: number): number {
  return thankYousSentAt.length === 0 ? plannedAt : Math.max(plannedAt, Math.max(...thankYousSentAt) + delayMs);
}

const localDay = (instant: number, zone: string) => DateTime.fromMillis(instant, { zone }).toISODate();

/**
 * The first send time at or after `earliest` on a day (in the recipient's zone) when the recipient gets no other email
 * of the sequence: `otherEmailsAt` are the times of those sent or still planned.
 */
export function onADayOfItsOwn(earliest: number, zone: string, rules: SendRules, rejectedAt: number, otherEmailsAt: readonly number[]): number {
  const busy = new Set(otherEmailsAt.map((instant) => localDay(instant, zone)));
  let at = nextSendTime(earliest, zone, rules, rejectedAt);
  for (let day = 0; day < 366 && busy.has(localDay(at, zone)); day++) {
    at = nextSendTime(DateTime.fromMillis(at, { zone }).plus({ days: 1 }).startOf('day').toMillis(), zone, rules, rejectedAt);
  }
  return at;
}
