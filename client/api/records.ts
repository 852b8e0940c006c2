import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';

export type AtsName = 'greenhouse' | 'lever' | 'ashby';

/**
 * What the API keeps beside Temporal: which ATS candidate and application a sequence came from, and the
 * rejection reason the ATS gave (the rejection document has no field for it, and the workflow's input is
 * fixed at start). Personal data here is the candidate's ATS id and the reason; both are purged when the
 * ATS anonymizes or deletes the candidate, leaving a tombstone so a replayed event cannot start it again.
 */
export interface SequenceRecord {
  tenant: string;
  rejectionId: string;
  ats: AtsName;
  /** The ATS's candidate (Greenhouse candidate, Lever contact, Ashby candidate); removed on erasure. */
  candidateId?: string;
  applicationId: string;
  rejectionReason?: string;
  receivedAt: string;
  /** Set when the ATS anonymized or deleted the candidate: personal data gone, never started again. */
  erasedAt?: string;
}

/** A webhook delivery already handled, by its ATS event id (no personal data). */
interface EventRecord {
  at: string;
  outcome: string;
  /** Kept until then (ISO time); 30 days after `at` when absent. */
  keepUntil?: string;
}

interface RecordsFile {
  version: 1;
  sequences: SequenceRecord[];
  events: Record<string, EventRecord>;
}

const EVENT_RETENTION_MS = 30 * 24 * 3600 * 1000;

/** The API's own records, in memory and (when given a file) saved after every change. */
export class RecordStore {
  private data: RecordsFile = { version: 1, sequences: [], events: {} };

  constructor(private readonly file?: string) {
    if (!file) return;
    try {
      this.data = JSON.parse(readFileSync(file, 'utf8')) as RecordsFile;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw new Error(`${file}: cannot read the API records (${(error as Error).message})`);
    }
  }

  sequence(tenant: string, rejectionId: string): SequenceRecord | undefined {
    return this.data.sequences.find((record) => record.tenant === tenant && record.rejectionId === rejectionId);
  }

  /** The sequences a candidate's events concern: by candidate, or by application. */
  sequencesOf(tenant: string, ats: AtsName, match: { candidateId?: string; applicationIds?: string[] }): SequenceRecord[] {
    return this.data.sequences.filter(
      (record) =>
        record.tenant === tenant &&
        record.ats === ats &&
        ((match.candidateId !== undefined && record.candidateId === match.candidateId) || (match.applicationIds ?? []).includes(record.applicationId)),
    );
  }

  remember(record: SequenceRecord): void {
    const existing = this.sequence(record.tenant, record.rejectionId);
    if (existing?.erasedAt) return;
    if (existing) Object.assign(existing, record);
    else this.data.sequences.push(record);
    this.save();
  }

  /** Purges the personal data of these records and marks them erased. */
  erase(records: SequenceRecord[], at = new Date()): void {
    for (const record of records) {
      delete record.candidateId;
      delete record.rejectionReason;
      record.erasedAt = at.toISOString();
    }
    this.save();
  }

  eventSeen(key: string): EventRecord | undefined {
    return Object.hasOwn(this.data.events, key) ? this.data.events[key] : undefined;
  }

  /** Several ids of one delivery (e.g. its event id and its body's hash), saved at once. */
  rememberEvents(keys: string[], outcome: string, retentionMs = EVENT_RETENTION_MS): void {
    const now = Date.now();
    for (const key of keys) this.data.events[key] = { at: new Date(now).toISOString(), outcome, keepUntil: new Date(now + retentionMs).toISOString() };
    this.save();
  }

  forgetEvents(keys: string[]): void {
    for (const key of keys) if (Object.hasOwn(this.data.events, key)) delete this.data.events[key];
    this.save();
  }

  /** Everything held about one tenant (for tests and audits). */
  dump(tenant: string): { sequences: SequenceRecord[] } {
    return { sequences: this.data.sequences.filter((record) => record.tenant === tenant).map((record) => ({ ...record })) };
  }

  private save(): void {
    const now = Date.now();
    for (const [key, event] of Object.entries(this.data.events)) {
      if ((event.keepUntil ? Date.parse(event.keepUntil) : Date.parse(event.at) + EVENT_RETENTION_MS) < now) delete this.data.events[key];
    }
    if (!this.file) return;
    mkdirSync(path.dirname(this.file), { recursive: true });
    const temporary = `${this.file}.${process.pid}.tmp`;
    writeFileSync(temporary, JSON.stringify(this.data, null, 1), { mode: 0o600 });
    renameSync(temporary, this.file);
  }
}
