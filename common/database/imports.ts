import { readFile } from 'node:fs/promises';
import { sql, type Kysely, type Transaction } from 'kysely';

/**
 * Imports a JSON file left by an earlier version once: the `imports` row and the rows it brings are written in one
 * transaction, so a crash imports nothing and a second process (or a restart) finds the row and does nothing. The
 * file itself is left alone. Returns the number of entries imported, or undefined when there was nothing to do.
 */
export async function importOnce(
  db: Kysely<unknown>,
  source: string,
  file: string,
  write: (transaction: Transaction<unknown>, parsed: unknown) => Promise<number>,
): Promise<number | undefined> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new Error(`${file}: cannot be read for its one-time import (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new Error(`${file}: is not JSON, so it cannot be imported into the database (fix or move it)`);
  }
  return db.transaction().execute(async (transaction) => {
    const claimed = await sql`insert into imports (source, entries) values (${source}, 0) on conflict (source) do nothing returning source`.execute(transaction);
    if (claimed.rows.length === 0) return undefined;
    const entries = await write(transaction, parsed);
    await sql`update imports set entries = ${entries} where source = ${source}`.execute(transaction);
    return entries;
  });
}
