import type { ActivityOptions, LocalActivityOptions } from '@temporalio/workflow';
import { PERMANENT_FAILURE } from './failures';

/** How a message is handed over: an SMTP outage is retried with backoff for two days before it is recorded as failed. */
export const HAND_OVER = {
  startToCloseTimeout: '2 minutes',
  scheduleToCloseTimeout: '2 days',
  retry: { initialInterval: '30 seconds', backoffCoefficient: 2, maximumInterval: '1 hour', nonRetryableErrorTypes: [PERMANENT_FAILURE] },
} satisfies ActivityOptions;

/**
 * Outcome rows, written as local activities: the writes are idempotent, so a database outage is retried (with timers
 * once the backoff passes a minute) for a week before the sequence notes the gap.
 */
export const LEDGER_WRITE = {
  startToCloseTimeout: '30 seconds',
  scheduleToCloseTimeout: '7 days',
  retry: { initialInterval: '5 seconds', backoffCoefficient: 2, maximumInterval: '30 minutes' },
} satisfies LocalActivityOptions;
