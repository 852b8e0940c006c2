import { createHmac } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { sql } from 'kysely';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiKeys } from '../../client/api/keys';
import { createDatabaseRecords, importRecordsFile, type NewSequenceRecord } from '../../client/api/records';
import { buildApi } from '../../client/api/server';
import { parseWebhooksConfig } from '../../client/ats/common';
import { generateCodecKey, parseCodecKeys, type CodecKeyring } from '../../common/codec';
import { openDatabase } from '../../common/database/open';
import { createSealing } from '../../common/database/sealing';
import { serverExecutable } from '../../client/temporal-binaries';
import { ONWARD_SEARCH_ATTRIBUTES } from '../../workflows/definitions';
import { runCli } from '../helpers/cli';
import { DATABASE_BACKENDS, useDatabases } from '../helpers/databases';

const databases = useDatabases();
const codecKeys = `k1:${generateCodecKey()}`;
const ring = (() => {
  const parsed = parseCodecKeys(codecKeys, undefined).keyring;
  if (!parsed) throw new Error('bad test keys');
  return parsed;
})() satisfies CodecKeyring;
const sealing = createSealing(ring);

const CANDIDATE_ID = 'cand-58112345';
const REASON = 'Grace Hopper wanted deeper system design';
const mapping = (overrides: Partial<NewSequenceRecord> = {}): NewSequenceRecord => ({
  tenant: 'acme',
  rejectionId: 'greenhouse-900001',
  ats: 'greenhouse',
  applicationId: '900001',
  candidateId: CANDIDATE_ID,
  rejectionReason: REASON,
  receivedAt: '2026-11-20T10:00:00.000Z',
  ...overrides,
});

/** Every file under `directory`, as one buffer (to look for plaintext in an embedded database's files). */
function filesUnder(directory: string): Buffer {
  const parts: Buffer[] = [];
  for (const name of readdirSync(directory, { recursive: true, encoding: 'utf8' })) {
    const file = path.join(directory, name);
    if (statSync(file).isFile()) parts.push(readFileSync(file));
  }
  return Buffer.concat(parts);
}

