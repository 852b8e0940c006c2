import { ApplicationFailure } from '@temporalio/activity';
import { PERMANENT_FAILURE } from '../../workflows/failures';

/**
 * What Google's answers mean for a retry. Rate limits (429, 403 rateLimitExceeded / userRateLimitExceeded), server
 * errors and network trouble are plain errors: Temporal retries the activity with backoff (the client library's own
 * retries are off). Bad credentials and bad requests are permanent (`PermanentDeliveryFailure`), with a message that
 * says what to fix; the workflow records them in the timeline and goes on.
 */

export interface GoogleErrorContext {
  /** The credentials' name, e.g. "ada". */
  account: string;
  /** Whether they are a service account's (domain-wide delegation) rather than a user's refresh token. */
  serviceAccount?: boolean;
  /** The address they act for. */
  mailbox?: string;
  /** What was being done, e.g. "sending thank-you:1 with Gmail". */
  action: string;
}

export interface ErrorDetails {
  status?: number;
  /** OAuth token endpoint: `invalid_grant`, `unauthorized_client`, ... */
  oauthError?: string;
  oauthDescription?: string;
  /** API errors: the first reason (`rateLimitExceeded`, `insufficientPermissions`, ...) and the message. */
  reason?: string;
  message?: string;
  code?: string;
}

const RATE_LIMIT_REASONS = new Set(['rateLimitExceeded', 'userRateLimitExceeded']);

const record = (value: unknown): Record<string, unknown> | undefined =>
  typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : undefined;
const text = (value: unknown): string | undefined => (typeof value === 'string' && value ? value : undefined);

/** The parts of a GaxiosError (or anything shaped like one) that decide what to do. */
export function errorDetails(error: unknown): ErrorDetails {
  const top = record(error);
  const response = record(top?.response);
  const status = typeof response?.status === 'number' ? response.status : typeof top?.status === 'number' ? top.status : undefined;
  let data: unknown = response?.data;
  if (typeof data === 'string') {
    try {
      data = JSON.parse(data);
    } catch {
      // not JSON: keep the text
    }
  }
  const body = record(data);
  const apiError = record(body?.error);
  const firstError = Array.isArray(apiError?.errors) ? record(apiError.errors[0]) : undefined;
  return {
    status,
    oauthError: text(body?.error),
    oauthDescription: text(body?.error_description),
    reason: text(firstError?.reason) ?? (apiError?.status === 'RESOURCE_EXHAUSTED' ? 'rateLimitExceeded' : undefined),
    message: text(apiError?.message) ?? (typeof data === 'string' ? data.slice(0, 300) : undefined) ?? (error instanceof Error ? error.message : undefined),
    code: typeof top?.code === 'string' ? top.code : undefined,
  };
}

export function statusOf(error: unknown): number | undefined {
  return errorDetails(error).status;
}

/** 429, or a 403 whose reason is a rate limit: wait and try again. */
export function isRateLimit(details: ErrorDetails): boolean {
  return details.status === 429 || (details.status === 403 && details.reason !== undefined && RATE_LIMIT_REASONS.has(details.reason));
}

const permanent = (message: string, cause?: unknown) =>
  ApplicationFailure.create({ message, type: PERMANENT_FAILURE, nonRetryable: true, cause: cause instanceof Error ? cause : undefined });

/** A permanent failure with a message for a person: what went wrong and what to fix. Never includes a token. */
export function googleConfigFailure(message: string): ApplicationFailure {
  return permanent(message);
}

/** The error to throw for a failed Google call: retryable as is, or a permanent failure that says what to fix. */
export function classifyGoogleError(error: unknown, context: GoogleErrorContext): Error {
  if (error instanceof ApplicationFailure) return error;
  const details = errorDetails(error);
  const who = `Google account "${context.account}"${context.mailbox ? ` (acting for ${context.mailbox})` : ''}`;
  const reconnect = context.serviceAccount
    ? `check the service account's domain-wide delegation in the Google Workspace admin console (its client id and Onward's scopes) and that ${context.mailbox ?? 'the user'} exists`
    : `reconnect it with \`onward google auth ${context.account}\``;

  if (details.oauthError === 'invalid_grant') {
    return permanent(
      context.serviceAccount
        ? `${who} cannot act for this user (invalid_grant${details.oauthDescription ? `: ${details.oauthDescription}` : ''}) while ${context.action}: ${reconnect}`
        : `${who}: the refresh token was revoked or has expired (invalid_grant) while ${context.action}: ${reconnect}`,
    );
  }
  if (details.oauthError === 'unauthorized_client' || details.oauthError === 'invalid_client' || details.oauthError === 'access_denied') {
    return permanent(`${who} is not authorised (${details.oauthError}${details.oauthDescription ? `: ${details.oauthDescription}` : ''}) while ${context.action}: ${reconnect}`);
  }
  switch (details.status) {
    case 429:
      return new Error(`Google rate limit (429) while ${context.action}: retrying later`);
    case 401:
      return permanent(`${who}: Google refused the credentials even after refreshing them (401) while ${context.action}: ${reconnect}`);
    case 400:
      return permanent(`Google refused the request as invalid (400${details.message ? `: ${details.message}` : ''}) while ${context.action}`);
    case 403:
      if (details.reason && RATE_LIMIT_REASONS.has(details.reason)) return new Error(`Google rate limit (403 ${details.reason}) while ${context.action}: retrying later`);
      return permanent(
        `${who} is not allowed to do this (403${details.reason ? ` ${details.reason}` : ''}${details.message ? `: ${details.message}` : ''}) while ${context.action}: ` +
          'grant the scopes `onward google auth` lists for the channels in use',
      );
    case 404:
      return permanent(`Google found nothing there (404${details.message ? `: ${details.message}` : ''}) while ${context.action}`);
    default:
      break;
  }
  // 5xx, timeouts and network errors: Temporal retries.
  const message = details.status ? `Google answered ${details.status}` : `cannot reach Google (${details.code ?? (error instanceof Error ? error.message : String(error))})`;
  return new Error(`${message} while ${context.action}: retrying later`);
}
