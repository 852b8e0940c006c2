import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { Client } from '@temporalio/client';
import { Command, Option } from 'commander';
import { z } from 'zod';
import { suppressionFileFrom } from '../../activities/suppression';
import { resolveClientKeyring } from '../../common/codec-keys';
import { openOnwardState } from '../../common/database/state';
import { createLedgerReports } from './outcomes-report';
import { readWebhooksConfig } from '../ats/common';
import { connectClient, readClientConfig } from '../../common/connection';
import { formatRowReport, importRows, ImportFileError, progressLine, rowsFromCsv, type RowReport } from '../import';
import { ONWARD_SEARCH_ATTRIBUTES } from '../../workflows/definitions';
import { SEARCH_ATTRIBUTE_TYPE_NAMES } from '../visibility';
import { INSECURE_PLAINTEXT_FLAG, refusePlaintextWrites } from '../plaintext-guard';
import { decodeUtf8, InvalidUtf8Error } from '../utf8';
import { parseDuration } from '../../workflows/durations';
import { DEFAULT_RATE_LIMITS } from './rate-limits';
import { DEFAULT_LEVER_MAX_AGE_MS } from './webhooks';
import { ApiKeys } from './keys';
import { checkTenantOption, defaultTenant } from '../default-tenant';
import { DEFAULT_RECORDS_FILE, openDatabaseRecords } from './records';
import { startApi } from './server';
import { SequenceService } from './service';
import { createTenantStore } from './tenants';

// Compose passes `${VAR:-}` as an empty string: empty means unset.
const unsetIfEmpty = (value: unknown) => (value === '' ? undefined : value);
const perMinute = (fallback: number) =>
  z.preprocess(unsetIfEmpty, z.coerce.number().int().min(1, { message: 'must be a whole number of requests a minute, at least 1' }).default(fallback));

const apiConfigSchema = z.object({
  ONWARD_API_HOST: z.string().min(1).default('127.0.0.1'),
  ONWARD_API_PORT: z.coerce.number().int().min(0).max(65535).default(8080),
  ONWARD_API_RECORDS: z.string().min(1).default(DEFAULT_RECORDS_FILE),
  ONWARD_RATE_LIMIT_PER_IP: perMinute(DEFAULT_RATE_LIMITS.perIp),
  ONWARD_RATE_LIMIT_PER_KEY: perMinute(DEFAULT_RATE_LIMITS.perKey),
  ONWARD_RATE_LIMIT_WEBHOOKS: perMinute(DEFAULT_RATE_LIMITS.webhooks),
  ONWARD_LEVER_MAX_AGE: z
    .string()
    .optional()
    .transform((value, context) => {
      if (value === undefined || value === '') return DEFAULT_LEVER_MAX_AGE_MS;
      const millis = parseDuration(value);
      if (millis !== undefined) return millis;
      context.addIssue({ code: 'custom', message: 'must be a duration such as "1 hour" or "15 minutes"' });
      return z.NEVER;
    }),
});

/** Refuses to serve when the Temporal namespace lacks Onward's search attributes, and says how to add them. */
export async function checkSearchAttributes(client: Client, namespace: string): Promise<void> {
  let known: Record<string, unknown>;
  try {
    const answer = await client.connection.operatorService.listSearchAttributes({ namespace });
    known = answer.customAttributes ?? {};
  } catch {
    return; // e.g. Temporal Cloud, where the operator service is not open to this client: the first start names a missing one
  }
  const missing = ONWARD_SEARCH_ATTRIBUTES.filter((attribute) => !Object.hasOwn(known, attribute.name));
  if (missing.length === 0) return;
  throw new Error(
    `namespace "${namespace}" lacks the search attribute${missing.length > 1 ? 's' : ''} ${missing.map((attribute) => attribute.name).join(', ')}. Add ` +
      `${missing.length > 1 ? 'them' : 'it'} once: ${missing.map((attribute) => `temporal operator search-attribute create --namespace ${namespace} --name ${attribute.name} --type ${SEARCH_ATTRIBUTE_TYPE_NAMES[attribute.type]}`).join(' && ')}`,
  );
}

