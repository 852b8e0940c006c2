import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import path from 'node:path';
import { METADATA_ENCODING_KEY, ValueError, type DataConverter, type Payload, type PayloadCodec } from '@temporalio/common';
import { temporal } from '@temporalio/proto';
import { ConfigError, type ConfigProblem } from './config-error';

/**
 * End-to-end encryption of everything Onward stores in Temporal: workflow inputs (names, addresses, the rejection),
 * activity inputs and results, update arguments (feedback, progress notes), query results, and (through the failure
 * converter) error messages and stack traces. The Temporal server and its database only ever see ciphertext.
 *
 * What stays in clear, by design: the workflow id (`rejection-<ATS id>`, an opaque business key), the workflow type,
 * the task queue, timer and activity names, and the OnwardStage search attribute (a stage name, so that sequences can
 * be listed by stage). None of them is personal data.
 *
 * Format of an encrypted payload:
 *   metadata.encoding          = "binary/encrypted"
 *   metadata.encryption-key-id = the id of the key that encrypted it (keys rotate: decryption picks the key by id)
 *   metadata.encryption-cipher = "AES-256-GCM"
 *   data                       = 12-byte random IV | ciphertext | 16-byte GCM tag
 * The plaintext is the original Payload (metadata and data) in protobuf form; the additional authenticated data binds
 * the key id and the cipher, so that metadata cannot be swapped without failing authentication.
 */

export const ENCRYPTED_ENCODING = 'binary/encrypted';
export const KEY_ID_METADATA = 'encryption-key-id';
export const CIPHER_METADATA = 'encryption-cipher';
export const CIPHER = 'AES-256-GCM';

/** The environment variables of the codec. */
export const CODEC_KEYS_VARIABLE = 'ONWARD_CODEC_KEYS';
export const ACTIVE_KEY_VARIABLE = 'ONWARD_CODEC_ACTIVE_KEY';

const IV_BYTES = 12;
const TAG_BYTES = 16;
const KEY_BYTES = 32;
const KEY_ID = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;
const BASE64 = /^(?:[A-Za-z0-9+/]+={0,2}|[A-Za-z0-9_-]+)$/;

/** The keys a process may use: every key decrypts the payloads written with it, the active one encrypts new ones. */
export interface CodecKeyring {
  readonly activeKeyId: string;
  readonly keys: ReadonlyMap<string, Buffer>;
}

const HOW_TO_GENERATE = 'generate a key with `openssl rand -base64 32` and set ONWARD_CODEC_KEYS="k1:<the key>"';

/**
 * Parses `id1:base64key,id2:base64key` and the id of the active key. Problems name the variable at fault and never
 * repeat a key, nor anything that could be one (a malformed entry is identified by its position only).
 */
export function parseCodecKeys(keysText: string | undefined, activeText: string | undefined): { keyring?: CodecKeyring; problems: ConfigProblem[] } {
  const problems: ConfigProblem[] = [];
  const keys = new Map<string, Buffer>();
  const text = keysText?.trim() ?? '';
  if (!text) {
    problems.push({ setting: CODEC_KEYS_VARIABLE, problem: `is required: payloads are encrypted; ${HOW_TO_GENERATE}` });
    return { problems };
  }
  const entries = text.split(',').map((entry) => entry.trim());
  entries.forEach((entry, index) => {
    const position = `entry ${index + 1} of ${entries.length}`;
    const colon = entry.indexOf(':');
    if (colon < 0) {
      problems.push({ setting: CODEC_KEYS_VARIABLE, problem: `${position} must be "<key id>:<base64 key>"` });
      return;
    }
    const id = entry.slice(0, colon).trim();
    const encoded = entry.slice(colon + 1).trim();
    if (!KEY_ID.test(id)) {
      problems.push({ setting: CODEC_KEYS_VARIABLE, problem: `${position}: the key id must be 1-64 letters, digits, ".", "_" or "-"` });
      return;
    }
    const key = BASE64.test(encoded) ? Buffer.from(encoded, encoded.includes('-') || encoded.includes('_') ? 'base64url' : 'base64') : undefined;
    if (!key || key.length !== KEY_BYTES) {
      problems.push({ setting: CODEC_KEYS_VARIABLE, problem: `key "${id}" must be ${KEY_BYTES} random bytes in base64 (${HOW_TO_GENERATE.split(' and ')[0]})` });
      return;
    }
    if (keys.has(id)) {
      problems.push({ setting: CODEC_KEYS_VARIABLE, problem: `key id "${id}" appears more than once` });
      return;
    }
    keys.set(id, key);
  });
  if (problems.length > 0) return { problems };

  const ids = [...keys.keys()];
  const active = activeText?.trim() ?? '';
  if (active) {
    // The value is not echoed: someone may have pasted a key here by mistake.
    if (!keys.has(active)) problems.push({ setting: ACTIVE_KEY_VARIABLE, problem: `must be one of the key ids in ${CODEC_KEYS_VARIABLE} (${ids.join(', ')})` });
  } else if (ids.length > 1) {
    problems.push({ setting: ACTIVE_KEY_VARIABLE, problem: `is required when ${CODEC_KEYS_VARIABLE} holds several keys: the id of the one that encrypts (${ids.join(', ')})` });
  }
  if (problems.length > 0) return { problems };
  return { keyring: { activeKeyId: active || (ids[0] as string), keys }, problems };
}

