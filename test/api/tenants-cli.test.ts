import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import { ApiKeys } from '../../client/api/keys';
import { buildApi } from '../../client/api/server';
import { createTenantStore } from '../../client/api/tenants';
import { runCli } from '../helpers/cli';
import { useDatabases } from '../helpers/databases';
import { KEYS } from './harness';

const databases = useDatabases();

/**
 * `onward tenants` end to end: the CLI (as a user runs it) writes the tenants table of a PostgreSQL database, and an
 * API instance on the same database accepts or refuses keys at once. A request with a valid key and a bad query is
 * answered 400 before it would reach Temporal (which this API never reaches); one without a valid key is a 401.
 */
describe('`onward tenants` and the API', () => {
  it('add prints a key the API accepts; rotate-key makes the old one refused; remove refuses it', async () => {
    const location = await databases.freshLocation('PostgreSQL');
    if (location.kind !== 'postgres') throw new Error('not PostgreSQL');
    const onward = (...args: string[]) => runCli(['tenants', ...args], { ONWARD_DATABASE_URL: location.url });
    const database = await databases.open(location);
    const client = new Client({ connection: Connection.lazy({ address: '127.0.0.1:1', connectTimeout: '1 second' }) });
    // ONWARD_API_KEYS keeps working beside the table.
    const app = buildApi({ client, taskQueue: 'nowhere', keys: new ApiKeys().addKey('acme', KEYS.acme), tenants: createTenantStore(database.db) });
    const statusWith = async (key: string) => (await app.inject({ method: 'GET', url: '/sequences?stage=nonsense', headers: { authorization: `Bearer ${key}` } })).statusCode;
    const keyIn = (stdout: string) => /API key (onw_\S+)/.exec(stdout)?.[1] ?? '';
    try {
      const added = await onward('add', 'globex');
      expect(added.stderr).toBe('');
      const key = keyIn(added.stdout);
      expect(key).toMatch(/^onw_[\w-]{32}$/);
      expect(await statusWith(key)).toBe(400);
      expect(await statusWith(KEYS.acme)).toBe(400);
      expect(await statusWith(`${key}x`)).toBe(401);

      // The key is stored only as its digest: not in the database, not in the list.
      const { rows } = await sql<Record<string, unknown>>`select * from tenant_api_keys`.execute(database.db);
      expect(JSON.stringify(rows)).not.toContain(key.slice(4));
      const listed = await onward('list');
      expect(listed.stdout).toMatch(/^globex\tadded \d{4}-\d\d-\d\dT[\d:.]+Z\tkey sha256:[0-9a-f]{12}…$/m);
      expect(listed.stdout).not.toContain(key);

      expect(await onward('add', 'globex')).toMatchObject({ code: 1, stderr: expect.stringContaining('tenant "globex" already exists') as unknown });
      expect(await onward('add', 'globex corp')).toMatchObject({ code: 1, stderr: expect.stringContaining('tenant name "globex corp": must be 1-64 letters') as unknown });
      expect(await onward('rotate-key', 'initech')).toMatchObject({ code: 1, stderr: expect.stringContaining('no tenant "initech"') as unknown });

      const rotated = keyIn((await onward('rotate-key', 'globex')).stdout);
      expect(rotated).toMatch(/^onw_/);
      expect(await statusWith(key)).toBe(401);
      expect(await statusWith(rotated)).toBe(400);

      expect((await onward('remove', 'globex')).stdout).toContain('globex: removed');
      expect(await statusWith(rotated)).toBe(401);
      expect((await onward('list')).stdout).toContain('no tenants');
      expect(await onward('remove', 'globex')).toMatchObject({ code: 1, stderr: expect.stringContaining('no tenant "globex"') as unknown });
    } finally {
      await app.close();
    }
  });

  it('`onward api` refuses to start without any tenant, or with a records file it cannot import, naming what to do', async () => {
    const location = await databases.freshLocation('PostgreSQL');
    if (location.kind !== 'postgres') throw new Error('not PostgreSQL');
    // Refused before it would reach Temporal: nothing listens at this address.
    const environment = { ONWARD_DATABASE_URL: location.url, TEMPORAL_ADDRESS: '127.0.0.1:1', ONWARD_API_KEYS: '', ONWARD_API_KEYS_FILE: '' };
    const keyless = await runCli(['api'], environment);
    expect(keyless.code).toBe(1);
    expect(keyless.stderr).toContain('no API keys: add a tenant with `onward tenants add <name>`');
    const file = path.join(mkdtempSync(path.join(tmpdir(), 'onward-records-')), 'api-records.json');
    writeFileSync(file, '{"version": 1, "sequences": {}}');
    const broken = await runCli(['api'], { ...environment, ONWARD_API_KEYS: 'acme:0123456789abcdef0123456789abcdef', ONWARD_API_RECORDS: file });
    expect(broken.code).toBe(1);
    expect(broken.stderr).toContain(`${file}: "sequences" must be a list, so nothing was imported`);
  });
});
