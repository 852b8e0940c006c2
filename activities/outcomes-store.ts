import { sql, type Kysely } from 'kysely';
import type { Sealing } from '../common/database/sealing';
import type { RecipientRole, SequenceRecord, Transition } from '../workflows/transitions';
import type { StepKind } from '../workflows/steps';

/** A message as it went out, kept (sealed) for the sequence's page after Temporal has forgotten it. */
export interface SentMessage {
  workflowId: string;
  key: string;
  kind: StepKind;
  to: string;
  recipientRole: RecipientRole;
  subject: string;
  text: string;
  /** ISO 8601. */
  sentAt: string;
}

/**
 * The outcomes ledger in Onward's database (migration 0004-outcomes): a row per sequence, a row per transition and the
 * text of each sent message. Every write is keyed (`on conflict do nothing`), so a retried activity writes nothing
 * twice. Names, addresses and message text are sealed (common/database/sealing.ts); company and coach are also kept
 * as keyed hashes, so reports group by them without reading them.
 */
export interface OutcomesStore {
  recordSequence(sequence: SequenceRecord): Promise<void>;
  recordTransitions(workflowId: string, transitions: Transition[]): Promise<void>;
  recordSentMessage(message: SentMessage): Promise<void>;
}

export function createOutcomesStore(db: Kysely<unknown>, sealing: Sealing): OutcomesStore {
  const hashOf = (value: string) => sealing.hashes(value)[0]?.hash ?? '';
  return {
    async recordSequence({ workflowId, tenant, rejectionId, rejectedAt, candidate, company, coach }) {
      await sql`insert into sequences (workflow_id, tenant, rejection_id, rejected_at, key_id, candidate_sealed, company_sealed, company_hash, coach_sealed, coach_hash)
        values (${workflowId}, ${tenant ?? null}, ${rejectionId}, ${rejectedAt}, ${sealing.activeKeyId}, ${sealing.seal(candidate)}, ${sealing.seal(company)},
          ${hashOf(company)}, ${coach === undefined ? null : sealing.seal(coach)}, ${coach === undefined ? null : hashOf(coach)})
        on conflict (workflow_id) do nothing`.execute(db);
    },
    async recordTransitions(workflowId, transitions) {
      if (transitions.length === 0) return;
      const rows = transitions.map(
        ({ key, event, at, step }) => sql`(${workflowId}, ${key}, ${event}, ${step?.key ?? null}, ${step?.kind ?? null}, ${step?.recipientRole ?? null}, ${at})`,
      );
      await sql`insert into outcomes (workflow_id, transition, event, step_key, step_kind, recipient_role, at)
        values ${sql.join(rows)} on conflict (workflow_id, transition) do nothing`.execute(db);
    },
    async recordSentMessage({ workflowId, key, kind, to, recipientRole, subject, text, sentAt }) {
      await sql`insert into sent_messages (workflow_id, step_key, step_kind, recipient_role, to_sealed, subject_sealed, text_sealed, sent_at)
        values (${workflowId}, ${key}, ${kind}, ${recipientRole}, ${sealing.seal(to)}, ${sealing.seal(subject)}, ${sealing.seal(text)}, ${sentAt})
        on conflict (workflow_id, step_key) do nothing`.execute(db);
    },
  };
}

/** Removes everything the ledger holds of one sequence (`onward erase`): its row, its transitions and its messages. */
export async function eraseOutcomesOf(db: Kysely<unknown>, workflowId: string): Promise<void> {
  await db.transaction().execute(async (transaction) => {
    await sql`delete from sent_messages where workflow_id = ${workflowId}`.execute(transaction);
    await sql`delete from outcomes where workflow_id = ${workflowId}`.execute(transaction);
    await sql`delete from sequences where workflow_id = ${workflowId}`.execute(transaction);
  });
}
