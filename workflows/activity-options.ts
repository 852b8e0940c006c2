import type { ActivityOptions } from '@temporalio/common';
import { PERMANENT_FAILURE } from './failures';

/** How a message is handed over: an SMTP outage is retried with backoff for two days before it is recorded as failed. */
export const HAND_OVER = {
  startToCloseTimeout: '2 minutes',
  scheduleToCloseTimeout: '2 days',
  retry: { initialInterval: '30 seconds', backoffCoefficient: 2, maximumInterval: '1 hour', nonRetryableErrorTypes: [PERMANENT_FAILURE] },
} satisfies ActivityOptions;
