import { ApplicationFailure, Context, log } from '@temporalio/activity';
import type { gmail_v1 } from '@googleapis/gmail';
import addressparser from 'nodemailer/lib/addressparser';
import MailComposer from 'nodemailer/lib/mail-composer';
import type { SentEmail } from '../../workflows/email-request';
import type { GmailReply, GmailRequest, ThreadWatch } from '../../workflows/google';
import type { StepKind } from '../../workflows/steps';
import { classifySendError, renderRequest } from '../email';
import type { Mailer } from '../mailer';
import { messageIdDomainOf, messageIdFor } from '../message-id';
import { keepSentMessage } from '../outcomes';
import type { OutcomesStore } from '../outcomes-store';
import { refuseSuppressed, type SuppressionList } from '../suppression';
import type { RenderedEmail, Templates } from '../templates';
import { SCOPES, type GoogleAccount } from './accounts';
import { call, failure, gmailFor, requireGoogle, type GoogleDependencies } from './clients';
import { errorDetails, isRateLimit } from './errors';
import { htmlToText, stripQuotedReply } from '../reply-text';

export interface GmailDependencies {
  google?: GoogleDependencies;
  mailer: Mailer;
  templates: Templates;
  /** Onward's own address: it names the Message-IDs, and the draft notices to the candidate come from it. */
  fromAddress: string;
  /** Addresses that opted out, checked right before every send and draft. */
  suppressions?: SuppressionList;
  /** The outcomes ledger: the text of each message sent; absent, nothing is kept. */
  outcomes?: OutcomesStore;
}

/** "<id@domain>" → "id@domain", as Gmail's `rfc822msgid:` search takes it. */
const bare = (messageId: string) => messageId.replace(/^<|>$/g, '');

/**
 * The message exactly as SMTP would carry it (same templates, same Message-ID, same threading headers), except that
 * it comes from the candidate's own mailbox, so no Reply-To is needed, and it carries no X-Onward-* header: it is hers.
 * Base64url, as `users.messages.send` takes it.
 */
export async function composeRaw(request: GmailRequest, rendered: RenderedEmail, mailbox: string, messageId: string): Promise<string> {
  const composer = new MailComposer({
    from: { name: request.fromName, address: mailbox },
    to: { name: request.to.name, address: request.to.email },
    subject: rendered.subject,
    text: rendered.text,
    html: rendered.html,
    messageId,
    ...(request.inReplyTo ? { inReplyTo: request.inReplyTo, references: [request.inReplyTo] } : {}),
  });
  const raw = await composer.compile().build();
  return raw.toString('base64url');
}

const DESCRIPTIONS: Partial<Record<StepKind, string>> = {
  'thank-you': 'thank-you note',
  'feedback-request': 'request for feedback',
  'feedback-reminder': 'reminder about the feedback request',
  'other-openings': 'question about other openings',
  touchpoint: 'keeping-in-touch note',
};

/** The candidate hears that a draft waits for them; from Onward's address, on the deployment's mailer. */
function draftNotice(request: GmailRequest, rendered: RenderedEmail, domain: string, fromAddress: string) {
  const what = DESCRIPTIONS[request.kind] ?? 'message';
  const text = [
    `Hi ${request.vars.candidate.firstName},`,
    '',
    `Your ${what} to ${request.to.name} is ready in your Gmail drafts:`,
    '',
    `  Subject: ${rendered.subject}`,
    '',
    'Read it over, change anything you like, and send it when it feels right: https://mail.google.com/mail/#drafts',
    '',
    'Onward',
    '',
  ].join('\n');
  const key = `${request.key}:draft-ready`;
  return {
    from: { name: 'Onward', address: fromAddress },
    to: { name: request.vars.candidate.name, address: request.google.mailbox },
    subject: `Ready in your Gmail drafts: ${rendered.subject}`,
    text,
    messageId: messageIdFor(request.sequenceId, key, domain),
    headers: { 'X-Onward-Step': key },
  };
}

