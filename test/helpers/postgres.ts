import { execFileSync, spawnSync } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { freePort } from './processes';

/** Debian's PostgreSQL server binaries (scripts/setup.js installs the `postgresql` package), newest version first. */
export function postgresBinaries(): string | undefined {
  const root = '/usr/lib/postgresql';
  if (!existsSync(root)) return undefined;
  const versions = readdirSync(root).sort((left, right) => Number(right) - Number(left));
  return versions.map((version) => path.join(root, version, 'bin')).find((bin) => existsSync(path.join(bin, 'initdb')));
}

export interface TestPostgres {
  /** A fresh, empty database on this server, as a postgres:// URL. */
  createDatabase(): Promise<string>;
  stop(): void;
}

/**
 * A throwaway PostgreSQL cluster in a temporary directory on a free loopback port (trust authentication, loopback
 * only). PostgreSQL refuses to run as root: as root (CI) the cluster is owned by and run as the `postgres` user.
 */
export async function startPostgres(): Promise<TestPostgres> {
  const bin = postgresBinaries();
  if (!bin) throw new Error("PostgreSQL is not installed: run `node scripts/setup.js` (as root on Debian), or install Debian's postgresql");
  const asRoot = process.getuid?.() === 0;
  const directory = mkdtempSync(path.join(tmpdir(), 'onward-postgres-'));
  const dataDir = path.join(directory, 'data');
  if (asRoot) {
    const { uid, gid } = { uid: Number(execFileSync('id', ['-u', 'postgres']).toString()), gid: Number(execFileSync('id', ['-g', 'postgres']).toString()) };
    chownSync(directory, uid, gid);
  }
  const run = (binary: string, args: string[]) => {
    const command = asRoot ? 'runuser' : path.join(bin, binary);
    const fullArgs = asRoot ? ['-u', 'postgres', '--', path.join(bin, binary), ...args] : args;
    const result = spawnSync(command, fullArgs, { encoding: 'utf8', cwd: directory });
    if (result.status !== 0) throw new Error(`${binary} failed: ${result.stderr || result.stdout}`);
  };
  run('initdb', ['-D', dataDir, '--auth=trust', '--username=postgres', '--encoding=UTF8', '--no-sync']);
  const port = await freePort();
  run('pg_ctl', ['-D', dataDir, '-l', path.join(directory, 'log'), '-w', '-o', `-p ${port} -k ${directory} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=200`, 'start']);
  const admin = `postgres://postgres@127.0.0.1:${port}/postgres`;
  let count = 0;
  return {
    async createDatabase() {
      count += 1;
      const name = `onward_test_${count}`;
      const client = new pg.Client({ connectionString: admin });
      await client.connect();
      try {
        await client.query(`create database ${name}`);
      } finally {
        await client.end();
      }
      return `postgres://postgres@127.0.0.1:${port}/${name}`;
    },
    stop() {
      try {
        run('pg_ctl', ['-D', dataDir, '-m', 'immediate', 'stop']);
      } finally {
        rmSync(directory, { recursive: true, force: true });
      }
    },
  };
}
