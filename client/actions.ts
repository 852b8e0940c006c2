import { isGrpcServiceError, ServiceError, WorkflowUpdateFailedError, type Client } from '@temporalio/client';
import { ApplicationFailure, WorkflowNotFoundError } from '@temporalio/common';
import type { UpdateDefinition } from '@temporalio/common';
import { ARGUMENT_VALIDATORS } from '../workflows/definitions';
import type { Stage } from '../workflows/status';
import { ACTION_CONFLICT, INVALID_ARGUMENT, refusedFieldOf, SEQUENCE_FIELD, type RefusalType } from '../workflows/updates';
import { sequenceHandle, type SequenceTarget } from './sequences';

/** An action refused by the shared validators (./workflows/updates), or a sequence that does not exist or has ended. */
export class ActionRefusedError extends Error {
  override name = 'ActionRefusedError';

  constructor(
    message: string,
    /** Why: the request itself (INVALID_ARGUMENT), or the sequence's state (ACTION_CONFLICT). */
    readonly type: RefusalType,
    /** The argument refused, or `(sequence)`. */
    readonly field: string,
    /** The problem with that field (or the sequence). */
    readonly problem: string,
  ) {
    super(message);
  }
}

const refused = (action: string, type: RefusalType, field: string, problem: string) =>
  new ActionRefusedError(`${action} refused: ${field === SEQUENCE_FIELD ? problem : `${field}: ${problem}`}`, type, field, problem);

/** A refusal as the shared validators threw it, in this process or in the workflow. */
export function refusalOf(action: string, failure: ApplicationFailure): ActionRefusedError {
  const type = failure.type === INVALID_ARGUMENT ? INVALID_ARGUMENT : ACTION_CONFLICT;
  const { field, problem } = refusedFieldOf(failure);
  return refused(action, type, field, problem);
}

// gRPC status codes (grpc/status.h): the server's answers for an update on a sequence that is unknown or closed.
const NOT_FOUND = 5;
const FAILED_PRECONDITION = 9;

const isMissingSequence = (error: unknown): boolean =>
  error instanceof WorkflowNotFoundError ||
  (error instanceof ServiceError && isGrpcServiceError(error.cause) && [NOT_FOUND, FAILED_PRECONDITION].includes(error.cause.code));

/**
 * Runs one action (an update) on a sequence and returns its new stage. The update's own validator runs first
 * (workflows/updates.ts): a bad argument is refused here, before any call, exactly as the workflow would refuse it.
 */
export async function act<Args extends unknown[]>(
  client: Client,
  sequence: SequenceTarget,
  update: UpdateDefinition<Stage, Args>,
  ...args: Args
): Promise<Stage> {
  try {
    ARGUMENT_VALIDATORS[update.name]?.(args[0]);
    // The SDK's overloads cannot take a generic argument list; the definition still types the call sites.
    return await sequenceHandle(client, sequence).executeUpdate<Stage, [unknown, ...unknown[]]>(update.name, {
      args: args as unknown as [unknown, ...unknown[]],
    });
  } catch (error) {
    if (error instanceof ApplicationFailure) throw refusalOf(update.name, error);
    if (error instanceof WorkflowUpdateFailedError && error.cause instanceof ApplicationFailure) throw refusalOf(update.name, error.cause);
    if (isMissingSequence(error)) {
      throw refused(update.name, ACTION_CONFLICT, SEQUENCE_FIELD, `no running sequence for rejection "${typeof sequence === 'string' ? sequence : sequence.rejectionId}"`);
    }
    throw error;
  }
}