describe.each(DATABASE_BACKENDS)("the API's records on the %s database", (backend) => {
  it('finds a sequence by rejection id, by candidate and by application, with its personal data sealed', async () => {
    const { db } = await databases.fresh(backend);
    const records = createDatabaseRecords(db, sealing);
    await records.remember(mapping());
    await records.remember(mapping({ rejectionId: 'greenhouse-900002', applicationId: '900002', rejectionReason: undefined }));
    await records.remember(mapping({ tenant: 'bravo' }));
    expect(await records.sequence('acme', 'greenhouse-900001')).toEqual(mapping());
    expect((await records.sequencesOf('acme', 'greenhouse', { candidateId: CANDIDATE_ID })).map((record) => record.rejectionId)).toEqual(['greenhouse-900001', 'greenhouse-900002']);
    expect((await records.sequencesOf('acme', 'greenhouse', { applicationIds: ['900002'] })).map((record) => record.rejectionId)).toEqual(['greenhouse-900002']);
    expect(await records.sequencesOf('acme', 'lever', { candidateId: CANDIDATE_ID })).toEqual([]);
    const { rows } = await sql<Record<string, unknown>>`select * from ats_mappings`.execute(db);
    expect(rows).toHaveLength(3);
    expect(JSON.stringify(rows)).not.toContain(CANDIDATE_ID);
    expect(JSON.stringify(rows)).not.toContain('Grace');
  });

  it('erases a sequence to a tombstone without personal data, which a later mapping never revives', async () => {
    const { db } = await databases.fresh(backend);
    const records = createDatabaseRecords(db, sealing);
    await records.remember(mapping());
    await records.erase('acme', ['greenhouse-900001', 'greenhouse-900009'], new Date('2026-11-21T00:00:00Z'));
    expect(await records.sequence('acme', 'greenhouse-900001')).toEqual({
      tenant: 'acme',
      rejectionId: 'greenhouse-900001',
      ats: 'greenhouse',
      applicationId: '900001',
      erasedAt: '2026-11-21T00:00:00.000Z',
    });
    expect((await records.sequence('acme', 'greenhouse-900009'))?.erasedAt).toBe('2026-11-21T00:00:00.000Z');
    await records.remember(mapping());
    expect(await records.sequence('acme', 'greenhouse-900001')).not.toHaveProperty('candidateId');
    expect(await records.sequencesOf('acme', 'greenhouse', { candidateId: CANDIDATE_ID })).toEqual([]);
    const { rows } = await sql`select * from ats_mappings`.execute(db);
    expect(rows).toEqual([]);
  });

  it('claims a webhook delivery once by any of its ids, releases a claim, and prunes deliveries past their retention', async () => {
    const { db } = await databases.fresh(backend);
    const records = createDatabaseRecords(db, sealing);
    expect(await records.claimEvents(['acme:greenhouse:e1', 'acme:greenhouse:body-sha256:aa'])).toBeUndefined();
    expect(await records.claimEvents(['acme:greenhouse:e2', 'acme:greenhouse:body-sha256:aa'])).toMatchObject({ outcome: 'received' });
    await records.settleEvents(['acme:greenhouse:e1', 'acme:greenhouse:body-sha256:aa'], 'started');
    expect(await records.claimEvents(['acme:greenhouse:e1'])).toMatchObject({ outcome: 'started' });
    // A refused duplicate claims none of its new ids.
    expect(await records.claimEvents(['acme:greenhouse:e2'])).toBeUndefined();
    await records.forgetEvents(['acme:greenhouse:e2']);
    expect(await records.claimEvents(['acme:greenhouse:e2'], -1000)).toBeUndefined();
    // Past its retention, the next claim prunes it.
    expect(await records.claimEvents(['acme:greenhouse:e3'])).toBeUndefined();
    const { rows } = await sql<{ delivery_key: string }>`select delivery_key from webhook_deliveries order by delivery_key`.execute(db);
    expect(rows.map((row) => row.delivery_key)).toEqual(['acme:greenhouse:body-sha256:aa', 'acme:greenhouse:e1', 'acme:greenhouse:e3']);
  });

  it('imports the records file of earlier versions once, and leaves the file alone', async () => {
    const file = path.join(mkdtempSync(path.join(tmpdir(), 'onward-records-')), 'api-records.json');
    const text = JSON.stringify({
      version: 1,
      sequences: [mapping(), { tenant: 'acme', rejectionId: 'lever-abc', ats: 'lever', applicationId: 'abc', receivedAt: '2026-11-01T00:00:00.000Z', erasedAt: '2026-11-02T00:00:00.000Z' }],
      events: { 'acme:greenhouse:e1': { at: new Date().toISOString(), outcome: 'started' } },
    });
    writeFileSync(file, text);
    const { db } = await databases.fresh(backend);
    expect(await importRecordsFile(db, sealing, file)).toBe(3);
    expect(await importRecordsFile(db, sealing, file)).toBeUndefined();
    const records = createDatabaseRecords(db, sealing);
    expect(await records.sequence('acme', 'greenhouse-900001')).toEqual(mapping());
    expect((await records.sequence('acme', 'lever-abc'))?.erasedAt).toBe('2026-11-02T00:00:00.000Z');
    expect(await records.claimEvents(['acme:greenhouse:e1'])).toMatchObject({ outcome: 'started' });
    expect((await sql`select * from ats_mappings`.execute(db)).rows).toHaveLength(1);
    expect(readFileSync(file, 'utf8')).toBe(text);
  });

  it('refuses a broken records file by name, and imports nothing from it', async () => {
    const file = path.join(mkdtempSync(path.join(tmpdir(), 'onward-records-')), 'api-records.json');
    writeFileSync(file, JSON.stringify({ version: 1, sequences: [mapping(), { tenant: 'acme', rejectionId: 'x', ats: 'workday' }], events: {} }));
    const { db } = await databases.fresh(backend);
    await expect(importRecordsFile(db, sealing, file)).rejects.toThrow(`${file}: sequences[1].ats must be one of greenhouse, lever, ashby`);
    writeFileSync(file, '{"version": 1, "sequences": [');
    await expect(importRecordsFile(db, sealing, file)).rejects.toThrow(`${file}: is not JSON`);
    for (const table of ['ats_mappings', 'erasure_tombstones', 'webhook_deliveries', 'imports']) {
      expect((await sql`select * from ${sql.table(table)}`.execute(db)).rows, table).toEqual([]);
    }
  });
});

