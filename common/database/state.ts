import { existsSync } from 'node:fs';
import { createOutcomesStore, type OutcomesStore } from '../../activities/outcomes-store';
import { createDatabaseSuppressionList, createMemorySuppressionList, importSuppressionFile, suppressionFileFrom, type SuppressionList } from '../../activities/suppression';
import type { CodecKeyring } from '../codec';
import { resolveClientKeyring } from '../codec-keys';
import { readClientConfig } from '../connection';
import { databaseLocationFrom, openDatabase, type DatabaseLocation, type OnwardDatabase } from './open';
import { createSealing, type Sealing } from './sealing';

/** Onward's own state, in its database: what every worker, API replica and CLI command shares. */
export interface OnwardState {
  database: OnwardDatabase;
  sealing: Sealing;
  suppressions: SuppressionList;
  /** The outcomes ledger the workers write (activities/outcomes-store.ts); the API reports from the same tables. */
  outcomes: OutcomesStore;
  close(): Promise<void>;
}

export interface StateOptions {
  /** The payload codec's keys: they key the address hashes and seal personal data. */
  keyring: CodecKeyring | undefined;
  location?: DatabaseLocation;
  /** The suppression list an earlier version kept in a file, imported once when present. */
  suppressionFile?: string;
}

/** Opens the database (migrating it), imports the files of earlier versions once, and builds the stores on it. */
export async function openOnwardState(options: StateOptions): Promise<OnwardState> {
  const database = await openDatabase(options.location ?? databaseLocationFrom());
  try {
    const sealing = createSealing(options.keyring);
    if (options.suppressionFile) await importSuppressionFile(database.db, sealing, options.suppressionFile);
    return { database, sealing, suppressions: createDatabaseSuppressionList(database.db, sealing),
      outcomes: createOutcomesStore(database.db, sealing),
      close: () => database.close() };
  } catch (error) {
    await database.close();
    throw error;
  }
}

let shared: Promise<OnwardState> | undefined;

/**
 * The state of a CLI command, opened on first use and kept for the life of the process: the database of
 * ONWARD_DATABASE_URL or of the running `onward dev`, under the keys this client uses for Temporal.
 */
export function clientState(environment: NodeJS.ProcessEnv = process.env): Promise<OnwardState> {
  shared ??= (async () => {
    const { keyring } = resolveClientKeyring(environment, readClientConfig(environment).TEMPORAL_ADDRESS);
    const state = await openOnwardState({ keyring, location: databaseLocationFrom(environment), suppressionFile: suppressionFileFrom(environment) });
    // A command's last await returns with the database still open: close it so the process can exit.
    process.once('beforeExit', () => void state.close());
    return state;
  })();
  return shared;
}

/**
 * The suppression list a CLI command checks before it starts a sequence. Where no database exists yet (no
 * ONWARD_DATABASE_URL, no running `onward dev`, no embedded database and no old list to import), nobody can have
 * opted out: the command does not create a database just to find that out.
 */
export async function clientSuppressions(environment: NodeJS.ProcessEnv = process.env): Promise<SuppressionList> {
  const location = databaseLocationFrom(environment);
  const nothingYet = location.kind === 'embedded' && location.directory && !existsSync(location.directory) && !existsSync(suppressionFileFrom(environment));
  return nothingYet ? createMemorySuppressionList() : (await clientState(environment)).suppressions;
}
