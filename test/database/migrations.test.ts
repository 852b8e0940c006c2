import { sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import { migrate, MIGRATIONS, migrationsUpTo } from '../../common/database/migrations';
import { openDatabase } from '../../common/database/open';
import { DATABASE_BACKENDS, useDatabases } from '../helpers/databases';

const databases = useDatabases();
const names = Object.keys(MIGRATIONS).sort();

async function applied(db: Parameters<typeof migrate>[0]): Promise<string[]> {
  const { rows } = await sql<{ name: string }>`select name from kysely_migration order by name`.execute(db);
  return rows.map((row) => row.name);
}

describe.each(DATABASE_BACKENDS)('migrations on the %s database', (backend) => {
  it('bring an empty database to the latest schema when it is opened', async () => {
    const { db } = await databases.fresh(backend);
    expect(await applied(db)).toEqual(names);
    const { rows } = await sql<{ table_name: string }>`select table_name from information_schema.tables where table_schema = current_schema()`.execute(db);
    expect(rows.map((row) => row.table_name)).toEqual(expect.arrayContaining(['suppressions', 'imports', 'webhook_deliveries', 'ats_mappings', 'erasure_tombstones', 'tenants', 'tenant_api_keys']));
    expect(await migrate(db)).toEqual([]); // a second start finds nothing to do
  });

  // The first schema's previous version is the JSON files (their import: suppression-store.test.ts).
  it.skipIf(names.length < 2)('bring the previous version’s database up to date and keep its rows', async () => {
    const previous = names.at(-2) as string;
    const database = await openDatabase(await databases.freshLocation(backend), migrationsUpTo(previous));
    expect(await applied(database.db)).toEqual(names.slice(0, -1));
    await sql`insert into suppressions (address_hash, key_id, reason) values ('abc', 'k1', 'kept')`.execute(database.db);
    expect(await migrate(database.db)).toEqual(names.slice(-1));
    const { rows } = await sql<{ reason: string }>`select reason from suppressions`.execute(database.db);
    expect(rows).toEqual([{ reason: 'kept' }]);
    await database.close();
  });
});

describe('migrations on PostgreSQL', () => {
  it('are applied once when several processes start at once (an advisory lock)', async () => {
    const location = await databases.freshLocation('PostgreSQL');
    const starts = await Promise.all(Array.from({ length: 6 }, () => openDatabase(location)));
    try {
      const db = starts[0]?.db;
      if (!db) throw new Error('no database');
      expect(await applied(db)).toEqual(names);
    } finally {
      await Promise.all(starts.map((database) => database.close()));
    }
  });
});
