import { execFile } from 'node:child_process';
import path from 'node:path';
import { ROOT } from './processes';

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs `onward ...` exactly as a user does (bin/onward.js), against the given Temporal address. */
export function runCli(args: string[], environment: Record<string, string> = {}): Promise<CliResult> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [path.join(ROOT, 'bin', 'onward.js'), ...args],
      { cwd: ROOT, env: { ...process.env, ...environment }, timeout: 60_000 },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
        resolve({ code, stdout, stderr });
      },
    );
  });
}
