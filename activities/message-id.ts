import { createHash } from 'node:crypto';

/**
 * The Message-ID of one step of one sequence: the same on every retry, so a resend is recognisable, and known in
 * advance, so follow-ups can thread under it. Opaque: a digest of sequence and step, so a message sent in the
 * candidate's name names neither the step nor the workflow (nothing in it gives the automation away).
 */
export function messageIdFor(sequenceId: string, stepKey: string, domain: string): string {
  const digest = createHash('sha256').update(`onward-message-id\n${sequenceId}\n${stepKey}`).digest('hex').slice(0, 32);
  return `<${digest}@${domain}>`;
}

/** The domain of the Message-IDs: the sending address's (ONWARD_FROM). */
export const messageIdDomainOf = (fromAddress: string): string => fromAddress.split('@')[1] ?? 'onward.invalid';
