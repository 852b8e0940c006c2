import { WorkflowUpdateFailedError, type Client } from '@temporalio/client';
import { WorkflowNotFoundError } from '@temporalio/common';
import type { UpdateDefinition } from '@temporalio/common';
import type { Stage } from '../workflows/status';
import { sequenceHandle, type SequenceTarget } from './sequences';

/** An action the workflow refused (its validator said why) or a sequence that does not exist. */
export class ActionRefusedError extends Error {
  override name = 'ActionRefusedError';
}

/** Runs one action (an update) on a sequence and returns its new stage; refusals carry the workflow's reason. */
export async function act<Args extends unknown[]>(
  client: Client,
  sequence: SequenceTarget,
  update: UpdateDefinition<Stage, Args>,
  ...args: Args
): Promise<Stage> {
  try {
    // The SDK's overloads cannot take a generic argument list; the definition still types the call sites.
    return await sequenceHandle(client, sequence).executeUpdate<Stage, [unknown, ...unknown[]]>(update.name, {
      args: args as unknown as [unknown, ...unknown[]],
    });
  } catch (error) {
    if (error instanceof WorkflowUpdateFailedError) {
      const reason = error.cause instanceof Error ? error.cause.message : error.message;
      throw new ActionRefusedError(`${update.name} refused: ${reason}`);
    }
    if (error instanceof WorkflowNotFoundError || (error instanceof Error && /not found|already completed/i.test(error.message))) {
      throw new ActionRefusedError(`${update.name} refused: no running sequence for rejection "${typeof sequence === 'string' ? sequence : sequence.rejectionId}"`);
    }
    throw error;
  }
}
