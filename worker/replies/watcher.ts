import type { Client } from '@temporalio/client';
import { ImapFlow } from 'imapflow';
import type { ImapMailbox } from './imap-mailbox';
import { MessageIdIndex } from './match';
import type { AccessTokenSource } from './oauth-token';
import { recordReply, runningSequences } from './reply';

/** The keyword a recorded reply gets in the mailbox (where the server keeps keywords): it is not looked at again. */
export const RECORDED_KEYWORD = '$OnwardRecorded';

export interface ReplyWatcherOptions {
  mailbox: ImapMailbox;
  client: Client;
  /** The domain of Onward's Message-IDs: ONWARD_FROM's (activities/message-id.ts). */
  domain: string;
  log: (line: string) => void;
  /** Present: the login is XOAUTH2 with a token from here, fetched before each (re)connect; absent: the URL's password. */
  accessToken?: AccessTokenSource;
  /** Besides IMAP IDLE, the mailbox is checked this often (some servers drop an idle connection silently). */
  checkEveryMs?: number;
  /** On start, replies this recent are looked at: a worker that was down catches up. */
  lookbackMs?: number;
  /** Reconnection after a failure: the first wait, doubled each time up to the last. */
  retry?: { initialMs: number; maxMs: number };
}

export interface ReplyWatcher {
  stop(): Promise<void>;
}

const DAY_MS = 86_400_000;

/**
 * Email replies for SMTP users (docs/replies.md): one IMAP connection per worker, idling on the mailbox replies
 * reach. Each new message that answers one of a running sequence's messages is handed to that sequence (./reply);
 * connection failures are retried with backoff and logged without the password.
 */
export function startReplyWatcher(options: ReplyWatcherOptions): ReplyWatcher {
  const { mailbox, client, domain, log } = options;
  const checkEveryMs = options.checkEveryMs ?? 5 * 60_000;
  const lookbackMs = options.lookbackMs ?? 30 * DAY_MS;
  const retry = options.retry ?? { initialMs: 1_000, maxMs: 5 * 60_000 };
  const index = new MessageIdIndex(domain);
  let stopped = false;
  let connection: ImapFlow | undefined;
  let wake: (() => void) | undefined;
  // Set by new mail (or a closed connection) that came while no pause was waiting: the next pause ends at once.
  let woken = false;
  let delay = retry.initialMs;
  // The highest UID looked at, for the mailbox's UIDVALIDITY: a new connection carries on from there.
  let seen = { uidValidity: -1n, uid: 0 };

  const pause = (ms: number) =>
    new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, woken || stopped ? 0 : ms);
      wake = () => {
        clearTimeout(timer);
        resolve();
      };
    }).finally(() => {
      wake = undefined;
      woken = false;
    });
  const nudge = () => {
    woken = true;
    wake?.();
  };

  /** Looks at the messages that arrived since the last check and might answer Onward's messages. */
  async function check(imap: ImapFlow): Promise<void> {
    let refreshed = false;
    const refreshIndex = async () => {
      if (refreshed) return;
      refreshed = true;
      index.add(await runningSequences(client));
    };
    const fresh = seen.uid === 0;
    const uids = await imap.search(
      {
        uid: `${seen.uid + 1}:*`,
        ...(fresh ? { since: new Date(Date.now() - lookbackMs) } : {}),
        unKeyword: RECORDED_KEYWORD,
        or: [{ header: { 'in-reply-to': `@${domain}` } }, { header: { references: `@${domain}` } }],
      },
      { uid: true },
    );
    for (const uid of (uids || []).filter((found) => found > seen.uid).sort((a, b) => a - b)) {
      const message = await imap.fetchOne(String(uid), { source: true }, { uid: true });
      if (message && message.source) {
        const outcome = await recordReply(message.source, { client, index, refreshIndex });
        if (outcome.recorded) {
          await imap.messageFlagsAdd(String(uid), [RECORDED_KEYWORD], { uid: true });
          log(`IMAP reply capture: message ${uid} is a reply to ${outcome.step} of ${outcome.workflowId}: recorded`);
        } else {
          log(`IMAP reply capture: message ${uid} left alone: ${outcome.reason}`);
        }
      }
      seen = { ...seen, uid };
    }
  }

  // The access token in use, kept only to be blotted out of error messages.
  let token = '';

  async function watch(): Promise<void> {
    token = options.accessToken ? await options.accessToken.token() : '';
    const imap = new ImapFlow({
      host: mailbox.host,
      port: mailbox.port,
      secure: mailbox.secure,
      auth: options.accessToken ? { user: mailbox.user, accessToken: token } : { user: mailbox.user, pass: mailbox.password },
      logger: false,
    });
    connection = imap;
    // A broken connection surfaces as 'close' (and a failed command): the loop below reconnects.
    imap.on('error', () => undefined);
    imap.on('close', nudge);
    imap.on('exists', nudge);
    await imap.connect();
    const lock = await imap.getMailboxLock(mailbox.folder);
    try {
      const uidValidity = imap.mailbox ? imap.mailbox.uidValidity : -1n;
      if (uidValidity !== seen.uidValidity) seen = { uidValidity, uid: 0 };
      log(`IMAP reply capture: watching ${mailbox.description} for replies to messages from @${domain}`);
      delay = retry.initialMs;
      while (!stopped && imap.usable) {
        await check(imap);
        await pause(checkEveryMs);
      }
      if (!stopped) throw new Error('the connection closed');
    } finally {
      lock.release();
    }
  }

  const running = (async () => {
    while (!stopped) {
      try {
        await watch();
      } catch (error) {
        if (stopped) break;
        // A refused token may have been revoked or expired early: the next attempt asks for a new one.
        if ((error as { authenticationFailed?: boolean }).authenticationFailed) options.accessToken?.forget();
        log(`IMAP reply capture: ${mailbox.description}: ${describeError(error, [mailbox.password, token])}; trying again in ${delay < 1000 ? `${delay} ms` : `${Math.round(delay / 1000)} s`}`);
        await pause(delay);
        delay = Math.min(delay * 2, retry.maxMs);
      } finally {
        connection?.close();
      }
    }
  })();

  return {
    async stop() {
      stopped = true;
      nudge();
      connection?.close();
      await running;
    },
  };
}

/** An IMAP, OAuth or Temporal error in one line, never with the password or token (servers may echo what they were sent). */
function describeError(error: unknown, secrets: string[]): string {
  const { message, responseText, oauthError } = error as { message?: string; responseText?: string; oauthError?: { status?: unknown } };
  // XOAUTH2 refusals carry the server's reason as JSON, e.g. {"status":"401"} or {"status":"invalid_token"}.
  const reason = typeof oauthError?.status === 'string' ? ` (the server refused the access token: status ${oauthError.status})` : '';
  const text = `${message ?? String(error)}${responseText && !message?.includes(responseText) ? ` (${responseText})` : ''}${reason}`;
  return secrets.filter(Boolean).reduce((redacted, secret) => redacted.split(secret).join('***'), text);
}
