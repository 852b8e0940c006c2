import { Client, Connection } from '@temporalio/client';
import type { DataConverter } from '@temporalio/common';
import { z } from 'zod';
import { workerConfigSchema } from '../worker/config';
import { clientDataConverter } from './codec-keys';

/** What a client needs: the same settings, names and defaults as the worker's. */
export const clientConfigSchema = workerConfigSchema.pick({ TEMPORAL_ADDRESS: true, TEMPORAL_NAMESPACE: true, ONWARD_TASK_QUEUE: true });
export type ClientConfig = z.output<typeof clientConfigSchema>;

export class UnreachableServerError extends Error {
  override name = 'UnreachableServerError';
}

export function readClientConfig(environment: NodeJS.ProcessEnv = process.env): ClientConfig {
  const parsed = clientConfigSchema.safeParse(environment);
  if (parsed.success) return parsed.data;
  throw new Error(`Invalid configuration:\n${parsed.error.issues.map((issue) => `  ${issue.path.join('.')}: ${issue.message}`).join('\n')}`);
}

/**
 * Connects to Temporal, failing within seconds with a message that says what to do when nothing answers. Payloads are
 * encrypted with the keys of the environment (or the local key of `onward dev`): see client/codec-keys.ts.
 */
export async function connectClient(
  config: ClientConfig,
  options: { dataConverter?: DataConverter } = {},
): Promise<{ client: Client; close: () => Promise<void> }> {
  // Checked before connecting: a client without the key refuses to write personal data in clear.
  const dataConverter = options.dataConverter ?? clientDataConverter(process.env, config.TEMPORAL_ADDRESS);
  let connection: Connection;
  try {
    connection = await Connection.connect({ address: config.TEMPORAL_ADDRESS, connectTimeout: '5 seconds' });
  } catch (error) {
    throw new UnreachableServerError(
      `Cannot reach the Temporal server at ${config.TEMPORAL_ADDRESS} (${(error as Error).message}). ` +
        'Start one with `npx onward dev`, or set TEMPORAL_ADDRESS.',
    );
  }
  return { client: new Client({ connection, namespace: config.TEMPORAL_NAMESPACE, dataConverter }), close: () => connection.close() };
}
