import { closeSync, existsSync, mkdirSync, openSync, readFileSync, rmSync, writeSync } from 'node:fs';
import path from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { Kysely, PostgresDialect, type Migration } from 'kysely';
import pg from 'pg';
import { DEFAULT_DATA_DIR } from '../codec-keys';
import { migrate, MIGRATIONS } from './migrations';
import { pgliteDialect } from './pglite-dialect';

export const DATABASE_URL_VARIABLE = 'ONWARD_DATABASE_URL';
/** The user and password, kept out of the URL so the URL holds no secret (compose passes the password from .env). */
export const DATABASE_USER_VARIABLE = 'ONWARD_DATABASE_USER';
export const DATABASE_PASSWORD_VARIABLE = 'ONWARD_DATABASE_PASSWORD';
/** Written by `onward dev` in its data directory while it runs: where other processes reach its embedded database. */
export const DEV_DATABASE_FILE = 'dev-database.json';

/**
 * Where Onward keeps its own state (never in Temporal's database):
 * - ONWARD_DATABASE_URL=postgres://...: PostgreSQL (production; every worker and API replica shares it);
 * - ONWARD_DATABASE_URL=memory: an embedded database that lives as long as the process (tests);
 * - ONWARD_DATABASE_URL=<directory>: an embedded PGlite database in that directory, owned by one process;
 * - unset: the running `onward dev`'s database when there is one (through its socket), else `<data dir>/db`.
 */
export type DatabaseLocation =
  | { kind: 'postgres'; url: string; /** The running `onward dev` serves it: its owner migrated it, this process only queries. */ viaDev?: boolean }
  | { kind: 'embedded'; directory?: string };

export interface OnwardDatabase {
  db: Kysely<unknown>;
  /** For logs: never a password. */
  description: string;
  /** The embedded engine, when this process owns it (`onward dev` serves it to other processes). */
  embedded?: PGlite;
  close(): Promise<void>;
}

const isPostgresUrl = (value: string) => /^postgres(ql)?:\/\//i.test(value);

function withCredentials(url: string, environment: NodeJS.ProcessEnv): string {
  const user = environment[DATABASE_USER_VARIABLE]?.trim();
  const password = environment[DATABASE_PASSWORD_VARIABLE];
  if (!user && !password) return url;
  const parsed = new URL(url);
  if (user && !parsed.username) parsed.username = encodeURIComponent(user);
  if (password && !parsed.password) parsed.password = encodeURIComponent(password);
  return parsed.toString();
}

function runningDevDatabase(dataDir: string): string | undefined {
  const file = path.join(dataDir, DEV_DATABASE_FILE);
  if (!existsSync(file)) return undefined;
  try {
    const { url, pid } = JSON.parse(readFileSync(file, 'utf8')) as { url: string; pid: number };
    process.kill(pid, 0);
    return url;
  } catch {
    return undefined; // left behind by a dev server that is gone
  }
}

/** From ONWARD_DATABASE_URL (+ ONWARD_DATABASE_USER, ONWARD_DATABASE_PASSWORD), as described above. */
export function databaseLocationFrom(environment: NodeJS.ProcessEnv = process.env, dataDir: string = DEFAULT_DATA_DIR): DatabaseLocation {
  const configured = environment[DATABASE_URL_VARIABLE]?.trim();
  if (configured) {
    if (isPostgresUrl(configured)) return { kind: 'postgres', url: withCredentials(configured, environment) };
    return configured === 'memory' ? { kind: 'embedded' } : { kind: 'embedded', directory: path.resolve(configured) };
  }
  const dev = runningDevDatabase(dataDir);
  return dev ? { kind: 'postgres', url: dev, viaDev: true } : { kind: 'embedded', directory: path.resolve(dataDir, 'db') };
}

export function describeLocation(location: DatabaseLocation): string {
  if (location.kind === 'embedded') return location.directory ? `embedded database in ${location.directory}` : 'embedded database in memory';
  if (location.viaDev) return `embedded database of the running \`onward dev\` (${location.url})`;
  const url = new URL(location.url);
  return `PostgreSQL at ${url.hostname}${url.port ? `:${url.port}` : ''}${url.pathname}`;
}

/** An embedded database directory is one process's: a second opener would corrupt it, so it is told who holds it. */
function lockDirectory(directory: string): () => void {
  try {
    mkdirSync(directory, { recursive: true, mode: 0o700 });
  } catch (error) {
    // E.g. the image's read-only /app: the database belongs elsewhere.
    throw new Error(
      `cannot create the embedded database ${directory} (${(error as NodeJS.ErrnoException).code ?? (error as Error).message}): ` +
        `set ${DATABASE_URL_VARIABLE} to a PostgreSQL URL, or to a writable directory`,
    );
  }
  const lock = `${directory}.lock`;
  for (let attempt = 0; attempt < 2; attempt += 1) {
    try {
      const descriptor = openSync(lock, 'wx', 0o600);
      writeSync(descriptor, String(process.pid));
      closeSync(descriptor);
      return () => rmSync(lock, { force: true });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const holder = Number(readFileSync(lock, 'utf8'));
      try {
        if (holder && holder !== process.pid) process.kill(holder, 0);
      } catch {
        rmSync(lock, { force: true }); // its holder is gone
        continue;
      }
      throw new Error(
        `the embedded database ${directory} is in use by process ${holder} (a running \`onward dev\`?): ` +
          `run this while \`onward dev\` runs in the same directory, or set ${DATABASE_URL_VARIABLE} to a PostgreSQL URL`,
      );
    }
  }
  throw new Error(`cannot lock the embedded database ${directory}`);
}

/** Opens the database and brings its schema up to date (tests: to an earlier version's, with `migrations`). */
export async function openDatabase(location: DatabaseLocation = databaseLocationFrom(), migrations: Record<string, Migration> = MIGRATIONS): Promise<OnwardDatabase> {
  const description = describeLocation(location);
  if (location.kind === 'postgres') {
    // Idle connections do not keep a CLI command's process alive.
    const pool = new pg.Pool({ connectionString: location.url, max: location.viaDev ? 1 : 5, allowExitOnIdle: true });
    // A connection the server drops while idle is replaced on next use; the pool reports it here, not as a crash.
    pool.on('error', () => undefined);
    const db = new Kysely<unknown>({ dialect: new PostgresDialect({ pool }) });
    try {
      if (!location.viaDev) await migrate(db, migrations);
    } catch (error) {
      await db.destroy();
      throw new Error(`${description}: ${(error as Error).message}`);
    }
    return { db, description, close: () => db.destroy() };
  }
  const unlock = location.directory ? lockDirectory(location.directory) : () => undefined;
  try {
    const embedded = await PGlite.create(location.directory ? { dataDir: location.directory } : {});
    const db = new Kysely<unknown>({ dialect: pgliteDialect(embedded) });
    await migrate(db, migrations);
    return {
      db,
      description,
      embedded,
      async close() {
        await db.destroy();
        await embedded.close();
        unlock();
      },
    };
  } catch (error) {
    unlock();
    throw error;
  }
}