export function createGmailActivities({ google, mailer, templates, fromAddress, suppressions, outcomes }: GmailDependencies) {
  const domain = messageIdDomainOf(fromAddress);
  const accountFor = (request: { google: GmailRequest['google'] }, scopes: readonly string[]) =>
    requireGoogle(google).accounts.account(request.google.account, request.google.mailbox, scopes);

  /** After a retry, the message may already be in the mailbox: Gmail finds it by its Message-ID. */
  async function alreadySent(request: GmailRequest, messageId: string, sender: GoogleAccount): Promise<gmail_v1.Schema$Message | undefined> {
    const reader = accountFor(request, [SCOPES.gmailReadonly]);
    const api = gmailFor(reader, google?.rootUrl);
    try {
      const found = await api.users.messages.list({ userId: 'me', q: `rfc822msgid:${bare(messageId)}`, includeSpamTrash: true, maxResults: 1 });
      return found.data.messages?.[0];
    } catch (error) {
      const details = errorDetails(error);
      // Searching needs gmail.readonly: without it, the retry goes ahead (at least once rather than never).
      if (details.status === 403 && !isRateLimit(details)) {
        log.warn(`Gmail: cannot check whether ${request.key} already went out (no gmail.readonly for "${sender.name}"): sending again`);
        return undefined;
      }
      throw failure(reader, `checking whether ${request.key} already went out`, error);
    }
  }

  return {
    /** Sends one message from the candidate's Gmail, in the thread it follows up; a retry never sends it twice. */
    async sendWithGmail(request: GmailRequest): Promise<SentEmail> {
      const account = accountFor(request, [SCOPES.gmailSend]);
      const api = gmailFor(account, google?.rootUrl);
      const messageId = messageIdFor(request.sequenceId, request.key, domain);
      const rendered = renderRequest(templates, request);
      if (Context.current().info.attempt > 1) {
        const sent = await alreadySent(request, messageId, account);
        if (sent) {
          // The attempt that sent it may have died before keeping its text: keeping is idempotent.
          await keepSentMessage(outcomes, request, rendered);
          return { messageId, ...(sent.threadId ? { threadId: sent.threadId } : {}) };
        }
      }
      await refuseSuppressed(suppressions, request);
      const raw = await composeRaw(request, rendered, account.mailbox, messageId);
      const response = await call(account, `sending ${request.key} with Gmail`, () =>
        api.users.messages.send({ userId: 'me', requestBody: { raw, ...(request.threadId ? { threadId: request.threadId } : {}) } }),
      );
      await keepSentMessage(outcomes, request, rendered);
      return { messageId, ...(response.data.threadId ? { threadId: response.data.threadId } : {}) };
    },

    /** Draft mode: the message waits in the candidate's Gmail drafts, and the candidate hears that it is there. */
    async draftInGmail(request: GmailRequest): Promise<SentEmail> {
      const account = accountFor(request, [SCOPES.gmailCompose]);
      const api = gmailFor(account, google?.rootUrl);
      const messageId = messageIdFor(request.sequenceId, request.key, domain);
      const rendered = renderRequest(templates, request);
      let draft: gmail_v1.Schema$Draft | undefined;
      if (Context.current().info.attempt > 1) {
        const found = await call(account, `looking for the draft of ${request.key}`, () =>
          api.users.drafts.list({ userId: 'me', q: `rfc822msgid:${bare(messageId)}`, maxResults: 1 }),
        );
        draft = found.data.drafts?.[0];
      }
      if (!draft) {
        await refuseSuppressed(suppressions, request);
        const raw = await composeRaw(request, rendered, account.mailbox, messageId);
        const created = await call(account, `creating the Gmail draft of ${request.key}`, () =>
          api.users.drafts.create({ userId: 'me', requestBody: { message: { raw, ...(request.threadId ? { threadId: request.threadId } : {}) } } }),
        );
        draft = created.data;
      }
      if (!draft.id) throw new Error(`Gmail created the draft of ${request.key} without an id: retrying`);
      try {
        await mailer.send(draftNotice(request, rendered, domain, fromAddress));
      } catch (error) {
        throw classifySendError(error);
      }
      const threadId = draft.message?.threadId ?? undefined;
      return { messageId, draftId: draft.id, ...(threadId ? { threadId } : {}) };
    },

    /**
     * Watches a thread until someone in `from` replies, checking every `pollEveryMs` and heartbeating in between; the
     * workflow cancels it when the wait ends. Transient trouble (rate limits, outages) waits for the next check.
     */
    async watchGmailThread(watch: ThreadWatch): Promise<GmailReply> {
      const context = Context.current();
      const account = requireGoogle(google).accounts.account(watch.google.account, watch.google.mailbox, [SCOPES.gmailReadonly]);
      const api = gmailFor(account, google?.rootUrl);
      const from = new Set(watch.from.map((address) => address.toLowerCase()));
      const heartbeatEvery = Math.max(500, Math.floor((context.info.heartbeatTimeoutMs ?? 60_000) / 3));
      for (;;) {
        context.heartbeat();
        try {
          const thread = await call(account, 'checking the feedback thread for a reply', () =>
            api.users.threads.get({ userId: 'me', id: watch.threadId, format: 'full' }, { signal: context.cancellationSignal }),
          );
          const reply = replyIn(thread.data, from);
          if (reply) return reply;
        } catch (error) {
          if (context.cancellationSignal.aborted) throw error;
          if (error instanceof ApplicationFailure) throw error;
          log.warn(`Gmail reply detection: ${(error as Error).message}; checking again later`);
        }
        for (let waited = 0; waited < watch.pollEveryMs; waited += heartbeatEvery) {
          await context.sleep(Math.min(heartbeatEvery, watch.pollEveryMs - waited));
          context.heartbeat();
        }
      }
    },
  };
}

