import { calendar, type calendar_v3 } from '@googleapis/calendar';
import { gmail, type gmail_v1 } from '@googleapis/gmail';
import { tasks, type tasks_v1 } from '@googleapis/tasks';
import type { GoogleAccount, GoogleAccounts } from './accounts';
import { classifyGoogleError, googleConfigFailure } from './errors';

/** What the Google activities receive from the deployment: credentials by name, and where the APIs are. */
export interface GoogleDependencies {
  accounts: GoogleAccounts;
  /** The APIs' root, e.g. a local fake in tests ("http://127.0.0.1:PORT/"); Google's own endpoints when absent. */
  rootUrl?: string;
}

export function requireGoogle(google: GoogleDependencies | undefined): GoogleDependencies {
  if (!google) {
    throw googleConfigFailure(
      'This worker has no Google credentials, but the policy chose a Google channel: set ONWARD_GOOGLE_CREDENTIALS_DIR (and ONWARD_GOOGLE_ACCOUNT) on the workers',
    );
  }
  return google;
}

// The client libraries' own retries are off: a POST (send, insert) is never retried behind Temporal's back, and
// rate limits back off in Temporal's retry policy, where they are visible.
const options = (account: GoogleAccount, rootUrl: string | undefined) => ({ auth: account.client, retry: false, ...(rootUrl ? { rootUrl } : {}) });

const gmailClients = new WeakMap<object, gmail_v1.Gmail>();
const calendarClients = new WeakMap<object, calendar_v3.Calendar>();
const tasksClients = new WeakMap<object, tasks_v1.Tasks>();

function cached<T>(clients: WeakMap<object, T>, account: GoogleAccount, create: () => T): T {
  let client = clients.get(account.client);
  if (!client) {
    client = create();
    clients.set(account.client, client);
  }
  return client;
}

export const gmailFor = (account: GoogleAccount, rootUrl?: string): gmail_v1.Gmail =>
  cached(gmailClients, account, () => gmail({ version: 'v1', ...options(account, rootUrl) }));

export const calendarFor = (account: GoogleAccount, rootUrl?: string): calendar_v3.Calendar =>
  cached(calendarClients, account, () => calendar({ version: 'v3', ...options(account, rootUrl) }));

export const tasksFor = (account: GoogleAccount, rootUrl?: string): tasks_v1.Tasks =>
  cached(tasksClients, account, () => tasks({ version: 'v1', ...options(account, rootUrl) }));

/** What to throw for a failed Google call: a retryable error, or a permanent failure that says what to fix. */
export function failure(account: GoogleAccount, action: string, error: unknown): Error {
  return classifyGoogleError(error, { account: account.name, serviceAccount: account.serviceAccount, mailbox: account.mailbox, action });
}

/** Runs one Google call, its failure classified. */
export async function call<T>(account: GoogleAccount, action: string, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    throw failure(account, action, error);
  }
}
