import path from 'node:path';
import { sql, type Kysely, type Transaction } from 'kysely';
import { importOnce } from '../../common/database/imports';
import type { Sealing } from '../../common/database/sealing';

export type AtsName = 'greenhouse' | 'lever' | 'ashby';
const ATS_NAMES: readonly AtsName[] = ['greenhouse', 'lever', 'ashby'];

/**
 * What the API keeps beside Temporal: which ATS candidate and application a sequence came from, and the
 * rejection reason the ATS gave (the rejection document has no field for it, and the workflow's input is
 * fixed at start). Personal data here is the candidate's ATS id and the reason; both are purged when the
 * ATS anonymizes or deletes the candidate, leaving a tombstone so a replayed event cannot start it again.
 */
export interface SequenceRecord {
  tenant: string;
  rejectionId: string;
  /** Absent on the tombstone of a sequence erased with `onward erase` that no ATS started. */
  ats?: AtsName;
  /** The ATS's candidate (Greenhouse candidate, Lever contact, Ashby candidate); removed on erasure. */
  candidateId?: string;
  applicationId?: string;
  rejectionReason?: string;
  receivedAt?: string;
  /** Set when the candidate was erased (by the ATS or `onward erase`): personal data gone, never started again. */
  erasedAt?: string;
}

/** A webhook delivery already handled, by its ATS event id (no personal data). */
export interface EventRecord {
  at: string;
  outcome: string;
}

/** An ATS mapping as written by a webhook: every field but the erasure. */
export type NewSequenceRecord = Required<Pick<SequenceRecord, 'tenant' | 'rejectionId' | 'ats' | 'applicationId' | 'receivedAt'>> &
  Pick<SequenceRecord, 'candidateId' | 'rejectionReason'>;

/** How long a delivery's ids are kept for de-duplication when the caller does not say. */
const EVENT_RETENTION_MS = 30 * 24 * 3600 * 1000;

/**
 * The API's own records. In Onward's database (createDatabaseRecords), every API replica sees the same records at
 * once; in memory for tests that need no database.
 */
export interface RecordStore {
  sequence(tenant: string, rejectionId: string): Promise<SequenceRecord | undefined>;
  /** The sequences a candidate's events concern: by candidate, or by application. */
  sequencesOf(tenant: string, ats: AtsName, match: { candidateId?: string; applicationIds?: string[] }): Promise<SequenceRecord[]>;
  /** Records a mapping; nothing when the sequence was erased. */
  remember(record: NewSequenceRecord): Promise<void>;
  /** Purges the personal data of these sequences, leaving a tombstone each (the rejection id, the ATS and application). */
  erase(tenant: string, rejectionIds: string[], at?: Date): Promise<void>;
  /**
   * Claims a delivery by all of its ids at once, before it is acted on: undefined when it is new (and now recorded as
   * "received"), else what was recorded for the first one seen. Atomic across API replicas sharing the database.
   */
  claimEvents(keys: string[], retentionMs?: number): Promise<EventRecord | undefined>;
  /** The outcome of a claimed delivery. */
  settleEvents(keys: string[], outcome: string): Promise<void>;
  /** Releases a claim (the failure was not the delivery's fault: its retry is handled). */
  forgetEvents(keys: string[]): Promise<void>;
  /** Everything held about one tenant (for tests and audits). */
  dump(tenant: string): Promise<{ sequences: SequenceRecord[] }>;
}

/** Where earlier versions kept the records (ONWARD_API_RECORDS); imported into the database once. */
export const DEFAULT_RECORDS_FILE = path.join('.onward', 'api-records.json');

interface MappingRow {
  tenant: string;
  rejection_id: string;
  ats: AtsName;
  application_id: string;
  candidate_sealed: string | null;
  rejection_reason_sealed: string | null;
  received_at: Date | string;
}

interface TombstoneRow {
  tenant: string;
  rejection_id: string;
  ats: AtsName | null;
  application_id: string | null;
  erased_at: Date | string;
}

const iso = (value: Date | string) => new Date(value).toISOString();

/**
 * The records in Onward's database (migration 0002-api-records): the candidate's ATS id sealed and found by its keyed
 * hash, the rejection reason sealed; an erasure deletes the mapping and leaves a tombstone without personal data.
 */
