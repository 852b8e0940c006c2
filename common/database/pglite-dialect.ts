import type { PGlite } from '@electric-sql/pglite';
import { PostgresDialect, type PostgresPool, type PostgresPoolClient, type PostgresQueryResult } from 'kysely';

const COMMANDS = ['INSERT', 'UPDATE', 'DELETE', 'MERGE', 'SELECT'] as const;
type Command = (typeof COMMANDS)[number];

/** The statement's verb, which Kysely reads to report affected rows (PGlite reports the count without it). */
function commandOf(statement: string): Command {
  const verb = /^\s*(?:with\b[\s\S]*?\)\s*)?(\w+)/i.exec(statement)?.[1]?.toUpperCase();
  return COMMANDS.find((command) => command === verb) ?? 'SELECT';
}

/**
 * Kysely's own Postgres dialect over an embedded PGlite: one connection, handed to one user at a time (a transaction
 * must not interleave with another caller's statements), so the same queries and migrations serve pg and PGlite.
 */
export function pgliteDialect(database: PGlite): PostgresDialect {
  let queue: Promise<void> = Promise.resolve();
  const pool = {
    connect(): Promise<PostgresPoolClient> {
      let release!: () => void;
      const turn = queue;
      queue = new Promise<void>((resolve) => (release = resolve));
      const client = {
        async query<R>(statement: string, parameters: readonly unknown[]): Promise<PostgresQueryResult<R>> {
          const result = await database.query<R>(statement, [...parameters]);
          return { command: commandOf(statement), rowCount: result.affectedRows ?? result.rows.length, rows: result.rows };
        },
        release,
      };
      return turn.then(() => client as unknown as PostgresPoolClient);
    },
    end: () => Promise.resolve(),
  } satisfies PostgresPool;
  return new PostgresDialect({ pool });
}
