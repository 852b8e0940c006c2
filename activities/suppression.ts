import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { ApplicationFailure, log } from '@temporalio/activity';
import { ApplicationFailureCategory } from '@temporalio/common';
import { SUPPRESSED } from '../workflows/failures';

/**
 * The addresses that opted out (any sequence, any channel): never contacted again until removed. Every send checks
 * it right before the message goes out. Addresses are compared lowercased.
 */
export interface SuppressionList {
  isSuppressed(email: string): Promise<boolean>;
  suppress(email: string, reason: string): Promise<void>;
  remove(email: string): Promise<void>;
}

export interface Suppression {
  reason: string;
  suppressedAt: string;
}

export const DEFAULT_SUPPRESSION_FILE = path.join('.onward', 'suppressions.json');

/** The file named by ONWARD_SUPPRESSION_FILE, else `.onward/suppressions.json`. */
export function suppressionFileFrom(environment: { ONWARD_SUPPRESSION_FILE?: string } = process.env): string {
  return environment.ONWARD_SUPPRESSION_FILE || DEFAULT_SUPPRESSION_FILE;
}

const normalise = (email: string) => email.trim().toLowerCase();

/**
 * A suppression list in one JSON file (`{ "address": { reason, suppressedAt } }`), written whole to a temporary file
 * and renamed over the old one, so a reader never sees half a file. Workers and the API must share the file (one
 * machine, or a shared volume); a database-backed store can implement the same interface for more than that.
 * Writes from this process are serialised; the file is re-read on every check, so another process's writes count.
 */
export function createFileSuppressionList(file: string = suppressionFileFrom()): SuppressionList {
  let queue: Promise<unknown> = Promise.resolve();

  async function load(): Promise<Record<string, Suppression>> {
    try {
      const parsed: unknown = JSON.parse(await readFile(file, 'utf8'));
      return parsed && typeof parsed === 'object' && !Array.isArray(parsed) ? (parsed as Record<string, Suppression>) : {};
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return {};
      throw error;
    }
  }

  async function save(entries: Record<string, Suppression>): Promise<void> {
    await mkdir(path.dirname(path.resolve(file)), { recursive: true });
    const temporary = `${file}.${process.pid}.${Date.now()}.tmp`;
    await writeFile(temporary, `${JSON.stringify(entries, null, 2)}\n`, { mode: 0o600 });
    await rename(temporary, file);
  }

  const change = (apply: (entries: Record<string, Suppression>) => boolean): Promise<void> => {
    const next = queue.then(async () => {
      const entries = await load();
      if (apply(entries)) await save(entries);
    });
    queue = next.catch(() => undefined);
    return next;
  };

  return {
    async isSuppressed(email) {
      return Object.hasOwn(await load(), normalise(email));
    },
    suppress(email, reason) {
      return change((entries) => {
        const key = normalise(email);
        if (Object.hasOwn(entries, key)) return false;
        entries[key] = { reason, suppressedAt: new Date().toISOString() };
        return true;
      });
    },
    remove(email) {
      return change((entries) => {
        const key = normalise(email);
        if (!Object.hasOwn(entries, key)) return false;
        delete entries[key];
        return true;
      });
    },
  };
}

/** An in-memory list (tests, and a default that suppresses nothing until told). */
export function createMemorySuppressionList(): SuppressionList {
  const entries = new Map<string, Suppression>();
  return {
    isSuppressed: (email) => Promise.resolve(entries.has(normalise(email))),
    suppress: (email, reason) => {
      if (!entries.has(normalise(email))) entries.set(normalise(email), { reason, suppressedAt: new Date().toISOString() });
      return Promise.resolve();
    },
    remove: (email) => {
      entries.delete(normalise(email));
      return Promise.resolve();
    },
  };
}

/** The activity a sequence runs when its candidate opts out: their address is never contacted again by any sequence. */
export function createSuppressionActivities({ suppressions }: { suppressions?: SuppressionList }) {
  return {
    async suppressAddress({ email, reason }: { email: string; reason: string }): Promise<void> {
      await suppressions?.suppress(email, reason);
    },
  };
}

/** Who a message reaches, and (when it speaks for the candidate) the candidate replies go to. */
export interface Addressed {
  key: string;
  to: { email: string };
  /** Set on messages sent in the candidate's name (to interviewers and recruiters): the candidate. */
  replyTo?: { email: string };
}

/**
 * Fails the send, without retrying, when its recipient is on the list, or when it speaks for a candidate who is:
 * an opted-out candidate gets nothing, and nothing goes out in her name. The workflow records the step as skipped.
 * A refusal is expected, not an error: one line in the worker's log, and a benign failure (no stack trace, no
 * failure metrics).
 */
export async function refuseSuppressed(suppressions: SuppressionList | undefined, message: Addressed): Promise<void> {
  if (!suppressions) return;
  const reason = (await suppressions.isSuppressed(message.to.email))
    ? 'the recipient opted out'
    : message.replyTo && (await suppressions.isSuppressed(message.replyTo.email))
      ? 'the candidate opted out: nothing goes out in her name'
      : undefined;
  if (!reason) return;
  log.info(`${message.key} not sent: ${reason} (suppression list)`);
  throw ApplicationFailure.create({ message: reason, type: SUPPRESSED, nonRetryable: true, category: ApplicationFailureCategory.BENIGN });
}
