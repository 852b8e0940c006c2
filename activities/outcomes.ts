import { log } from '@temporalio/activity';
import type { EmailRequest } from '../workflows/email-request';
import type { RecipientRole, SequenceRecord, Transition } from '../workflows/transitions';
import type { OutcomesStore } from './outcomes-store';

/** What a sequence hands the ledger at a transition: its own row the first time, then the transitions not yet written. */
export interface OutcomesWrite {
  workflowId: string;
  sequence?: SequenceRecord;
  transitions: Transition[];
}

/** The ledger's activity (workflows/ledger.ts): idempotent, so Temporal may retry it as often as it must. */
export function createOutcomesActivities({ outcomes }: { outcomes?: OutcomesStore }) {
  return {
    async recordOutcomes({ workflowId, sequence, transitions }: OutcomesWrite): Promise<void> {
      if (!outcomes) return;
      if (sequence) await outcomes.recordSequence(sequence);
      await outcomes.recordTransitions(workflowId, transitions);
    },
  };
}

/** Who an email is for: the candidate (Onward writes in its own name), the relationship contact when a recruiter, else an interviewer. */
export function recipientRoleOfRequest(request: EmailRequest): RecipientRole {
  if (request.replyTo === undefined) return 'candidate';
  const { contact } = request.vars;
  return request.kind !== 'thank-you' && contact.role === 'recruiter' && contact.name === request.to.name ? 'recruiter' : 'interviewer';
}

/**
 * Keeps the text of a message that just went out. The message is sent whatever happens here: a failure is logged, never
 * thrown, since a retried send would send it twice.
 */
export async function keepSentMessage(outcomes: OutcomesStore | undefined, request: EmailRequest, sent: { subject: string; text: string }): Promise<void> {
  if (!outcomes) return;
  try {
    await outcomes.recordSentMessage({
      workflowId: request.sequenceId,
      key: request.key,
      kind: request.kind,
      to: request.to.email,
      recipientRole: recipientRoleOfRequest(request),
      subject: sent.subject,
      text: sent.text,
      sentAt: new Date().toISOString(),
    });
  } catch (error) {
    log.warn(`${request.key} was sent, but its text could not be kept in the outcomes ledger: ${(error as Error).message}`);
  }
}