export function createDatabaseRecords(db: Kysely<unknown>, sealing: Sealing): RecordStore {
  const fromMapping = (row: MappingRow): SequenceRecord => ({
    tenant: row.tenant,
    rejectionId: row.rejection_id,
    ats: row.ats,
    applicationId: row.application_id,
    ...(row.candidate_sealed ? { candidateId: sealing.open(row.candidate_sealed) } : {}),
    ...(row.rejection_reason_sealed ? { rejectionReason: sealing.open(row.rejection_reason_sealed) } : {}),
    receivedAt: iso(row.received_at),
  });
  const fromTombstone = (row: TombstoneRow): SequenceRecord => ({
    tenant: row.tenant,
    rejectionId: row.rejection_id,
    ...(row.ats ? { ats: row.ats } : {}),
    ...(row.application_id ? { applicationId: row.application_id } : {}),
    erasedAt: iso(row.erased_at),
  });
  const pruneEvents = (executor: Kysely<unknown>) => sql`delete from webhook_deliveries where keep_until < now()`.execute(executor);

  return {
    async sequence(tenant, rejectionId) {
      const tombstone = await sql<TombstoneRow>`select * from erasure_tombstones where tenant = ${tenant} and rejection_id = ${rejectionId}`.execute(db);
      if (tombstone.rows[0]) return fromTombstone(tombstone.rows[0]);
      const mapping = await sql<MappingRow>`select * from ats_mappings where tenant = ${tenant} and rejection_id = ${rejectionId}`.execute(db);
      return mapping.rows[0] && fromMapping(mapping.rows[0]);
    },
    async sequencesOf(tenant, ats, match) {
      const candidateHashes = match.candidateId === undefined ? [] : sealing.hashes(match.candidateId).map(({ hash }) => hash);
      const applicationIds = match.applicationIds ?? [];
      if (candidateHashes.length === 0 && applicationIds.length === 0) return [];
      const byCandidate = candidateHashes.length ? sql`candidate_hash in (${sql.join(candidateHashes)})` : sql`false`;
      const byApplication = applicationIds.length ? sql`application_id in (${sql.join(applicationIds)})` : sql`false`;
      const { rows } = await sql<MappingRow>`select * from ats_mappings where tenant = ${tenant} and ats = ${ats} and (${byCandidate} or ${byApplication})
        order by received_at, rejection_id`.execute(db);
      return rows.map(fromMapping);
    },
    async remember(record) {
      await writeMapping(db, sealing, record);
    },
    async erase(tenant, rejectionIds, at = new Date()) {
      if (rejectionIds.length === 0) return;
      await db.transaction().execute(async (transaction) => {
        for (const rejectionId of rejectionIds) {
          await sql`insert into erasure_tombstones (tenant, rejection_id, ats, application_id, erased_at)
            select ${tenant}, ${rejectionId}, m.ats, m.application_id, ${at.toISOString()}
            from (select 1) one left join ats_mappings m on m.tenant = ${tenant} and m.rejection_id = ${rejectionId}
            on conflict (tenant, rejection_id) do nothing`.execute(transaction);
          await sql`delete from ats_mappings where tenant = ${tenant} and rejection_id = ${rejectionId}`.execute(transaction);
        }
      });
    },
    async claimEvents(keys, retentionMs = EVENT_RETENTION_MS) {
      if (keys.length === 0) return undefined;
      await pruneEvents(db);
      const keepUntil = new Date(Date.now() + retentionMs).toISOString();
      const inserted = await sql<{ delivery_key: string }>`insert into webhook_deliveries (delivery_key, outcome, keep_until)
        values ${sql.join(keys.map((key) => sql`(${key}, 'received', ${keepUntil})`))}
        on conflict (delivery_key) do nothing returning delivery_key`.execute(db);
      if (inserted.rows.length === keys.length) return undefined;
      // Another delivery (maybe on another replica) holds one of these ids: what this one claimed is released.
      const mine = inserted.rows.map((row) => row.delivery_key);
      if (mine.length) await sql`delete from webhook_deliveries where delivery_key in (${sql.join(mine)})`.execute(db);
      const seen = await sql<{ outcome: string; received_at: Date | string }>`select outcome, received_at from webhook_deliveries
        where delivery_key in (${sql.join(keys.filter((key) => !mine.includes(key)))}) order by received_at limit 1`.execute(db);
      const first = seen.rows[0];
      return first ? { at: iso(first.received_at), outcome: first.outcome } : { at: new Date().toISOString(), outcome: 'received' };
    },
    async settleEvents(keys, outcome) {
      if (keys.length) await sql`update webhook_deliveries set outcome = ${outcome} where delivery_key in (${sql.join(keys)})`.execute(db);
    },
    async forgetEvents(keys) {
      if (keys.length) await sql`delete from webhook_deliveries where delivery_key in (${sql.join(keys)})`.execute(db);
    },
    async dump(tenant) {
      const mappings = await sql<MappingRow>`select * from ats_mappings where tenant = ${tenant} order by received_at, rejection_id`.execute(db);
      const tombstones = await sql<TombstoneRow>`select * from erasure_tombstones where tenant = ${tenant} order by erased_at, rejection_id`.execute(db);
      return { sequences: [...mappings.rows.map(fromMapping), ...tombstones.rows.map(fromTombstone)] };
    },
  };
}

