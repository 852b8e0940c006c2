import { createHash } from 'node:crypto';
import { sql, type Kysely } from 'kysely';
import { ApiKeys, TENANT_PATTERN } from './keys';

/** A tenant as `onward tenants list` shows it: never its key, only the start of the key's digest. */
export interface TenantSummary {
  name: string;
  createdAt: string;
  /** The first 12 hex digits of the key's SHA-256, to tell keys apart. */
  keyFingerprint?: string;
}

/** A refusal the CLI prints as it is (bad name, unknown tenant, duplicate). */
export class TenantError extends Error {}

/** Who a presented API key belongs to. */
export interface KeyDirectory {
  tenantOf(key: string): Promise<string | undefined>;
}

const digestOf = (key: string): string => createHash('sha256').update(key, 'utf8').digest('hex');
const FINGERPRINT_LENGTH = 12;

function checkName(name: string): void {
  if (!TENANT_PATTERN.test(name)) throw new TenantError(`tenant name "${name}": must be 1-64 letters, digits, "_" or "-", starting with a letter or digit`);
}

/**
 * The tenants and their API keys, in Onward's database (migration 0003-tenants). A key is generated here, returned
 * once, and stored only as its SHA-256: it cannot be read back, only replaced (rotateKey).
 */
export function createTenantStore(db: Kysely<unknown>) {
  async function requireTenant(name: string): Promise<void> {
    checkName(name);
    const found = await sql`select 1 from tenants where name = ${name}`.execute(db);
    if (found.rows.length === 0) throw new TenantError(`no tenant "${name}" (see \`onward tenants list\`)`);
  }
  return {
    /** Creates a tenant with a new key, returned once. */
    async add(name: string): Promise<string> {
      checkName(name);
      const key = ApiKeys.generate();
      await db.transaction().execute(async (transaction) => {
        const created = await sql`insert into tenants (name) values (${name}) on conflict (name) do nothing returning name`.execute(transaction);
        if (created.rows.length === 0) throw new TenantError(`tenant "${name}" already exists (\`onward tenants rotate-key ${name}\` gives it a new key)`);
        await sql`insert into tenant_api_keys (key_digest, tenant) values (${digestOf(key)}, ${name})`.execute(transaction);
      });
      return key;
    },
    async list(): Promise<TenantSummary[]> {
      const { rows } = await sql<{ name: string; created_at: Date | string; key_digest: string | null }>`select t.name, t.created_at, k.key_digest
        from tenants t left join tenant_api_keys k on k.tenant = t.name order by t.name`.execute(db);
      return rows.map((row) => ({
        name: row.name,
        createdAt: new Date(row.created_at).toISOString(),
        ...(row.key_digest ? { keyFingerprint: row.key_digest.slice(0, FINGERPRINT_LENGTH) } : {}),
      }));
    },
    /** Replaces the tenant's key: the new one is returned once, and the old one is refused from now on. */
    async rotateKey(name: string): Promise<string> {
      await requireTenant(name);
      const key = ApiKeys.generate();
      await db.transaction().execute(async (transaction) => {
        await sql`delete from tenant_api_keys where tenant = ${name}`.execute(transaction);
        await sql`insert into tenant_api_keys (key_digest, tenant) values (${digestOf(key)}, ${name})`.execute(transaction);
      });
      return key;
    },
    /** Removes the tenant and its key (its sequences and records stay; erase them with `onward erase`). */
    async remove(name: string): Promise<void> {
      await requireTenant(name);
      await sql`delete from tenants where name = ${name}`.execute(db);
    },
    async tenantOf(key: string): Promise<string | undefined> {
      const { rows } = await sql<{ tenant: string }>`select tenant from tenant_api_keys where key_digest = ${digestOf(key)}`.execute(db);
      return rows[0]?.tenant;
    },
  };
}

export type TenantStore = ReturnType<typeof createTenantStore>;

/**
 * The keys the API accepts: those of ONWARD_API_KEYS / ONWARD_API_KEYS_FILE first (a single tenant, or deployments
 * that predate `onward tenants`), then the tenants table, read on every request so a rotation counts at once.
 */
export function keyDirectory(configured: ApiKeys, tenants?: TenantStore): KeyDirectory {
  return {
    async tenantOf(key) {
      return configured.tenantOf(key) ?? (await tenants?.tenantOf(key));
    },
  };
}
