import { messageIdFor } from '../../activities/message-id';
import { STEP_KINDS } from '../../workflows/steps';

/**
 * Which step a message is, from its Message-ID alone: messages in the candidate's name carry no step header, and
 * their Message-IDs are opaque. A test registers each sequence it starts; every step key it can send (numbered up
 * to 60, and the Gmail draft notices) is then known by its Message-ID.
 */
const known = new Map<string, string>();
const MAX_ORDINAL = 60;

function keysOfASequence(): string[] {
  const keys = STEP_KINDS.flatMap((kind) => [kind, ...Array.from({ length: MAX_ORDINAL }, (_, index) => `${kind}:${index + 1}`)]);
  return [...keys, ...keys.map((key) => `${key}:draft-ready`)];
}

export function registerSequence(sequenceId: string, domain: string): void {
  for (const key of keysOfASequence()) known.set(messageIdFor(sequenceId, key, domain), key);
}

/** The step key of a registered sequence's message, or "" for any other message. */
export function stepOf(messageId: string | undefined): string {
  return (messageId && known.get(messageId)) || '';
}
