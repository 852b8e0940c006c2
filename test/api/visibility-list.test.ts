import { Client } from '@temporalio/client';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { bundleWorkflowCode, DefaultLogger, Runtime } from '@temporalio/worker';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSmtpMailer } from '../../activities/mailer';
import { createMemorySuppressionList } from '../../activities/suppression';
import { loadTemplates } from '../../activities/templates';
import { ApiKeys } from '../../client/api/keys';
import { startApi } from '../../client/api/server';
import type { Approval, ListPage, SequenceListItem } from '../../client/api/service';
import { searchWords } from '../../client/search-terms';
import { serverExecutable } from '../../client/temporal-binaries';
import { createVisibilityHashing } from '../../client/visibility-keys';
import { createDataConverter, ENCRYPTED_ENCODING } from '../../common/codec';
import { createOnwardWorker, type OnwardWorker } from '../../worker/worker';
import { LIST_MEMO_FIELD, ONWARD_SEARCH_ATTRIBUTES, workflowIdFor } from '../../workflows/definitions';
import { DEMO_POLICY, type PolicyOverrides } from '../../workflows/policy';
import type { RejectionDocument } from '../../workflows/rejection';
import { eventually } from '../helpers/eventually';
import { rejectionDocument } from '../helpers/fixtures';
import { startSmtpServer, type TestSmtpServer } from '../helpers/smtp';
import { testKeys } from '../reliability/harness';

const KEY = 'acme-agency-key-0123456789';
const OTHER_KEY = 'bravo-agency-key-0123456789';
const DAY = 86_400_000;
const day = (offset: number) => new Date(Date.now() - offset * DAY).toISOString().slice(0, 10);
const at = (offset: number) => new Date(Date.now() - offset * DAY).toISOString();

/** Acme's sequences: names with accents, apostrophes and shared words, two coaches, rejections on different days. */
const PEOPLE: Array<{ id: string; name: string; company: string; coach?: string; daysAgo: number }> = [
  { id: 'vis-zoe', name: 'Zoë Ångström', company: 'Nordlicht Labs', coach: 'Priya Raman', daysAgo: 0 },
  { id: 'vis-sean', name: "Seán O'Connor", company: 'Harbour Freight', coach: 'priya raman', daysAgo: 1 },
  { id: 'vis-grace', name: 'Grace Brewster', company: 'Nordlicht Labs', coach: 'Tomasz Wójcik', daysAgo: 1 },
  { id: 'vis-ada', name: 'Ada Brewer', company: 'Kettle Systems', daysAgo: 3 },
  { id: 'vis-linus', name: 'Linus Harbour', company: 'Kettle Systems', coach: 'Tomasz Wójcik', daysAgo: 5 },
];

const REJECTED_AT = new Map(PEOPLE.map((person) => [person.id, at(person.daysAgo)]));
const documentOf = (person: (typeof PEOPLE)[number], overrides: Partial<RejectionDocument> = {}): RejectionDocument =>
  rejectionDocument({
    id: person.id,
    candidate: { name: person.name, email: `${person.id}@candidate.example`, timezone: 'Europe/London' },
    company: person.company,
    role: 'Platform Engineer',
    rejectedAt: REJECTED_AT.get(person.id) ?? at(person.daysAgo),
    ...(person.coach ? { coach: person.coach } : {}),
    ...overrides,
  });

