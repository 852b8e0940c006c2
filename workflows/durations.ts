import ms from 'ms';

/** A human duration such as "2 days", "1 week" or "90 minutes"; a unit is required. */
export type DurationText = string;

const DURATION_PATTERN = /^\s*\d+(\.\d+)?\s*(s|secs?|seconds?|m|mins?|minutes?|h|hrs?|hours?|d|days?|w|weeks?)\s*$/i;

/** The longest duration a policy may ask for: every date a sequence computes stays a real date. */
export const MAX_DURATION_MS = 2 * 366 * 24 * 60 * 60 * 1000;

/** Milliseconds in a duration, or undefined when the text is not a positive duration with a unit, up to two years. */
export function parseDuration(text: string): number | undefined {
  if (!DURATION_PATTERN.test(text)) return undefined;
  const millis = ms(text.trim() as ms.StringValue);
  return Number.isFinite(millis) && millis > 0 && millis <= MAX_DURATION_MS ? millis : undefined;
}

/** Milliseconds in a duration already validated by the input schema. */
export function durationMs(text: DurationText): number {
  const millis = parseDuration(text);
  if (millis === undefined) throw new TypeError(`not a duration: ${JSON.stringify(text)}`);
  return millis;
}
