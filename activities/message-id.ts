import { createHash } from 'node:crypto';

/**
 * The Message-ID of one step of one sequence: the same on every retry, so a resend is recognisable,
 * and known in advance, so follow-ups can thread under it.
 */
export function messageIdFor(sequenceId: string, stepKey: string, domain: string): string {
  // Dot-atom: runs of other characters become one dot, and no part starts or ends with one ("acme." + "." would be "..").
  const readable = (text: string) => text.replace(/[^A-Za-z0-9-]+/g, '.').replace(/^\.+|\.+$/g, '');
  const digest = createHash('sha256').update(`${sequenceId}\n${stepKey}`).digest('hex').slice(0, 12);
  return `<${[readable(stepKey), readable(sequenceId), digest].filter(Boolean).join('.')}@${domain}>`;
}
