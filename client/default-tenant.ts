import { ApiKeys, TENANT_PATTERN } from './api/keys';

/** The tenant of `onward dev`'s API key: the single user's. */
export const DEV_TENANT = 'dev';

/**
 * The tenant a CLI command's sequences belong to without --tenant: the one tenant the API keys configure
 * (ONWARD_API_KEYS / ONWARD_API_KEYS_FILE), else `onward dev`'s, so they appear in that tenant's dashboard.
 */
export function defaultTenant(environment: NodeJS.ProcessEnv = process.env): string {
  const { tenants } = ApiKeys.fromEnvironment(environment);
  return tenants.length === 1 ? (tenants[0] as string) : DEV_TENANT;
}

/** A --tenant value, or an error naming the option and the rule. */
export function checkTenantOption(tenant: string | undefined): void {
  if (tenant !== undefined && !TENANT_PATTERN.test(tenant)) throw new Error(`--tenant: "${tenant}" must be 1-64 letters, digits, "_" or "-"`);
}
