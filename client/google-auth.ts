import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { auth } from '@googleapis/gmail';
import { Command, InvalidArgumentError } from 'commander';
import { SCOPES } from '../activities/google/accounts';
import { GOOGLE_ACCOUNT_NAME } from '../workflows/policy';

/**
 * `onward google auth NAME`: connects a Google account with OAuth's installed-app loopback flow (PKCE), and stores its
 * refresh token as credentials NAME in the credentials directory, where the workers find them by that name (a policy's
 * `googleAccount`). Tokens never enter a rejection document, a workflow input or a history.
 */

export const DEFAULT_CREDENTIALS_DIR = path.join('.onward', 'google');
const GOOGLE_AUTH_URL = 'https://accounts.google.com/o/oauth2/v2/auth';

export interface GoogleUses {
  gmail: boolean;
  /** Gmail draft mode (gmail.compose). */
  drafts: boolean;
  /** Gmail reply detection, and duplicate checks after a retried send (gmail.readonly). */
  replyDetection: boolean;
  calendar: boolean;
  tasks: boolean;
}

const WHY: Record<string, string> = {
  [SCOPES.gmailSend]: 'send the messages that speak for you from your Gmail',
  [SCOPES.gmailCompose]: 'leave them as drafts in your Gmail instead (draft mode)',
  [SCOPES.gmailReadonly]: 'read the feedback request’s thread for a reply (reply detection), and check that a retried send did not already go out',
  [SCOPES.calendarEvents]: 'put the weekly check-ins in your Google Calendar',
  [SCOPES.tasks]: 'add the LinkedIn and keeping-in-touch tasks to your Google Tasks',
};

/** The scopes for the channels in use; read-only Gmail access only with reply detection. */
export function scopesFor(uses: GoogleUses): string[] {
  return [
    ...(uses.gmail ? [SCOPES.gmailSend] : []),
    ...(uses.gmail && uses.drafts ? [SCOPES.gmailCompose] : []),
    ...(uses.gmail && uses.replyDetection ? [SCOPES.gmailReadonly] : []),
    ...(uses.calendar ? [SCOPES.calendarEvents] : []),
    ...(uses.tasks ? [SCOPES.tasks] : []),
  ];
}

export interface ClientSecrets {
  clientId: string;
  clientSecret: string;
}

/** The OAuth client ("Desktop app") as the Google Cloud console downloads it, or from the environment. */
export function readClientSecrets(file: string | undefined, environment: NodeJS.ProcessEnv = process.env): ClientSecrets {
  if (!file) {
    const clientId = environment.ONWARD_GOOGLE_CLIENT_ID?.trim();
    const clientSecret = environment.ONWARD_GOOGLE_CLIENT_SECRET?.trim();
    if (clientId && clientSecret) return { clientId, clientSecret };
    throw new Error(
      'no OAuth client: pass --client-secrets <file> (a "Desktop app" OAuth client downloaded from the Google Cloud console), ' +
        'or set ONWARD_GOOGLE_CLIENT_ID and ONWARD_GOOGLE_CLIENT_SECRET',
    );
  }
  let document: unknown;
  try {
    document = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new Error(`${file}: cannot read the OAuth client (${(error as Error).message.split('\n')[0] ?? ''})`);
  }
  const body = typeof document === 'object' && document !== null ? (document as Record<string, unknown>) : {};
  const client = (body.installed ?? body.web ?? body) as Record<string, unknown>;
  if (typeof client.client_id !== 'string' || typeof client.client_secret !== 'string') {
    throw new Error(`${file}: not an OAuth client file (expected "installed": { "client_id", "client_secret" })`);
  }
  return { clientId: client.client_id, clientSecret: client.client_secret };
}

export interface GoogleAuthOptions {
  name: string;
  client: ClientSecrets;
  directory: string;
  uses: GoogleUses;
  /** The account to connect: a hint for Google's sign-in page, kept with the credentials. */
  email?: string;
  /** The loopback port; any free one by default. */
  port?: number;
  timeoutMs?: number;
  log?: (line: string) => void;
  /** Hands the person the address to open (printed by default; a test follows it). */
  openUrl?: (url: string) => void | Promise<void>;
  /** Other OAuth endpoints: for a local fake in tests only. */
  authUrl?: string;
  tokenUrl?: string;
}