/** Whether the environment configures codec keys at all (an empty value counts as unset). */
export function hasCodecKeys(environment: NodeJS.ProcessEnv = process.env): boolean {
  return Boolean(environment[CODEC_KEYS_VARIABLE]?.trim());
}

/** The keyring from ONWARD_CODEC_KEYS / ONWARD_CODEC_ACTIVE_KEY, or a ConfigError naming the variable at fault. */
export function readCodecKeyring(environment: NodeJS.ProcessEnv = process.env): CodecKeyring {
  const { keyring, problems } = parseCodecKeys(environment[CODEC_KEYS_VARIABLE], environment[ACTIVE_KEY_VARIABLE]);
  if (!keyring) throw ConfigError.of('Invalid payload encryption settings', problems);
  return keyring;
}

/** A fresh random key, base64, as ONWARD_CODEC_KEYS expects it. */
export function generateCodecKey(): string {
  return randomBytes(KEY_BYTES).toString('base64');
}

/** For logs: which key encrypts, how many decrypt; never key material. */
export function describeKeyring(keyring: CodecKeyring): string {
  return `${CIPHER}, active key "${keyring.activeKeyId}"${keyring.keys.size > 1 ? ` (${keyring.keys.size} keys for decryption)` : ''}`;
}

const utf8 = (text: string) => Buffer.from(text, 'utf8');
const metadataText = (payload: Payload, key: string): string | undefined => {
  const value = payload.metadata?.[key];
  return value ? Buffer.from(value).toString('utf8') : undefined;
};
const additionalData = (keyId: string) => utf8(`${ENCRYPTED_ENCODING}\n${CIPHER}\n${keyId}`);

/** The result of `work` as a promise, rejected (not thrown) when it throws. */
const settle = <T>(work: () => T): Promise<T> => new Promise<T>((resolve) => resolve(work()));

export function isEncrypted(payload: Payload): boolean {
  return metadataText(payload, METADATA_ENCODING_KEY) === ENCRYPTED_ENCODING;
}

/** AES-256-GCM payload codec; see the format above. */
export class AesGcmCodec implements PayloadCodec {
  constructor(private readonly keyring: CodecKeyring) {
    if (!keyring.keys.has(keyring.activeKeyId)) throw new ConfigError(`${ACTIVE_KEY_VARIABLE}: must be one of the key ids in ${CODEC_KEYS_VARIABLE}`);
  }

  encode(payloads: Payload[]): Promise<Payload[]> {
    return settle(() => payloads.map((payload) => this.encrypt(payload)));
  }

  decode(payloads: Payload[]): Promise<Payload[]> {
    return settle(() => payloads.map((payload) => (isEncrypted(payload) ? this.decrypt(payload) : payload)));
  }

