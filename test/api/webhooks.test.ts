import { createHmac } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMemorySuppressionList } from '../../activities/suppression';
import { parseWebhooksConfig } from '../../client/ats/common';
import { workflowIdFor } from '../../workflows/definitions';
import type { SequenceStatus } from '../../workflows/status';
import { eventually } from '../helpers/eventually';
import { KEYS, startApiHarness, type ApiHarness, type ErrorsBody } from './harness';
import { startFakeLever, type FakeLever } from './lever-fake';

// ATS webhooks end to end, with payloads of the shapes Greenhouse, Lever and Ashby document (fixtures/),
// signed as each ATS signs them, against a real Temporal dev server. Lever's API is a fake on loopback (./lever-fake.ts).
type Json = Record<string, unknown>;
const fixture = (name: string): Json => JSON.parse(readFileSync(path.join(__dirname, 'fixtures', `${name}.json`), 'utf8')) as Json;
const hmac = (key: string, data: string) => createHmac('sha256', key).update(data).digest('hex');
const clone = <T>(value: T): T => structuredClone(value);

const GREENHOUSE_SECRET = 'greenhouse-secret-for-acme';
const LEVER_TOKEN = 'lever-signature-token-for-acme';
const LEVER_API_KEY = 'lever-api-key-for-acme';
const ASHBY_SECRET = 'ashby-secret-for-acme';
const LEVER_REJECTION = '63dd55b2-a99f-4e7b-985f-22c7bf80ab42';
/** The candidate's other opportunity (fixtures/lever-candidate-hired.json), archived as hired. */
const HIRED_OPPORTUNITY = '1d2c3b4a-5f6e-4d7c-8b9a-0f1e2d3c4b5a';

interface SequencePage extends SequenceStatus {
  tenant?: string;
  source?: { ats: string; applicationId: string; rejectionReason?: string; erasedAt?: string };
}

