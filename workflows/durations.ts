import ms from 'ms';

/** A human duration such as "2 days", "1 week" or "90 minutes"; a unit is required. */
export type DurationText = string;

const DURATION_PATTERN = /^\s*\d+(\.\d+)?\s*(s|secs?|seconds?|m|mins?|minutes?|h|hrs?|hours?|d|days?|w|weeks?)\s*$/i;

/** Milliseconds in a duration, or undefined when the text is not a positive duration with a unit. */
export function parseDuration(text: string): number | undefined {
  if (!DURATION_PATTERN.test(text)) return undefined;
  const millis = ms(text.trim() as ms.StringValue);
  return Number.isFinite(millis) && millis > 0 ? millis : undefined;
}

/** Milliseconds in a duration already validated by the input schema. */
export function durationMs(text: DurationText): number {
  const millis = parseDuration(text);
  if (millis === undefined) throw new TypeError(`not a duration: ${JSON.stringify(text)}`);
  return millis;
}