/** Inserts or updates a mapping, unless the sequence has a tombstone. */
async function writeMapping(executor: Kysely<unknown> | Transaction<unknown>, sealing: Sealing, record: NewSequenceRecord): Promise<void> {
  const [active] = sealing.hashes(record.candidateId ?? '');
  const candidateHash = record.candidateId === undefined ? null : (active?.hash ?? null);
  const candidateSealed = record.candidateId === undefined ? null : sealing.seal(record.candidateId);
  const reasonSealed = record.rejectionReason === undefined ? null : sealing.seal(record.rejectionReason);
  await sql`insert into ats_mappings (tenant, rejection_id, ats, application_id, key_id, candidate_hash, candidate_sealed, rejection_reason_sealed, received_at)
    select ${record.tenant}, ${record.rejectionId}, ${record.ats}, ${record.applicationId}, ${sealing.activeKeyId}, ${candidateHash}, ${candidateSealed}, ${reasonSealed}, ${record.receivedAt}
    where not exists (select 1 from erasure_tombstones where tenant = ${record.tenant} and rejection_id = ${record.rejectionId})
    on conflict (tenant, rejection_id) do update set ats = excluded.ats, application_id = excluded.application_id, key_id = excluded.key_id,
      candidate_hash = excluded.candidate_hash, candidate_sealed = excluded.candidate_sealed,
      rejection_reason_sealed = excluded.rejection_reason_sealed, received_at = excluded.received_at`.execute(executor);
}

/** The records file of earlier versions: `{ version: 1, sequences: [...], events: { key: { at, outcome, keepUntil? } } }`. */
function recordsFileEntries(file: string, parsed: unknown): { sequences: SequenceRecord[]; events: Array<[string, EventRecord & { keepUntil?: string }]> } {
  const refuse = (problem: string): never => {
    throw new Error(`${file}: ${problem}, so nothing was imported (fix or move it)`);
  };
  if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) refuse('must be the API records object { version, sequences, events }');
  const { sequences, events } = parsed as { sequences?: unknown; events?: unknown };
  if (!Array.isArray(sequences)) refuse('"sequences" must be a list');
  if (events !== undefined && (typeof events !== 'object' || events === null || Array.isArray(events))) refuse('"events" must map each delivery id to { at, outcome }');
  (sequences as unknown[]).forEach((entry, index) => {
    const record = entry as Partial<SequenceRecord> | null;
    const where = `sequences[${index}]`;
    if (!record || typeof record !== 'object') refuse(`${where} must be an object`);
    if (typeof record?.tenant !== 'string' || typeof record.rejectionId !== 'string') refuse(`${where} must have a tenant and a rejectionId`);
    if (!record?.erasedAt && (!ATS_NAMES.includes(record?.ats as AtsName) || typeof record?.applicationId !== 'string')) {
      refuse(`${where}.ats must be one of ${ATS_NAMES.join(', ')} with an applicationId`);
    }
  });
  return { sequences: sequences as SequenceRecord[], events: Object.entries((events ?? {}) as Record<string, EventRecord & { keepUntil?: string }>) };
}

/**
 * Imports the records file of earlier versions (ONWARD_API_RECORDS) once, in one transaction: an unreadable or
 * malformed file is named and nothing is imported. The file is left alone. Returns the number of entries imported.
 */