describe('ATS webhooks', () => {
  const suppressions = createMemorySuppressionList();
  let api: ApiHarness;
  let lever: FakeLever;
  let eventCounter = 0;

  const exists = (rejectionId: string) =>
    api.env.client.workflow
      .getHandle(workflowIdFor(rejectionId, 'acme'))
      .describe()
      .then(() => true)
      .catch(() => false);
  const sequence = (rejectionId: string) => api.call<SequencePage>('GET', `/sequences/${rejectionId}`, { key: KEYS.acme });

  const greenhouse = (payload: Json, options: { eventId?: string; secret?: string | null; tenant?: string; body?: string } = {}) => {
    const raw = options.body ?? JSON.stringify(payload);
    const headers: Record<string, string> = { 'content-type': 'application/json', 'greenhouse-event-id': options.eventId ?? `gh-event-${++eventCounter}` };
    if (options.secret !== null) headers.signature = `sha256 ${hmac(options.secret ?? GREENHOUSE_SECRET, JSON.stringify(payload))}`;
    return api.call<Json & ErrorsBody>('POST', `/webhooks/${options.tenant ?? 'acme'}/greenhouse`, { body: raw, headers });
  };
  const rejectPayload = (applicationId: number, changes: { canEmail?: boolean } = {}) => {
    const payload = clone(fixture('greenhouse-reject-candidate'));
    const application = (payload.payload as Json).application as Json;
    application.id = applicationId;
    application.rejected_at = new Date().toISOString();
    if (changes.canEmail !== undefined) (application.candidate as Json).can_email = changes.canEmail;
    return payload;
  };
  const leverEvent = (name: string, changes: (event: Json) => void = () => undefined, token = LEVER_TOKEN) => {
    const event = clone(fixture(name));
    event.token = `${String(event.token)}-${++eventCounter}`;
    event.triggeredAt = Date.now();
    changes(event);
    event.signature = hmac(token, `${String(event.token)}${String(event.triggeredAt)}`);
    return api.call<Json & ErrorsBody>('POST', '/webhooks/acme/lever', { json: event });
  };
  const ashby = (payload: Json, secret = ASHBY_SECRET) => {
    const raw = JSON.stringify(payload);
    return api.call<Json & ErrorsBody>('POST', '/webhooks/acme/ashby', { body: raw, headers: { 'content-type': 'application/json', 'ashby-signature': `sha256=${hmac(secret, raw)}` } });
  };

  beforeAll(async () => {
    lever = await startFakeLever(LEVER_API_KEY);
    const rejected = (fixture('lever-api-opportunity').data as Json).id as string;
    lever.put(rejected, { archived: { reason: LEVER_REJECTION, archivedAt: Date.now() } });
    lever.put(HIRED_OPPORTUNITY, { archived: { reason: 'hired-reason-id', archivedAt: Date.now() } });
    const defaults = { company: 'Acme Analytics', timezone: 'Europe/London' };
    api = await startApiHarness({
      suppressions,
      webhooks: parseWebhooksConfig(
        {
          acme: {
            greenhouse: { ...defaults, secret: GREENHOUSE_SECRET, interviewers: [{ name: 'Grace Hopper', email: 'grace@acme.example.com', title: 'Head of Engineering' }] },
            lever: { ...defaults, signatureToken: LEVER_TOKEN, apiKey: LEVER_API_KEY, apiUrl: lever.url, rejectionReasons: [LEVER_REJECTION] },
            ashby: { ...defaults, company: 'Acme Radio', secret: ASHBY_SECRET },
          },
          bravo: { greenhouse: { company: 'Bravo', secret: 'greenhouse-secret-for-bravo' } },
        },
        'test configuration',
      ),
    });
  });
  afterAll(async () => {
    await api?.teardown();
    await lever?.close();
  });

  describe('Greenhouse', () => {
    it('answers a missing, forged or mismatched signature with 401 and starts nothing', async () => {
      const payload = rejectPayload(900001);
      expect((await greenhouse(payload, { secret: null })).status).toBe(401);
      expect((await greenhouse(payload, { secret: 'guessed-secret' })).status).toBe(401);
      // A valid signature of another body (the payload changed in transit).
      const tampered = await greenhouse(payload, { body: JSON.stringify(payload).replace('Ada', 'Eve') });
      expect(tampered.status).toBe(401);
      expect(tampered.body.errors[0]).toMatchObject({ field: 'authorization' });
      // Tenant bravo's endpoint takes bravo's secret only.
      expect((await greenhouse(payload, { tenant: 'bravo' })).status).toBe(401);
      expect((await greenhouse(payload, { tenant: 'nobody' })).status).toBe(404);
      expect(await exists('greenhouse-900001')).toBe(false);
    });

    it('starts a sequence on reject_candidate, records the rejection reason, and de-duplicates replays', async () => {
      const payload = rejectPayload(900002);
      const first = await greenhouse(payload, { eventId: 'gh-replayed-event' });
      expect(first.status).toBe(200);
      expect(first.body).toMatchObject({ outcome: 'started', rejectionId: 'greenhouse-900002', reason: 'Not enough system design depth (Wrong skill set)' });

      const status = await sequence('greenhouse-900002');
      expect(status.body).toMatchObject({ candidate: 'Ada Lovelace', role: 'Senior Data Engineer', company: 'Acme Analytics', tenant: 'acme' });
      expect(status.body.source).toMatchObject({ ats: 'greenhouse', applicationId: '900002', rejectionReason: 'Not enough system design depth (Wrong skill set)' });
      const recipients = status.body.timeline.map((entry) => entry.to);
      expect(recipients).toContain('ada@example.com'); // the personal address, not the work one
      expect(recipients).toContain('grace@acme.example.com'); // the configured interviewer: Greenhouse sends no interviewer emails
      expect(recipients).toContain('sam.recruiter@acme.example.com');

      const replay = await greenhouse(payload, { eventId: 'gh-replayed-event' });
      expect(replay.body).toMatchObject({ outcome: 'duplicate' });
      // The same signed body under a new (unsigned) event id is the same delivery.
      const redelivered = await greenhouse(payload);
      expect(redelivered.body).toMatchObject({ outcome: 'duplicate' });
      // A new delivery of the same rejection starts nothing new either.
      expect((await greenhouse(rejectPayload(900002))).body).toMatchObject({ outcome: 'existing' });
      const runs = [];
      for await (const run of api.env.client.workflow.list({ query: `WorkflowId = '${workflowIdFor('greenhouse-900002', 'acme')}'` })) runs.push(run);
      expect(runs).toHaveLength(1);
      // Another agency's key does not see it.
      expect((await api.call('GET', '/sequences/greenhouse-900002', { key: KEYS.bravo })).status).toBe(404);
    });

    it('answers a reject_candidate for a candidate who opted out with "ignored" and the reason (no retries), and starts nothing', async () => {
      await suppressions.suppress('ada@example.com', 'asked to stop');
      try {
        const response = await greenhouse(rejectPayload(900009));
        expect(response.status).toBe(200);
        expect(response.body).toMatchObject({
          outcome: 'ignored',
          rejectionId: 'greenhouse-900009',
          reason: 'candidate.email: is on the suppression list (the candidate opted out): no sequence is started for this address',
        });
        expect(await exists('greenhouse-900009')).toBe(false);
      } finally {
        await suppressions.remove('ada@example.com');
      }
    });

    it('respects candidate.can_email: false starts nothing', async () => {
      const response = await greenhouse(rejectPayload(900003, { canEmail: false }));
      expect(response.body).toMatchObject({ outcome: 'ignored', reason: expect.stringContaining('can_email') as unknown });
      expect(await exists('greenhouse-900003')).toBe(false);
    });

    it('cancels on unreject_candidate and hire_candidate', async () => {
      await greenhouse(rejectPayload(900004));
      const unreject = clone(fixture('greenhouse-unreject-candidate'));
      ((unreject.payload as Json).application as Json).id = 900004;
      const response = await greenhouse(unreject);
      expect(response.body).toMatchObject({ outcome: 'cancelled', cancelled: ['greenhouse-900004'] });
      expect((await sequence('greenhouse-900004')).body.stage).toBe('cancelled');

      // Hired for another job: every sequence of the candidate stops (found through the API's records).
      await greenhouse(rejectPayload(900005));
      const hired = await greenhouse(fixture('greenhouse-hire-candidate'));
      expect(hired.body).toMatchObject({ outcome: 'cancelled', cancelled: expect.arrayContaining(['greenhouse-900005']) as unknown });
      expect((await sequence('greenhouse-900005')).body.stage).toBe('cancelled');
    });

    it('cancels and purges its own records on candidate_anonymized and delete_candidate; a replay never restarts', async () => {
      const payload = rejectPayload(900006);
      await greenhouse(payload);
      expect((await api.records.dump('acme')).sequences.find((record) => record.rejectionId === 'greenhouse-900006')).toMatchObject({ candidateId: '58112345' });

      const anonymized = await greenhouse(fixture('greenhouse-candidate-anonymized'));
      expect(anonymized.body).toMatchObject({ outcome: 'cancelled' });
      expect(anonymized.body.cancelled).toContain('greenhouse-900006');
      const record = (await api.records.dump('acme')).sequences.find((entry) => entry.rejectionId === 'greenhouse-900006');
      expect(record?.erasedAt).toBeDefined();
      expect(record).not.toHaveProperty('candidateId');
      expect(record).not.toHaveProperty('rejectionReason');
      expect(JSON.stringify(await api.records.dump('acme'))).not.toContain('58112345');
      expect((await sequence('greenhouse-900006')).body.stage).toBe('cancelled');
      expect((await greenhouse(rejectPayload(900006))).body).toMatchObject({ outcome: 'ignored', reason: expect.stringContaining('anonymized or deleted') as unknown });

      // Deleted before Onward ever heard of the rejection: a late reject_candidate starts nothing.
      const deleted = clone(fixture('greenhouse-delete-candidate'));
      ((deleted.payload as Json).person as Json).deleted_application_ids = [900007];
      expect((await greenhouse(deleted)).body).toMatchObject({ outcome: 'cancelled', erased: expect.arrayContaining(['greenhouse-900007']) as unknown });
      expect((await greenhouse(rejectPayload(900007))).body).toMatchObject({ outcome: 'ignored' });
      expect(await exists('greenhouse-900007')).toBe(false);
    });

    it('answers a ping, and refuses an event it cannot start from with 422 (and starts nothing)', async () => {
      expect((await greenhouse({ action: 'ping', payload: { web_hook_id: 1 } })).body).toMatchObject({ outcome: 'ignored' });
      const noEmail = rejectPayload(900008);
      (((noEmail.payload as Json).application as Json).candidate as Json).email_addresses = [];
      const response = await greenhouse(noEmail);
      expect(response.status).toBe(422);
      expect(response.body.errors).toEqual([{ field: 'candidate.email', problem: 'is required' }]);
      expect(await exists('greenhouse-900008')).toBe(false);
    });
  });

  describe('Lever', () => {
    const opportunityId = '9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d';

    it('answers a forged signature with 401 and starts nothing', async () => {
      const forged = await leverEvent('lever-candidate-archive-change', undefined, 'not-the-token');
      expect(forged.status).toBe(401);
      expect(await exists(`lever-${opportunityId}`)).toBe(false);
    });

    it('starts on an archive reason configured as a rejection, with the people from the Lever API', async () => {
      const response = await leverEvent('lever-candidate-archive-change');
      expect(response.body).toMatchObject({ outcome: 'started', rejectionId: `lever-${opportunityId}` });
      expect(lever.requests).toEqual(expect.arrayContaining([expect.stringContaining(`/opportunities/${opportunityId}?`), `/v1/opportunities/${opportunityId}/interviews`]));
      const status = await sequence(`lever-${opportunityId}`);
      expect(status.body).toMatchObject({ candidate: 'Mary Somerville', role: 'Analytics Engineer', company: 'Acme Analytics' });
      const recipients = status.body.timeline.map((entry) => entry.to);
      expect(recipients).toEqual(expect.arrayContaining(['mary@example.com', 'katherine@acme.example.com', 'dorothy@acme.example.com', 'priya@acme.example.com']));

      // A replay of the same delivery (same token) does nothing.
      const event = clone(fixture('lever-candidate-archive-change'));
      event.triggeredAt = Date.now();
      event.signature = hmac(LEVER_TOKEN, `${String(event.token)}${String(event.triggeredAt)}`);
      expect((await api.call('POST', '/webhooks/acme/lever', { json: event })).body).toMatchObject({ outcome: 'existing' });
      expect((await api.call('POST', '/webhooks/acme/lever', { json: event })).body).toMatchObject({ outcome: 'duplicate' });
    });

    it('ignores other archive reasons, and cancels when the candidate is hired elsewhere', async () => {
      const other = await leverEvent('lever-candidate-archive-change', (event) => {
        ((event.data as Json).toArchived as Json).reason = 'hired-reason-id';
      });
      expect(other.body).toMatchObject({ outcome: 'ignored' });
      const hired = await leverEvent('lever-candidate-hired');
      expect(hired.body).toMatchObject({ outcome: 'cancelled', cancelled: [`lever-${opportunityId}`] });
      expect((await sequence(`lever-${opportunityId}`)).body.stage).toBe('cancelled');
    });
  });

  describe('Ashby', () => {
    const applicationId = 'c7d8e9f0-a1b2-4c3d-8e4f-5a6b7c8d9e0f';
    const archived = (changes: (application: Json) => void = () => undefined) => {
      const payload = clone(fixture('ashby-application-update-archived'));
      const application = (payload.data as Json).application as Json;
      application.archivedAt = new Date().toISOString();
      changes(application);
      return payload;
    };

    it('answers a forged signature with 401 and starts nothing', async () => {
      expect((await ashby(archived(), 'not-the-secret')).status).toBe(401);
      expect(await exists(`ashby-${applicationId}`)).toBe(false);
    });

    it('starts on applicationUpdate to Archived (rejected by the company), ignores a withdrawal, cancels on candidateHire', async () => {
      const withdrawal = archived((application) => {
        application.id = 'withdrawn-application';
        (application.archiveReason as Json).reasonType = 'RejectedByCandidate';
      });
      withdrawal.webhookActionId = 'a-withdrawal';
      const withdrawn = await ashby(withdrawal);
      expect(withdrawn.body).toMatchObject({ outcome: 'ignored' });
      expect(await exists('ashby-withdrawn-application')).toBe(false);

      const started = await ashby(archived());
      expect(started.body).toMatchObject({ outcome: 'started', rejectionId: `ashby-${applicationId}`, reason: 'Another candidate was a closer fit' });
      const status = await sequence(`ashby-${applicationId}`);
      expect(status.body).toMatchObject({ candidate: 'Hedy Lamarr', role: 'Radio Engineer', company: 'Acme Radio' });
      expect(status.body.timeline.map((entry) => entry.to)).toEqual(expect.arrayContaining(['hedy@example.com', 'nikola@acme.example.com', 'rosalind@acme.example.com']));
      expect((await ashby(archived())).body).toMatchObject({ outcome: 'duplicate' });

      const hired = await ashby(fixture('ashby-candidate-hire'));
      expect(hired.body).toMatchObject({ outcome: 'cancelled', cancelled: [`ashby-${applicationId}`] });
      await eventually(async () => expect((await sequence(`ashby-${applicationId}`)).body.stage).toBe('cancelled'));
    });
  });
});
