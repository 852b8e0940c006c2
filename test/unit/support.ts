import { DateTime } from 'luxon';
import { parseRejectionDocument, type SequenceInput } from '../../workflows/input';
import { DEFAULT_POLICY } from '../../workflows/policy';
import type { RejectionDocument } from '../../workflows/rejection';
import type { SendRules } from '../../workflows/send-window';
import { rejectionDocument } from '../helpers/fixtures';

/** Epoch milliseconds of a wall-clock time ("2026-11-24T09:00") in an IANA zone. */
export function local(wallClock: string, zone: string): number {
  const time = DateTime.fromISO(wallClock, { zone });
  if (!time.isValid) throw new Error(`bad test time ${wallClock} in ${zone}`);
  return time.toMillis();
}

/** Epoch milliseconds of an ISO instant with an explicit offset ("2026-03-30T08:00:00Z"). */
export function utc(instant: string): number {
  const millis = Date.parse(instant);
  if (Number.isNaN(millis)) throw new Error(`bad test instant ${instant}`);
  return millis;
}

/** An instant shown in a zone, for readable assertion failures: "2026-11-24T09:00 Tue". */
export function wallClock(millis: number, zone: string): string {
  return DateTime.fromMillis(millis, { zone }).toFormat("yyyy-MM-dd'T'HH:mm ccc");
}

/** The default send rules with some of them replaced. */
export function sendRules(overrides: Partial<SendRules> = {}): SendRules {
  return {
    sendWindow: DEFAULT_POLICY.sendWindow,
    holidays: [],
    avoidRejectionDay: DEFAULT_POLICY.avoidRejectionDay,
    ...overrides,
  };
}

/** A validated rejection and its resolved policy; fails the test when the document is invalid. */
export function sequenceInput(overrides: Partial<RejectionDocument> = {}): SequenceInput {
  const result = parseRejectionDocument(rejectionDocument(overrides));
  if (!result.ok) throw new Error(`fixture is invalid: ${JSON.stringify(result.problems)}`);
  return result.input;
}
