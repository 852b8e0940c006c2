import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createOutcomesStore } from '../../activities/outcomes-store';
import type { OutcomesReport } from '../../client/api/outcomes-report';
import { createSealing } from '../../common/database/sealing';
import { createMemorySuppressionList } from '../../activities/suppression';
import { workflowIdFor } from '../../workflows/definitions';
import type { SequenceStatus } from '../../workflows/status';
import { buildApi } from '../../client/api/server';
import { ApiKeys } from '../../client/api/keys';
import { ACTION_NAMES } from '../../client/api/actions';
import type { SequenceListItem } from '../../client/api/dashboard-contract';
import { rejectionDocument } from '../helpers/fixtures';
import { eventually } from '../helpers/eventually';
import { KEYS, startApiHarness, type ApiHarness, type ErrorsBody } from './harness';

// A rejection happening now: its sequence is grieving (2 days) for the whole test.
const document = (id: string, overrides: Parameters<typeof rejectionDocument>[0] = {}) => rejectionDocument({ id, rejectedAt: new Date().toISOString(), ...overrides });

describe('the HTTP API', () => {
  let api: ApiHarness;
  const exists = async (id: string) =>
    api.env.client.workflow
      .getHandle(workflowIdFor(id, 'acme'))
      .describe()
      .then(() => true)
      .catch(() => false);

  const suppressions = createMemorySuppressionList();
  beforeAll(async () => {
    api = await startApiHarness({ suppressions });
  });
  afterAll(async () => api?.teardown());

  it('serves an OpenAPI document that covers every route', async () => {
    const response = await api.call<{ openapi: string; paths: Record<string, Record<string, unknown>> }>('GET', '/openapi.json');
    expect(response.status).toBe(200);
    expect(response.body.openapi).toBe('3.1.0');
    const app = buildApi({ client: api.env.client, taskQueue: api.taskQueue, keys: new ApiKeys() });
    await app.ready();
    for (const [route, operations] of Object.entries(response.body.paths)) {
      for (const method of Object.keys(operations)) {
        const url = route.replace(/\{(\w+)\}/g, ':$1');
        // Actions are one parametric route (/sequences/:id/:action); every name is in the document.
        const registered = app.hasRoute({ method: method.toUpperCase(), url }) || (url.startsWith('/sequences/:id/') && app.hasRoute({ method: 'POST', url: '/sequences/:id/:action' }));
        expect(registered, `${method.toUpperCase()} ${route}`).toBe(true);
      }
    }
    for (const name of ACTION_NAMES) expect(response.body.paths).toHaveProperty([`/sequences/{id}/${name}`, 'post']);
    await app.close();
  });

  it('refuses requests without a valid API key (401), and starts nothing', async () => {
    const none = await api.call<ErrorsBody>('POST', '/rejections', { json: document('api-no-key') });
    expect(none.status).toBe(401);
    expect(none.body.errors[0]).toMatchObject({ field: 'authorization' });
    const wrong = await api.call<ErrorsBody>('GET', '/sequences', { key: 'not-a-key-of-anyone-at-all' });
    expect(wrong.status).toBe(401);
    expect(await exists('api-no-key')).toBe(false);
  });

  it('validates the document like the CLI (400, one problem per field) and starts nothing', async () => {
    const response = await api.call<ErrorsBody>('POST', '/rejections', {
      key: KEYS.acme,
      json: {
        ...document('api-invalid', { interviewers: [] }),
        candidate: { name: 'Ada', email: 'not-an-email', timezone: 'Mars/Olympus' },
        policy: { grievingPeriod: 'soon', surprise: true },
      },
    });
    expect(response.status).toBe(400);
    expect(response.body.errors).toEqual(
      expect.arrayContaining([
        { field: 'candidate.email', problem: 'must be a valid email address' },
        { field: 'candidate.timezone', problem: 'must be an IANA time zone such as "Europe/Paris"' },
        { field: 'interviewers', problem: 'must list at least one interviewer' },
        { field: 'policy.surprise', problem: 'is not a known field' },
        expect.objectContaining({ field: 'policy.grievingPeriod' }),
      ]),
    );
    const notJson = await api.call<ErrorsBody>('POST', '/rejections', { key: KEYS.acme, body: '{"id":', headers: { 'content-type': 'application/json' } });
    expect(notJson.status).toBe(400);
    expect(notJson.body.errors[0]?.field).toBe('(body)');
    expect(await exists('api-invalid')).toBe(false);
  });

  it('refuses a rejection whose candidate opted out (422, naming candidate.email), from the API and an import, and starts nothing', async () => {
    await suppressions.suppress('opted.out@example.com', 'asked to stop');
    const refusal = { field: 'candidate.email', problem: 'is on the suppression list (the candidate opted out): no sequence is started for this address' };
    const candidate = { name: 'Opal Out', email: 'Opted.Out@example.com', timezone: 'Europe/London' };
    const response = await api.call<ErrorsBody>('POST', '/rejections', { key: KEYS.acme, json: { ...document('api-suppressed'), candidate } });
    expect(response.status).toBe(422);
    expect(response.body.errors).toEqual([refusal]);
    expect(await exists('api-suppressed')).toBe(false);

    const csv = [
      'id,candidate.name,candidate.email,candidate.timezone,company,role,interviewers[0].name,interviewers[0].email,rejectedAt',
      `api-csv-suppressed,Opal Out,opted.out@example.com,Europe/London,Acme Analytics,Analyst,Grace Hopper,grace@acme.example.com,${new Date().toISOString()}`,
    ].join('\n');
    const imported = await api.call<{ refused: number; rows: unknown[] }>('POST', '/imports', { key: KEYS.acme, body: csv, headers: { 'content-type': 'text/csv' } });
    expect(imported.body).toMatchObject({ refused: 1, rows: [{ line: 2, id: 'api-csv-suppressed', outcome: 'refused', problems: [refusal] }] });
    expect(await exists('api-csv-suppressed')).toBe(false);
  });

  it('starts a rejection once: 201, then 200 with the existing sequence', async () => {
    const first = await api.call('POST', '/rejections', { key: KEYS.acme, json: document('api-acme-1') });
    expect(first.status).toBe(201);
    expect(first.body).toMatchObject({ outcome: 'started', rejectionId: 'api-acme-1', workflowId: workflowIdFor('api-acme-1', 'acme') });
    const again = await api.call('POST', '/rejections', { key: KEYS.acme, json: document('api-acme-1') });
    expect(again.status).toBe(200);
    expect(again.body).toMatchObject({ outcome: 'existing' });
    const runs = [];
    for await (const run of api.env.client.workflow.list({ query: `WorkflowId = '${workflowIdFor('api-acme-1', 'acme')}'` })) runs.push(run);
    expect(runs).toHaveLength(1);
  });

  it("keeps tenants apart: B cannot read or signal A's sequence, B's own of the same id is B's, and A's stays unchanged", async () => {
    await api.call('POST', '/rejections', { key: KEYS.acme, json: document('api-tenant-a') });
    const before = await api.call<SequenceStatus>('GET', '/sequences/api-tenant-a', { key: KEYS.acme });
    expect(before.status).toBe(200);

    const read = await api.call<ErrorsBody>('GET', '/sequences/api-tenant-a', { key: KEYS.bravo });
    expect(read.status).toBe(404);
    expect(read.body.errors[0]).toEqual({ field: 'id', problem: 'no sequence for rejection "api-tenant-a"' });
    for (const [action, json] of [
      ['pause', {}],
      ['cancel', { reason: 'B tries' }],
      ['feedback', { text: 'B writes here' }],
    ] as const) {
      const signal = await api.call<ErrorsBody>('POST', `/sequences/api-tenant-a/${action}`, { key: KEYS.bravo, json });
      expect(signal.status, action).toBe(404);
    }
    // Ids are scoped by tenant: B's rejection of the same id is B's own sequence (no 409 telling B that A has one).
    const reuse = await api.call('POST', '/rejections', { key: KEYS.bravo, json: document('api-tenant-a', { company: 'Bravo Corp' }) });
    expect(reuse.status).toBe(201);
    expect(reuse.body).toMatchObject({ workflowId: workflowIdFor('api-tenant-a', 'bravo') });
    // A list has no tenant parameter: the key's tenant is the only one it reads.
    const otherTenant = await api.call<ErrorsBody>('GET', '/sequences?tenant=acme', { key: KEYS.bravo });
    expect(otherTenant.status).toBe(400);
    expect(otherTenant.body.errors[0]).toEqual({ field: 'tenant', problem: 'is not a known field' });
    const listed = await api.call<{ sequences: SequenceListItem[] }>('GET', '/sequences', { key: KEYS.bravo });
    expect(listed.body.sequences.filter((sequence) => sequence.rejectionId === 'api-tenant-a').map((sequence) => sequence.company)).toEqual(['Bravo Corp']);

    const after = await api.call<SequenceStatus>('GET', '/sequences/api-tenant-a', { key: KEYS.acme });
    expect(after.body.stage).toBe('grieving');
    expect(after.body.paused).toBe(false);
    expect(after.body.feedback.received).toEqual([]);
    expect(after.body.log).toEqual(before.body.log);
    expect(after.body).toMatchObject({ company: 'Acme Analytics', tenant: 'acme' });
  });

  it('lists the tenant\'s sequences by stage, and by part of the company or the candidate, with the next step', async () => {
    await api.call('POST', '/rejections', { key: KEYS.acme, json: document('api-list-1', { company: "O'Reilly Media", candidate: { name: 'Grace Brewster', email: 'grace@example.com', timezone: 'America/New_York' } }) });
    await api.call('POST', '/rejections', { key: KEYS.acme, json: document('api-list-2') });
    const byCompany = await eventually(async () => {
      const response = await api.call<{ sequences: SequenceListItem[] }>('GET', `/sequences?q=${encodeURIComponent("o'reil")}`, { key: KEYS.acme });
      expect(response.body.sequences.map((sequence) => sequence.rejectionId)).toEqual(['api-list-1']);
      // The list memo has the next step once the workflow has planned it (a moment after the start).
      expect(response.body.sequences[0]?.next).toMatchObject({ status: 'scheduled' });
      return response.body.sequences[0] as SequenceListItem;
    });
    expect(byCompany).toMatchObject({ candidate: 'Grace Brewster', stage: 'grieving', company: "O'Reilly Media" });

    const byCandidate = await api.call<{ sequences: SequenceListItem[] }>('GET', '/sequences?q=brewster', { key: KEYS.acme });
    expect(byCandidate.body.sequences.map((sequence) => sequence.rejectionId)).toEqual(['api-list-1']);
    const grieving = await api.call<{ sequences: SequenceListItem[] }>('GET', '/sequences?stage=grieving', { key: KEYS.acme });
    expect(grieving.body.sequences.map((sequence) => sequence.rejectionId)).toEqual(expect.arrayContaining(['api-list-1', 'api-list-2']));
    const badStage = await api.call<ErrorsBody>('GET', '/sequences?stage=sleeping', { key: KEYS.acme });
    expect(badStage.status).toBe(400);
    expect(badStage.body.errors[0]?.field).toBe('stage');
  });

  it('runs each action, and answers refusals with the field and the workflow\'s reason', async () => {
    await api.call('POST', '/rejections', { key: KEYS.acme, json: document('api-actions') });
    const call = (action: string, json: unknown = {}) => api.call<ErrorsBody & { stage: string }>('POST', `/sequences/api-actions/${action}`, { key: KEYS.acme, json });

    const snoozeBad = await call('snooze', { for: 'a while' });
    expect(snoozeBad.status).toBe(400);
    expect(snoozeBad.body.errors).toEqual([{ field: 'for', problem: '"a while" is not a duration such as "2 days"' }]);
    expect((await call('snooze', {})).body.errors).toEqual([{ field: 'for', problem: 'is required' }]);
    expect((await call('progress', { applications: -1, interviews: 0 })).body.errors).toEqual([{ field: 'applications', problem: 'must be a whole number from 0 to 1000' }]);
    expect((await call('pause', { surprise: 1 })).body.errors).toEqual([{ field: 'surprise', problem: 'is not a known field' }]);

    expect(await call('snooze', { for: '1 day' })).toMatchObject({ status: 200, body: { stage: 'grieving' } });
    expect(await call('pause')).toMatchObject({ status: 200, body: { stage: 'paused' } });
    const again = await call('pause');
    expect(again.status).toBe(409);
    expect(again.body.errors).toEqual([{ field: '(sequence)', problem: 'the sequence is already paused' }]);
    expect(await call('resume')).toMatchObject({ status: 200, body: { stage: 'grieving' } });
    expect(await call('feedback', { text: 'More system design practice.', from: 'Grace Hopper' })).toMatchObject({ status: 200 });
    expect(await call('progress', { applications: 3, interviews: 1, note: 'two phone screens booked' })).toMatchObject({ status: 200 });
    const draft = await call('approve', { step: 'thank-you:1' });
    expect(draft.status).toBe(409);
    expect(draft.body.errors).toEqual([{ field: 'step', problem: 'no draft "thank-you:1" is waiting for approval' }]);
    expect((await call('dance')).status).toBe(404);

    const status = await api.call<SequenceStatus>('GET', '/sequences/api-actions', { key: KEYS.acme });
    expect(status.body.feedback.received).toEqual([expect.objectContaining({ text: 'More system design practice.', from: 'Grace Hopper' })]);
    expect(status.body.progress).toMatchObject({ applications: 3, interviews: 1 });

    expect(await call('hired', { reason: 'offer accepted' })).toMatchObject({ status: 200, body: { stage: 'hired' } });
    const ended = await call('cancel');
    expect(ended.status).toBe(409);
    expect(ended.body.errors[0]?.problem).toMatch(/has ended/);
    expect((await api.call('GET', '/sequences/nobody-here', { key: KEYS.acme })).status).toBe(404);
  });

  it('imports a CSV: per-row report, refusals named by column, nothing started twice', async () => {
    const csv = [
      'id,candidate.name,candidate.email,candidate.timezone,company,role,interviewers[0].name,interviewers[0].email,interviewers[1].name,interviewers[1].email,rejectedAt,dreamJob',
      `api-csv-1,Ada Lovelace,ada@example.com,Europe/London,Acme Analytics,Data Engineer,Grace Hopper,grace@acme.example.com,Alan Turing,alan@acme.example.com,${new Date().toISOString()},no`,
      `api-csv-2,Mary Somerville,mary@example.com,Europe/London,Acme Analytics,Analyst,Grace Hopper,grace@acme.example.com,,,${new Date().toISOString()},yes`,
      `api-csv-3,Bad Row,not-an-email,Europe/London,Acme Analytics,Analyst,Grace Hopper,grace@acme.example.com,,,${new Date().toISOString()},`,
      `api-tenant-a,Someone,someone@example.com,Europe/London,Bravo,Analyst,Grace Hopper,grace@acme.example.com,,,${new Date().toISOString()},`,
    ].join('\n');
    const first = await api.call<{ started: number; existing: number; refused: number; rows: { line: number; id: string; outcome: string; problems?: unknown[] }[] }>('POST', '/imports', {
      key: KEYS.acme,
      body: csv,
      headers: { 'content-type': 'text/csv' },
    });
    expect(first.status).toBe(200);
    expect(first.body).toMatchObject({ started: 2, existing: 1, refused: 1 });
    expect(first.body.rows).toEqual([
      { line: 2, id: 'api-csv-1', outcome: 'started' },
      { line: 3, id: 'api-csv-2', outcome: 'started' },
      { line: 4, id: 'api-csv-3', outcome: 'refused', problems: [{ field: 'candidate.email', problem: 'must be a valid email address' }] },
      { line: 5, id: 'api-tenant-a', outcome: 'existing' },
    ]);
    const again = await api.call<{ started: number; existing: number; refused: number }>('POST', '/imports', { key: KEYS.acme, body: csv, headers: { 'content-type': 'text/csv' } });
    expect(again.body).toMatchObject({ started: 0, existing: 3, refused: 1 });
    // Tenant B importing the same ids starts B's own sequences (api-tenant-a: B's, from the test above): A's are untouched.
    const other = await api.call<{ rows: { outcome: string; problems?: { field: string }[] }[] }>('POST', '/imports', { key: KEYS.bravo, body: csv, headers: { 'content-type': 'text/csv' } });
    expect(other.body.rows.map((row) => row.outcome)).toEqual(['started', 'started', 'refused', 'existing']);
    expect((await api.call<SequenceStatus>('GET', '/sequences/api-csv-1', { key: KEYS.acme })).body).toMatchObject({ tenant: 'acme' });
    const broken = await api.call<ErrorsBody>('POST', '/imports', { key: KEYS.acme, body: 'id,candidate..name\nx,y', headers: { 'content-type': 'text/csv' } });
    expect(broken.status).toBe(400);
    expect(broken.body.errors[0]?.field).toBe('(csv)');
  });

  it('reports outcomes from the ledger by month, coach and company, as JSON and CSV', async () => {
    const report = await eventually(async () => {
      const response = await api.call<OutcomesReport>('GET', '/outcomes', { key: KEYS.acme });
      expect(response.status).toBe(200);
      // api-actions: feedback (never requested: no reply rate), then hired.
      expect(response.body.byCompany.find((group) => group.group === 'Acme Analytics')).toMatchObject({ hired: 1 });
      return response.body;
    });
    expect(report.tenant).toBe('acme');
    const month = new Date().toISOString().slice(0, 7);
    expect(report.byMonth.map((group) => group.group)).toEqual([month]);
    const sequences = report.byMonth[0]?.sequences ?? 0;
    expect(sequences).toBeGreaterThan(1);
    expect(report.byCoach).toEqual([expect.objectContaining({ group: '(none)', sequences, hired: 1, feedbackRequested: 0, feedbackReplyRate: null })]);
    // Tenant bravo's sequences (its import of the same ids) never count in acme's report.
    const bravo = await api.call<OutcomesReport>('GET', '/outcomes', { key: KEYS.bravo });
    expect(bravo.body.byCompany.find((group) => group.group === 'Acme Analytics')?.hired ?? 0).toBe(0);
    expect((await api.call<OutcomesReport>('GET', '/outcomes?to=2000-01-01', { key: KEYS.acme })).body.byMonth).toEqual([]);

    const csv = await api.call('GET', '/outcomes?format=csv', { key: KEYS.acme });
    expect(csv.headers.get('content-type')).toContain('text/csv');
    expect(csv.text.split('\r\n')[0]).toBe('dimension,group,sequences,feedbackRequested,feedbackReceived,feedbackReplyRate,hired,medianDaysToNextJob,optedOut,completed,messagesSent,messagesSkipped,messagesFailed');
    expect(csv.text).toContain(`\r\nmonth,${month},${sequences},`);
    expect(csv.text).toContain("\r\ncompany,O'Reilly Media,");

    const badDate = await api.call<ErrorsBody>('GET', '/outcomes?from=2026-13-01', { key: KEYS.acme });
    expect(badDate.status).toBe(400);
    expect(badDate.body.errors).toEqual([{ field: 'from', problem: 'must be a date, YYYY-MM-DD' }]);
    const backwards = await api.call<ErrorsBody>('GET', '/outcomes?from=2026-02-01&to=2026-01-01', { key: KEYS.acme });
    expect(backwards.body.errors).toEqual([{ field: 'to', problem: 'must not be before from' }]);
  });

  it("shows a sequence's messages as sent, from the ledger, to its tenant only", async () => {
    // A message the worker kept for api-actions (grieving: nothing of its own has gone out yet).
    const workflowId = workflowIdFor('api-actions', 'acme');
    await eventually(async () => expect((await sql`select 1 from sequences where workflow_id = ${workflowId}`.execute(api.database.db)).rows).toHaveLength(1));
    await createOutcomesStore(api.database.db, createSealing(undefined)).recordSentMessage({
      workflowId,
      key: 'supportive-note',
      kind: 'supportive-note',
      to: 'ada@example.com',
      recipientRole: 'candidate',
      subject: 'Take your time',
      text: 'Hi Ada,\n\nTake the time you need.',
      sentAt: '2026-11-24T09:00:00.000Z',
    });
    const response = await api.call<{ rejectionId: string; messages: unknown[] }>('GET', '/sequences/api-actions/messages', { key: KEYS.acme });
    expect(response.status).toBe(200);
    expect(response.body).toEqual({
      rejectionId: 'api-actions',
      messages: [{ key: 'supportive-note', kind: 'supportive-note', to: 'ada@example.com', recipientRole: 'candidate', subject: 'Take your time', text: 'Hi Ada,\n\nTake the time you need.', sentAt: '2026-11-24T09:00:00.000Z' }],
    });
    expect((await api.call('GET', '/sequences/api-actions/messages', { key: KEYS.bravo })).status).toBe(404);
    expect((await api.call<ErrorsBody>('GET', '/sequences/nobody-here/messages', { key: KEYS.acme })).body.errors).toEqual([{ field: 'id', problem: 'no sequence for rejection "nobody-here"' }]);
  });
});
