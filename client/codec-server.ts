import { createHash, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Payload } from '@temporalio/common';
import { Command } from 'commander';
import { AesGcmCodec, readCodecKeyring, describeKeyring, type CodecKeyring } from '../common/codec';
import { ConfigError, type ConfigProblem } from '../common/config-error';
import { isLoopbackAddress } from '../common/codec-keys';

/**
 * The codec endpoint of the Temporal web UI and CLI (Temporal's "codec server" protocol): POST /encode and /decode
 * (also under a namespace segment, /{namespace}/decode, as the CLI's --codec-endpoint templating produces) take and
 * return `{ "payloads": [{ "metadata": { "<key>": "<base64>" }, "data": "<base64>" }] }` (proto3 JSON).
 *
 * Only authorised callers get through: `Authorization: Bearer <token>` (the Temporal CLI's --codec-auth, scripts, a
 * reverse proxy), or, for the web UI (which cannot add a header of its own), the token as the first path segment of
 * the endpoint URL configured in the UI (`http://127.0.0.1:8888/<token>`). Bound to loopback unless told otherwise;
 * CORS lets the UI's origin (and only it) call it; responses are never cached; requests are logged without the token.
 */

export const DEFAULT_CODEC_SERVER_ADDRESS = '127.0.0.1:8888';
/** The web UI of `onward dev` / `temporal server start-dev` (port 8233) and of docker-compose.yml (port 8080). */
export const DEFAULT_UI_ORIGINS = ['http://localhost:8233', 'http://127.0.0.1:8233', 'http://localhost:8080', 'http://127.0.0.1:8080'];
const MAX_BODY_BYTES = 8 * 1024 * 1024;
const MIN_TOKEN_LENGTH = 32;

export interface CodecServerOptions {
  keyring: CodecKeyring;
  /** The shared secret callers present. */
  token: string;
  host?: string;
  /** 0: any free port. */
  port?: number;
  /** Origins (scheme://host:port) of the web UIs allowed to call from a browser. */
  allowedOrigins?: string[];
  log?: (line: string) => void;
}

export interface CodecServer {
  /** http://host:port, without the token. */
  url: string;
  port: number;
  close(): Promise<void>;
}

interface JsonPayload {
  metadata?: Record<string, string> | null;
  data?: string | null;
}

class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

function fromBase64(value: unknown, where: string): Uint8Array {
  if (typeof value !== 'string' || !BASE64.test(value)) throw new HttpError(400, `${where} must be a base64 string`);
  return Buffer.from(value, 'base64');
}

/** proto3 JSON → Payload, checking the shape as it goes. */
function payloadFromJson(value: unknown, index: number): Payload {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new HttpError(400, `payloads[${index}] must be an object`);
  const { metadata, data } = value as JsonPayload;
  if (metadata !== undefined && metadata !== null && (typeof metadata !== 'object' || Array.isArray(metadata))) {
    throw new HttpError(400, `payloads[${index}].metadata must be an object`);
  }
  return {
    metadata: Object.fromEntries(Object.entries(metadata ?? {}).map(([key, text]) => [key, fromBase64(text, `payloads[${index}].metadata.${key}`)])),
    data: data === undefined || data === null ? new Uint8Array() : fromBase64(data, `payloads[${index}].data`),
  };
}

function payloadToJson(payload: Payload): JsonPayload {
  return {
    metadata: Object.fromEntries(Object.entries(payload.metadata ?? {}).map(([key, bytes]) => [key, Buffer.from(bytes).toString('base64')])),
    data: Buffer.from(payload.data ?? new Uint8Array()).toString('base64'),
  };
}

function safeDecode(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}

const digest = (text: string) => createHash('sha256').update(text, 'utf8').digest();

/** Compares in constant time (over digests, so lengths do not leak either). */
function sameSecret(candidate: string, secret: string): boolean {
  return timingSafeEqual(digest(candidate), digest(secret));
}

async function readBody(request: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_BODY_BYTES) throw new HttpError(413, `request body over ${MAX_BODY_BYTES} bytes`);
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}