/** `onward api`: the HTTP API, the ATS webhooks and the dashboard, against the configured Temporal server. */
export function apiCommand(): Command {
  return new Command('api')
    .description('serve the HTTP API, the ATS webhooks and the dashboard (tenants from `onward tenants`, or ONWARD_API_KEYS / ONWARD_API_KEYS_FILE; ONWARD_WEBHOOKS_FILE, ONWARD_API_HOST, ONWARD_API_PORT)')
    .action(async () => {
      const parsed = apiConfigSchema.safeParse(process.env);
      if (!parsed.success) throw new Error(`Invalid configuration:\n${parsed.error.issues.map((issue) => `  ${issue.path.join('.')}: ${issue.message}`).join('\n')}`);
      const config = readClientConfig();
      const keys = ApiKeys.fromEnvironment();
      const webhooks = readWebhooksConfig();
      // One-click unsubscribe: the workers' secret, and the suppression list they check (the same file).
      const unsubscribeSecret = process.env.ONWARD_UNSUBSCRIBE_SECRET;
      // The database the workers share (ONWARD_DATABASE_URL), under the same keys as the payloads.
      const state = await openOnwardState({ keyring: resolveClientKeyring(process.env, config.TEMPORAL_ADDRESS).keyring, suppressionFile: suppressionFileFrom() });
      const tenants = createTenantStore(state.database.db);
      // The records file of earlier versions is imported once; the records then live in the database.
      const opened = await (async () => {
        const tenantNames = [...keys.tenants, ...(await tenants.list()).map((tenant) => tenant.name)];
        if (tenantNames.length === 0) {
          throw new Error('no API keys: add a tenant with `onward tenants add <name>` (it prints the key once), or set ONWARD_API_KEYS="tenant:key,..." or ONWARD_API_KEYS_FILE');
        }
        const records = await openDatabaseRecords(state.database.db, state.sealing, path.resolve(parsed.data.ONWARD_API_RECORDS));
        return { records, tenantNames: [...new Set(tenantNames)].sort(), ...(await connectClient(config)) };
      })().catch(async (error: unknown) => {
        await state.close();
        throw error;
      });
      const { client, close, records, tenantNames } = opened;
      try {
        await checkSearchAttributes(client, config.TEMPORAL_NAMESPACE);
        const api = await startApi({
          client,
          taskQueue: config.ONWARD_TASK_QUEUE,
          keys,
          webhooks,
          tenants,
          records,
          suppressions: state.suppressions,
          ledger: createLedgerReports(state.database.db, state.sealing),
          ...(unsubscribeSecret ? { unsubscribe: { secret: unsubscribeSecret, suppressions: state.suppressions } } : {}),
          logger: true,
          rateLimits: { perIp: parsed.data.ONWARD_RATE_LIMIT_PER_IP, perKey: parsed.data.ONWARD_RATE_LIMIT_PER_KEY, webhooks: parsed.data.ONWARD_RATE_LIMIT_WEBHOOKS },
          leverMaxAgeMs: parsed.data.ONWARD_LEVER_MAX_AGE,
          host: parsed.data.ONWARD_API_HOST,
          port: parsed.data.ONWARD_API_PORT,
        });
        console.log(
          `Onward API on ${api.url} (tenants: ${tenantNames.join(', ')}; state in the ${state.database.description}), dashboard ${api.url}/dashboard/, OpenAPI ${api.url}/openapi.json` +
            (Object.keys(webhooks).length ? `, webhooks for ${Object.keys(webhooks).join(', ')}` : ''),
        );
        await new Promise<void>((resolve) => {
          process.once('SIGINT', resolve);
          process.once('SIGTERM', resolve);
        });
        await api.close();
      } finally {
        await close();
        await state.close();
      }
    });
}

/** `onward import FILE.csv`: one sequence per row; exit code 2 when any row was refused. */
export function importCommand(): Command {
  return new Command('import')
    .description('start one sequence per row of a CSV file (columns: id, candidate.name, candidate.email, ...; see docs/api.md); re-running starts nothing twice')
    .argument('<file>', 'CSV file')
    .addOption(new Option('--tenant <tenant>', "the tenant the sequences belong to (as if started with its API key); by default the single configured tenant, else `onward dev`'s"))
    .option('--json', 'print the report as JSON')
    .option(INSECURE_PLAINTEXT_FLAG, 'write the personal data in clear when no payload key is set (a keyless test server only)')
    .action(async (file: string, options: { tenant?: string; json?: boolean; insecurePlaintext?: boolean }) => {
      checkTenantOption(options.tenant);
      let rows;
      try {
        rows = rowsFromCsv(decodeUtf8(readFileSync(file)));
      } catch (error) {
        if (error instanceof ImportFileError || error instanceof InvalidUtf8Error) throw new Error(`${file} ${error.message}`);
        throw new Error(`${file}: cannot be read (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`);
      }
      const config = readClientConfig();
      refusePlaintextWrites(config.TEMPORAL_ADDRESS, options.insecurePlaintext);
      const { client, close } = await connectClient(config);
      const service = new SequenceService(client, config.ONWARD_TASK_QUEUE);
      const progress = progressLine(process.stderr);
      const done: RowReport[] = [];
      try {
        // Without --tenant the sequences keep their unscoped ids and still belong to the default tenant's dashboard.
        const owner = options.tenant ?? defaultTenant();
        const report = await importRows(rows, async (document) => (await service.start(service.validate(document), owner, { unscopedId: options.tenant === undefined })).outcome, {
          onRow(row, count, total) {
            done.push(row);
            progress.update(count, total, done);
            if (!options.json && !process.stderr.isTTY) console.log(formatRowReport(row));
          },
        });
        progress.end();
        if (options.json) console.log(JSON.stringify(report, null, 2));
        else {
          if (process.stderr.isTTY) for (const row of report.rows) console.log(formatRowReport(row));
          console.log(`${rows.length} rows: ${report.started} started, ${report.existing} already existed, ${report.refused} refused.`);
        }
        if (report.refused > 0) process.exitCode = 2;
      } finally {
        progress.end();
        await close();
      }
    });
}