export interface StoredCredentials {
  file: string;
  requested: string[];
  granted: string[];
}

const page = (title: string, text: string) =>
  `<!doctype html><meta charset="utf-8"><title>${title}</title><body style="font-family:sans-serif;margin:3em"><h1>${title}</h1><p>${text}</p></body>`;

/** Runs the loopback flow and stores the refresh token; resolves with where, and which scopes were granted. */
export async function runGoogleAuth(options: GoogleAuthOptions): Promise<StoredCredentials> {
  const log = options.log ?? console.log;
  if (!GOOGLE_ACCOUNT_NAME.test(options.name)) throw new Error(`${options.name}: a name is 1-64 letters, digits, ".", "_" or "-"`);
  const requested = scopesFor(options.uses);
  if (requested.length === 0) throw new Error('nothing to connect: every Google channel is turned off');

  const state = randomBytes(16).toString('hex');
  const verifier = randomBytes(48).toString('base64url');
  const challenge = createHash('sha256').update(verifier).digest('base64url');

  let settle: { resolve: (code: string) => void; reject: (error: Error) => void } | undefined;
  const callback = new Promise<string>((resolve, reject) => {
    settle = { resolve, reject };
  });
  const server = createServer((request, response) => {
    const url = new URL(request.url ?? '/', 'http://127.0.0.1');
    if (url.pathname !== '/') {
      response.writeHead(404).end();
      return;
    }
    const error = url.searchParams.get('error');
    const code = url.searchParams.get('code');
    if (url.searchParams.get('state') !== state) {
      response.writeHead(400, { 'content-type': 'text/html; charset=utf-8' }).end(page('Not Onward’s request', 'This answer does not belong to the sign-in Onward started. Nothing was stored.'));
      return;
    }
    if (error || !code) {
      response.writeHead(400, { 'content-type': 'text/html; charset=utf-8' }).end(page('Not connected', `Google answered: ${error ?? 'no code'}. Nothing was stored.`));
      settle?.reject(new Error(`Google did not grant access (${error ?? 'no code'}): nothing was stored`));
      return;
    }
    response.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(page('Onward is connected', 'You can close this tab and go back to the terminal.'));
    settle?.resolve(code);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', resolve);
  });
  try {
    const redirectUri = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
    const address = new URL(options.authUrl ?? GOOGLE_AUTH_URL);
    const parameters: Record<string, string> = {
      client_id: options.client.clientId,
      redirect_uri: redirectUri,
      response_type: 'code',
      scope: requested.join(' '),
      access_type: 'offline',
      prompt: 'consent',
      state,
      code_challenge: challenge,
      code_challenge_method: 'S256',
      ...(options.email ? { login_hint: options.email } : {}),
    };
    for (const [key, value] of Object.entries(parameters)) address.searchParams.set(key, value);

    log(`Onward asks Google for ${requested.length === 1 ? 'this scope' : 'these scopes'}:`);
    for (const scope of requested) log(`  ${scope}\n      to ${WHY[scope] ?? 'use it'}`);
    if (options.uses.gmail && !options.uses.replyDetection) {
      log('  (without gmail.readonly, a send retried after a crash cannot check that it already went out; add --reply-detection to allow it)');
    }
    log('');
    log(`Open this address in a browser signed in as ${options.email ?? 'the Google account to connect'}, and allow access:`);
    log(`  ${address.href}`);
    log(`Waiting for Google to answer on ${redirectUri} ...`);
    await options.openUrl?.(address.href);

    const timeoutMs = options.timeoutMs ?? 5 * 60_000;
    let timer: NodeJS.Timeout | undefined;
    const code = await Promise.race([
      callback,
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`no answer from Google within ${Math.round(timeoutMs / 1000)} seconds: nothing was stored`)), timeoutMs);
      }),
    ]).finally(() => clearTimeout(timer));

    const client = new auth.OAuth2({
      clientId: options.client.clientId,
      clientSecret: options.client.clientSecret,
      redirectUri,
      ...(options.tokenUrl ? { endpoints: { oauth2TokenUrl: options.tokenUrl } } : {}),
    });
    let tokens;
    try {
      ({ tokens } = await client.getToken({ code, codeVerifier: verifier, redirect_uri: redirectUri }));
    } catch (error) {
      throw new Error(`Google refused to exchange the code for a token (${(error as Error).message}): nothing was stored`);
    }
    if (!tokens.refresh_token) {
      throw new Error(
        'Google returned no refresh token: remove Onward at https://myaccount.google.com/permissions and run this again (nothing was stored)',
      );
    }
    const granted = tokens.scope ? tokens.scope.split(/\s+/).filter(Boolean) : requested;
    const missing = requested.filter((scope) => !granted.includes(scope));
    for (const scope of missing) log(`Warning: not granted: ${scope} (Onward cannot ${WHY[scope] ?? 'use it'})`);

    mkdirSync(options.directory, { recursive: true, mode: 0o700 });
    const file = path.join(options.directory, `${options.name}.json`);
    const temporary = `${file}.${process.pid}.tmp`;
    const credentials = {
      type: 'authorized_user',
      client_id: options.client.clientId,
      client_secret: options.client.clientSecret,
      refresh_token: tokens.refresh_token,
      ...(options.email ? { email: options.email } : {}),
      scopes: granted,
      created: new Date().toISOString(),
    };
    writeFileSync(temporary, JSON.stringify(credentials, null, 2) + '\n', { mode: 0o600 });
    renameSync(temporary, file);
    log(`Stored the refresh token as Google account "${options.name}" in ${file} (readable by you only).`);
    log(`Workers with ONWARD_GOOGLE_CREDENTIALS_DIR=${path.resolve(options.directory)} use it for policies with "googleAccount": "${options.name}".`);
    return { file, requested, granted };
  } finally {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}

