import { readFileSync } from 'node:fs';
import { ConfigError, type ConfigProblem } from './config-error';

/**
 * Secrets that may come from a file instead of the environment (`<NAME>_FILE`, e.g. a Docker or Compose secret under
 * /run/secrets): values in the environment show in `docker inspect`, files do not. ONWARD_API_KEYS_FILE has its own
 * format (client/api/keys.ts); the Temporal certificates are files already (TEMPORAL_TLS_CLIENT_*_PATH).
 */
export const FILE_SECRETS = ['ONWARD_CODEC_KEYS', 'ONWARD_UNSUBSCRIBE_SECRET', 'ONWARD_CODEC_SERVER_TOKEN', 'TEMPORAL_API_KEY', 'SMTP_URL', 'ONWARD_IMAP_URL', 'ONWARD_IMAP_OAUTH_CLIENT_SECRET', 'ONWARD_IMAP_OAUTH_REFRESH_TOKEN'] as const;

/** The secrets named by `<NAME>_FILE`, read; a ConfigError naming each variable at fault. Never echoes a value. */
export function readSecretFiles(environment: NodeJS.ProcessEnv, read: (file: string) => string = (file) => readFileSync(file, 'utf8')): Record<string, string> {
  const values: Record<string, string> = {};
  const problems: ConfigProblem[] = [];
  for (const name of FILE_SECRETS) {
    const file = environment[`${name}_FILE`];
    if (!file) continue;
    if (environment[name]) {
      problems.push({ setting: `${name}_FILE`, problem: `set either ${name} or ${name}_FILE, not both` });
      continue;
    }
    let text: string;
    try {
      text = read(file);
    } catch (error) {
      problems.push({ setting: `${name}_FILE`, problem: `cannot read ${file} (${(error as NodeJS.ErrnoException).code ?? 'error'})` });
      continue;
    }
    // One value per file; a trailing newline (as editors and `echo` leave) is not part of it.
    const value = text.replace(/\r?\n$/, '');
    if (value === '') problems.push({ setting: `${name}_FILE`, problem: `${file} is empty` });
    else values[name] = value;
  }
  if (problems.length > 0) throw ConfigError.of('Invalid secret files', problems);
  return values;
}
