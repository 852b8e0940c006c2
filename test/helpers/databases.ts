import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { sql } from 'kysely';
import { afterAll, beforeAll } from 'vitest';
import { migrate } from '../../common/database/migrations';
import { openDatabase, type DatabaseLocation, type OnwardDatabase } from '../../common/database/open';
import { startPostgres, type TestPostgres } from './postgres';

/** The two engines every database test runs on: the embedded default, and a real PostgreSQL server. */
export const DATABASE_BACKENDS = ['embedded', 'PostgreSQL'] as const;
export type DatabaseBackend = (typeof DATABASE_BACKENDS)[number];

/**
 * For a test file: a PostgreSQL server for the file's tests (started before, stopped after), and fresh databases on
 * either engine, each closed after the file.
 */
export function useDatabases() {
  let postgres: TestPostgres | undefined;
  const opened: OnwardDatabase[] = [];
  beforeAll(async () => {
    postgres = await startPostgres();
  });
  afterAll(async () => {
    await Promise.all(opened.map((database) => database.close().catch(() => undefined)));
    postgres?.stop();
  });
  /** Where a fresh database of this engine is: in memory, or a new database on the file's PostgreSQL server. */
  async function freshLocation(backend: DatabaseBackend): Promise<DatabaseLocation> {
    if (backend === 'embedded') return { kind: 'embedded' };
    if (!postgres) throw new Error('the PostgreSQL server did not start');
    return { kind: 'postgres', url: await postgres.createDatabase() };
  }
  /** Opens (and migrates) a database at `location`, closed after the file's tests. */
  async function open(location: DatabaseLocation): Promise<OnwardDatabase> {
    const database = await openDatabase(location);
    opened.push(database);
    return database;
  }
  // Creating an embedded database costs seconds of CPU (its initdb): the file's tests share one, emptied for each.
  let embedded: Promise<OnwardDatabase> | undefined;
  async function fresh(backend: DatabaseBackend): Promise<OnwardDatabase> {
    if (backend === 'PostgreSQL') return open(await freshLocation(backend));
    embedded ??= open({ kind: 'embedded' });
    const database = await embedded;
    await sql`drop schema public cascade`.execute(database.db);
    await sql`create schema public`.execute(database.db);
    await migrate(database.db);
    return database;
  }
  return { freshLocation, open, fresh };
}

/** Every file under `directory`, as one buffer (to look for plaintext in an embedded database's files). */
export function filesUnder(directory: string): Buffer {
  const parts: Buffer[] = [];
  for (const name of readdirSync(directory, { recursive: true, encoding: 'utf8' })) {
    const file = path.join(directory, name);
    if (statSync(file).isFile()) parts.push(readFileSync(file));
  }
  return Buffer.concat(parts);
}
