import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { DataConverter } from '@temporalio/common';
import { ConfigError } from './config-error';
import {
  ACTIVE_KEY_VARIABLE,
  CODEC_KEYS_VARIABLE,
  createDataConverter,
  generateCodecKey,
  hasCodecKeys,
  parseCodecKeys,
  readCodecKeyring,
  type CodecKeyring,
} from './codec';

/**
 * Where each process gets its payload keys from:
 *
 * - `onward worker` and `onward codec-server`: ONWARD_CODEC_KEYS (+ ONWARD_CODEC_ACTIVE_KEY), required; they refuse to
 *   start without it (worker/worker.ts).
 * - `onward dev`: ONWARD_CODEC_KEYS when set, else a local key it generates once in `<data dir>/codec-keys.json`
 *   (mode 0600, next to the database it protects, and kept: the sequences in `.onward/temporal.db` need it).
 * - the other commands (clients): ONWARD_CODEC_KEYS when set; else the local key of `onward dev` when they talk to the
 *   dev server it was made for (`.onward/codec-keys.json` in the current directory); else, against a Temporal server on
 *   loopback only, no key (plain payloads: for tests and hand-run dev servers with keyless workers); against any other
 *   server they refuse, naming ONWARD_CODEC_KEYS: a client without the key would write personal data in clear.
 */

export const LOCAL_KEY_FILE = 'codec-keys.json';
export const DEFAULT_DATA_DIR = '.onward';

interface LocalKeyFile {
  comment: string;
  keys: string;
  active: string;
  /** The dev server the key was made for: clients use the key only against it. */
  temporalAddress: string;
}

export interface ResolvedKeyring {
  keyring?: CodecKeyring;
  /** Where the keys came from, for logs: a variable name, a file, or "none". */
  source: string;
}

const LOOPBACK_HOST = /^(localhost|127(?:\.\d{1,3}){3}|\[?::1\]?)$/i;

function splitAddress(address: string): { host: string; port: string } {
  const colon = address.lastIndexOf(':');
  return colon < 0 ? { host: address, port: '' } : { host: address.slice(0, colon), port: address.slice(colon + 1) };
}

/** localhost, 127.x.x.x or ::1. */
export function isLoopbackAddress(address: string): boolean {
  return LOOPBACK_HOST.test(splitAddress(address).host);
}

/** Two host:port addresses of the same loopback server (localhost:7233 is 127.0.0.1:7233). */
function sameLocalServer(a: string, b: string): boolean {
  const [left, right] = [splitAddress(a), splitAddress(b)];
  return left.port === right.port && isLoopbackAddress(a) && isLoopbackAddress(b);
}

function readLocalKeyFile(file: string): { keyring: CodecKeyring; contents: LocalKeyFile } {
  let contents: LocalKeyFile;
  try {
    contents = JSON.parse(readFileSync(file, 'utf8')) as LocalKeyFile;
  } catch (error) {
    throw new ConfigError(`${file}: cannot be read as the local payload key (${(error as NodeJS.ErrnoException).code ?? 'not JSON'})`);
  }
  const { keyring, problems } = parseCodecKeys(contents.keys, contents.active);
  if (!keyring) throw new ConfigError(`${file}: is not a valid local payload key file (${problems.map((problem) => problem.problem).join('; ')})`);
  return { keyring, contents };
}

/**
 * `onward dev`'s key: the one in `<dataDir>/codec-keys.json`, created on first use. The file records which dev server
 * it serves, so that clients pick it up when (and only when) they talk to that server.
 */
export function loadOrCreateLocalKeyring(dataDir: string, temporalAddress: string): { keyring: CodecKeyring; file: string; created: boolean } {
  const file = path.join(dataDir, LOCAL_KEY_FILE);
  if (existsSync(file)) {
    const { keyring, contents } = readLocalKeyFile(file);
    if (contents.temporalAddress !== temporalAddress) writeLocalKeyFile(file, { ...contents, temporalAddress });
    return { keyring, file, created: false };
  }
  const id = `local-${new Date().toISOString().slice(0, 10).replace(/-/g, '')}`;
  const contents: LocalKeyFile = {
    comment:
      'The payload encryption key of `onward dev`: the sequences in temporal.db beside this file are encrypted with it. ' +
      'Keep it with the database; never commit it. For a real deployment set ONWARD_CODEC_KEYS instead.',
    keys: `${id}:${generateCodecKey()}`,
    active: id,
    temporalAddress,
  };
  mkdirSync(dataDir, { recursive: true });
  writeLocalKeyFile(file, contents);
  return { keyring: readLocalKeyFile(file).keyring, file, created: true };
}

function writeLocalKeyFile(file: string, contents: LocalKeyFile): void {
  writeFileSync(file, `${JSON.stringify(contents, null, 2)}\n`, { mode: 0o600 });
  chmodSync(file, 0o600);
}

/** The local dev key, when `dataDir` holds one made for the server at `temporalAddress`. */
export function findLocalKeyring(temporalAddress: string, dataDir: string = path.resolve(DEFAULT_DATA_DIR)): ResolvedKeyring | undefined {
  const file = path.join(dataDir, LOCAL_KEY_FILE);
  if (!existsSync(file)) return undefined;
  const { keyring, contents } = readLocalKeyFile(file);
  return sameLocalServer(contents.temporalAddress, temporalAddress) ? { keyring, source: file } : undefined;
}

/** A client's keys, by the rules above; a ConfigError naming ONWARD_CODEC_KEYS when it needs one and has none. */
export function resolveClientKeyring(environment: NodeJS.ProcessEnv, temporalAddress: string, dataDir?: string): ResolvedKeyring {
  if (hasCodecKeys(environment)) {
    const keyring = readCodecKeyring(environment);
    return { keyring, source: environment[ACTIVE_KEY_VARIABLE] ? `${CODEC_KEYS_VARIABLE} (${ACTIVE_KEY_VARIABLE})` : CODEC_KEYS_VARIABLE };
  }
  const local = findLocalKeyring(temporalAddress, dataDir);
  if (local) return local;
  if (isLoopbackAddress(temporalAddress)) return { source: 'none (a Temporal server on loopback; payloads in clear)' };
  throw ConfigError.of('Payload encryption is not configured', [
    {
      setting: CODEC_KEYS_VARIABLE,
      problem:
        `is required to use the Temporal server at ${temporalAddress}: sequences hold personal data, encrypted with the ` +
        `workers' keys; set the same ${CODEC_KEYS_VARIABLE} (and ${ACTIVE_KEY_VARIABLE}) as the workers`,
    },
  ]);
}

/** The data converter of a client (CLI, API) talking to the server at `temporalAddress`. */
export function clientDataConverter(environment: NodeJS.ProcessEnv, temporalAddress: string): DataConverter {
  return createDataConverter(resolveClientKeyring(environment, temporalAddress).keyring);
}