export function importRecordsFile(db: Kysely<unknown>, sealing: Sealing, file: string): Promise<number | undefined> {
  return importOnce(db, 'api-records.json', file, async (transaction, parsed) => {
    const { sequences, events } = recordsFileEntries(file, parsed);
    for (const record of sequences) {
      if (record.erasedAt) {
        await sql`insert into erasure_tombstones (tenant, rejection_id, ats, application_id, erased_at)
          values (${record.tenant}, ${record.rejectionId}, ${record.ats ?? null}, ${record.applicationId ?? null}, ${record.erasedAt}) on conflict do nothing`.execute(transaction);
      } else {
        await writeMapping(transaction, sealing, { ...(record as NewSequenceRecord), receivedAt: record.receivedAt ?? new Date().toISOString() });
      }
    }
    for (const [key, event] of events) {
      const at = Date.parse(event.at);
      const keepUntil = event.keepUntil ?? new Date((Number.isNaN(at) ? Date.now() : at) + EVENT_RETENTION_MS).toISOString();
      await sql`insert into webhook_deliveries (delivery_key, outcome, received_at, keep_until)
        values (${key}, ${event.outcome ?? 'received'}, ${Number.isNaN(at) ? new Date().toISOString() : event.at}, ${keepUntil}) on conflict do nothing`.execute(transaction);
    }
    return sequences.length + events.length;
  });
}

/** The records in Onward's database, after importing the file of earlier versions once. */
export async function openDatabaseRecords(db: Kysely<unknown>, sealing: Sealing, file: string = DEFAULT_RECORDS_FILE): Promise<RecordStore> {
  await importRecordsFile(db, sealing, file);
  return createDatabaseRecords(db, sealing);
}

/** Records in memory (tests that need no database). */
export function createMemoryRecords(): RecordStore {
  const sequences = new Map<string, SequenceRecord>();
  const events = new Map<string, EventRecord & { keepUntil: number }>();
  const id = (tenant: string, rejectionId: string) => `${tenant}\u0000${rejectionId}`;
  return {
    sequence: (tenant, rejectionId) => Promise.resolve(sequences.get(id(tenant, rejectionId))),
    sequencesOf(tenant, ats, match) {
      const found = [...sequences.values()].filter(
        (record) =>
          !record.erasedAt &&
          record.tenant === tenant &&
          record.ats === ats &&
          ((match.candidateId !== undefined && record.candidateId === match.candidateId) || (match.applicationIds ?? []).includes(record.applicationId ?? '')),
      );
      return Promise.resolve(found.map((record) => ({ ...record })));
    },
    remember(record) {
      if (!sequences.get(id(record.tenant, record.rejectionId))?.erasedAt) sequences.set(id(record.tenant, record.rejectionId), { ...record });
      return Promise.resolve();
    },
    erase(tenant, rejectionIds, at = new Date()) {
      for (const rejectionId of rejectionIds) {
        const existing = sequences.get(id(tenant, rejectionId));
        if (existing?.erasedAt) continue;
        const { ats, applicationId } = existing ?? {};
        sequences.set(id(tenant, rejectionId), { tenant, rejectionId, ...(ats ? { ats } : {}), ...(applicationId ? { applicationId } : {}), erasedAt: at.toISOString() });
      }
      return Promise.resolve();
    },
    claimEvents(keys, retentionMs = EVENT_RETENTION_MS) {
      const now = Date.now();
      for (const [key, event] of events) if (event.keepUntil < now) events.delete(key);
      const seen = keys.map((key) => events.get(key)).find((event) => event !== undefined);
      if (seen) return Promise.resolve({ at: seen.at, outcome: seen.outcome });
      for (const key of keys) events.set(key, { at: new Date(now).toISOString(), outcome: 'received', keepUntil: now + retentionMs });
      return Promise.resolve(undefined);
    },
    settleEvents(keys, outcome) {
      for (const key of keys) {
        const event = events.get(key);
        if (event) event.outcome = outcome;
      }
      return Promise.resolve();
    },
    forgetEvents(keys) {
      for (const key of keys) events.delete(key);
      return Promise.resolve();
    },
    dump: (tenant) => Promise.resolve({ sequences: [...sequences.values()].filter((record) => record.tenant === tenant).map((record) => ({ ...record })) }),
  };
}
