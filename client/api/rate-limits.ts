import { createHash } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { ApiError } from './errors';

/**
 * Requests per minute, each counted on its own (@fastify/rate-limit's in-memory store): per client IP on every route
 * behind an API key (a key-guessing client is slowed before its key is checked), per API key behind it (one tenant's
 * burst leaves the others their share), and per tenant webhook on the ATS deliveries. Over a limit: 429 with
 * Retry-After. Set by ONWARD_RATE_LIMIT_PER_IP, ONWARD_RATE_LIMIT_PER_KEY and ONWARD_RATE_LIMIT_WEBHOOKS.
 */
export interface RateLimits {
  perIp: number;
  perKey: number;
  webhooks: number;
}

export const DEFAULT_RATE_LIMITS: RateLimits = { perIp: 1200, perKey: 600, webhooks: 600 };

const WINDOW_MS = 60_000;

/** An onRequest hook that answers 429 when its own counter for the request's key is over `max`. */
export type RequestLimit = (request: FastifyRequest, reply: FastifyReply) => Promise<void>;

export function requestLimit(app: FastifyInstance, what: string, max: number, keyOf: (request: FastifyRequest) => string): RequestLimit {
  const check = app.createRateLimit({ max, timeWindow: WINDOW_MS, keyGenerator: keyOf });
  return async (request, reply) => {
    const result = await check(request);
    if (result.isAllowed || !result.isExceeded) return;
    reply.header('retry-after', String(result.ttlInSeconds));
    throw new ApiError(429, [{ field: '(request)', problem: `too many requests ${what} (at most ${max} a minute): retry after ${result.ttlInSeconds} s` }]);
  };
}

/**
 * A key's counter is named by a digest of the key (the keys themselves are kept nowhere else), taken from the header as
 * authentication reads it: "bearer  KEY" and "Bearer KEY" share one counter.
 */
export const keyDigest = (header: string | undefined): string =>
  createHash('sha256')
    .update(/^Bearer\s+(\S+)\s*$/i.exec(header ?? '')?.[1] ?? '')
    .digest('base64url')
    .slice(0, 22);
