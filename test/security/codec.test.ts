import { randomBytes } from 'node:crypto';
import { statSync } from 'node:fs';
import path from 'node:path';
import { defaultPayloadConverter, type Payload } from '@temporalio/common';
import { afterAll, describe, expect, it } from 'vitest';
import { findLocalKeyring, loadOrCreateLocalKeyring, resolveClientKeyring } from '../../common/codec-keys';
import { readCodecServerConfig, startCodecServer, type CodecServer } from '../../client/codec-server';
import { AesGcmCodec, KeylessCodec, parseCodecKeys, readCodecKeyring, type CodecKeyring } from '../../common/codec';
import { ConfigError } from '../../common/config-error';
import { temporaryDirectory, testKeys } from '../reliability/harness';

const text = (bytes: Uint8Array | null | undefined) => Buffer.from(bytes ?? new Uint8Array()).toString('utf8');
const PERSON = { name: 'Zelda Quintessa-Marlowe', email: 'zelda.q.marlowe@candidate.example' };
const toPayload = (value: unknown): Payload => defaultPayloadConverter.toPayload(value);
const fromPayload = (payload: Payload): unknown => defaultPayloadConverter.fromPayload(payload);

/** A ConfigError's message, failing the test when `run` does not throw one. */
function configError(run: () => unknown): ConfigError {
  try {
    run();
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error('no ConfigError was thrown');
}

describe('ONWARD_CODEC_KEYS: parsed and checked, with problems named by variable and no key ever repeated', () => {
  const key = randomBytes(32).toString('base64');
  const other = randomBytes(32).toString('base64url');

  it('one key is the active one', () => {
    const keyring = readCodecKeyring({ ONWARD_CODEC_KEYS: `k1:${key}` });
    expect(keyring.activeKeyId).toBe('k1');
    expect(keyring.keys.get('k1')).toEqual(Buffer.from(key, 'base64'));
  });

  it('several keys need ONWARD_CODEC_ACTIVE_KEY; base64url works too', () => {
    const keyring = readCodecKeyring({ ONWARD_CODEC_KEYS: ` k1:${key} , k2:${other} `, ONWARD_CODEC_ACTIVE_KEY: 'k2' });
    expect(keyring.activeKeyId).toBe('k2');
    expect(keyring.keys.get('k2')).toEqual(Buffer.from(other, 'base64url'));
  });

  it.each<[string, Record<string, string>, string, RegExp]>([
    ['missing', {}, 'ONWARD_CODEC_KEYS', /is required.*openssl rand -base64 32/],
    ['empty', { ONWARD_CODEC_KEYS: '  ' }, 'ONWARD_CODEC_KEYS', /is required/],
    ['a key without an id', { ONWARD_CODEC_KEYS: key }, 'ONWARD_CODEC_KEYS', /entry 1 of 1 must be "<key id>:<base64 key>"/],
    ['a bad id', { ONWARD_CODEC_KEYS: `bad id!:${key}` }, 'ONWARD_CODEC_KEYS', /entry 1 of 1: the key id must be/],
    ['a short key', { ONWARD_CODEC_KEYS: `k1:${randomBytes(16).toString('base64')}` }, 'ONWARD_CODEC_KEYS', /key "k1" must be 32 random bytes in base64/],
    ['a key that is not base64', { ONWARD_CODEC_KEYS: `k1:${'*'.repeat(44)}` }, 'ONWARD_CODEC_KEYS', /key "k1" must be 32 random bytes/],
    ['a duplicate id', { ONWARD_CODEC_KEYS: `k1:${key},k1:${other}` }, 'ONWARD_CODEC_KEYS', /"k1" appears more than once/],
    ['several keys, none active', { ONWARD_CODEC_KEYS: `k1:${key},k2:${other}` }, 'ONWARD_CODEC_ACTIVE_KEY', /is required when .* holds several keys.*\(k1, k2\)/],
    ['an active key that is not listed', { ONWARD_CODEC_KEYS: `k1:${key}`, ONWARD_CODEC_ACTIVE_KEY: other }, 'ONWARD_CODEC_ACTIVE_KEY', /must be one of the key ids .*\(k1\)/],
  ])('%s', (_label, environment, setting, problem) => {
    const error = configError(() => readCodecKeyring(environment));
    expect(error.problems.map((entry) => entry.setting)).toEqual([setting]);
    expect(error.message).toMatch(problem);
    expect(error.message).toContain(`${setting}: `);
    for (const secret of [key, other, Buffer.from(key, 'base64').toString('hex')]) expect(error.message).not.toContain(secret);
  });
});

describe('AesGcmCodec', () => {
  const keys = testKeys();
  const codec = new AesGcmCodec(keys.keyring);
  const input = { candidate: PERSON, feedback: 'Practise system design out loud.' };

  it('encrypts: no plaintext left, the key id and cipher in the metadata', async () => {
    const [encrypted] = await codec.encode([toPayload(input)]);
    if (!encrypted) throw new Error('no payload');
    expect(text(encrypted.metadata?.encoding)).toBe('binary/encrypted');
    expect(text(encrypted.metadata?.['encryption-key-id'])).toBe('current');
    expect(text(encrypted.metadata?.['encryption-cipher'])).toBe('AES-256-GCM');
    const bytes = Buffer.from(encrypted.data ?? new Uint8Array());
    for (const clear of [PERSON.name, PERSON.email, 'system design', 'json/plain']) expect(bytes.includes(clear)).toBe(false);
    const [decoded] = await codec.decode([encrypted]);
    expect(fromPayload(decoded as Payload)).toEqual(input);
  });

  it('uses a fresh IV each time: the same value never encrypts the same way twice', async () => {
    const [a, b] = await codec.encode([toPayload(input), toPayload(input)]);
    expect(Buffer.from(a?.data ?? []).equals(Buffer.from(b?.data ?? []))).toBe(false);
  });

  it('leaves payloads that were never encrypted as they are (histories from before encryption stay readable)', async () => {
    const plain = toPayload(input);
    expect(await codec.decode([plain])).toEqual([plain]);
  });

  it('detects tampering with the data', async () => {
    const [encrypted] = await codec.encode([toPayload(input)]);
    const data = Buffer.from(encrypted?.data ?? []);
    data[20] = (data[20] ?? 0) ^ 0x01;
    await expect(codec.decode([{ ...encrypted, data }])).rejects.toThrow(/failed authentication/);
  });

  it('detects a swapped key id (the id is authenticated)', async () => {
    const [encrypted] = await codec.encode([toPayload(input)]);
    const swapped = { ...encrypted, metadata: { ...encrypted?.metadata, 'encryption-key-id': Buffer.from('old') } };
    await expect(codec.decode([swapped])).rejects.toThrow(/failed authentication/);
  });

  it('rotates: payloads written with the old key still decrypt, new ones use the new key, retired keys are named', async () => {
    const oldOnly: CodecKeyring = { activeKeyId: 'old', keys: new Map([['old', keys.keyring.keys.get('old') as Buffer]]) };
    const [written] = await new AesGcmCodec(oldOnly).encode([toPayload(input)]);
    const [read] = await codec.decode([written as Payload]);
    expect(fromPayload(read as Payload)).toEqual(input);
    const [rewritten] = await codec.encode([read as Payload]);
    expect(text(rewritten?.metadata?.['encryption-key-id'])).toBe('current');
    const currentOnly: CodecKeyring = { activeKeyId: 'current', keys: new Map([['current', keys.keyring.keys.get('current') as Buffer]]) };
    await expect(new AesGcmCodec(currentOnly).decode([written as Payload])).rejects.toThrow(/encrypted with key "old", which is not in ONWARD_CODEC_KEYS \(current\)/);
  });

  it('a client without keys writes plain payloads and says which variable to set when it meets encrypted ones', async () => {
    const keyless = new KeylessCodec();
    const plain = toPayload(input);
    expect(await keyless.encode([plain])).toEqual([plain]);
    const [encrypted] = await codec.encode([plain]);
    await expect(keyless.decode([encrypted as Payload])).rejects.toThrow(/encrypted \(key "current"\): set ONWARD_CODEC_KEYS/);
  });
});

describe('which keys a client uses', () => {
  const directory = temporaryDirectory('onward-keys-');
  afterAll(() => directory.remove());
  const keys = testKeys();

  it('ONWARD_CODEC_KEYS first', () => {
    expect(resolveClientKeyring(keys.environment, 'temporal.example.com:7233', directory.path).keyring?.activeKeyId).toBe('current');
  });

  it("the local key of `onward dev` (mode 0600) against the server it was made for, and against no other", () => {
    const created = loadOrCreateLocalKeyring(directory.path, '127.0.0.1:7233');
    expect(created.created).toBe(true);
    expect(statSync(created.file).mode & 0o777).toBe(0o600);
    expect(path.dirname(created.file)).toBe(directory.path);
    const again = loadOrCreateLocalKeyring(directory.path, '127.0.0.1:7233');
    expect(again.created).toBe(false);
    expect(again.keyring.keys).toEqual(created.keyring.keys);

    expect(findLocalKeyring('localhost:7233', directory.path)?.keyring?.keys).toEqual(created.keyring.keys);
    expect(findLocalKeyring('127.0.0.1:7234', directory.path)).toBeUndefined();
    expect(resolveClientKeyring({}, 'localhost:7233', directory.path).source).toContain('codec-keys.json');
  });

  it('no key against a server on loopback (tests, hand-run dev servers): plain payloads', () => {
    expect(resolveClientKeyring({}, '127.0.0.1:40000', directory.path).keyring).toBeUndefined();
    expect(resolveClientKeyring({}, 'localhost:40000', directory.path).keyring).toBeUndefined();
  });

  it('no key against any other server: refused, naming ONWARD_CODEC_KEYS', () => {
    const error = configError(() => resolveClientKeyring({}, 'temporal.example.com:7233', directory.path));
    expect(error.problems[0]?.setting).toBe('ONWARD_CODEC_KEYS');
    expect(error.message).toMatch(/is required to use the Temporal server at temporal\.example\.com:7233/);
  });
});

describe('the codec server (Temporal codec server protocol)', () => {
  const keys = testKeys();
  const token = randomBytes(32).toString('hex');
  const uiOrigin = 'http://localhost:8233';
  let server: CodecServer;
  const lines: string[] = [];
  const post = (route: string, body: unknown, headers: Record<string, string> = {}) =>
    fetch(`${server.url}${route}`, { method: 'POST', headers: { 'Content-Type': 'application/json', ...headers }, body: JSON.stringify(body) });
  const bearer = { Authorization: `Bearer ${token}` };
  const asJson = (payload: Payload) => ({
    metadata: Object.fromEntries(Object.entries(payload.metadata ?? {}).map(([key, value]) => [key, Buffer.from(value).toString('base64')])),
    data: Buffer.from(payload.data ?? []).toString('base64'),
  });
  let encrypted: Payload;

  afterAll(async () => server?.close());

  it('starts on loopback', async () => {
    server = await startCodecServer({ keyring: keys.keyring, token, port: 0, log: (line) => lines.push(line) });
    expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    [encrypted] = (await new AesGcmCodec(keys.keyring).encode([toPayload({ candidate: PERSON })])) as [Payload];
  });

  it('decodes for a caller with the bearer token, under /decode and /{namespace}/decode', async () => {
    for (const route of ['/decode', '/default/decode']) {
      const response = await post(route, { payloads: [asJson(encrypted)] }, bearer);
      expect(response.status).toBe(200);
      expect(response.headers.get('cache-control')).toBe('no-store');
      const body = (await response.json()) as { payloads: { metadata: Record<string, string>; data: string }[] };
      expect(Buffer.from(body.payloads[0]?.metadata.encoding ?? '', 'base64').toString()).toBe('json/plain');
      expect(JSON.parse(Buffer.from(body.payloads[0]?.data ?? '', 'base64').toString())).toEqual({ candidate: PERSON });
    }
  });

  it('encodes too, and what it encodes decodes', async () => {
    const response = await post('/encode', { payloads: [asJson(toPayload('hello'))] }, bearer);
    const body = (await response.json()) as { payloads: { metadata: Record<string, string>; data: string }[] };
    expect(Buffer.from(body.payloads[0]?.metadata['encryption-key-id'] ?? '', 'base64').toString()).toBe('current');
    const back = await post('/decode', body, bearer);
    const decoded = (await back.json()) as { payloads: { data: string }[] };
    expect(Buffer.from(decoded.payloads[0]?.data ?? '', 'base64').toString()).toBe('"hello"');
  });

  it('accepts the token as the first path segment (the web UI cannot send a header)', async () => {
    const response = await post(`/${token}/decode`, { payloads: [asJson(encrypted)] });
    expect(response.status).toBe(200);
    expect(lines.join('\n')).not.toContain(token);
  });

  it.each<[string, Record<string, string>, string]>([
    ['no token', {}, '/decode'],
    ['a wrong token', { Authorization: `Bearer ${'0'.repeat(64)}` }, '/decode'],
    ['a wrong path token', {}, `/${'0'.repeat(64)}/decode`],
    ['a token without "Bearer"', { Authorization: token }, '/decode'],
  ])('refuses %s with 401 and decodes nothing', async (_label, headers, route) => {
    const response = await post(route, { payloads: [asJson(encrypted)] }, headers);
    expect(response.status).toBe(401);
    const body = await response.text();
    expect(body).not.toContain(PERSON.email);
    expect(body).not.toContain(Buffer.from(JSON.stringify(PERSON.email)).toString('base64').slice(0, 12));
  });

  it("answers the UI's CORS preflight for its origin only", async () => {
    const preflight = (origin: string) =>
      fetch(`${server.url}/decode`, {
        method: 'OPTIONS',
        headers: { Origin: origin, 'Access-Control-Request-Method': 'POST', 'Access-Control-Request-Headers': 'content-type,x-namespace,authorization' },
      });
    const allowed = await preflight(uiOrigin);
    expect(allowed.status).toBe(204);
    expect(allowed.headers.get('access-control-allow-origin')).toBe(uiOrigin);
    expect(allowed.headers.get('access-control-allow-headers')).toMatch(/X-Namespace/i);
    expect(allowed.headers.get('access-control-allow-credentials')).toBe('true');
    const other = await preflight('https://evil.example');
    expect(other.headers.get('access-control-allow-origin')).toBeNull();
    const response = await post('/decode', { payloads: [asJson(encrypted)] }, { ...bearer, Origin: uiOrigin });
    expect(response.headers.get('access-control-allow-origin')).toBe(uiOrigin);
  });

  it('answers bad requests with 4xx and a reason', async () => {
    expect((await fetch(`${server.url}/decode`, { headers: bearer })).status).toBe(405);
    expect((await post('/other', {}, bearer)).status).toBe(404);
    expect((await fetch(`${server.url}/decode`, { method: 'POST', headers: bearer, body: 'not json' })).status).toBe(400);
    expect((await post('/decode', { payloads: [{ data: '***' }] }, bearer)).status).toBe(400);
    const tampered = { ...asJson(encrypted), data: Buffer.from(randomBytes(64)).toString('base64') };
    const refused = await post('/decode', { payloads: [tampered] }, bearer);
    expect(refused.status).toBe(400);
    expect(await refused.text()).toMatch(/failed authentication/);
    const huge = await fetch(`${server.url}/decode`, { method: 'POST', headers: bearer, body: 'x'.repeat(9 * 1024 * 1024) });
    expect(huge.status).toBe(413);
  });

  it('`onward codec-server` refuses to start without keys or a strong token, naming each variable', () => {
    const error = configError(() => readCodecServerConfig({ ONWARD_CODEC_SERVER_TOKEN: 'short', ONWARD_CODEC_SERVER_ADDRESS: 'nowhere' }));
    expect(error.problems.map((problem) => problem.setting).sort()).toEqual(['ONWARD_CODEC_KEYS', 'ONWARD_CODEC_SERVER_ADDRESS', 'ONWARD_CODEC_SERVER_TOKEN']);
    expect(error.message).not.toContain('short');
    const config = readCodecServerConfig({ ...keys.environment, ONWARD_CODEC_SERVER_TOKEN: token });
    // The web UI of `onward dev` (8233) and the one docker-compose.yml publishes (8080).
    expect(config).toMatchObject({
      host: '127.0.0.1',
      port: 8888,
      allowedOrigins: ['http://localhost:8233', 'http://127.0.0.1:8233', 'http://localhost:8080', 'http://127.0.0.1:8080'],
    });
  });

  it('parses a good key list the same way the worker does', () => {
    expect(parseCodecKeys(keys.environment.ONWARD_CODEC_KEYS, 'current').keyring?.keys.size).toBe(2);
  });
});
