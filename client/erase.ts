import { isGrpcServiceError, type Client } from '@temporalio/client';
import { Command } from 'commander';
import type { Kysely } from 'kysely';
import { eraseOutcomesOf } from '../activities/outcomes-store';
import { clientState } from '../common/database/state';
import type { Sealing } from '../common/database/sealing';
import { workflowIdFor } from '../workflows/definitions';
import { TENANT_PATTERN } from './api/keys';
import { createDatabaseRecords } from './api/records';
import { ApiError } from './api/errors';
import { SequenceService } from './api/service';
import { connectClient, readClientConfig } from '../common/connection';
import { REJECTION_ID_PATTERN } from '../workflows/rejection-id';

const GRPC_NOT_FOUND = 5;

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
export async function eraseFromDatabase(db: Kysely<unknown>, sealing: Sealing, target: ErasureTarget, workflowIds: string[] = []): Promise<void> {
  if (target.tenant !== undefined) await createDatabaseRecords(db, sealing).erase(target.tenant, [target.rejectionId]);
  for (const workflowId of new Set([workflowIdFor(target.rejectionId, target.tenant), ...workflowIds])) await eraseOutcomesOf(db, workflowId);
}

/**
 * Deletes the sequence from Temporal (a running one is terminated first): its history, memo and visibility record go.
 * A tenant's sequence is found as the API finds it (scoped id, or its older unscoped one); none found, nothing to do.
 */
export async function eraseFromTemporal(client: Client, taskQueue: string, target: ErasureTarget): Promise<string[]> {
  let workflowId = workflowIdFor(target.rejectionId);
  if (target.tenant !== undefined) {
    try {
      workflowId = (await new SequenceService(client, taskQueue).owned(target.tenant, target.rejectionId)).workflowId;
    } catch (error) {
      if (error instanceof ApiError && error.statusCode === 404) return [];
      throw error;
    }
  }
  try {
    await client.workflowService.deleteWorkflowExecution({ namespace: client.options.namespace, workflowExecution: { workflowId } });
    return [workflowId];
  } catch (error) {
    if (isGrpcServiceError(error) && Number(error.code) === GRPC_NOT_FOUND) return [];
    throw error;
  }
}

/** `onward erase <id>`: the candidate's data out of Temporal and out of Onward's database. */
export function eraseCommand(): Command {
  return new Command('erase')
    .description("remove a candidate's sequence from Temporal and their data from Onward's database (ATS records and outcomes), leaving a tombstone with no personal data")
    .argument('<id>', 'rejection id')
    .option('--tenant <tenant>', 'the tenant the sequence belongs to (started through the API, a webhook or with --tenant)')
    .action(async (rejectionId: string, options: { tenant?: string }) => {
      if (options.tenant !== undefined && !TENANT_PATTERN.test(options.tenant)) throw new Error(`--tenant: "${options.tenant}" must be 1-64 letters, digits, "_" or "-"`);
      if (!REJECTION_ID_PATTERN.test(rejectionId)) throw new Error(`<id>: "${rejectionId}" is not a rejection id`);
      const target: ErasureTarget = { rejectionId, ...(options.tenant !== undefined ? { tenant: options.tenant } : {}) };
      // Temporal first: when it cannot be reached, nothing has changed yet; a second run finishes what a first began.
      const config = readClientConfig();
      const { client, close } = await connectClient(config);
      let deleted: string[];
      try {
        deleted = await eraseFromTemporal(client, config.ONWARD_TASK_QUEUE, target);
      } finally {
        await close();
      }
      const state = await clientState();
      await eraseFromDatabase(state.database.db, state.sealing, target, deleted);
      console.log(
        `${rejectionId}${options.tenant ? ` (tenant ${options.tenant})` : ''}: ${deleted.length ? 'deleted from Temporal' : 'no sequence in Temporal'}; erased from ${state.database.description}; a tombstone without personal data remains`,
      );
    });
}