// GET /sequences and GET /approvals against `temporal server start-dev`, with payloads encrypted as in production.
describe('the list from one visibility query', () => {
  let env: TestWorkflowEnvironment;
  let smtp: TestSmtpServer;
  let worker: OnwardWorker;
  let running: Promise<void>;
  let api: Awaited<ReturnType<typeof startApi>>;
  let client: Client;
  const keys = testKeys();
  const hashing = createVisibilityHashing(keys.keyring);

  const get = async <T>(route: string, key = KEY): Promise<{ status: number; body: T }> => {
    const response = await fetch(`${api.url}${route}`, { headers: { authorization: `Bearer ${key}` } });
    return { status: response.status, body: (await response.json()) as T };
  };
  const ids = (page: ListPage) => page.sequences.map((sequence) => sequence.rejectionId);
  const list = async (query: string) => {
    const response = await get<ListPage>(`/sequences${query}`);
    expect(response.status, JSON.stringify(response.body)).toBe(200);
    return response.body;
  };

  beforeAll(async () => {
    Runtime.install({ logger: new DefaultLogger('WARN'), telemetryOptions: { logging: { filter: { core: 'ERROR', other: 'ERROR' }, console: {} } } });
    smtp = await startSmtpServer();
    env = await TestWorkflowEnvironment.createLocal({ server: { executable: serverExecutable('temporal'), searchAttributes: [...ONWARD_SEARCH_ATTRIBUTES] } });
    const dataConverter = createDataConverter(keys.keyring);
    client = new Client({ connection: env.connection, namespace: 'default', dataConverter });
    const taskQueue = `onward-visibility-${process.pid}`;
    worker = await createOnwardWorker({
      connection: env.nativeConnection,
      namespace: 'default',
      taskQueue,
      dataConverter,
      workflowBundle: await bundleWorkflowCode({ workflowsPath: path.resolve(__dirname, '..', '..', 'workflows', 'index.ts'), logger: new DefaultLogger('WARN') }),
      dependencies: { mailer: createSmtpMailer(smtp.url), templates: loadTemplates(), fromAddress: 'onward@onward.test' },
    });
    running = worker.run();
    const apiKeys = new ApiKeys().addKey('acme', KEY).addKey('bravo', OTHER_KEY);
    api = await startApi({ client, taskQueue, keys: apiKeys, suppressions: createMemorySuppressionList(), hashing, port: 0 });
    const post = (document: RejectionDocument, key = KEY) =>
      fetch(`${api.url}/rejections`, { method: 'POST', headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' }, body: JSON.stringify(document) });
    for (const person of PEOPLE) expect((await post(documentOf(person))).status).toBe(201);
    // Another tenant's sequence with a matching name: never in acme's list.
    expect((await post(documentOf({ id: 'vis-other', name: 'Zoe Brewster', company: 'Nordlicht Labs', daysAgo: 0 }), OTHER_KEY)).status).toBe(201);
    // Visibility is eventually consistent: wait until every start is indexed.
    await eventually(async () => expect((await list('?pageSize=100')).sequences).toHaveLength(PEOPLE.length), 30_000, 200);
  }, 180_000);

  afterAll(async () => {
    await api?.close();
    worker?.shutdown();
    await running;
    await env?.teardown();
    await smtp?.close();
  });

  it('pages through the tenant\'s sequences with an opaque cursor, each once, every row from the memo', async () => {
    const first = await list('?pageSize=2');
    expect(first.sequences).toHaveLength(2);
    expect(first.nextCursor).toEqual(expect.any(String));
    const seen = [...ids(first)];
    let cursor = first.nextCursor;
    while (cursor) {
      const page = await list(`?pageSize=2&cursor=${encodeURIComponent(cursor)}`);
      seen.push(...ids(page));
      cursor = page.nextCursor;
    }
    expect(seen.sort()).toEqual(PEOPLE.map((person) => person.id).sort());
    const everything = await list('?pageSize=100');
    expect(everything.nextCursor).toBeUndefined();
    const zoe = everything.sequences.find((sequence) => sequence.rejectionId === 'vis-zoe') as SequenceListItem;
    expect(zoe).toMatchObject({
      workflowId: workflowIdFor('vis-zoe', 'acme'),
      candidate: 'Zoë Ångström',
      company: 'Nordlicht Labs',
      role: 'Platform Engineer',
      coach: 'Priya Raman',
      rejectedAt: REJECTED_AT.get('vis-zoe'),
      awaitingApproval: 0,
    });
    // The workflow keeps the memo in step: its next step appears once it has run.
    await eventually(async () => {
      const next = (await list('?q=zoe')).sequences[0]?.next;
      expect(next?.status).toBe('scheduled');
      expect(Number.isNaN(Date.parse(next?.at ?? ''))).toBe(false);
    }, 30_000, 200);
  });

  it('filters by part of the name or company (any case, accents ignored), coach, stage and rejection dates', async () => {
    expect(ids(await list('?q=zoe'))).toEqual(['vis-zoe']);
    expect(ids(await list('?q=ANGST'))).toEqual(['vis-zoe']);
    expect(ids(await list(`?q=${encodeURIComponent('sea')}`))).toEqual(['vis-sean']);
    expect(ids(await list(`?q=${encodeURIComponent("o'conn")}`))).toEqual(['vis-sean']);
    expect(ids(await list('?q=brew')).sort()).toEqual(['vis-ada', 'vis-grace']);
    expect(ids(await list('?q=nordl')).sort()).toEqual(['vis-grace', 'vis-zoe']);
    // Every word must match: "harbour" is Seán's company and Linus's name; "linus harbour" only Linus.
    expect(ids(await list('?q=harbour')).sort()).toEqual(['vis-linus', 'vis-sean']);
    expect(ids(await list(`?q=${encodeURIComponent('linus harb')}`))).toEqual(['vis-linus']);
    expect(ids(await list('?q=xylophone'))).toEqual([]);
    // A word inside another is not a prefix of it.
    expect(ids(await list('?q=rewster'))).toEqual([]);

    expect(ids(await list(`?coach=${encodeURIComponent('PRIYA RAMAN')}`)).sort()).toEqual(['vis-sean', 'vis-zoe']);
    expect(ids(await list(`?coach=${encodeURIComponent('Tomasz Wójcik')}&q=kettle`))).toEqual(['vis-linus']);
    expect(ids(await list('?coach=Nobody'))).toEqual([]);

    expect(ids(await list(`?from=${day(1)}&to=${day(1)}`)).sort()).toEqual(['vis-grace', 'vis-sean']);
    expect(ids(await list(`?from=${day(3)}`)).sort()).toEqual(['vis-ada', 'vis-grace', 'vis-sean', 'vis-zoe']);
    expect(ids(await list(`?to=${day(4)}`))).toEqual(['vis-linus']);
    expect((await list('?stage=grieving')).sequences.length + (await list('?stage=following-up')).sequences.length).toBe(PEOPLE.length);
    expect(ids(await list('?stage=hired'))).toEqual([]);
  });

  it('refuses bad filters naming the parameter, and a cursor it did not give', async () => {
    const problems = async (query: string) => {
      const response = await get<{ errors: { field: string; problem: string }[] }>(`/sequences${query}`);
      expect(response.status, query).toBe(400);
      return response.body.errors.map((error) => error.field);
    };
    expect(await problems('?q=z')).toEqual(['q']);
    expect(await problems('?q=%20-%20')).toEqual(['q']);
    expect(await problems('?from=yesterday')).toEqual(['from']);
    expect(await problems(`?from=${day(0)}&to=${day(3)}`)).toEqual(['to']);
    expect(await problems('?pageSize=500')).toEqual(['pageSize']);
    expect(await problems('?cursor=not*a*cursor')).toEqual(['cursor']);
    expect(await problems('?company=Nordlicht')).toEqual(['company']);
  });

  it('keeps no personal data in any search attribute: tenant, stage, dates, counts and keyed hashes only', async () => {
    const secrets = PEOPLE.flatMap((person) => [person.name, person.company, person.coach ?? '', 'Platform Engineer'])
      .flatMap((text) => [text, ...searchWords(text)])
      .concat(PEOPLE.map((person) => `${person.id}@candidate.example`))
      .filter((text) => text.length >= 3)
      .map((text) => text.toLowerCase());
    for (const person of PEOPLE) {
      const workflowId = workflowIdFor(person.id, 'acme');
      const raw = await client.workflowService.describeWorkflowExecution({ namespace: 'default', execution: { workflowId } });
      const fields = raw.workflowExecutionInfo?.searchAttributes?.indexedFields ?? {};
      expect(Object.keys(fields)).toEqual(expect.arrayContaining(['OnwardTenant', 'OnwardStage', 'OnwardCompany', 'OnwardSearch', 'OnwardRejectedAt']));
      for (const [name, payload] of Object.entries(fields)) {
        const text = Buffer.from(payload.data ?? new Uint8Array()).toString('utf8').toLowerCase();
        for (const secret of secrets) expect(text, `${workflowId} ${name}`).not.toContain(secret);
      }
      const description = await client.workflow.getHandle(workflowId).describe();
      expect(description.typedSearchAttributes.get(ONWARD_SEARCH_ATTRIBUTES[2])).toBe(hashing.hash('company', person.company));
    }
  });

  it('keeps the memo encrypted by the payload codec: the server holds no name in it', async () => {
    const workflowId = workflowIdFor('vis-zoe', 'acme');
    const raw = await client.workflowService.describeWorkflowExecution({ namespace: 'default', execution: { workflowId } });
    const memo = raw.workflowExecutionInfo?.memo?.fields?.[LIST_MEMO_FIELD];
    expect(Buffer.from(memo?.metadata?.encoding ?? new Uint8Array()).toString()).toBe(ENCRYPTED_ENCODING);
    const bytes = Buffer.from(memo?.data ?? new Uint8Array()).toString('latin1');
    for (const secret of ['Zo', 'Ångström', 'Angstrom', 'Nordlicht', 'Priya', 'Platform']) expect(bytes).not.toContain(secret);
    // The workflow's own upserts go through the codec too (the memo changes once the workflow has planned its steps).
    await eventually(async () => {
      const history = await client.workflowService.getWorkflowExecutionHistory({ namespace: 'default', execution: { workflowId } });
      const upserts = history.history?.events?.filter((event) => event.workflowPropertiesModifiedEventAttributes) ?? [];
      expect(upserts.length).toBeGreaterThan(0);
      for (const event of upserts) {
        const payload = event.workflowPropertiesModifiedEventAttributes?.upsertedMemo?.fields?.[LIST_MEMO_FIELD];
        expect(Buffer.from(payload?.metadata?.encoding ?? new Uint8Array()).toString()).toBe(ENCRYPTED_ENCODING);
        expect(Buffer.from(payload?.data ?? new Uint8Array()).toString('latin1')).not.toContain('Nordlicht');
      }
    }, 30_000, 200);
  });

  it('lists the drafts waiting for approval across sequences, oldest first, with their text and fallback', async () => {
    // The demo's fast policy, the thank-you notes to approve: their drafts wait within seconds.
    const policy: PolicyOverrides = { ...DEMO_POLICY, grievingPeriod: '1 second', delivery: { 'thank-you': 'approve' }, approvalTimeout: '1 hour' };
    const post = (id: string, name: string) =>
      fetch(`${api.url}/rejections`, {
        method: 'POST',
        headers: { authorization: `Bearer ${KEY}`, 'content-type': 'application/json' },
        body: JSON.stringify(documentOf({ id, name, company: 'Quillon Works', daysAgo: 0 }, { policy })),
      });
    expect((await post('vis-approve-1', 'Mira Okafor')).status).toBe(201);
    const approvals = await eventually(async () => {
      const response = await get<{ tenant: string; approvals: Approval[] }>('/approvals');
      expect(response.status).toBe(200);
      expect(response.body.approvals.length).toBeGreaterThanOrEqual(2);
      return response.body;
    }, 60_000, 250);
    expect(approvals.tenant).toBe('acme');
    expect(approvals.approvals[0]).toMatchObject({ rejectionId: 'vis-approve-1', candidate: 'Mira Okafor', company: 'Quillon Works', kind: 'thank-you' });
    expect(['send', 'skip']).toContain(approvals.approvals[0]?.fallback);
    expect(approvals.approvals[0]?.text.length).toBeGreaterThan(20);
    const since = approvals.approvals.map((approval) => approval.waitingSince);
    expect(since).toEqual([...since].sort());
    // The list shows the count from the memo the workflow upserted.
    await eventually(async () => expect((await list('?q=quillon')).sequences[0]).toMatchObject({ awaitingApproval: approvals.approvals.length, next: { status: 'awaiting-approval' } }), 30_000, 200);
    // Another tenant sees none of them.
    expect((await get<{ approvals: Approval[] }>('/approvals', OTHER_KEY)).body.approvals).toEqual([]);
  }, 120_000);
});