const port = (value: string): number => {
  if (!/^\d+$/.test(value) || Number(value) > 65_535) throw new InvalidArgumentError('must be a port number');
  return Number(value);
};

/** `onward google ...`: registered by the CLI. */
export function googleCommand(): Command {
  const google = new Command('google').description('connect Google accounts for the Gmail, Google Calendar and Google Tasks channels');
  google
    .command('auth')
    .description('connect a Google account (installed-app loopback sign-in) and store its refresh token under a name')
    .argument('<name>', 'the name policies use for it ("googleAccount"), e.g. ada')
    .option('--client-secrets <file>', 'the OAuth client ("Desktop app") from the Google Cloud console; or ONWARD_GOOGLE_CLIENT_ID and ONWARD_GOOGLE_CLIENT_SECRET')
    .option('--dir <dir>', 'the credentials directory (default: ONWARD_GOOGLE_CREDENTIALS_DIR, else .onward/google)')
    .option('--email <address>', 'the account to connect (a hint for the sign-in page)')
    .option('--drafts', 'Gmail draft mode: also gmail.compose')
    .option('--reply-detection', 'Gmail reply detection: also gmail.readonly')
    .option('--no-gmail', 'no Gmail')
    .option('--no-calendar', 'no Google Calendar')
    .option('--no-tasks', 'no Google Tasks')
    .option('--port <port>', 'the loopback port Google answers on (default: any free one)', port)
    .action(
      async (
        name: string,
        options: { clientSecrets?: string; dir?: string; email?: string; drafts?: boolean; replyDetection?: boolean; gmail: boolean; calendar: boolean; tasks: boolean; port?: number },
      ) => {
        await runGoogleAuth({
          name,
          client: readClientSecrets(options.clientSecrets),
          directory: options.dir ?? (process.env.ONWARD_GOOGLE_CREDENTIALS_DIR?.trim() || DEFAULT_CREDENTIALS_DIR),
          uses: { gmail: options.gmail, drafts: options.drafts ?? false, replyDetection: options.replyDetection ?? false, calendar: options.calendar, tasks: options.tasks },
          ...(options.email ? { email: options.email } : {}),
          ...(options.port !== undefined ? { port: options.port } : {}),
        });
      },
    );
  return google;
}
