import { createCipheriv, createDecipheriv, createHmac, hkdfSync, randomBytes } from 'node:crypto';
import type { CodecKeyring } from '../codec';

/**
 * Personal data in Onward's database, under the payload codec's rotating keys (ONWARD_CODEC_KEYS): values are sealed
 * with AES-256-GCM under the active key, and addresses are looked up by a keyed hash (HMAC-SHA256), never stored.
 * Each purpose uses its own key derived from the codec key (HKDF), so no key serves two algorithms.
 *
 * Without a keyring (a keyless Temporal server on loopback, as for payloads: tests only) hashes use a fixed key and
 * values are stored as they are, marked as such.
 */
export interface Sealing {
  /** The id of the key new hashes and sealed values use. */
  readonly activeKeyId: string;
  /** The hash of a lowercased, trimmed address (or any lookup value) under every key: the active one first. */
  hashes(value: string): Array<{ keyId: string; hash: string }>;
  seal(value: string): string;
  /** The value sealed by `seal`; an Error naming the key id when that key is no longer in the keyring. */
  open(sealed: string): string;
}

const KEYLESS_ID = 'none';
const KEYLESS_SECRET = Buffer.from('onward keyless test setup: not a secret', 'utf8');
const IV_BYTES = 12;
const TAG_BYTES = 16;

const derive = (key: Buffer, purpose: string) => Buffer.from(hkdfSync('sha256', key, Buffer.alloc(0), `onward database ${purpose}`, 32));

export const normaliseAddress = (value: string): string => value.trim().toLowerCase();

export function createSealing(keyring: CodecKeyring | undefined): Sealing {
  const keys = keyring ? [...keyring.keys] : [[KEYLESS_ID, KEYLESS_SECRET] as const];
  const activeKeyId = keyring?.activeKeyId ?? KEYLESS_ID;
  const ordered = [...keys.filter(([id]) => id === activeKeyId), ...keys.filter(([id]) => id !== activeKeyId)];
  const hashKeys = ordered.map(([id, key]) => [id, derive(key, 'hash')] as const);
  const sealKeys = new Map(keys.map(([id, key]) => [id, derive(key, 'seal')]));
  return {
    activeKeyId,
    hashes: (value) => hashKeys.map(([keyId, key]) => ({ keyId, hash: createHmac('sha256', key).update(normaliseAddress(value), 'utf8').digest('hex') })),
    seal(value) {
      if (!keyring) return `${KEYLESS_ID}:${Buffer.from(value, 'utf8').toString('base64')}`;
      const iv = randomBytes(IV_BYTES);
      const cipher = createCipheriv('aes-256-gcm', sealKeys.get(activeKeyId) as Buffer, iv, { authTagLength: TAG_BYTES });
      cipher.setAAD(Buffer.from(activeKeyId, 'utf8'));
      return `${activeKeyId}:${Buffer.concat([iv, cipher.update(value, 'utf8'), cipher.final(), cipher.getAuthTag()]).toString('base64')}`;
    },
    open(sealed) {
      const colon = sealed.indexOf(':');
      const keyId = sealed.slice(0, colon);
      const data = Buffer.from(sealed.slice(colon + 1), 'base64');
      if (keyId === KEYLESS_ID) return data.toString('utf8');
      const key = sealKeys.get(keyId);
      if (!key) throw new Error(`a database value is sealed with key "${keyId}", which is not in ONWARD_CODEC_KEYS: keep retired keys while such values exist`);
      const decipher = createDecipheriv('aes-256-gcm', key, data.subarray(0, IV_BYTES), { authTagLength: TAG_BYTES });
      decipher.setAAD(Buffer.from(keyId, 'utf8'));
      decipher.setAuthTag(data.subarray(data.length - TAG_BYTES));
      return Buffer.concat([decipher.update(data.subarray(IV_BYTES, data.length - TAG_BYTES)), decipher.final()]).toString('utf8');
    },
  };
}
