import { Migrator, sql, type Kysely, type Migration } from 'kysely';

/**
 * Onward's schema, one migration per change, applied in name order by Kysely's Migrator. Never edit one that has
 * shipped: add the next. The same SQL runs on PostgreSQL (pg) and on the embedded PGlite.
 */
export const MIGRATIONS: Record<string, Migration> = {
  '0001-suppressions': {
    async up(db) {
      // An opt-out, by the keyed hash of the lowercased address (see sealing.ts): the database holds no readable address.
      await sql`create table suppressions (
        address_hash text primary key,
        key_id text not null,
        reason text not null,
        suppressed_at timestamptz not null default now()
      )`.execute(db);
      // The JSON files imported once (by their name), so a restart never imports them again.
      await sql`create table imports (
        source text primary key,
        entries integer not null,
        imported_at timestamptz not null default now()
      )`.execute(db);
    },
  },
  '0002-api-records': {
    async up(db) {
      // A webhook delivery already handled, by its ATS event id or body hash (no personal data), kept until keep_until.
      await sql`create table webhook_deliveries (
        delivery_key text primary key,
        outcome text not null,
        received_at timestamptz not null default now(),
        keep_until timestamptz not null
      )`.execute(db);
      await sql`create index webhook_deliveries_keep_until on webhook_deliveries (keep_until)`.execute(db);
      // Which ATS application a sequence came from; the ATS's candidate id and the rejection reason are sealed, the
      // candidate found by its keyed hash (sealing.ts).
      await sql`create table ats_mappings (
        tenant text not null,
        rejection_id text not null,
        ats text not null,
        application_id text not null,
        key_id text not null,
        candidate_hash text,
        candidate_sealed text,
        rejection_reason_sealed text,
        received_at timestamptz not null,
        primary key (tenant, rejection_id)
      )`.execute(db);
      await sql`create index ats_mappings_candidate on ats_mappings (tenant, ats, candidate_hash)`.execute(db);
      await sql`create index ats_mappings_application on ats_mappings (tenant, ats, application_id)`.execute(db);
      // An erased candidate's sequence: no personal data, and never started again by a replayed ATS event.
      await sql`create table erasure_tombstones (
        tenant text not null,
        rejection_id text not null,
        ats text,
        application_id text,
        erased_at timestamptz not null,
        primary key (tenant, rejection_id)
      )`.execute(db);
    },
  },
  '0003-tenants': {
    async up(db) {
      await sql`create table tenants (
        name text primary key,
        created_at timestamptz not null default now()
      )`.execute(db);
      // A key is stored as its SHA-256 (keys are 192 random bits, so a digest is safe and looked up directly), never readable.
      await sql`create table tenant_api_keys (
        key_digest text primary key,
        tenant text not null references tenants (name) on delete cascade,
        created_at timestamptz not null default now()
      )`.execute(db);
      await sql`create index tenant_api_keys_tenant on tenant_api_keys (tenant)`.execute(db);
    },
  },
  '0004-outcomes': {
    async up(db) {
      // One row per sequence, so reports outlive Temporal's retention. Names are sealed; company and coach also hashed, to group by.
      await sql`create table sequences (
        workflow_id text primary key,
        tenant text,
        rejection_id text not null,
        rejected_at timestamptz not null,
        key_id text not null,
        candidate_sealed text not null,
        company_sealed text not null,
        company_hash text not null,
        coach_sealed text,
        coach_hash text,
        recorded_at timestamptz not null default now()
      )`.execute(db);
      await sql`create index sequences_by_tenant on sequences (tenant, rejected_at)`.execute(db);
      // The ledger: one row per transition of a sequence; the key makes a retried write a no-op.
      await sql`create table outcomes (
        workflow_id text not null,
        transition text not null,
        event text not null,
        step_key text,
        step_kind text,
        recipient_role text,
        at timestamptz not null,
        primary key (workflow_id, transition)
      )`.execute(db);
      // The text of each message as it went out (sealed), for the sequence's page.
      await sql`create table sent_messages (
        workflow_id text not null,
        step_key text not null,
        step_kind text not null,
        recipient_role text not null,
        to_sealed text not null,
        subject_sealed text not null,
        text_sealed text not null,
        sent_at timestamptz not null,
        primary key (workflow_id, step_key)
      )`.execute(db);
    },
  },
};

/** The migrations up to and including `last` (tests: the schema as an earlier version left it). */
export function migrationsUpTo(last: string): Record<string, Migration> {
  return Object.fromEntries(Object.entries(MIGRATIONS).filter(([name]) => name <= last));
}

/**
 * Brings the schema up to date. Safe when several processes start at once: the Migrator holds a Postgres advisory
 * lock (pg_advisory_xact_lock) for the whole run, so one applies the migrations and the others then find nothing to do.
 */
export async function migrate(db: Kysely<unknown>, migrations: Record<string, Migration> = MIGRATIONS): Promise<string[]> {
  const migrator = new Migrator({ db, provider: { getMigrations: () => Promise.resolve(migrations) } });
  const { error, results } = await migrator.migrateToLatest();
  if (error) {
    const failed = results?.find((result) => result.status === 'Error')?.migrationName;
    throw new Error(`database migration${failed ? ` ${failed}` : ''} failed: ${error instanceof Error ? error.message : JSON.stringify(error)}`);
  }
  return (results ?? []).filter((result) => result.status === 'Success').map((result) => result.migrationName);
}
