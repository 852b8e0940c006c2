import { describe, expect, it } from 'vitest';
import { generateCodecKey, parseCodecKeys, type CodecKeyring } from '../../common/codec';
import { createSealing } from '../../common/database/sealing';

const keyring = (keys: string, active?: string): CodecKeyring => {
  const parsed = parseCodecKeys(keys, active).keyring;
  if (!parsed) throw new Error('bad test keys');
  return parsed;
};
const [k1, k2] = [generateCodecKey(), generateCodecKey()];

describe('sealing personal data for the database', () => {
  it('hashes an address the same whatever its case and spaces, under every key, the active one first', () => {
    const sealing = createSealing(keyring(`k1:${k1},k2:${k2}`, 'k2'));
    const hashes = sealing.hashes(' Grace@Example.com');
    expect(hashes.map((entry) => entry.keyId)).toEqual(['k2', 'k1']);
    expect(sealing.hashes('grace@example.com')).toEqual(hashes);
    expect(hashes[0]?.hash).toMatch(/^[0-9a-f]{64}$/);
    expect(hashes[0]?.hash).not.toBe(hashes[1]?.hash);
    expect(createSealing(keyring(`k1:${generateCodecKey()}`)).hashes('grace@example.com')[0]?.hash).not.toBe(hashes[1]?.hash);
  });

  it('seals under the active key and opens after a rotation, while the retired key is kept', () => {
    const sealed = createSealing(keyring(`k1:${k1}`)).seal('Grace Hopper');
    expect(sealed.startsWith('k1:')).toBe(true);
    expect(Buffer.from(sealed.slice(3), 'base64').toString('utf8')).not.toContain('Grace');
    expect(createSealing(keyring(`k1:${k1},k2:${k2}`, 'k2')).open(sealed)).toBe('Grace Hopper');
    expect(() => createSealing(keyring(`k2:${k2}`)).open(sealed)).toThrow('key "k1", which is not in ONWARD_CODEC_KEYS');
  });

  it('refuses a sealed value that was altered', () => {
    const sealing = createSealing(keyring(`k1:${k1}`));
    const data = Buffer.from(sealing.seal('Grace Hopper').slice(3), 'base64');
    data[14] = (data[14] ?? 0) ^ 1;
    expect(() => sealing.open(`k1:${data.toString('base64')}`)).toThrow();
  });
});
