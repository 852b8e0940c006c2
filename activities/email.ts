import { ApplicationFailure } from '@temporalio/activity';
import type { NodemailerError } from 'nodemailer/lib/errors';
import type { Draft, EmailRequest, SentEmail } from '../workflows/email-request';
import { PERMANENT_FAILURE } from '../workflows/failures';
import { checkInInvitation, invitationUid } from './ics';
import type { Mailer } from './mailer';
import { messageIdDomainOf, messageIdFor } from './message-id';
import { shippedEmailLayout, type EmailLayout } from './email-layout';
import { createSenderDirectory, type SenderDirectory, type SenderIdentity } from './sender-identity';
import { keepSentMessage } from './outcomes';
import type { OutcomesStore } from './outcomes-store';
import { refuseSuppressed, type SuppressionList } from './suppression';
import { cleanSubject, textToHtml, type RenderedEmail, type Templates } from './templates';
import { actionLinks } from './action-links';
import { listUnsubscribeHeaders, unsubscribeUrl, type UnsubscribeLinks } from './unsubscribe-token';

export interface EmailDependencies {
  mailer: Mailer;
  templates: Templates;
  /** The address every message is sent from; its domain names the Message-IDs. */
  fromAddress: string;
  /** Addresses that opted out, checked right before every send; absent, nobody is suppressed. */
  suppressions?: SuppressionList;
  /** Signed one-click unsubscribe links and action links on the candidate's emails (RFC 8058); absent, none. */
  unsubscribe?: UnsubscribeLinks;
  /** This worker's activities are rate limited (docs/production.md): sends must go through the task queue. */
  sendingRateLimited?: boolean;
  /** The compiled email layout (loadEmailLayout, at worker start); absent, the shipped one, compiled once here. */
  layout?: EmailLayout;
  /** Who the candidate's emails come from, per tenant (docs/senders.md); absent, "Onward" as before. */
  senders?: SenderDirectory;
  /** The outcomes ledger (activities/outcomes-store.ts): the text of each sent message; absent, nothing is kept. */
  outcomes?: OutcomesStore;
}

/** Onward writes to the candidate in its own name; messages to others speak for the candidate, who gets their replies. */
export const isToCandidate = (request: EmailRequest): boolean => request.replyTo === undefined;

/** Renders a message, with a person's edits (from an approval) taking the place of the template's words. */
export function renderRequest(templates: Templates, request: EmailRequest): RenderedEmail {
  const rendered = templates.render(request.kind, request.vars);
  const subject = request.edits?.subject ? cleanSubject(request.edits.subject) : rendered.subject;
  if (!request.edits?.text) return { ...rendered, subject };
  return { subject, text: request.edits.text, html: textToHtml(request.edits.text) };
}

function isNodemailerError(error: unknown): error is NodemailerError {
  return error instanceof Error && ('responseCode' in error || 'code' in error);
}

/** SMTP 5xx for the message or its recipient is permanent; 4xx, network and auth trouble are retried. */
export function classifySendError(error: unknown): Error {
  if (isNodemailerError(error) && error.permanent === true && error.code !== 'EAUTH') {
    const reply = error.response ?? error.message;
    return ApplicationFailure.create({ message: `permanently refused: ${reply}`, type: PERMANENT_FAILURE, nonRetryable: true });
  }
  return error instanceof Error ? error : new Error(String(error));
}

/** The calendar invitation a message carries (check-ins with the `ics` channel), for nodemailer's `icalEvent`. */
export function invitationFor(request: EmailRequest, rendered: RenderedEmail, organizer: { name: string; email: string }, domain: string) {
  if (!request.invite) return undefined;
  const content = checkInInvitation({
    uid: invitationUid(request.sequenceId, request.key, domain),
    startsAt: request.invite.startsAt,
    minutes: request.invite.minutes,
    timezone: request.invite.timezone,
    summary: rendered.subject,
    description: rendered.text,
    organizer,
    attendee: { name: request.to.name, email: request.to.email },
  });
  return { method: 'REQUEST', filename: 'check-in.ics', content };
}

