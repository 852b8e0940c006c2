import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';

type Json = Record<string, unknown>;
const fixture = (name: string): Json => JSON.parse(readFileSync(path.join(__dirname, 'fixtures', `${name}.json`), 'utf8')) as Json;

export interface FakeLever {
  /** The API's base URL, e.g. http://127.0.0.1:PORT/v1 */
  url: string;
  requests: string[];
  /** Adds (or replaces) an opportunity: the fixture's, with these fields changed. */
  put(id: string, changes?: Json): void;
  remove(id: string): void;
  /** Answers 500 to every request while set (an outage). */
  failing: boolean;
  close(): Promise<void>;
}

/**
 * A fake of the Lever API's read endpoints Onward uses (opportunity, its interviews, the posting), answering with the
 * fixtures, with opportunities the test adds, changes (archived as hired, back from the archive) and removes (deleted).
 */
export async function startFakeLever(apiKey: string): Promise<FakeLever> {
  const opportunities = new Map<string, Json>();
  const requests: string[] = [];
  const state = { failing: false };
  const server: Server = createServer((request, response) => {
    requests.push(request.url ?? '');
    const authorized = request.headers.authorization === `Basic ${Buffer.from(`${apiKey}:`).toString('base64')}`;
    const url = new URL(request.url ?? '/', 'http://lever.test');
    const [, , kind, id, sub] = url.pathname.split('/');
    let body: Json | undefined;
    if (kind === 'opportunities' && id && opportunities.has(id)) body = sub === 'interviews' ? fixture('lever-api-interviews') : { data: opportunities.get(id) };
    if (kind === 'postings') body = fixture('lever-api-posting');
    const status = state.failing ? 500 : !authorized ? 401 : body ? 200 : 404;
    response.writeHead(status, { 'content-type': 'application/json' });
    response.end(JSON.stringify(status === 200 ? body : { code: status, message: 'no' }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const template = fixture('lever-api-opportunity').data as Json;
  return {
    url: `http://127.0.0.1:${port}/v1`,
    requests,
    put: (id, changes = {}) => opportunities.set(id, { ...template, id, ...changes }),
    remove: (id) => opportunities.delete(id),
    get failing() {
      return state.failing;
    },
    set failing(value: boolean) {
      state.failing = value;
    },
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
