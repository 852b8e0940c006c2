import { ApplicationFailure } from '@temporalio/common';

/** The failure type of a send that retrying cannot fix (e.g. SMTP 550): recorded, never retried. */
export const PERMANENT_FAILURE = 'PermanentDeliveryFailure';

/** The failure type of a send to an address on the suppression list (it opted out): recorded as skipped, never retried. */
export const SUPPRESSED = 'RecipientSuppressed';

/** What an activity failure is about: its cause (the activity's own error), else the error itself. */
export const causeOf = (error: unknown): unknown => (error instanceof Error && error.cause instanceof Error ? error.cause : error);

/** The type of the ApplicationFailure an activity failed with, if any. */
export const failureType = (error: unknown): string | undefined => {
  const cause = causeOf(error);
  return cause instanceof ApplicationFailure ? (cause.type ?? undefined) : undefined;
};

export const messageOf = (error: unknown): string => {
  const cause = causeOf(error);
  return cause instanceof Error ? cause.message : String(cause);
};
