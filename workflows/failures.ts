/** The failure type of a send that retrying cannot fix (e.g. SMTP 550): recorded, never retried. */
export const PERMANENT_FAILURE = 'PermanentDeliveryFailure';
