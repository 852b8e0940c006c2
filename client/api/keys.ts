import { createHash, randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';

/** Tenant names: they are stored in the OnwardTenant search attribute and appear in webhook URLs. */
export const TENANT_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/;
const MIN_KEY_LENGTH = 16;

const sha256 = (text: string): string => createHash('sha256').update(text, 'utf8').digest('hex');

/**
 * API keys, one tenant per key, held only as SHA-256 digests: a key is looked up by its digest, so neither
 * a configuration dump nor a timing difference reveals a key.
 */
export class ApiKeys {
  private readonly tenantsByDigest = new Map<string, string>();

  /** `tenant:key` pairs; a key may also be given as its digest, `tenant:sha256:<64 hex>`. */
  static parse(text: string, source: string): ApiKeys {
    const keys = new ApiKeys();
    const entries = text
      .split(/[\n,]/)
      .map((entry) => entry.trim())
      .filter((entry) => entry && !entry.startsWith('#'));
    entries.forEach((entry, index) => {
      const separator = entry.indexOf(':');
      const where = `${source} entry ${index + 1}`;
      if (separator < 0) throw new Error(`${where}: must be "tenant:key"`);
      const tenant = entry.slice(0, separator);
      const key = entry.slice(separator + 1);
      if (!TENANT_PATTERN.test(tenant)) throw new Error(`${where}: tenant "${tenant}" must be 1-64 letters, digits, "_" or "-"`);
      const digest = /^sha256:[0-9a-f]{64}$/i.test(key) ? key.slice(7).toLowerCase() : undefined;
      if (!digest && key.length < MIN_KEY_LENGTH) throw new Error(`${where}: the key of tenant "${tenant}" must be at least ${MIN_KEY_LENGTH} characters`);
      keys.add(tenant, digest ?? sha256(key), where);
    });
    return keys;
  }

  /** Keys from ONWARD_API_KEYS ("tenantA:key1,tenantB:key2") and/or the file named by ONWARD_API_KEYS_FILE. */
  static fromEnvironment(environment: NodeJS.ProcessEnv = process.env): ApiKeys {
    const keys = new ApiKeys();
    if (environment.ONWARD_API_KEYS) keys.merge(ApiKeys.parse(environment.ONWARD_API_KEYS, 'ONWARD_API_KEYS'));
    const file = environment.ONWARD_API_KEYS_FILE;
    if (file) {
      let text: string;
      try {
        text = readFileSync(file, 'utf8');
      } catch (error) {
        throw new Error(`ONWARD_API_KEYS_FILE: cannot read ${file} (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`);
      }
      keys.merge(ApiKeys.parse(text, file));
    }
    return keys;
  }

  /** A fresh random key for a tenant (the dev environment prints it). */
  static generate(): string {
    return `onw_${randomBytes(24).toString('base64url')}`;
  }

  addKey(tenant: string, key: string): this {
    this.add(tenant, sha256(key), 'addKey');
    return this;
  }

  get size(): number {
    return this.tenantsByDigest.size;
  }

  get tenants(): string[] {
    return [...new Set(this.tenantsByDigest.values())].sort();
  }

  /** The tenant of a presented key, or undefined. */
  tenantOf(key: string): string | undefined {
    return this.tenantsByDigest.get(sha256(key));
  }

  private add(tenant: string, digest: string, where: string): void {
    const existing = this.tenantsByDigest.get(digest);
    if (existing && existing !== tenant) throw new Error(`${where}: the same key is configured for tenants "${existing}" and "${tenant}"`);
    this.tenantsByDigest.set(digest, tenant);
  }

  private merge(other: ApiKeys): void {
    for (const [digest, tenant] of other.tenantsByDigest) this.add(tenant, digest, 'configuration');
  }
}
