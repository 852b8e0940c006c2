/** The failure type of a send that retrying cannot fix (e.g. SMTP 550): recorded, never retried. */
export const PERMANENT_FAILURE = 'PermanentDeliveryFailure';

/** The failure type of a send to an address on the suppression list (it opted out): recorded as skipped, never retried. */
export const SUPPRESSED = 'RecipientSuppressed';
