import { accessSync, constants } from 'node:fs';
import { z } from 'zod';
import { parseDuration } from '../workflows/durations';
import { GOOGLE_ACCOUNT_NAME } from '../workflows/policy';
import { ConfigError, type ConfigProblem } from '../common/config-error';
import { readSenderDirectory, senderFields, type SenderDirectory } from '../activities/sender-identity';
import type { ImapOAuthSettings } from './replies/oauth-token';
import { DEFAULT_TASK_QUEUE, DEFAULT_TEMPORAL_ADDRESS, DEFAULT_TEMPORAL_NAMESPACE, resolveTemporalSettings, type TemporalSettings } from '../common/connection';

export { ConfigError, type ConfigProblem } from '../common/config-error';

/** The user name and password of a mail server URL as written (up to the last "@" before any path), if it has them. */
function userInfoOf(value: string): string | undefined {
  const rest = value.replace(/^[a-z]+:\/\//, '');
  const at = rest.lastIndexOf('@');
  return at < 0 ? undefined : rest.slice(0, at);
}

/** A mail server URL (`<scheme>://user:password@host:port`), with its credentials percent-encoded. */
function mailServerUrl(scheme: 'smtp' | 'imap', example: string, required: string) {
  return z
    .string({ message: required })
    .refine((value) => new RegExp(`^${scheme}s?://[^/\\s]+`).test(value), { message: `must be an ${scheme}:// or ${scheme}s:// URL`, abort: true })
    .refine((value) => !/[@/]/.test(userInfoOf(value) ?? ''), {
      message: `has an "@" or "/" in its user name or password: percent-encode them ("@" as %40, "/" as %2F, e.g. ${example}), or the URL names another host`,
      abort: true,
    })
    .refine((value) => URL.canParse(value), { message: 'is not a valid URL (percent-encode special characters in the user name and password)' });
}

const smtpUrl = mailServerUrl('smtp', 'smtp://mailer%40example.com:pass%2Fword@mail.example.com:587', 'is required, e.g. smtp://user:password@mail.example.com:587');
// The password is checked with the ONWARD_IMAP_OAUTH_* variables (readWorkerConfig): XOAUTH2 logins have none.
const imapUrl = mailServerUrl('imap', 'imaps://replies%40example.com:pass%2Fword@imap.example.com/INBOX', 'e.g. imaps://user:password@imap.example.com/INBOX').refine(
  (value) => !URL.canParse(value) || new URL(value).username !== '',
  { message: 'needs a user name and a password (or app password), e.g. imaps://replies%40example.com:app-password@imap.example.com/INBOX' },
);

const LOOPBACK = /^(localhost|127(?:\.\d{1,3}){3}|\[::1\])$/;
const tokenUrl = z
  .url({ protocol: /^https?$/, message: 'must be the https:// URL of the OAuth 2.0 token endpoint, e.g. https://oauth2.googleapis.com/token' })
  .refine((value) => new URL(value).protocol === 'https:' || LOOPBACK.test(new URL(value).hostname), {
    message: 'must be an https:// URL (http:// only on localhost): the client secret and tokens travel in it',
  });

const fromAddress = z.email({ message: 'must be the email address Onward sends from, e.g. onward@example.com' });

const hostPort = (example: string) => z.string().regex(/^[^\s]+:\d{1,5}$/, { message: `must be host:port, e.g. ${example}` });

function wholeNumber(min: number, example: string) {
  return z
    .string()
    .regex(/^\s*\d+\s*$/, { message: `must be a whole number, e.g. ${example}` })
    .transform(Number)
    .refine((value) => value >= min, { message: `must be at least ${min}` });
}

const RATE = /^\s*(\d+(?:\.\d+)?)\s*(?:\/\s*(s|secs?|seconds?|m|mins?|minutes?|h|hours?|d|days?))?\s*$/i;
const SECONDS_PER: Record<string, number> = { s: 1, m: 60, h: 3600, d: 86_400 };

/** "2" (per second), "30/minute", "400/day" → activities per second. */
export function parseRate(text: string): number | undefined {
  const match = RATE.exec(text);
  if (!match) return undefined;
  const perSecond = Number(match[1]) / (SECONDS_PER[(match[2] ?? 's').charAt(0).toLowerCase()] ?? 1);
  return perSecond > 0 && Number.isFinite(perSecond) ? perSecond : undefined;
}

const rate = z
  .string()
  .refine((text) => parseRate(text) !== undefined, { message: 'must be a positive rate such as "2" (per second), "30/minute" or "400/day"' })
  .transform((text) => parseRate(text) as number);

const duration = z
  .string()
  .refine((text) => parseDuration(text) !== undefined, { message: 'must be a duration with a unit, e.g. "30 seconds" or "2 minutes"' });

/** Sequences a worker keeps in memory between their steps: see ONWARD_MAX_CACHED_WORKFLOWS. */
export const DEFAULT_MAX_CACHED_WORKFLOWS = 100;

/** The worker's settings, read from the environment and checked before it connects to anything. */
export const workerConfigSchema = z.object({
  // The worker resolves these with the rest of the Temporal connection settings (a config-file profile may supply
  // them: see common/connection.ts); the defaults here serve clients that pick them from this schema.
  TEMPORAL_ADDRESS: z.string().regex(/^[^\s:]+:\d{1,5}$/, { message: 'must be host:port, e.g. localhost:7233' }).default(DEFAULT_TEMPORAL_ADDRESS),
  TEMPORAL_NAMESPACE: z.string().min(1, { message: 'must not be empty' }).default(DEFAULT_TEMPORAL_NAMESPACE),
  ONWARD_TASK_QUEUE: z.string().min(1, { message: 'must not be empty' }).default(DEFAULT_TASK_QUEUE),
  SMTP_URL: smtpUrl,
  ONWARD_FROM: fromAddress,
  ONWARD_TEMPLATES_DIR: z.string().optional(),
  /** A workflow bundle built ahead of time (scripts/bundle-workflows.ts); the container image sets it. */
  ONWARD_WORKFLOW_BUNDLE: z.string().optional(),
  /** Worker tuning: how much one worker process takes on at once. */
  ONWARD_MAX_CONCURRENT_ACTIVITIES: wholeNumber(1, '20').optional(),
  ONWARD_MAX_CONCURRENT_WORKFLOW_TASKS: wholeNumber(2, '40').optional(),
  // Sleeping sequences need no memory: a small cache keeps a worker with thousands in flight under ~400 MB (bench,
  // figure 4); an evicted sequence is replayed from its short history when it wakes.
  ONWARD_MAX_CACHED_WORKFLOWS: wholeNumber(0, '500').default(DEFAULT_MAX_CACHED_WORKFLOWS),
  /** Activities per second for this worker process, and for the whole task queue (all workers, enforced by the server). */
  ONWARD_WORKER_ACTIVITY_RATE: rate.optional(),
  ONWARD_TASK_QUEUE_ACTIVITY_RATE: rate.optional(),
  /** Emails per second from the sends' own task queue, all workers together (the server enforces it): a mailbox's limit. */
  ONWARD_SEND_RATE: rate.optional(),
  /** How long a stopping worker lets running activities (an email being sent) finish. */
  ONWARD_SHUTDOWN_GRACE_TIME: duration.default('30 seconds'),
  /** Serve the worker's metrics for Prometheus on this address, e.g. 0.0.0.0:9464. */
  ONWARD_METRICS_ADDRESS: hostPort('0.0.0.0:9464').optional(),
  /** Serve GET /health (200 while the worker polls Temporal) on this address, e.g. 127.0.0.1:9465: the container health check. */
  ONWARD_HEALTH_ADDRESS: hostPort('127.0.0.1:9465').optional(),
  /** Google channels (docs/google.md): the directory of named Google credentials (`<name>.json`, never in a policy). */
  ONWARD_GOOGLE_CREDENTIALS_DIR: z.string().optional(),
  /** The Google credentials used when a policy names none (`googleAccount`). */
  ONWARD_GOOGLE_ACCOUNT: z
    .string()
    .regex(GOOGLE_ACCOUNT_NAME, { message: 'must be the name of a file <name>.json in ONWARD_GOOGLE_CREDENTIALS_DIR (letters, digits, ".", "_", "-")' })
    .optional(),
  /** Onward's database (common/database/open.ts): PostgreSQL, shared with the API; embedded when unset. */
  ONWARD_DATABASE_URL: z.string().min(1).optional(),
  ONWARD_DATABASE_USER: z.string().min(1).optional(),
  ONWARD_DATABASE_PASSWORD: z.string().min(1).optional(),
  /** The suppression list file of earlier versions: imported into the database once, then left alone. */
  ONWARD_SUPPRESSION_FILE: z.string().min(1).optional(),
  /** One-click unsubscribe links on the candidate's emails: the API's public URL and the key that signs the links. */
  ONWARD_PUBLIC_URL: z.url({ protocol: /^https?$/, message: 'must be the http(s) URL the API is reached at, e.g. https://onward.example.com' }).optional(),
  ONWARD_UNSUBSCRIBE_SECRET: z.string().min(32, { message: 'must be at least 32 characters (e.g. openssl rand -base64 32)' }).optional(),
  /** Who the candidate's emails come from (docs/senders.md): a JSON file of identities per tenant ... */
  ONWARD_SENDERS_FILE: z.string().min(1).optional(),
  /** ... and the identity of sequences without a tenant, or of a tenant the file does not list (the single-user set-up). */
  ONWARD_SENDER_NAME: senderFields.name.optional(),
  ONWARD_SENDER_SIGNATURE: senderFields.signature.transform((text) => text.replace(/\\n/g, '\n')).optional(),
  ONWARD_SENDER_REPLY_TO: senderFields.replyTo.optional(),
  ONWARD_SENDER_LOGO_URL: senderFields.logoUrl.optional(),
  ONWARD_SENDER_ACCENT_COLOR: senderFields.accentColor.optional(),
  /** Email replies caught in this mailbox (docs/replies.md), e.g. imaps://replies%40agency.com:app-password@imap.gmail.com/INBOX. */
  ONWARD_IMAP_URL: imapUrl.optional(),
  /** XOAUTH2 instead of the URL's password (docs/replies.md): the token endpoint and the app registered with it ... */
  ONWARD_IMAP_OAUTH_TOKEN_URL: tokenUrl.optional(),
  ONWARD_IMAP_OAUTH_CLIENT_ID: z.string().min(1).optional(),
  ONWARD_IMAP_OAUTH_CLIENT_SECRET: z.string().min(1).optional(),
  /** ... a refresh token (Gmail, Microsoft 365 delegated) or none: client credentials (Microsoft 365 app-only) ... */
  ONWARD_IMAP_OAUTH_REFRESH_TOKEN: z.string().min(1).optional(),
  /** ... and the scope asked for, e.g. https://outlook.office365.com/.default. */
  ONWARD_IMAP_OAUTH_SCOPE: z.string().min(1).optional(),
});

type ParsedWorkerConfig = z.output<typeof workerConfigSchema>;

export type WorkerConfig = Omit<ParsedWorkerConfig, 'TEMPORAL_ADDRESS' | 'TEMPORAL_NAMESPACE'> & {
  /** The Temporal address and namespace in effect (from the variables, a config-file profile or the defaults). */
  TEMPORAL_ADDRESS: string;
  TEMPORAL_NAMESPACE: string;
  /** Everything needed to connect to Temporal; absent in hand-built configs, which then connect without TLS. */
  temporal?: TemporalSettings;
  /** The sender identities, read and checked with the rest; absent in hand-built configs: "Onward" for everyone. */
  senders?: SenderDirectory;
};

/** Reads the configuration; a bad or missing setting is named with what is wrong, and secrets are never echoed. */
export function readWorkerConfig(environment: NodeJS.ProcessEnv = process.env): WorkerConfig {
  // Compose passes `${VAR:-}` as an empty string: empty means unset.
  const present = Object.fromEntries(Object.entries(environment).filter(([, value]) => value !== undefined && value !== ''));
  const parsed = workerConfigSchema.safeParse(present);
  const problems: ConfigProblem[] = parsed.success
    ? []
    : parsed.error.issues.map((issue) => ({ setting: issue.path.join('.'), problem: issue.message }));

  const temporal = resolveTemporalSettings(environment);
  // The address is checked in both places: report it once.
  const reported = new Set(problems.map(({ setting, problem }) => `${setting}: ${problem}`));
  problems.push(...temporal.problems.filter(({ setting, problem }) => !reported.has(`${setting}: ${problem}`)));

  const senders = parsed.success ? readSenderDirectory(parsed.data) : undefined;
  if (senders) problems.push(...senders.problems);
  if (parsed.success) {
    if (parsed.data.ONWARD_GOOGLE_ACCOUNT && !parsed.data.ONWARD_GOOGLE_CREDENTIALS_DIR) {
      problems.push({ setting: 'ONWARD_GOOGLE_ACCOUNT', problem: 'needs ONWARD_GOOGLE_CREDENTIALS_DIR, the directory its credentials are in' });
    }
    const { ONWARD_PUBLIC_URL: publicUrl, ONWARD_UNSUBSCRIBE_SECRET: secret } = parsed.data;
    if (!publicUrl !== !secret) {
      problems.push(
        publicUrl
          ? { setting: 'ONWARD_UNSUBSCRIBE_SECRET', problem: 'is required with ONWARD_PUBLIC_URL: it signs the unsubscribe links' }
          : { setting: 'ONWARD_PUBLIC_URL', problem: 'is required with ONWARD_UNSUBSCRIBE_SECRET: the unsubscribe links point at it' },
      );
    }
    problems.push(...imapOAuthProblems(parsed.data));
    for (const variable of ['ONWARD_WORKFLOW_BUNDLE', 'ONWARD_TEMPLATES_DIR', 'ONWARD_GOOGLE_CREDENTIALS_DIR'] as const) {
      const file = parsed.data[variable];
      if (file === undefined) continue;
      try {
        accessSync(file, constants.R_OK);
      } catch {
        problems.push({ setting: variable, problem: `${file} does not exist or cannot be read` });
      }
    }
  }

  if (!parsed.success || !temporal.settings || problems.length > 0) throw ConfigError.of('Invalid worker configuration', problems);
  return {
    ...parsed.data,
    TEMPORAL_ADDRESS: temporal.settings.address,
    TEMPORAL_NAMESPACE: temporal.settings.namespace,
    temporal: temporal.settings,
    ...(senders ? { senders: senders.directory } : {}),
  };
}

const IMAP_OAUTH_VARIABLES = [
  'ONWARD_IMAP_OAUTH_TOKEN_URL',
  'ONWARD_IMAP_OAUTH_CLIENT_ID',
  'ONWARD_IMAP_OAUTH_CLIENT_SECRET',
  'ONWARD_IMAP_OAUTH_REFRESH_TOKEN',
  'ONWARD_IMAP_OAUTH_SCOPE',
] as const;

/** The IMAP login settings that only make sense together: a password or XOAUTH2, and each grant's fields. */
function imapOAuthProblems(config: ParsedWorkerConfig): ConfigProblem[] {
  const imapUrl = config.ONWARD_IMAP_URL;
  const hasPassword = imapUrl !== undefined && new URL(imapUrl).password !== '';
  const oauthSet = IMAP_OAUTH_VARIABLES.filter((variable) => config[variable] !== undefined);
  if (oauthSet.length === 0) {
    return imapUrl && !hasPassword
      ? [{ setting: 'ONWARD_IMAP_URL', problem: 'needs a user name and a password (or app password), or ONWARD_IMAP_OAUTH_TOKEN_URL and its companions for XOAUTH2' }]
      : [];
  }
  const problems: ConfigProblem[] = [];
  const need = (setting: string, problem: string) => problems.push({ setting, problem });
  if (!imapUrl) need('ONWARD_IMAP_URL', `is required with ${oauthSet[0]}: it names the server, the mailbox and the user, e.g. imaps://replies%40agency.com@outlook.office365.com/INBOX`);
  else if (hasPassword) need('ONWARD_IMAP_URL', 'has a password, but ONWARD_IMAP_OAUTH_* logs in with a token: leave the password out (imaps://user@host/INBOX)');
  if (!config.ONWARD_IMAP_OAUTH_TOKEN_URL) need('ONWARD_IMAP_OAUTH_TOKEN_URL', `is required with ${oauthSet[0]}: the token endpoint, e.g. https://oauth2.googleapis.com/token`);
  if (!config.ONWARD_IMAP_OAUTH_CLIENT_ID) need('ONWARD_IMAP_OAUTH_CLIENT_ID', 'is required for XOAUTH2: the app (client) id registered with the provider');
  if (!config.ONWARD_IMAP_OAUTH_REFRESH_TOKEN) {
    // No refresh token means the client-credentials grant, which authenticates the app itself and names what it wants.
    if (!config.ONWARD_IMAP_OAUTH_CLIENT_SECRET) need('ONWARD_IMAP_OAUTH_CLIENT_SECRET', 'is required without ONWARD_IMAP_OAUTH_REFRESH_TOKEN (client-credentials grant)');
    if (!config.ONWARD_IMAP_OAUTH_SCOPE) need('ONWARD_IMAP_OAUTH_SCOPE', 'is required without ONWARD_IMAP_OAUTH_REFRESH_TOKEN (client-credentials grant), e.g. https://outlook.office365.com/.default');
  }
  return problems;
}

/** The XOAUTH2 settings of a checked configuration; undefined when the IMAP login is by password. */
export function imapOAuthSettingsOf(config: WorkerConfig): ImapOAuthSettings | undefined {
  const { ONWARD_IMAP_OAUTH_TOKEN_URL: tokenUrl, ONWARD_IMAP_OAUTH_CLIENT_ID: clientId } = config;
  if (!tokenUrl || !clientId) return undefined;
  return {
    tokenUrl,
    clientId,
    ...(config.ONWARD_IMAP_OAUTH_CLIENT_SECRET ? { clientSecret: config.ONWARD_IMAP_OAUTH_CLIENT_SECRET } : {}),
    ...(config.ONWARD_IMAP_OAUTH_REFRESH_TOKEN ? { refreshToken: config.ONWARD_IMAP_OAUTH_REFRESH_TOKEN } : {}),
    ...(config.ONWARD_IMAP_OAUTH_SCOPE ? { scope: config.ONWARD_IMAP_OAUTH_SCOPE } : {}),
  };
}

/** A mail server URL (SMTP, IMAP) without its password, for logs; one that does not parse is not shown at all. */
export function redactUrl(url: string): string {
  if (!URL.canParse(url)) return '(a URL that does not parse; not shown)';
  const parsed = new URL(url);
  if (parsed.password) parsed.password = '***';
  return parsed.toString();
}
