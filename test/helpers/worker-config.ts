import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, expect } from 'vitest';
import { ConfigError, readWorkerConfig } from '../../worker/config';

/**
 * For tests of the worker's settings: a scratch directory (removed after the file's tests), and the least environment
 * a worker accepts, hermetic: HOME and XDG_CONFIG_HOME point at the empty scratch directory, so that a developer's own
 * ~/.config/temporalio/temporal.toml never leaks in.
 */
export function useWorkerConfigScratch(prefix: string) {
  const scratch = mkdtempSync(path.join(os.tmpdir(), prefix));
  afterAll(() => rmSync(scratch, { recursive: true, force: true }));
  const base = { HOME: scratch, XDG_CONFIG_HOME: scratch, SMTP_URL: 'smtp://mail.example.com:587', ONWARD_FROM: 'onward@example.com' };
  return { scratch, base };
}

/** The message of the ConfigError that readWorkerConfig throws for `environment` (and fails when it throws none). */
export function problemsOf(environment: NodeJS.ProcessEnv): string {
  try {
    readWorkerConfig(environment);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as Error).message;
  }
  throw new Error('expected a ConfigError');
}
