import { rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { PGlite } from '@electric-sql/pglite';
import { PGLiteSocketServer } from '@electric-sql/pglite-socket';
import { DEV_DATABASE_FILE } from './open';

export interface DevDatabaseServer {
  url: string;
  close(): Promise<void>;
}

/**
 * `onward dev`'s embedded database, served on loopback to the CLI run beside it (`onward suppression`, `onward erase`,
 * `onward tenants`): a PGlite database has one owner, and other processes speak the Postgres protocol to it. Its URL
 * is left in `<data dir>/dev-database.json` (0600) for as long as the dev server runs.
 */
export async function serveToLocalClients(embedded: PGlite, dataDir: string): Promise<DevDatabaseServer> {
  const port = await freeLoopbackPort();
  const server = new PGLiteSocketServer({ db: embedded, host: '127.0.0.1', port, maxConnections: 8 });
  await server.start();
  const url = `postgres://postgres@127.0.0.1:${port}/postgres`;
  const file = path.join(dataDir, DEV_DATABASE_FILE);
  writeFileSync(file, `${JSON.stringify({ url, pid: process.pid })}\n`, { mode: 0o600 });
  return {
    url,
    async close() {
      rmSync(file, { force: true });
      await server.stop();
    },
  };
}

async function freeLoopbackPort(): Promise<number> {
  const { createServer } = await import('node:net');
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      probe.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}
