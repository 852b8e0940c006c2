import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMemorySuppressionList } from '../../activities/suppression';
import { signUnsubscribeToken } from '../../activities/unsubscribe-token';
import { workflowIdFor } from '../../workflows/definitions';
import type { SequenceStatus } from '../../workflows/status';
import { rejectionDocument } from '../helpers/fixtures';
import { KEYS, startApiHarness, type ApiHarness, type ErrorsBody } from './harness';

const SECRET = 'api-test-unsubscribe-secret-0123456789';
const ONE_CLICK = { body: 'List-Unsubscribe=One-Click', headers: { 'content-type': 'application/x-www-form-urlencoded' } };

describe('one-click unsubscribe (RFC 8058)', () => {
  let api: ApiHarness;
  const suppressions = createMemorySuppressionList();

  beforeAll(async () => {
    api = await startApiHarness({ unsubscribe: { secret: SECRET, suppressions } });
  });
  afterAll(async () => api?.teardown());

  const startSequence = async (id: string, email: string) => {
    const started = await api.call('POST', '/rejections', {
      key: KEYS.acme,
      json: rejectionDocument({ id, rejectedAt: new Date().toISOString(), candidate: { name: 'Ada Lovelace', email, timezone: 'Europe/London' } }),
    });
    expect(started.status).toBe(201);
    return workflowIdFor(id, 'acme');
  };
  const stageOf = async (id: string) => (await api.call<SequenceStatus>('GET', `/sequences/${id}`, { key: KEYS.acme })).body.stage;

  it('POST with a valid token suppresses the address and opts the sequence out, without an API key; again is the same 200', async () => {
    const workflowId = await startSequence('unsub-one-click', 'Ada.Unsub@example.com');
    const token = signUnsubscribeToken({ email: 'Ada.Unsub@example.com', sequenceId: workflowId }, SECRET, Date.now());

    const first = await api.call('POST', `/unsubscribe?token=${encodeURIComponent(token)}`, ONE_CLICK);
    expect(first.status).toBe(200);
    expect(first.body).toEqual({ unsubscribed: true, email: 'ada.unsub@example.com' });
    expect(await suppressions.isSuppressed('ada.unsub@example.com')).toBe(true);
    expect(await stageOf('unsub-one-click')).toBe('opted-out');

    // The sequence has ended: the second click changes nothing and answers the same.
    const second = await api.call('POST', `/unsubscribe?token=${encodeURIComponent(token)}`, ONE_CLICK);
    expect(second.status).toBe(200);
    expect(second.text).toBe(first.text);
    expect(await stageOf('unsub-one-click')).toBe('opted-out');
  });

  it('GET shows a confirmation page whose button POSTs, and changes nothing', async () => {
    const workflowId = await startSequence('unsub-page', 'grace.page@example.com');
    const token = signUnsubscribeToken({ email: 'grace.page@example.com', sequenceId: workflowId }, SECRET, Date.now());
    const page = await api.call('GET', `/unsubscribe?token=${encodeURIComponent(token)}`);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toMatch(/text\/html/);
    expect(page.text).toContain('<form method="post"');
    expect(page.text).toContain('name="List-Unsubscribe" value="One-Click"');
    expect(await suppressions.isSuppressed('grace.page@example.com')).toBe(false);
    expect(await stageOf('unsub-page')).toBe('grieving');
  });

  it('a forged, expired or missing token is a 400 with the reason, and nothing is suppressed', async () => {
    const workflowId = await startSequence('unsub-forged', 'forged@example.com');
    const forged = signUnsubscribeToken({ email: 'forged@example.com', sequenceId: workflowId }, 'not-the-server-secret-0123456789abc', Date.now());
    const expired = signUnsubscribeToken({ email: 'forged@example.com', sequenceId: workflowId }, SECRET, Date.now() - 200 * 24 * 3_600_000);
    const cases: [string, RegExp][] = [
      [`/unsubscribe?token=${encodeURIComponent(forged)}`, /bad signature/],
      [`/unsubscribe?token=${encodeURIComponent(expired)}`, /expired/],
      ['/unsubscribe', /no token/],
    ];
    for (const [route, reason] of cases) {
      const response = await api.call<ErrorsBody>('POST', route, ONE_CLICK);
      expect(response.status, route).toBe(400);
      expect(response.body.errors[0]?.field).toBe('token');
      expect(response.body.errors[0]?.problem).toMatch(reason);
      const page = await api.call('GET', route);
      expect(page.status).toBe(400);
      expect(page.text).toMatch(reason);
    }
    expect(await suppressions.isSuppressed('forged@example.com')).toBe(false);
    expect(await stageOf('unsub-forged')).toBe('grieving');
  });
});
