import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import { createDatabaseSuppressionList, importSuppressionFile } from '../../activities/suppression';
import { generateCodecKey, parseCodecKeys, type CodecKeyring } from '../../common/codec';
import { openDatabase } from '../../common/database/open';
import { createSealing } from '../../common/database/sealing';
import { openOnwardState } from '../../common/database/state';
import { DATABASE_BACKENDS, filesUnder, useDatabases } from '../helpers/databases';

const databases = useDatabases();
const [k1, k2] = [generateCodecKey(), generateCodecKey()];
const keyring = (keys: string, active?: string): CodecKeyring => {
  const parsed = parseCodecKeys(keys, active).keyring;
  if (!parsed) throw new Error('bad test keys');
  return parsed;
};
const ring1 = keyring(`k1:${k1}`);
const ring12 = keyring(`k1:${k1},k2:${k2}`, 'k2');


describe.each(DATABASE_BACKENDS)('the suppression list on the %s database', (backend) => {
  it('suppresses an address whatever its case, until it is removed', async () => {
    const { db } = await databases.fresh(backend);
    const list = createDatabaseSuppressionList(db, createSealing(ring1));
    expect(await list.isSuppressed('grace@example.com')).toBe(false);
    await list.suppress('Grace@Example.com ', 'unsubscribed');
    await list.suppress('grace@example.com', 'twice'); // idempotent
    expect(await list.isSuppressed('GRACE@example.com')).toBe(true);
    expect(await list.isSuppressed('ada@example.com')).toBe(false);
    await list.remove('grace@EXAMPLE.com');
    expect(await list.isSuppressed('grace@example.com')).toBe(false);
  });

  it('holds no readable address, and a list with another key finds nothing', async () => {
    const { db } = await databases.fresh(backend);
    await createDatabaseSuppressionList(db, createSealing(ring1)).suppress('grace@example.com', 'unsubscribed');
    const { rows } = await sql<Record<string, unknown>>`select * from suppressions`.execute(db);
    expect(rows).toHaveLength(1);
    expect(JSON.stringify(rows)).not.toMatch(/grace|example/i);
    expect(await createDatabaseSuppressionList(db, createSealing(keyring(`k9:${generateCodecKey()}`))).isSuppressed('grace@example.com')).toBe(false);
  });

  it('keeps an opt-out recorded under a retired key while that key is in the keyring', async () => {
    const { db } = await databases.fresh(backend);
    await createDatabaseSuppressionList(db, createSealing(ring1)).suppress('grace@example.com', 'unsubscribed');
    const rotated = createDatabaseSuppressionList(db, createSealing(ring12));
    expect(await rotated.isSuppressed('grace@example.com')).toBe(true);
    await rotated.remove('grace@example.com');
    expect(await createDatabaseSuppressionList(db, createSealing(ring1)).isSuppressed('grace@example.com')).toBe(false);
  });

  it('imports the suppressions.json of earlier versions once, and leaves the file alone', async () => {
    const directory = mkdtempSync(path.join(tmpdir(), 'onward-import-'));
    const file = path.join(directory, 'suppressions.json');
    const text = `${JSON.stringify({ 'grace@example.com': { reason: 'unsubscribed', suppressedAt: '2026-01-02T03:04:05.000Z' }, 'ada@example.com': { reason: 'asked' } })}\n`;
    writeFileSync(file, text);
    const { db } = await databases.fresh(backend);
    const sealing = createSealing(ring1);
    expect(await importSuppressionFile(db, sealing, file)).toBe(2);
    const list = createDatabaseSuppressionList(db, sealing);
    expect(await list.isSuppressed('grace@example.com')).toBe(true);
    expect(await list.isSuppressed('ada@example.com')).toBe(true);
    // Removed since, then the file grows: a restart imports nothing again (the removal stands), and the file is untouched.
    await list.remove('ada@example.com');
    writeFileSync(file, JSON.stringify({ 'ada@example.com': { reason: 'asked' }, 'alan@example.com': { reason: 'late' } }));
    expect(await importSuppressionFile(db, sealing, file)).toBeUndefined();
    expect(await list.isSuppressed('ada@example.com')).toBe(false);
    expect(await list.isSuppressed('alan@example.com')).toBe(false);
    const { rows } = await sql<{ suppressed_at: Date }>`select suppressed_at from suppressions`.execute(db);
    expect(rows.map((row) => new Date(row.suppressed_at).toISOString())).toEqual(['2026-01-02T03:04:05.000Z']);
  });

  it('names the file when it cannot be imported, and imports nothing', async () => {
    const directory = mkdtempSync(path.join(tmpdir(), 'onward-import-'));
    const file = path.join(directory, 'suppressions.json');
    writeFileSync(file, '{ not json');
    const { db } = await databases.fresh(backend);
    await expect(importSuppressionFile(db, createSealing(ring1), file)).rejects.toThrow(`${file}: is not JSON`);
    const { rows } = await sql`select * from imports`.execute(db);
    expect(rows).toEqual([]);
  });
});

describe('the suppression list, shared', () => {
  it('an opt-out recorded by one replica counts at once for another (PostgreSQL)', async () => {
    const location = await databases.freshLocation('PostgreSQL');
    const [api, worker] = [await databases.open(location), await databases.open(location)];
    await createDatabaseSuppressionList(api.db, createSealing(ring1)).suppress('grace@example.com', 'unsubscribed');
    expect(await createDatabaseSuppressionList(worker.db, createSealing(ring1)).isSuppressed('grace@example.com')).toBe(true);
  });

  it('the embedded database’s files hold no readable address', async () => {
    const directory = path.join(mkdtempSync(path.join(tmpdir(), 'onward-embedded-')), 'db');
    const state = await openOnwardState({ keyring: ring1, location: { kind: 'embedded', directory } });
    await state.suppressions.suppress('grace.hopper@example.com', 'unsubscribed');
    await state.close();
    const files = filesUnder(directory);
    expect(files.length).toBeGreaterThan(0);
    expect(files.includes(Buffer.from('grace.hopper'))).toBe(false);
    const reopened = await openDatabase({ kind: 'embedded', directory });
    expect(await createDatabaseSuppressionList(reopened.db, createSealing(ring1)).isSuppressed('grace.hopper@example.com')).toBe(true);
    await reopened.close();
  });
});
