import { createHmac } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseWebhooksConfig } from '../../client/ats/common';
import { startSequence } from '../../client/sequences';
import { workflowIdFor } from '../../workflows/definitions';
import { parseRejectionDocument } from '../../workflows/input';
import type { SequenceStatus } from '../../workflows/status';
import { runCli } from '../helpers/cli';
import { rejectionDocument } from '../helpers/fixtures';
import { KEYS, startApiHarness, type ApiHarness, type ErrorsBody } from './harness';

/**
 * Rejection ids were global (issue 11, finding 3): tenant B could start `greenhouse-2001` first, so that tenant A's
 * genuine webhook got 409 on every retry, forever, and the 409 told B which ids existed. Workflow ids are now scoped by
 * tenant; sequences started before (`rejection-<id>`) stay reachable by the tenant that owns them.
 */
type Json = Record<string, unknown>;
const GREENHOUSE_SECRET = 'greenhouse-secret-for-acme';
const document = (id: string, overrides: Parameters<typeof rejectionDocument>[0] = {}) => rejectionDocument({ id, rejectedAt: new Date().toISOString(), ...overrides });
type Page = SequenceStatus & { tenant?: string; workflowId: string };

describe('tenant-scoped sequence ids', () => {
  let api: ApiHarness;

  const greenhouseReject = (applicationId: number, eventId: string) => {
    const payload = JSON.parse(readFileSync(path.join(__dirname, 'fixtures', 'greenhouse-reject-candidate.json'), 'utf8')) as Json;
    const application = (payload.payload as Json).application as Json;
    application.id = applicationId;
    application.rejected_at = new Date().toISOString();
    const raw = JSON.stringify(payload);
    const signature = `sha256 ${createHmac('sha256', GREENHOUSE_SECRET).update(raw).digest('hex')}`;
    return api.call<Json & ErrorsBody>('POST', '/webhooks/acme/greenhouse', { body: raw, headers: { 'content-type': 'application/json', 'greenhouse-event-id': eventId, signature } });
  };

  beforeAll(async () => {
    api = await startApiHarness({
      webhooks: parseWebhooksConfig(
        { acme: { greenhouse: { company: 'Acme Analytics', secret: GREENHOUSE_SECRET, interviewers: [{ name: 'Grace Hopper', email: 'grace@acme.example.com' }] } } },
        'test configuration',
      ),
    });
  });
  afterAll(async () => api?.teardown());

  it("B taking A's webhook-derived id first neither blocks A's genuine webhook nor learns anything", async () => {
    const squat = await api.call('POST', '/rejections', { key: KEYS.bravo, json: document('greenhouse-2001', { company: 'Bravo Squatters', candidate: { name: 'Eve Mallory', email: 'eve@example.com', timezone: 'UTC' } }) });
    expect(squat.status).toBe(201);

    const first = await greenhouseReject(2001, 'gh-tenant-1');
    expect(first.status).toBe(200);
    expect(first.body).toMatchObject({ outcome: 'started', rejectionId: 'greenhouse-2001' });
    const retry = await greenhouseReject(2001, 'gh-tenant-2');
    expect(retry.status).toBe(200);
    expect(retry.body).toMatchObject({ outcome: 'existing' });

    const acme = await api.call<Page>('GET', '/sequences/greenhouse-2001', { key: KEYS.acme });
    expect(acme.body).toMatchObject({ tenant: 'acme', candidate: 'Ada Lovelace', workflowId: workflowIdFor('greenhouse-2001', 'acme') });
    const bravo = await api.call<Page>('GET', '/sequences/greenhouse-2001', { key: KEYS.bravo });
    expect(bravo.body).toMatchObject({ tenant: 'bravo', candidate: 'Eve Mallory', workflowId: workflowIdFor('greenhouse-2001', 'bravo') });

    // B acting on "its" greenhouse-2001 touches only its own sequence.
    expect((await api.call('POST', '/sequences/greenhouse-2001/cancel', { key: KEYS.bravo, json: { reason: 'B' } })).status).toBe(200);
    expect((await api.call<Page>('GET', '/sequences/greenhouse-2001', { key: KEYS.acme })).body.stage).not.toBe('cancelled');
  });

  it('no 409 tells B which ids A uses', async () => {
    expect((await api.call('POST', '/rejections', { key: KEYS.acme, json: document('shared-id-7') })).status).toBe(201);
    const probe = await api.call('POST', '/rejections', { key: KEYS.bravo, json: document('shared-id-7') });
    expect(probe.status).toBe(201);
    expect(probe.body).toMatchObject({ outcome: 'started' });
  });

  it('keeps sequences started before ids were scoped (rejection-<id>) reachable by their owner only', async () => {
    const parsed = parseRejectionDocument(document('legacy-7'));
    if (!parsed.ok) throw new Error('fixture');
    // Started as the API started every sequence before: the unscoped id, the tenant in the search attribute.
    await startSequence(api.env.client, api.taskQueue, parsed.input, { tenant: 'acme' });
    const read = await api.call<Page>('GET', '/sequences/legacy-7', { key: KEYS.acme });
    expect(read.status).toBe(200);
    expect(read.body).toMatchObject({ tenant: 'acme', workflowId: 'rejection-legacy-7' });
    expect((await api.call('GET', '/sequences/legacy-7', { key: KEYS.bravo })).status).toBe(404);

    // Starting it again is idempotent: the existing (unscoped) sequence, nothing new.
    const again = await api.call('POST', '/rejections', { key: KEYS.acme, json: document('legacy-7') });
    expect(again.status).toBe(200);
    expect(again.body).toMatchObject({ outcome: 'existing', workflowId: 'rejection-legacy-7' });
    expect((await api.call('POST', '/sequences/legacy-7/pause', { key: KEYS.acme, json: {} })).status).toBe(200);
    expect((await api.call<Page>('GET', '/sequences/legacy-7', { key: KEYS.acme })).body.paused).toBe(true);

    // Another tenant's rejection of the same id is its own sequence.
    const bravo = await api.call('POST', '/rejections', { key: KEYS.bravo, json: document('legacy-7') });
    expect(bravo.body).toMatchObject({ outcome: 'started', workflowId: workflowIdFor('legacy-7', 'bravo') });

    const listed = await api.call<{ sequences: { rejectionId: string; workflowId: string }[] }>('GET', '/sequences', { key: KEYS.acme });
    expect(listed.body.sequences).toEqual(expect.arrayContaining([expect.objectContaining({ rejectionId: 'legacy-7', workflowId: 'rejection-legacy-7' })]));
  });

  it('the CLI reaches a tenant\'s sequence with --tenant', async () => {
    const environment = { TEMPORAL_ADDRESS: api.env.address, TEMPORAL_NAMESPACE: 'default', ONWARD_TASK_QUEUE: api.taskQueue };
    const status = await runCli(['status', '--tenant', 'acme', 'greenhouse-2001', '--json'], environment);
    expect(status.stderr).toBe('');
    expect(JSON.parse(status.stdout)).toMatchObject({ candidate: 'Ada Lovelace' });
    const bravo = await runCli(['status', '--tenant', 'bravo', 'greenhouse-2001', '--json'], environment);
    expect(JSON.parse(bravo.stdout)).toMatchObject({ candidate: 'Eve Mallory' });
  });
});
