import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';

/** The repository's root (where bin/onward.js is). */
export const ROOT = path.resolve(__dirname, '..', '..');

/** A TCP port on 127.0.0.1 that nothing listens on (the OS picks it; it is free again once this resolves). */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

export interface DevProcess {
  /** The `--data-dir` it runs on (a fresh temporary directory). */
  dataDir: string;
  /** The ports it was given, each free when it started. */
  ports: { temporal: number; ui: number; smtp: number; mailbox: number };
  /** Everything it printed so far (stdout and stderr). */
  output(): string;
  /** Resolves with its exit code. */
  exited: Promise<number | null>;
  /** Ctrl-C (SIGINT). */
  interrupt(): void;
}

/** `onward dev` (the README's run command) on free ports and a fresh data directory; `--api-port` only when given. */
export async function startDev(options: { dataDirPrefix: string; apiPort?: number }): Promise<DevProcess> {
  const dataDir = mkdtempSync(path.join(tmpdir(), options.dataDirPrefix));
  const [temporal, ui, smtp, mailbox] = await Promise.all([freePort(), freePort(), freePort(), freePort()]);
  const args = ['bin/onward.js', 'dev', '--data-dir', dataDir, '--temporal-port', `${temporal}`, '--ui-port', `${ui}`, '--smtp-port', `${smtp}`, '--mailbox-port', `${mailbox}`];
  if (options.apiPort !== undefined) args.push('--api-port', `${options.apiPort}`);
  const dev = spawn(process.execPath, args, { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  dev.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  dev.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => dev.on('exit', resolve));
  return { dataDir, ports: { temporal, ui, smtp, mailbox }, output: () => output, exited, interrupt: () => dev.kill('SIGINT') };
}
