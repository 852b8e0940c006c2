import { Command } from 'commander';
import type { Kysely } from 'kysely';
import { eraseOutcomesOf } from '../activities/outcomes-store';
import { clientState } from '../common/database/state';
import type { Sealing } from '../common/database/sealing';
import { workflowIdFor } from '../workflows/definitions';
import { TENANT_PATTERN } from './api/keys';
import { createDatabaseRecords } from './api/records';

/** One candidate's sequence, as `onward erase` names it. */
export interface ErasureTarget {
  rejectionId: string;
  /** Sequences started through the API or a webhook belong to a tenant; CLI-started ones to none. */
  tenant?: string;
}

/**
 * Removes a candidate's data from every table of Onward's database: the API's ATS mapping (its candidate id and
 * rejection reason) becomes a tombstone without personal data, which keeps a replayed ATS event from starting the
 * sequence again; then the ledger's rows. Idempotent.
 */
export async function eraseFromDatabase(db: Kysely<unknown>, sealing: Sealing, target: ErasureTarget): Promise<void> {
  if (target.tenant !== undefined) await createDatabaseRecords(db, sealing).erase(target.tenant, [target.rejectionId]);
  await eraseOutcomesOf(db, workflowIdFor(target.rejectionId, target.tenant));
}

/** `onward erase <id>`: the candidate's data out of Onward's database (ONWARD_DATABASE_URL, or the running `onward dev`). */
export function eraseCommand(): Command {
  return new Command('erase')
    .description("remove a candidate's data from Onward's database (ATS records and outcomes), leaving a tombstone with no personal data")
    .argument('<id>', 'rejection id')
    .option('--tenant <tenant>', 'the tenant the sequence belongs to (started through the API or a webhook)')
    .action(async (rejectionId: string, options: { tenant?: string }) => {
      if (options.tenant !== undefined && !TENANT_PATTERN.test(options.tenant)) throw new Error(`--tenant: "${options.tenant}" must be 1-64 letters, digits, "_" or "-"`);
      const state = await clientState();
      await eraseFromDatabase(state.database.db, state.sealing, { rejectionId, ...(options.tenant !== undefined ? { tenant: options.tenant } : {}) });
      console.log(`${rejectionId}${options.tenant ? ` (tenant ${options.tenant})` : ''}: erased from ${state.database.description}; a tombstone without personal data remains`);
    });
}