const header = (message: gmail_v1.Schema$Message, name: string): string | undefined =>
  message.payload?.headers?.find((entry) => entry.name?.toLowerCase() === name.toLowerCase())?.value ?? undefined;

/** The first message in the thread from one of `from` (not a draft, not one of the candidate's own), as text. */
export function replyIn(thread: gmail_v1.Schema$Thread, from: Set<string>): GmailReply | undefined {
  for (const message of thread.messages ?? []) {
    if (message.labelIds?.some((label) => label === 'DRAFT' || label === 'SENT')) continue;
    const sender = addressparser(header(message, 'From') ?? '', { flatten: true })[0];
    if (!sender?.address || !from.has(sender.address.toLowerCase())) continue;
    const body = bodyOf(message.payload);
    const text = stripQuotedReply(body ?? message.snippet ?? '');
    if (!text) continue;
    return { text, from: sender.name || sender.address, gmailId: message.id ?? '' };
  }
  return undefined;
}

const decode = (data: string | null | undefined) => (data ? Buffer.from(data, 'base64url').toString('utf8') : undefined);

/** The plain-text body of a message part tree (or its HTML as text when there is no plain text). */
function bodyOf(part: gmail_v1.Schema$MessagePart | undefined): string | undefined {
  if (!part) return undefined;
  const find = (node: gmail_v1.Schema$MessagePart, mimeType: string): string | undefined => {
    if (node.mimeType === mimeType && node.body?.data && !node.filename) return decode(node.body.data);
    for (const child of node.parts ?? []) {
      const found = find(child, mimeType);
      if (found !== undefined) return found;
    }
    return undefined;
  };
  const plain = find(part, 'text/plain');
  if (plain !== undefined) return plain;
  const html = find(part, 'text/html');
  return html === undefined ? undefined : htmlToText(html);
}
