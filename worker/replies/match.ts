// Pure: which sequence and step an email reply answers, from its In-Reply-To and References headers.
import { messageIdFor } from '../../activities/message-id';
import { MAX_TOUCHPOINTS } from '../../workflows/policy';

/** The steps whose replies a sequence records (workflows/replies): the feedback request, its reminder, the recruiter's thread. */
export const REPLYABLE_STEPS: readonly string[] = [
  'feedback-request',
  'feedback-reminder',
  'other-openings',
  ...Array.from({ length: MAX_TOUCHPOINTS }, (_, index) => `touchpoint:${index + 1}`),
];

export interface RepliedStep {
  workflowId: string;
  step: string;
}

/** The Message-IDs a reply refers to, the one it answers first (In-Reply-To), then its thread newest first (References). */
export function referencedIds(inReplyTo: string | undefined, references: string | string[] | undefined): string[] {
  const thread = (typeof references === 'string' ? references.split(/\s+/) : (references ?? [])).filter(Boolean).reverse();
  return [...new Set([...(inReplyTo ? inReplyTo.split(/\s+/) : []), ...thread].map((id) => id.trim()).filter((id) => id !== ''))];
}

/**
 * Message-IDs are digests of sequence and step (activities/message-id.ts), which cannot be read back: the index
 * computes them for each sequence it is told about, and maps them back. No lookup store, no change to the Message-IDs.
 */
export class MessageIdIndex {
  private readonly steps = new Map<string, RepliedStep>();
  private readonly known = new Set<string>();

  constructor(private readonly domain: string) {}

  /** Indexes the replyable messages of these sequences (a sequence already indexed costs nothing). */
  add(workflowIds: Iterable<string>): void {
    for (const workflowId of workflowIds) {
      if (this.known.has(workflowId)) continue;
      this.known.add(workflowId);
      for (const step of REPLYABLE_STEPS) this.steps.set(messageIdFor(workflowId, step, this.domain), { workflowId, step });
    }
  }

  /** The first referenced message that is one of the indexed sequences'. */
  find(referenced: string[]): RepliedStep | undefined {
    for (const id of referenced) {
      const step = this.steps.get(id);
      if (step) return step;
    }
    return undefined;
  }

  get size(): number {
    return this.known.size;
  }
}
