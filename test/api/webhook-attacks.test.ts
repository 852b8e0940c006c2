import { createHmac } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { parseWebhooksConfig } from '../../client/ats/common';
import { eventually } from '../helpers/eventually';
import { KEYS, startApiHarness, type ApiHarness, type ErrorsBody } from './harness';
import { startFakeLever, type FakeLever } from './lever-fake';

/**
 * Attacks on the ATS webhooks that held against the signature checks but not beyond them (issue 11, findings 4, 5, 7):
 * a Greenhouse delivery replayed under a new event id, Lever deliveries whose unsigned fields were rewritten or that
 * were replayed years later or after a failure, and unsigned bodies big enough to cost the event loop.
 */
type Json = Record<string, unknown>;
const fixture = (name: string): Json => JSON.parse(readFileSync(path.join(__dirname, 'fixtures', `${name}.json`), 'utf8')) as Json;
const hmac = (key: string, data: string) => createHmac('sha256', key).update(data).digest('hex');

const GREENHOUSE_SECRET = 'greenhouse-secret-for-acme';
const LEVER_TOKEN = 'lever-signature-token-for-acme';
const LEVER_API_KEY = 'lever-api-key-for-acme';
const LEVER_REJECTION = '63dd55b2-a99f-4e7b-985f-22c7bf80ab42';
const CONTACT = '3f1c9e7a-5d2b-4c8e-9f10-0a1b2c3d4e5f';

