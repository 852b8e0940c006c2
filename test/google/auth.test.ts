import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { SCOPES } from '../../activities/google';
import { buildProgram } from '../../client/cli';
import { readClientSecrets, runGoogleAuth, scopesFor, type GoogleAuthOptions } from '../../client/google-auth';
import { startGoogleFake, type GoogleFake } from '../helpers/google-fake';

let fake: GoogleFake;
let directory: string;
beforeAll(async () => {
  fake = await startGoogleFake();
  directory = mkdtempSync(path.join(tmpdir(), 'onward-google-auth-'));
});
afterAll(async () => {
  await fake.close();
  rmSync(directory, { recursive: true, force: true });
});

const ALL = { gmail: true, drafts: false, replyDetection: false, calendar: true, tasks: true };

function options(name: string, overrides: Partial<GoogleAuthOptions> = {}): GoogleAuthOptions & { lines: string[] } {
  const lines: string[] = [];
  return {
    name,
    client: { clientId: 'onward-desktop.apps.googleusercontent.com', clientSecret: 'desktop-secret' },
    directory,
    uses: ALL,
    log: (line) => lines.push(line),
    // The browser: follows Google's redirect back to the loopback address.
    openUrl: async (url) => {
      await fetch(url, { redirect: 'follow' });
    },
    authUrl: fake.authUrl,
    tokenUrl: fake.tokenUrl,
    timeoutMs: 10_000,
    lines,
    ...overrides,
  };
}

describe('onward google auth', () => {
  test('asks for the scopes of the channels in use; gmail.readonly only with reply detection', () => {
    expect(scopesFor(ALL)).toEqual([SCOPES.gmailSend, SCOPES.calendarEvents, SCOPES.tasks]);
    expect(scopesFor({ ...ALL, drafts: true, replyDetection: true })).toEqual([SCOPES.gmailSend, SCOPES.gmailCompose, SCOPES.gmailReadonly, SCOPES.calendarEvents, SCOPES.tasks]);
    expect(scopesFor({ ...ALL, gmail: false, replyDetection: true })).toEqual([SCOPES.calendarEvents, SCOPES.tasks]);
  });

  test('the loopback flow with PKCE stores a refresh token the workers can use, readable by its owner only', async () => {
    fake.consentAs('zoe@example.com');
    const run = options('zoe', { email: 'zoe@example.com', uses: { ...ALL, replyDetection: true } });
    const stored = await runGoogleAuth(run);
    expect(fake.problems).toEqual([]);

    expect(stored.file).toBe(path.join(directory, 'zoe.json'));
    expect(statSync(stored.file).mode & 0o777).toBe(0o600);
    const credentials = JSON.parse(readFileSync(stored.file, 'utf8')) as Record<string, unknown>;
    expect(credentials).toMatchObject({ type: 'authorized_user', client_id: 'onward-desktop.apps.googleusercontent.com', email: 'zoe@example.com' });
    expect(String(credentials.refresh_token)).toMatch(/^1\/\/fake-/);
    expect(credentials.scopes).toEqual([SCOPES.gmailSend, SCOPES.gmailReadonly, SCOPES.calendarEvents, SCOPES.tasks]);

    // The scopes are printed, each with what it is for; the token is not.
    const output = run.lines.join('\n');
    for (const scope of stored.requested) expect(output).toContain(scope);
    expect(output).toContain('to read the feedback request’s thread for a reply');
    expect(output).not.toContain(String(credentials.refresh_token));
    expect(output).toContain('"googleAccount": "zoe"');

    // The refresh token works: the fake's token endpoint exchanges it.
    const refreshed = await fetch(fake.tokenUrl, {
      method: 'POST',
      body: new URLSearchParams({ grant_type: 'refresh_token', refresh_token: String(credentials.refresh_token), client_id: 'x', client_secret: 'y' }),
    });
    expect(refreshed.status).toBe(200);
  });

  test('a scope left unchecked on the consent page is reported', async () => {
    fake.consentAs('yan@example.com', [SCOPES.gmailSend, SCOPES.tasks]);
    const run = options('yan');
    const stored = await runGoogleAuth(run);
    expect(stored.granted).toEqual([SCOPES.gmailSend, SCOPES.tasks]);
    expect(run.lines.join('\n')).toContain(`Warning: not granted: ${SCOPES.calendarEvents}`);
  });

  test('an answer with another state is refused, and nothing is stored before the real one', async () => {
    fake.consentAs('xia@example.com');
    const run = options('xia', {
      openUrl: async (url) => {
        const redirect = new URL(new URL(url).searchParams.get('redirect_uri') ?? '');
        redirect.searchParams.set('code', 'forged');
        redirect.searchParams.set('state', 'not-the-state');
        expect((await fetch(redirect)).status).toBe(400);
        await fetch(url, { redirect: 'follow' });
      },
    });
    const stored = await runGoogleAuth(run);
    expect(stored.file).toBe(path.join(directory, 'xia.json'));
  });

  test('refuses names that are not names, and reads the Google Cloud console client file', () => {
    expect(() => readClientSecrets(undefined, {})).toThrow(/--client-secrets/);
    expect(readClientSecrets(undefined, { ONWARD_GOOGLE_CLIENT_ID: 'id', ONWARD_GOOGLE_CLIENT_SECRET: 'secret' })).toEqual({ clientId: 'id', clientSecret: 'secret' });
    return expect(runGoogleAuth(options('../escape'))).rejects.toThrow(/a name is 1-64 letters/);
  });

  test('is a command of the onward CLI', () => {
    const google = buildProgram().commands.find((command) => command.name() === 'google');
    const authCommand = google?.commands.find((command) => command.name() === 'auth');
    expect(authCommand?.options.map((option) => option.long)).toEqual(
      expect.arrayContaining(['--client-secrets', '--dir', '--reply-detection', '--drafts', '--no-gmail', '--no-calendar', '--no-tasks']),
    );
  });
});
