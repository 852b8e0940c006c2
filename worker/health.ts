import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { NativeConnection, Worker } from '@temporalio/worker';

export interface WorkerHealth {
  polling: boolean;
  detail: string;
}

const SERVER_TIMEOUT_MS = 3_000;

/**
 * Whether the worker is polling for work: it runs, its workflow and activity pollers are up, and the Temporal server
 * answers on the worker's own connection (the SDK's poller states stay "POLLING" while the server is unreachable).
 */
export async function workerHealth(worker: Pick<Worker, 'getStatus'>, connection: Pick<NativeConnection, 'workflowService'>): Promise<WorkerHealth> {
  const status = worker.getStatus();
  if (status.runState !== 'RUNNING') return { polling: false, detail: `worker ${status.runState.toLowerCase()}` };
  if (status.workflowPollerState !== 'POLLING' || status.activityPollerState !== 'POLLING') {
    return { polling: false, detail: `pollers: workflow ${status.workflowPollerState}, activity ${status.activityPollerState}` };
  }
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      connection.workflowService.getSystemInfo({}),
      new Promise((_, reject) => {
        timer = setTimeout(() => reject(new Error(`no answer within ${SERVER_TIMEOUT_MS} ms`)), SERVER_TIMEOUT_MS);
      }),
    ]);
  } catch (error) {
    return { polling: false, detail: `Temporal server unreachable: ${(error as Error).message.split('\n')[0] ?? ''}` };
  } finally {
    clearTimeout(timer);
  }
  return { polling: true, detail: 'polling' };
}

/** Serves GET /health: 200 while the worker polls, 503 otherwise; the container's health check reads it. */
export async function startHealthServer(bindAddress: string, check: () => Promise<WorkerHealth>): Promise<{ url: string; close: () => Promise<void> }> {
  const server: Server = createServer((request, response) => {
    if (request.method !== 'GET' || request.url !== '/health') {
      response.writeHead(404).end();
      return;
    }
    check().then(
      (health) => response.writeHead(health.polling ? 200 : 503, { 'Content-Type': 'application/json' }).end(JSON.stringify(health)),
      (error: unknown) => response.writeHead(503, { 'Content-Type': 'application/json' }).end(JSON.stringify({ polling: false, detail: String(error) })),
    );
  });
  const separator = bindAddress.lastIndexOf(':');
  const host = bindAddress.slice(0, separator).replace(/^\[|\]$/g, '');
  await new Promise<void>((resolve, reject) => {
    server.once('error', (error) => reject(new Error(`ONWARD_HEALTH_ADDRESS: cannot serve on ${bindAddress}: ${error.message}`)));
    server.listen(Number(bindAddress.slice(separator + 1)), host, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://${host.includes(':') ? `[${host}]` : host}:${port}/health`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
