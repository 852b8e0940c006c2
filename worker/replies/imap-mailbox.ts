import { redactUrl } from '../config';

/** The mailbox replies reach: the candidate's own, or a shared one the Reply-To points at (docs/replies.md). */
export interface ImapMailbox {
  host: string;
  port: number;
  /** imaps: TLS from the start (993); imap: STARTTLS when the server offers it (143). */
  secure: boolean;
  user: string;
  password: string;
  /** The folder watched, INBOX unless the URL names another. */
  folder: string;
  /** The URL without its password, for logs. */
  description: string;
}

/** ONWARD_IMAP_URL, e.g. imaps://replies%40agency.com:app-password@imap.gmail.com/INBOX (checked by worker/config.ts). */
export function imapMailboxFrom(url: string): ImapMailbox {
  const parsed = new URL(url);
  const secure = parsed.protocol === 'imaps:';
  return {
    host: parsed.hostname,
    port: Number(parsed.port) || (secure ? 993 : 143),
    secure,
    user: decodeURIComponent(parsed.username),
    password: decodeURIComponent(parsed.password),
    folder: decodeURIComponent(parsed.pathname.replace(/^\//, '')) || 'INBOX',
    description: redactUrl(url),
  };
}
