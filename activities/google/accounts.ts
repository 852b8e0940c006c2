import { readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { auth } from '@googleapis/gmail';
import { z } from 'zod';
import { GOOGLE_ACCOUNT_NAME } from '../../workflows/policy';
import { googleConfigFailure } from './errors';

/** google-auth-library's clients, as googleapis-common re-exports them (no second copy of the library). */
export type OAuth2Client = InstanceType<typeof auth.OAuth2>;
export type JWTClient = InstanceType<typeof auth.JWT>;

/** The scopes Onward asks for, per use. */
export const SCOPES = {
  gmailSend: 'https://www.googleapis.com/auth/gmail.send',
  gmailCompose: 'https://www.googleapis.com/auth/gmail.compose',
  gmailReadonly: 'https://www.googleapis.com/auth/gmail.readonly',
  calendarEvents: 'https://www.googleapis.com/auth/calendar.events',
  tasks: 'https://www.googleapis.com/auth/tasks',
} as const;

/** Where Google's OAuth token endpoint is (JWT assertions name it as their audience whatever the endpoint). */
export const GOOGLE_TOKEN_URL = 'https://oauth2.googleapis.com/token';

/**
 * Credentials on disk, one file per name in the credentials directory (`<name>.json`, readable by the worker only):
 *
 * - a user's refresh token (power users, candidates who connected their account), as `onward google auth` writes it
 *   and as Google's own tools do: `{ "type": "authorized_user", "client_id", "client_secret", "refresh_token" }`;
 * - a service account key with domain-wide delegation (agencies on Google Workspace), the JSON key file Google
 *   issues: `{ "type": "service_account", "client_email", "private_key", ... }`, plus an optional `"subject"` (the one
 *   user it acts for; the candidate's address otherwise).
 */
const authorizedUser = z.object({
  type: z.literal('authorized_user'),
  client_id: z.string().min(1),
  client_secret: z.string().min(1),
  refresh_token: z.string().min(1),
  email: z.email().optional(),
});
const serviceAccount = z.object({
  type: z.literal('service_account'),
  client_email: z.email(),
  private_key: z.string().min(1),
  private_key_id: z.string().optional(),
  subject: z.email().optional(),
});
const credentialsFile = z.discriminatedUnion('type', [authorizedUser, serviceAccount]);
export type CredentialsFile = z.infer<typeof credentialsFile>;

/** A client that acts for one mailbox with one named set of credentials. */
export interface GoogleAccount {
  name: string;
  serviceAccount: boolean;
  /** The address it acts for. */
  mailbox: string;
  client: OAuth2Client;
}

/** Credentials by name: the one interface the Google activities need from the deployment. */
export interface GoogleAccounts {
  /**
   * The client for `name` (the deployment's default when absent) acting for `mailbox`, asking for `scopes` (service
   * accounts ask per use; a user's refresh token carries what was granted). Throws a permanent failure that says what
   * to fix when there are no such credentials.
   */
  account(name: string | undefined, mailbox: string, scopes: readonly string[]): GoogleAccount;
}

export interface CredentialsDirectoryOptions {
  directory: string;
  /** The credentials used when a policy names none (ONWARD_GOOGLE_ACCOUNT). */
  defaultAccount?: string;
  /** Another OAuth token endpoint: for a local fake in tests only. */
  tokenUrl?: string;
}

/** Google credentials read from a directory (ONWARD_GOOGLE_CREDENTIALS_DIR); a file changed on disk is read again. */
export function createCredentialsDirectory(options: CredentialsDirectoryOptions): GoogleAccounts {
  const cache = new Map<string, { version: number; account: GoogleAccount }>();
  return {
    account(requested, mailbox, scopes) {
      const name = requested ?? options.defaultAccount;
      if (!name) {
        throw googleConfigFailure('No Google account to act with: name one in the policy (`googleAccount`) or set ONWARD_GOOGLE_ACCOUNT on the workers');
      }
      if (!GOOGLE_ACCOUNT_NAME.test(name)) throw googleConfigFailure(`"${name}" is not a Google account name (1-64 letters, digits, ".", "_" or "-")`);
      const file = path.join(options.directory, `${name}.json`);
      let version: number;
      try {
        version = statSync(file).mtimeMs;
      } catch {
        throw googleConfigFailure(
          `No Google credentials "${name}" on this worker (${file}): connect the account with \`onward google auth ${name}\`, or put a service account key there`,
        );
      }
      const key = `${name}\n${mailbox}\n${[...scopes].sort().join(' ')}`;
      const cached = cache.get(key);
      if (cached && cached.version === version) return cached.account;
      const account = accountFrom(name, file, mailbox, scopes, options.tokenUrl);
      cache.set(key, { version, account });
      return account;
    },
  };
}

function readCredentials(name: string, file: string): CredentialsFile {
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw googleConfigFailure(`Google credentials "${name}" (${file}) cannot be read as JSON: ${(error as Error).message.split('\n')[0] ?? ''}`);
  }
  const result = credentialsFile.safeParse(parsed);
  if (!result.success) {
    const fields = result.error.issues.map((issue) => issue.path.join('.') || 'type').join(', ');
    throw googleConfigFailure(
      `Google credentials "${name}" (${file}) must be a refresh token ("type": "authorized_user") or a service account key ("type": "service_account"); check: ${fields}`,
    );
  }
  return result.data;
}

function accountFrom(name: string, file: string, mailbox: string, scopes: readonly string[], tokenUrl: string | undefined): GoogleAccount {
  const credentials = readCredentials(name, file);
  if (credentials.type === 'authorized_user') {
    const client = new auth.OAuth2({
      clientId: credentials.client_id,
      clientSecret: credentials.client_secret,
      // A 401 gets one refresh and one more try: an access token revoked early (password change) is replaced, and a
      // 401 after that is final.
      forceRefreshOnFailure: true,
      ...(tokenUrl ? { endpoints: { oauth2TokenUrl: tokenUrl } } : {}),
    });
    client.setCredentials({ refresh_token: credentials.refresh_token });
    return { name, serviceAccount: false, mailbox: credentials.email ?? mailbox, client };
  }
  const subject = credentials.subject ?? mailbox;
  const client = new auth.JWT({
    email: credentials.client_email,
    key: credentials.private_key,
    keyId: credentials.private_key_id,
    scopes: [...scopes],
    subject,
    forceRefreshOnFailure: true,
  });
  if (tokenUrl) {
    // gtoken posts JWT assertions to Google's token endpoint, whatever the options: redirect it for the local fake.
    client.transporter.interceptors.request.add({
      resolved: (config) => {
        if (config.url.href === GOOGLE_TOKEN_URL) config.url = new URL(tokenUrl);
        return Promise.resolve(config);
      },
    });
  }
  return { name, serviceAccount: true, mailbox: subject, client };
}
