import { createHash } from 'node:crypto';
import type { Client } from '@temporalio/client';
import { simpleParser } from 'mailparser';
import { htmlToText, stripQuotedReply } from '../../activities/reply-text';
import { act, ActionRefusedError } from '../../client/actions';
import { rejectionIdOf, replyUpdate, WORKFLOW_TYPE } from '../../workflows/definitions';
import { MAX_FROM, MAX_TEXT } from '../../workflows/updates';
import { referencedIds, type MessageIdIndex } from './match';

/** What became of one message of the watched mailbox. */
export type ReplyOutcome = { recorded: true; workflowId: string; step: string } | { recorded: false; reason: string };

export interface ReplyContext {
  client: Client;
  index: MessageIdIndex;
  /** Indexes the sequences started since the index was last filled (at most once per check of the mailbox). */
  refreshIndex: () => Promise<void>;
}

/** The running sequences' workflow ids (Temporal visibility): their Message-IDs are what replies refer to. */
export async function runningSequences(client: Client): Promise<string[]> {
  const ids: string[] = [];
  for await (const run of client.workflow.list({ query: `WorkflowType = '${WORKFLOW_TYPE}' AND ExecutionStatus = 'Running'` })) ids.push(run.workflowId);
  return ids;
}

/**
 * One message of the watched mailbox: when it answers a message of a running sequence, its new text goes to that
 * sequence (the `reply` update, the same path as every action). Transient trouble (Temporal unreachable) throws.
 */
export async function recordReply(source: Buffer, context: ReplyContext): Promise<ReplyOutcome> {
  const mail = await simpleParser(source);
  const referenced = referencedIds(mail.inReplyTo, mail.references);
  let replied = context.index.find(referenced);
  if (!replied) {
    await context.refreshIndex();
    replied = context.index.find(referenced);
  }
  if (!replied) return { recorded: false, reason: 'it answers no message of a running sequence' };
  const from = mail.from?.value[0]?.address;
  if (!from) return { recorded: false, reason: 'it has no sender address' };
  const text = stripQuotedReply(mail.text ?? htmlToText(typeof mail.html === 'string' ? mail.html : '')).slice(0, MAX_TEXT);
  if (!text) return { recorded: false, reason: 'it has no text of its own' };
  // A reply without a Message-ID (rare) is known by its content, so seeing it twice still records it once.
  const messageId = mail.messageId ?? `<${createHash('sha256').update(source).digest('hex').slice(0, 32)}@reply.invalid>`;
  try {
    await act(context.client, { workflowId: replied.workflowId, rejectionId: rejectionIdOf(replied.workflowId) }, replyUpdate, {
      step: replied.step,
      messageId: messageId.slice(0, MAX_FROM),
      from: from.slice(0, MAX_FROM),
      text,
    });
  } catch (error) {
    if (!(error instanceof ActionRefusedError)) throw error;
    // Recorded before (the same reply seen again): done, as the first time.
    if (error.field !== 'messageId') return { recorded: false, reason: error.message };
  }
  return { recorded: true, ...replied };
}
