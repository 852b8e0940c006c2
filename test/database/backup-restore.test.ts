import { execFileSync } from 'node:child_process';
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateCodecKey, readCodecKeyring, type CodecKeyring } from '../../common/codec';
import type { DatabaseLocation } from '../../common/database/open';
import { openOnwardState } from '../../common/database/state';
import { postgresBinaries, startPostgres, type TestPostgres } from '../helpers/postgres';

// The backups docs/production.md and the README describe, restored as they say: the suppression list still suppresses.

const keyring = (): CodecKeyring => readCodecKeyring({ ONWARD_CODEC_KEYS: `k1:${generateCodecKey()}` });
const keys = keyring();
const directory = mkdtempSync(path.join(tmpdir(), 'onward-backup-'));
let postgres: TestPostgres;

beforeAll(async () => {
  postgres = await startPostgres();
});

afterAll(() => {
  postgres?.stop();
  rmSync(directory, { recursive: true, force: true });
});

/** Records an opt-out in the database at `location`, as a worker or the API does, then closes it. */
async function optOut(location: DatabaseLocation, address: string): Promise<void> {
  const state = await openOnwardState({ keyring: keys, location });
  try {
    await state.suppressions.suppress(address, 'unsubscribed');
  } finally {
    await state.close();
  }
}

/** Whether each address is suppressed in the database at `location`, read with `ring`. */
async function suppressed(location: DatabaseLocation, addresses: string[], ring: CodecKeyring = keys): Promise<boolean[]> {
  const state = await openOnwardState({ keyring: ring, location });
  try {
    return await Promise.all(addresses.map((address) => state.suppressions.isSuppressed(address)));
  } finally {
    await state.close();
  }
}

describe('backing up and restoring Onward\'s database', () => {
  it('PostgreSQL: pg_dump of the database, pg_restore into a new one, and the opt-out still suppresses (with the same keys)', async () => {
    const bin = postgresBinaries() as string;
    const original: DatabaseLocation = { kind: 'postgres', url: await postgres.createDatabase() };
    await optOut(original, 'grace@example.com');
    const dump = path.join(directory, 'onward.dump');
    execFileSync(path.join(bin, 'pg_dump'), ['--format=custom', `--file=${dump}`, original.url], { stdio: 'pipe' });

    const restored: DatabaseLocation = { kind: 'postgres', url: await postgres.createDatabase() };
    execFileSync(path.join(bin, 'pg_restore'), ['--no-owner', '--exit-on-error', `--dbname=${restored.url}`, dump], { stdio: 'pipe' });
    expect(await suppressed(restored, ['Grace@Example.com', 'ada@example.com'])).toEqual([true, false]);
    // The rows are keyed hashes: restored without the payload keys that made them, nothing is found.
    expect(await suppressed(restored, ['grace@example.com'], keyring())).toEqual([false]);
  }, 120_000);

  it('embedded: a copy of the database directory, taken while no process has it open, still suppresses', async () => {
    const original: DatabaseLocation = { kind: 'embedded', directory: path.join(directory, 'db') };
    await optOut(original, 'grace@example.com');
    const copy = path.join(directory, 'restored', 'db');
    cpSync(original.directory as string, copy, { recursive: true });
    rmSync(original.directory as string, { recursive: true });
    expect(await suppressed({ kind: 'embedded', directory: copy }, ['grace@example.com', 'ada@example.com'])).toEqual([true, false]);
  }, 120_000);
});
