import path from 'node:path';
import { ApplicationFailure, log } from '@temporalio/activity';
import { ApplicationFailureCategory } from '@temporalio/common';
import { sql, type Kysely } from 'kysely';
import { importOnce } from '../common/database/imports';
import { normaliseAddress as normalise, type Sealing } from '../common/database/sealing';
import { SUPPRESSED } from '../workflows/failures';

/**
 * The addresses that opted out (any sequence, any channel): never contacted again until removed. Every send checks
 * it right before the message goes out. Addresses are compared lowercased.
 */
export interface SuppressionList {
  isSuppressed(email: string): Promise<boolean>;
  suppress(email: string, reason: string): Promise<void>;
  remove(email: string): Promise<void>;
}

export interface Suppression {
  reason: string;
  suppressedAt: string;
}

/** Where earlier versions kept the list; imported into the database once (importSuppressionFile). */
export const DEFAULT_SUPPRESSION_FILE = path.join('.onward', 'suppressions.json');

/** The file named by ONWARD_SUPPRESSION_FILE, else `.onward/suppressions.json`. */
export function suppressionFileFrom(environment: { ONWARD_SUPPRESSION_FILE?: string } = process.env): string {
  return environment.ONWARD_SUPPRESSION_FILE || DEFAULT_SUPPRESSION_FILE;
}

/**
 * The suppression list in Onward's database, one row per address by its keyed hash (common/database/sealing.ts): no
 * readable address is stored. Every check reads the database, so an opt-out recorded by any worker or API replica
 * counts at once; a row written under a retired key still counts while that key is in the keyring.
 */
export function createDatabaseSuppressionList(db: Kysely<unknown>, sealing: Sealing): SuppressionList {
  const hashesOf = (email: string) => sealing.hashes(email).map(({ hash }) => hash);
  return {
    async isSuppressed(email) {
      const found = await sql`select 1 from suppressions where address_hash in (${sql.join(hashesOf(email))}) limit 1`.execute(db);
      return found.rows.length > 0;
    },
    async suppress(email, reason) {
      const [active] = sealing.hashes(email);
      if (!active) return;
      await sql`insert into suppressions (address_hash, key_id, reason) values (${active.hash}, ${active.keyId}, ${reason})
        on conflict (address_hash) do nothing`.execute(db);
    },
    async remove(email) {
      await sql`delete from suppressions where address_hash in (${sql.join(hashesOf(email))})`.execute(db);
    },
  };
}

/** Imports the JSON list of earlier versions (`{ "address": { reason, suppressedAt } }`) once; the file is left alone. */
export function importSuppressionFile(db: Kysely<unknown>, sealing: Sealing, file: string): Promise<number | undefined> {
  return importOnce(db, 'suppressions.json', file, async (transaction, parsed) => {
    if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) throw new Error(`${file}: must map each address to { reason, suppressedAt }`);
    const entries = Object.entries(parsed as Record<string, Partial<Suppression>>);
    for (const [email, entry] of entries) {
      const [active] = sealing.hashes(email);
      if (!active) continue;
      const suppressedAt = entry.suppressedAt && !Number.isNaN(Date.parse(entry.suppressedAt)) ? entry.suppressedAt : new Date().toISOString();
      await sql`insert into suppressions (address_hash, key_id, reason, suppressed_at)
        values (${active.hash}, ${active.keyId}, ${entry.reason ?? 'imported'}, ${suppressedAt}) on conflict (address_hash) do nothing`.execute(transaction);
    }
    return entries.length;
  });
}

/** An in-memory list (tests, and a default that suppresses nothing until told). */
export function createMemorySuppressionList(): SuppressionList {
  const entries = new Map<string, Suppression>();
  return {
    isSuppressed: (email) => Promise.resolve(entries.has(normalise(email))),
    suppress: (email, reason) => {
      if (!entries.has(normalise(email))) entries.set(normalise(email), { reason, suppressedAt: new Date().toISOString() });
      return Promise.resolve();
    },
    remove: (email) => {
      entries.delete(normalise(email));
      return Promise.resolve();
    },
  };
}

/** The activity a sequence runs when its candidate opts out: their address is never contacted again by any sequence. */
export function createSuppressionActivities({ suppressions }: { suppressions?: SuppressionList }) {
  return {
    async suppressAddress({ email, reason }: { email: string; reason: string }): Promise<void> {
      await suppressions?.suppress(email, reason);
    },
  };
}

/** Who a message reaches, and (when it speaks for the candidate) the candidate replies go to. */
export interface Addressed {
  key: string;
  to: { email: string };
  /** Set on messages sent in the candidate's name (to interviewers and recruiters): the candidate. */
  replyTo?: { email: string };
}

/**
 * Fails the send, without retrying, when its recipient is on the list, or when it speaks for a candidate who is:
 * an opted-out candidate gets nothing, and nothing goes out in her name. The workflow records the step as skipped.
 * A refusal is expected, not an error: one line in the worker's log, and a benign failure (no stack trace, no
 * failure metrics).
 */
export async function refuseSuppressed(suppressions: SuppressionList | undefined, message: Addressed): Promise<void> {
  if (!suppressions) return;
  const reason = (await suppressions.isSuppressed(message.to.email))
    ? 'the recipient opted out'
    : message.replyTo && (await suppressions.isSuppressed(message.replyTo.email))
      ? 'the candidate opted out: nothing goes out in her name'
      : undefined;
  if (!reason) return;
  log.info(`${message.key} not sent: ${reason} (suppression list)`);
  throw ApplicationFailure.create({ message: reason, type: SUPPRESSED, nonRetryable: true, category: ApplicationFailureCategory.BENIGN });
}