export async function startCodecServer(options: CodecServerOptions): Promise<CodecServer> {
  if (options.token.length < MIN_TOKEN_LENGTH) throw new ConfigError(`the codec server token must be at least ${MIN_TOKEN_LENGTH} characters`);
  const codec = new AesGcmCodec(options.keyring);
  const allowedOrigins = new Set(options.allowedOrigins ?? DEFAULT_UI_ORIGINS);
  const log = options.log ?? (() => undefined);

  const handle = async (request: IncomingMessage, response: ServerResponse): Promise<{ status: number; route: string }> => {
    const origin = request.headers.origin;
    response.setHeader('Cache-Control', 'no-store');
    response.setHeader('X-Content-Type-Options', 'nosniff');
    response.setHeader('Vary', 'Origin');
    if (origin && allowedOrigins.has(origin)) {
      response.setHeader('Access-Control-Allow-Origin', origin);
      response.setHeader('Access-Control-Allow-Credentials', 'true');
    }

    const url = new URL(request.url ?? '/', 'http://codec.invalid');
    let segments = url.pathname.split('/').filter(Boolean);
    // The web UI's form of authentication: the token as the first path segment.
    let authorised = false;
    if (segments[0] !== undefined && sameSecret(safeDecode(segments[0]), options.token)) {
      authorised = true;
      segments = segments.slice(1);
    }
    const route = `/${segments.join('/')}`;
    const operation = segments.at(-1);
    if ((operation !== 'encode' && operation !== 'decode') || segments.length > 2) throw new HttpError(404, 'not found: POST /encode or /decode');

    if (request.method === 'OPTIONS') {
      // CORS preflight: browsers send it without credentials; only allowed origins get the go-ahead headers.
      if (origin && allowedOrigins.has(origin)) {
        response.setHeader('Access-Control-Allow-Methods', 'POST, OPTIONS');
        response.setHeader('Access-Control-Allow-Headers', 'Authorization, Content-Type, X-Namespace');
        response.setHeader('Access-Control-Max-Age', '600');
      }
      response.writeHead(204).end();
      return { status: 204, route };
    }
    if (request.method !== 'POST') {
      response.setHeader('Allow', 'POST, OPTIONS');
      throw new HttpError(405, 'method not allowed: use POST');
    }
    if (!authorised) {
      const header = request.headers.authorization ?? '';
      const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
      if (!match?.[1] || !sameSecret(match[1], options.token)) {
        response.setHeader('WWW-Authenticate', 'Bearer realm="onward-codec"');
        throw new HttpError(401, 'unauthorised: send Authorization: Bearer <token>');
      }
    }

    const text = await readBody(request);
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      throw new HttpError(400, 'the body must be JSON: {"payloads": [...]}');
    }
    const list = (body as { payloads?: unknown } | null)?.payloads;
    if (!Array.isArray(list)) throw new HttpError(400, 'the body must be JSON: {"payloads": [...]}');
    const payloads = list.map((payload, index) => payloadFromJson(payload, index));
    let result: Payload[];
    try {
      result = operation === 'decode' ? await codec.decode(payloads) : await codec.encode(payloads);
    } catch (error) {
      throw new HttpError(400, (error as Error).message);
    }
    response.writeHead(200, { 'Content-Type': 'application/json' }).end(JSON.stringify({ payloads: result.map(payloadToJson) }));
    return { status: 200, route };
  };

  const server = createServer((request, response) => {
    handle(request, response).then(
      ({ status, route }) => log(`codec ${request.method ?? '?'} ${route} ${status}`),
      (error: unknown) => {
        const status = error instanceof HttpError ? error.status : 500;
        const message = error instanceof HttpError ? error.message : 'internal error';
        if (!response.headersSent) response.writeHead(status, { 'Content-Type': 'application/json' }).end(JSON.stringify({ error: message }));
        else response.end();
        // Never the path as given: it may hold the token.
        log(`codec ${request.method ?? '?'} ${status} ${message}`);
      },
    );
  });
  const host = options.host ?? '127.0.0.1';
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 8888, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  const shownHost = host.includes(':') ? `[${host}]` : host;
  return {
    url: `http://${shownHost}:${port}`,
    port,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

export interface CodecServerConfig {
  keyring: CodecKeyring;
  token: string;
  host: string;
  port: number;
  allowedOrigins: string[];
}

/** `onward codec-server`'s settings: every problem named by its variable, never a secret repeated. */
export function readCodecServerConfig(environment: NodeJS.ProcessEnv = process.env): CodecServerConfig {
  const problems: ConfigProblem[] = [];
  let keyring: CodecKeyring | undefined;
  try {
    keyring = readCodecKeyring(environment);
  } catch (error) {
    if (error instanceof ConfigError) problems.push(...error.problems);
    else throw error;
  }
  const token = environment.ONWARD_CODEC_SERVER_TOKEN?.trim() ?? '';
  if (token.length < MIN_TOKEN_LENGTH || /\s|\//.test(token)) {
    problems.push({
      setting: 'ONWARD_CODEC_SERVER_TOKEN',
      problem: `is required: at least ${MIN_TOKEN_LENGTH} characters, no spaces or "/", e.g. from \`openssl rand -hex 32\``,
    });
  }
  const address = environment.ONWARD_CODEC_SERVER_ADDRESS?.trim() || DEFAULT_CODEC_SERVER_ADDRESS;
  const match = /^(.+):(\d{1,5})$/.exec(address);
  if (!match || Number(match[2]) > 65_535) problems.push({ setting: 'ONWARD_CODEC_SERVER_ADDRESS', problem: 'must be host:port, e.g. 127.0.0.1:8888' });
  const origins = (environment.ONWARD_CODEC_SERVER_ORIGINS?.trim() || DEFAULT_UI_ORIGINS.join(','))
    .split(',')
    .map((origin) => origin.trim())
    .filter(Boolean);
  const badOrigin = origins.find((origin) => {
    try {
      return new URL(origin).origin !== origin;
    } catch {
      return true;
    }
  });
  if (badOrigin !== undefined) {
    problems.push({ setting: 'ONWARD_CODEC_SERVER_ORIGINS', problem: 'must list origins such as http://localhost:8233 (scheme, host and port, no path), separated by commas' });
  }
  if (problems.length > 0 || !keyring || !match) throw ConfigError.of('Invalid codec server configuration', problems);
  return { keyring, token, host: (match[1] as string).replace(/^\[|\]$/g, ''), port: Number(match[2]), allowedOrigins: origins };
}

/** `onward codec-server`: runs until SIGINT/SIGTERM. */
export function codecServerCommand(): Command {
  return new Command('codec-server')
    .description(
      'serve the codec endpoint for the Temporal web UI and CLI (ONWARD_CODEC_KEYS, ONWARD_CODEC_SERVER_TOKEN, ' +
        'ONWARD_CODEC_SERVER_ADDRESS, ONWARD_CODEC_SERVER_ORIGINS)',
    )
    .action(async () => {
      const config = readCodecServerConfig();
      const server = await startCodecServer({ ...config, log: (line) => console.log(line) });
      console.log(
        `Onward codec server on ${server.url} (${describeKeyring(config.keyring)}), for the web UI at ${config.allowedOrigins.join(', ')}.\n` +
          `In the web UI, set the codec endpoint to ${server.url}/<ONWARD_CODEC_SERVER_TOKEN>; ` +
          `with the Temporal CLI: --codec-endpoint ${server.url} --codec-auth "Bearer <ONWARD_CODEC_SERVER_TOKEN>".`,
      );
      if (!isLoopbackAddress(`${config.host}:${config.port}`)) {
        console.log('Warning: the codec server listens beyond loopback; serve it to operators through TLS only (a reverse proxy).');
      }
      await new Promise<void>((resolve) => {
        process.once('SIGINT', resolve);
        process.once('SIGTERM', resolve);
      });
      await server.close();
      console.log('Onward codec server stopped.');
    });
}
