/**
 * What the dashboard says in words, for people: step names ("Thank-you note to Grace Hopper", not `thank-you:1`)
 * and times ("in 2 days, Tuesday 1 December 10:00"). Pure: no DOM, no clock of its own, so it is unit-tested.
 */

/** A message as the timeline and the messages list know it: its step key and kind, and whom it goes to. */
export interface StepOf {
  key: string;
  kind: string;
  /** An address, or "Name <address>". */
  to: string;
}

/** The recipient's name from "Name <address>"; a bare address stays as it is. */
export function recipientName(to: string): string {
  const named = /^\s*"?([^"<]+?)"?\s*<[^>]*>\s*$/.exec(to);
  return named?.[1] ?? to.trim();
}

/** The number at the end of a key such as `check-in:3`; undefined for a key without one. */
function ordinalOf(key: string): number | undefined {
  const match = /:(\d+)$/.exec(key);
  return match ? Number(match[1]) : undefined;
}

/** The step's name for people. `candidate` names the candidate, whose own messages are about her, not to an address. */
export function stepName(step: StepOf, candidate: string): string {
  const to = recipientName(step.to);
  const number = ordinalOf(step.key);
  switch (step.kind) {
    case 'supportive-note':
      return `Supportive note to ${candidate}`;
    case 'thank-you':
      return `Thank-you note to ${to}`;
    case 'feedback-request':
      return `Feedback request to ${to}`;
    case 'feedback-reminder':
      return `Feedback reminder to ${to}`;
    case 'check-in':
      return `Check-in${number === undefined ? '' : ` ${number}`} with ${candidate}`;
    case 'closing-summary':
      return `Closing summary for ${candidate}`;
    case 'other-openings':
      return `Question about other openings to ${to}`;
    case 'linkedin-task':
      return `LinkedIn reminder for ${candidate}`;
    case 'touchpoint':
      return `Keeping in touch with ${to}${number === undefined ? '' : ` (${number})`}`;
    case 'congratulations':
      return `Congratulations to ${candidate}`;
    case 'late-feedback':
      return `Late feedback passed on to ${candidate}`;
    default:
      // A kind this dashboard does not know yet still reads as words.
      return `${step.kind.replace(/-/g, ' ').replace(/^./, (first) => first.toUpperCase())} to ${to}`;
  }
}

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

/** "in 2 days", "3 hours ago": the distance from now in the largest unit that fits, in the locale's words. */
export function relativeTime(at: number, now: number, locale?: string): string {
  const distance = at - now;
  const size = Math.abs(distance);
  const format = new Intl.RelativeTimeFormat(locale, { numeric: 'always' });
  if (size >= DAY) return format.format(Math.round(distance / DAY), 'day');
  if (size >= HOUR) return format.format(Math.round(distance / HOUR), 'hour');
  return format.format(Math.round(distance / MINUTE), 'minute');
}

/** "Tuesday 1 December 10:00" in the locale's order, in the given time zone (the browser's when absent). */
export function dateInWords(at: number, locale?: string, timeZone?: string): string {
  return new Date(at).toLocaleString(locale, { weekday: 'long', day: 'numeric', month: 'long', hour: '2-digit', minute: '2-digit', ...(timeZone ? { timeZone } : {}) });
}

/** "in 2 days, Tuesday 1 December 10:00": how far, then exactly when. */
export function whenInWords(iso: string, now: number, locale?: string, timeZone?: string): string {
  const at = Date.parse(iso);
  if (Number.isNaN(at)) return iso;
  return `${relativeTime(at, now, locale)}, ${dateInWords(at, locale, timeZone)}`;
}

/** A ratio as a whole percentage ("42 %" in the locale's way), or "—" when there is nothing to divide. */
export function percent(ratio: number | null, locale?: string): string {
  return ratio === null ? '—' : new Intl.NumberFormat(locale, { style: 'percent', maximumFractionDigits: 0 }).format(ratio);
}