export function createEmailActivities({ mailer, templates, fromAddress, suppressions, unsubscribe, sendingRateLimited, layout, senders = createSenderDirectory(), outcomes }: EmailDependencies) {
  const domain = messageIdDomainOf(fromAddress);
  const layoutReady = (): Promise<EmailLayout> => (layout ? Promise.resolve(layout) : shippedEmailLayout());

  /** The message as sent: the candidate's in her sender's layout with its footer links, the others plain and personal. */
  async function compose(request: EmailRequest, sender: SenderIdentity | undefined): Promise<{ body: RenderedEmail; email: RenderedEmail; unsubscribeLink?: string }> {
    const body = renderRequest(templates, request);
    const frame = await layoutReady();
    if (!sender) return { body, email: frame.personalEmail(body) };
    const locale = request.vars.locale;
    if (!unsubscribe) return { body, email: frame.candidateEmail(body, { sender, locale }) };
    const now = Date.now();
    const claims = { email: request.to.email, sequenceId: request.sequenceId, locale };
    const unsubscribeLink = unsubscribeUrl(unsubscribe, claims, now);
    // The links are made here, at send time, never in a draft: their tokens stay out of the workflow's history.
    const actions = actionLinks(unsubscribe, { kind: request.kind, sequenceId: request.sequenceId, locale }, now);
    return { body, email: frame.candidateEmail(body, { sender, unsubscribeUrl: unsubscribeLink, actions, locale }), unsubscribeLink };
  }

  /** Sends one message with its deterministic Message-ID, threaded under `inReplyTo` when given. */
  async function sendEmail(request: EmailRequest): Promise<SentEmail> {
    await refuseSuppressed(suppressions, request);
    const messageId = messageIdFor(request.sequenceId, request.key, domain);
    // Looked up per send by tenant, never stored in the workflow: a changed sender applies to the next email (docs/senders.md).
    const sender = isToCandidate(request) ? senders.identityFor(request.sequenceId) : undefined;
    const { body, email, unsubscribeLink } = await compose(request, sender);
    const { subject, text, html } = email;
    const fromName = sender?.name ?? request.fromName;
    const icalEvent = invitationFor(request, body, { name: fromName, email: fromAddress }, domain);
    const listHeaders = unsubscribeLink ? listUnsubscribeHeaders(unsubscribeLink) : {};
    const replyTo = request.replyTo ?? (sender?.replyTo ? { name: sender.name, email: sender.replyTo } : undefined);
    let report;
    try {
      report = await mailer.send({
        from: { name: fromName, address: fromAddress },
        to: { name: request.to.name, address: request.to.email },
        replyTo: replyTo ? { name: replyTo.name, address: replyTo.email } : undefined,
        subject,
        text,
        html,
        messageId,
        inReplyTo: request.inReplyTo,
        references: request.inReplyTo ? [request.inReplyTo] : undefined,
        // Messages in the candidate's name carry no X-Onward-* header: only Onward's own say which step they are.
        headers: isToCandidate(request) ? { 'X-Onward-Step': request.key, ...listHeaders } : {},
        ...(icalEvent ? { icalEvent } : {}),
      });
    } catch (error) {
      throw classifySendError(error);
    }
    if (report.rejected.length > 0) {
      throw ApplicationFailure.create({
        message: `permanently refused: the server rejected the recipient (${report.response})`,
        type: PERMANENT_FAILURE,
        nonRetryable: true,
      });
    }
    // The words the recipient read, without the layout's footer (its links carry signed tokens).
    await keepSentMessage(outcomes, request, { subject, text: body.text });
    return { messageId };
  }

  return {
    /** Renders a draft for a person to approve, edit or skip. */
    composeEmail(request: EmailRequest): Promise<Draft> {
      const { subject, text } = renderRequest(templates, request);
      return Promise.resolve({ subject, text });
    },

    sendEmail,

    /**
     * `sendEmail` as a local activity, inside the workflow task: one history event instead of six. Local activities
     * escape the activity rate limits, so a rate-limited worker sends nothing here (null) and the workflow queues it.
     */
    sendEmailUnlessRateLimited(request: EmailRequest): Promise<SentEmail | null> {
      return sendingRateLimited ? Promise.resolve(null) : sendEmail(request);
    },
  };
}