  private encrypt(payload: Payload): Payload {
    const keyId = this.keyring.activeKeyId;
    const key = this.keyring.keys.get(keyId) as Buffer;
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', key, iv, { authTagLength: TAG_BYTES });
    cipher.setAAD(additionalData(keyId));
    const plaintext = temporal.api.common.v1.Payload.encode(payload).finish();
    const data = Buffer.concat([iv, cipher.update(plaintext), cipher.final(), cipher.getAuthTag()]);
    return {
      metadata: { [METADATA_ENCODING_KEY]: utf8(ENCRYPTED_ENCODING), [KEY_ID_METADATA]: utf8(keyId), [CIPHER_METADATA]: utf8(CIPHER) },
      data,
    };
  }

  private decrypt(payload: Payload): Payload {
    const keyId = metadataText(payload, KEY_ID_METADATA);
    if (!keyId) throw new ValueError('Encrypted payload without a key id');
    const cipherName = metadataText(payload, CIPHER_METADATA) ?? CIPHER;
    if (cipherName !== CIPHER) throw new ValueError(`Encrypted payload with unsupported cipher "${cipherName}"`);
    const key = this.keyring.keys.get(keyId);
    if (!key) {
      throw new ValueError(
        `Payload encrypted with key "${keyId}", which is not in ${CODEC_KEYS_VARIABLE} (${[...this.keyring.keys.keys()].join(', ')}): ` +
          'keep retired keys there for as long as histories written with them exist',
      );
    }
    const data = Buffer.from(payload.data ?? new Uint8Array());
    if (data.length < IV_BYTES + TAG_BYTES) throw new ValueError(`Encrypted payload (key "${keyId}") is truncated`);
    try {
      const decipher = createDecipheriv('aes-256-gcm', key, data.subarray(0, IV_BYTES), { authTagLength: TAG_BYTES });
      decipher.setAAD(additionalData(keyId));
      decipher.setAuthTag(data.subarray(data.length - TAG_BYTES));
      const plaintext = Buffer.concat([decipher.update(data.subarray(IV_BYTES, data.length - TAG_BYTES)), decipher.final()]);
      return temporal.api.common.v1.Payload.decode(plaintext);
    } catch {
      throw new ValueError(`Encrypted payload (key "${keyId}") failed authentication: it was altered, or the key with that id is not the one that encrypted it`);
    }
  }
}

/**
 * For a client without keys (allowed against a Temporal server on loopback only, see common/codec-keys.ts): writes
 * payloads as they are, and says what to do instead of failing obscurely when it meets an encrypted one.
 */
export class KeylessCodec implements PayloadCodec {
  encode(payloads: Payload[]): Promise<Payload[]> {
    return Promise.resolve(payloads);
  }

  decode(payloads: Payload[]): Promise<Payload[]> {
    return settle(() => {
      for (const payload of payloads) {
        if (isEncrypted(payload)) {
          throw new ValueError(`This data is encrypted (key "${metadataText(payload, KEY_ID_METADATA) ?? '?'}"): set ${CODEC_KEYS_VARIABLE} to read it`);
        }
      }
      return payloads;
    });
  }
}

let typeScriptLoaderRegistered = false;

/**
 * The failure converter's module, loaded by path by the SDK (worker main thread, client, workflow bundle). From source
 * (tsx, vitest) it is a .ts file, which Node's `require` only loads with tsx's loader: registered here when missing.
 */
export function failureConverterPath(): string {
  const extension = path.extname(__filename) === '.ts' ? '.ts' : '.js';
  const file = path.join(__dirname, `failure-converter${extension}`);
  // `require.extensions` (deprecated, still the way to ask Node which loaders are installed).
  if (extension === '.ts' && !typeScriptLoaderRegistered && !('.ts' in require.extensions)) {
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- tsx is a runtime dependency (bin/onward.js uses it)
    (require('tsx/cjs/api') as { register: () => unknown }).register();
    typeScriptLoaderRegistered = true;
  }
  return file;
}

/**
 * The one way to build Onward's data converter, for the worker and every client alike: the AES-256-GCM codec with
 * these keys (or, without keys, the keyless codec: plain payloads, a clear error on encrypted ones), and error
 * messages encoded as payloads so that they are encrypted too.
 */
export function createDataConverter(keyring: CodecKeyring | undefined): DataConverter {
  return {
    payloadCodecs: [keyring ? new AesGcmCodec(keyring) : new KeylessCodec()],
    failureConverterPath: failureConverterPath(),
  };
}