describe('webhook deliveries across API replicas', () => {
  it('two API instances sharing one PostgreSQL act on a delivery sent to both at once exactly once', async () => {
    const location = await databases.freshLocation('PostgreSQL');
    const [first, second] = [await databases.open(location), await databases.open(location)];
    // The delivery is a ping: acted on without Temporal, which these instances never reach.
    const client = new Client({ connection: Connection.lazy({ address: '127.0.0.1:1', connectTimeout: '1 second' }) });
    const webhooks = parseWebhooksConfig({ acme: { greenhouse: { company: 'Acme', secret: 'greenhouse-secret-for-acme' } } }, 'test');
    const apis = [first, second].map((database) =>
      buildApi({ client, taskQueue: 'nowhere', keys: new ApiKeys(), webhooks, records: createDatabaseRecords(database.db, sealing) }),
    );
    // Each round a new delivery (a new body: Greenhouse's body hash is one of its ids), sent twice to each instance.
    const deliver = (index: number, round: number) => {
      const body = JSON.stringify({ action: 'ping', payload: { round } });
      const signature = `sha256 ${createHmac('sha256', 'greenhouse-secret-for-acme').update(body).digest('hex')}`;
      const headers = { 'content-type': 'application/json', signature, 'greenhouse-event-id': `gh-${round}` };
      const api = apis[index % 2];
      if (!api) throw new Error('no API instance');
      return api.inject({ method: 'POST', url: '/webhooks/acme/greenhouse', payload: body, headers });
    };
    try {
      for (let round = 0; round < 5; round += 1) {
        const answers = await Promise.all([0, 1, 2, 3].map((index) => deliver(index, round)));
        const outcomes = answers.map((answer) => answer.json<{ outcome: string }>().outcome).sort();
        expect(outcomes, `round ${round}`).toEqual(['duplicate', 'duplicate', 'duplicate', 'ignored']);
      }
    } finally {
      await Promise.all(apis.map((api) => api.close()));
    }
  });
});

describe('`onward erase`', () => {
  // The command deletes the sequence from Temporal first: a local server, where this one has none.
  let temporal: TestWorkflowEnvironment;
  beforeAll(async () => {
    temporal = await TestWorkflowEnvironment.createLocal({ server: { executable: serverExecutable('temporal'), searchAttributes: [...ONWARD_SEARCH_ATTRIBUTES] } });
  }, 60_000);
  afterAll(() => temporal?.teardown());

  it("leaves none of the candidate's data in the embedded database's files, only a tombstone", async () => {
    const directory = path.join(mkdtempSync(path.join(tmpdir(), 'onward-erase-')), 'db');
    const database = await openDatabase({ kind: 'embedded', directory });
    const records = createDatabaseRecords(database.db, sealing);
    await records.remember(mapping());
    await records.remember(mapping({ rejectionId: 'greenhouse-900002', applicationId: '900002', candidateId: 'cand-someone-else', rejectionReason: 'Ada kept' }));
    await database.close();
    // Sealed from the start: the files never held it readable.
    expect(filesUnder(directory).includes(REASON)).toBe(false);

    const erased = await runCli(['erase', 'greenhouse-900001', '--tenant', 'acme'], { ONWARD_DATABASE_URL: directory, ONWARD_CODEC_KEYS: codecKeys, TEMPORAL_ADDRESS: temporal.address });
    expect(erased.stderr).toBe('');
    expect(erased.stdout).toContain('greenhouse-900001 (tenant acme): no sequence in Temporal; erased');
    expect(erased.code).toBe(0);
    const refused = await runCli(['erase', 'greenhouse-900001', '--tenant', 'acme corp'], { ONWARD_DATABASE_URL: directory, ONWARD_CODEC_KEYS: codecKeys, TEMPORAL_ADDRESS: temporal.address });
    expect(refused.stderr).toContain('--tenant: "acme corp" must be 1-64 letters');

    const reopened = await openDatabase({ kind: 'embedded', directory });
    try {
      const after = createDatabaseRecords(reopened.db, sealing);
      expect(await after.sequence('acme', 'greenhouse-900001')).toEqual({ tenant: 'acme', rejectionId: 'greenhouse-900001', ats: 'greenhouse', applicationId: '900001', erasedAt: expect.any(String) as unknown });
      expect(await after.sequence('acme', 'greenhouse-900002')).toMatchObject({ candidateId: 'cand-someone-else', rejectionReason: 'Ada kept' });
      // The erased candidate's sealed values are gone from every row (the other candidate's remain).
      const { rows } = await sql<Record<string, unknown>>`select * from ats_mappings`.execute(reopened.db);
      expect(rows).toHaveLength(1);
      expect(rows[0]).toMatchObject({ rejection_id: 'greenhouse-900002' });
    } finally {
      await reopened.close();
    }
    const files = filesUnder(directory);
    for (const text of [CANDIDATE_ID, REASON, 'Grace']) expect(files.includes(text), text).toBe(false);
  });
});