describe('webhook attacks', () => {
  let api: ApiHarness;
  let lever: FakeLever;
  let counter = 0;

  const stage = async (rejectionId: string) => (await api.call<{ stage: string }>('GET', `/sequences/${rejectionId}`, { key: KEYS.acme })).body.stage;
  const greenhouse = (raw: string, eventId = `gh-attack-${++counter}`, signature = `sha256 ${hmac(GREENHOUSE_SECRET, raw)}`) =>
    api.call<Json & ErrorsBody>('POST', '/webhooks/acme/greenhouse', { body: raw, headers: { 'content-type': 'application/json', 'greenhouse-event-id': eventId, signature } });
  const rejection = (applicationId: number) => {
    const payload = fixture('greenhouse-reject-candidate');
    const application = (payload.payload as Json).application as Json;
    application.id = applicationId;
    application.rejected_at = new Date().toISOString();
    return JSON.stringify(payload);
  };
  /** A Lever delivery as Lever signs it (token + triggeredAt); `data` and `event` are not covered by the signature. */
  const leverDelivery = (event: string, data: Json, options: { token?: string; triggeredAt?: number } = {}) => {
    const token = options.token ?? `lever-attack-token-${++counter}`;
    const triggeredAt = options.triggeredAt ?? Date.now();
    return { id: `delivery-${counter}`, event, token, triggeredAt, signature: hmac(LEVER_TOKEN, `${token}${triggeredAt}`), data };
  };
  const postLever = (delivery: Json) => api.call<Json & ErrorsBody>('POST', '/webhooks/acme/lever', { json: delivery });
  const archivedAsRejection = (opportunityId: string) => ({ opportunityId, contactId: CONTACT, candidateId: CONTACT, toArchived: { reason: LEVER_REJECTION, archivedAt: Date.now() } });

  beforeAll(async () => {
    lever = await startFakeLever(LEVER_API_KEY);
    const defaults = { company: 'Acme Analytics', timezone: 'Europe/London', interviewers: [{ name: 'Grace Hopper', email: 'grace@acme.example.com' }] };
    api = await startApiHarness({
      webhooks: parseWebhooksConfig(
        {
          acme: {
            greenhouse: { ...defaults, secret: GREENHOUSE_SECRET },
            lever: { ...defaults, signatureToken: LEVER_TOKEN, apiKey: LEVER_API_KEY, apiUrl: lever.url, rejectionReasons: [LEVER_REJECTION] },
          },
        },
        'test configuration',
      ),
    });
  });
  afterAll(async () => {
    await api?.teardown();
    await lever?.close();
  });

  it('Greenhouse: a captured hire_candidate resent under a new Greenhouse-Event-ID does not cancel the candidate\'s later sequence', async () => {
    expect((await greenhouse(rejection(920001))).body).toMatchObject({ outcome: 'started' });
    const captured = JSON.stringify(fixture('greenhouse-hire-candidate'));
    expect((await greenhouse(captured)).body).toMatchObject({ outcome: 'cancelled', cancelled: ['greenhouse-920001'] });
    // Weeks later the candidate is rejected for another job; the attacker replays the captured (validly signed) hire.
    expect((await greenhouse(rejection(920002))).body).toMatchObject({ outcome: 'started' });
    const replay = await greenhouse(captured, 'a-brand-new-event-id');
    expect(replay.body).toMatchObject({ outcome: 'duplicate' });
    expect(await stage('greenhouse-920002')).not.toBe('cancelled');
  });

  it('Lever: a hire or delete rewritten onto another opportunity is checked with the Lever API and ignored', async () => {
    const victim = 'b1000000-0000-4000-8000-000000000001';
    lever.put(victim, { archived: { reason: LEVER_REJECTION, archivedAt: Date.now() } });
    expect((await postLever(leverDelivery('candidateArchiveChange', archivedAsRejection(victim)))).body).toMatchObject({ outcome: 'started', rejectionId: `lever-${victim}` });

    // A captured delivery's token and signature, with the unsigned event and subject rewritten.
    const hired = await postLever(leverDelivery('candidateHired', { opportunityId: victim, contactId: CONTACT, candidateId: CONTACT }));
    expect(hired.body).toMatchObject({ outcome: 'ignored', reason: expect.stringContaining('does not confirm') as unknown });
    const deleted = await postLever(leverDelivery('candidateDeleted', { opportunityId: victim, contactId: CONTACT, candidateId: CONTACT }));
    expect(deleted.body).toMatchObject({ outcome: 'ignored' });
    const unarchived = await postLever(leverDelivery('candidateArchiveChange', { opportunityId: victim, contactId: CONTACT, toArchived: null }));
    expect(unarchived.body).toMatchObject({ outcome: 'ignored' });
    expect(await stage(`lever-${victim}`)).not.toBe('cancelled');
    expect((await api.records.dump('acme')).sequences.find((record) => record.rejectionId === `lever-${victim}`)?.erasedAt).toBeUndefined();

    // When Lever agrees (the opportunity really is gone), the same event acts, and the candidate comes from Onward's records.
    lever.remove(victim);
    const genuine = await postLever(leverDelivery('candidateDeleted', { opportunityId: victim, contactId: 'someone-else' }));
    expect(genuine.body).toMatchObject({ outcome: 'cancelled', cancelled: [`lever-${victim}`] });
    await eventually(async () => expect(await stage(`lever-${victim}`)).toBe('cancelled'));
  });

  it('Lever: a delivery triggered in 2010 (or in the future) is refused, and starts nothing', async () => {
    const old = 'b1000000-0000-4000-8000-000000000002';
    lever.put(old, { archived: { reason: LEVER_REJECTION, archivedAt: Date.parse('2010-03-01T09:00:00Z') } });
    for (const triggeredAt of [Date.parse('2010-03-01T09:00:00Z'), Date.now() - 2 * 3_600_000, Date.now() + 3_600_000]) {
      const response = await postLever(leverDelivery('candidateArchiveChange', archivedAsRejection(old), { triggeredAt }));
      expect(response.status).toBe(400);
      expect(response.body.errors[0]).toMatchObject({ field: 'triggeredAt', problem: expect.stringMatching(/ONWARD_LEVER_MAX_AGE|in the future/) as unknown });
    }
    expect((await api.call('GET', `/sequences/lever-${old}`, { key: KEYS.acme })).status).toBe(404);
  });

  it('Lever: the token is recorded before acting: replayed after a refused delivery it is a duplicate', async () => {
    const target = 'b1000000-0000-4000-8000-000000000003';
    lever.put(target, { archived: { reason: LEVER_REJECTION, archivedAt: Date.now() } });
    const token = `lever-attack-token-recorded-${++counter}`;
    const triggeredAt = Date.now();
    // The genuine delivery failed on its data (here: no opportunity id)...
    expect((await postLever(leverDelivery('candidateArchiveChange', { toArchived: { reason: LEVER_REJECTION } }, { token, triggeredAt }))).status).toBe(400);
    // ...and its token, replayed with data of the attacker's choosing, does nothing.
    const replay = await postLever(leverDelivery('candidateArchiveChange', archivedAsRejection(target), { token, triggeredAt }));
    expect(replay.body).toMatchObject({ outcome: 'duplicate' });
    expect((await api.call('GET', `/sequences/lever-${target}`, { key: KEYS.acme })).status).toBe(404);
  });

  it('Lever: a delivery that failed on Onward\'s side (the Lever API down) is handled when Lever retries it', async () => {
    const target = 'b1000000-0000-4000-8000-000000000004';
    lever.put(target, { archived: { reason: LEVER_REJECTION, archivedAt: Date.now() } });
    const delivery = leverDelivery('candidateArchiveChange', archivedAsRejection(target));
    lever.failing = true;
    try {
      expect((await postLever(delivery)).status).toBe(502);
    } finally {
      lever.failing = false;
    }
    expect((await postLever(delivery)).body).toMatchObject({ outcome: 'started', rejectionId: `lever-${target}` });
  });

  it('checks the signature over the raw bytes before parsing: an unsigned nested body is never parsed', async () => {
    const nested = `${'{"a":['.repeat(6_000)}1${']}'.repeat(6_000)}`;
    const parse = vi.spyOn(JSON, 'parse');
    try {
      const response = await greenhouse(nested, 'gh-unsigned', 'sha256 0000');
      expect(response.status).toBe(401);
      expect(parse.mock.calls.filter(([text]) => typeof text === 'string' && text.length >= nested.length)).toEqual([]);
    } finally {
      parse.mockRestore();
    }
  });

  it('refuses webhook bodies bigger than ATS payloads need (128 KiB) unread, signed or not', async () => {
    const payload = fixture('greenhouse-reject-candidate');
    payload.padding = 'x'.repeat(200 * 1024);
    const raw = JSON.stringify(payload);
    const response = await greenhouse(raw);
    expect(response.status).toBe(413);
    expect((await api.call('GET', '/sequences/greenhouse-71830999', { key: KEYS.acme })).status).toBe(404);
  });
});
