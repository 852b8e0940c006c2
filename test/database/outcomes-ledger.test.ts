import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { sql, type Kysely } from 'kysely';
import { describe, expect, it } from 'vitest';
import { createOutcomesActivities } from '../../activities/outcomes';
import { createOutcomesStore, eraseOutcomesOf, type OutcomesStore } from '../../activities/outcomes-store';
import { createLedgerReports, outcomesCsv } from '../../client/api/outcomes-report';
import { generateCodecKey, parseCodecKeys, type CodecKeyring } from '../../common/codec';
import { openDatabase } from '../../common/database/open';
import { createSealing } from '../../common/database/sealing';
import type { StepKind } from '../../workflows/steps';
import type { SequenceRecord, Transition } from '../../workflows/transitions';
import { DATABASE_BACKENDS, filesUnder, useDatabases } from '../helpers/databases';

const databases = useDatabases();
const parsed = parseCodecKeys(`k1:${generateCodecKey()}`, undefined).keyring;
if (!parsed) throw new Error('bad test key');
const keyring: CodecKeyring = parsed;
const sealing = createSealing(keyring);

const DAY = 24 * 3600 * 1000;
const at = (iso: string, days = 0) => new Date(Date.parse(iso) + days * DAY).toISOString();
const sent = (key: string, kind: StepKind, when: string): Transition => ({
  key: `message:${key}`,
  event: 'message-sent',
  at: when,
  step: { key, kind, recipientRole: kind === 'thank-you' ? 'interviewer' : 'candidate' },
});

/** A sequence and its transitions, written as a worker's activity would write them. */
async function seed(store: OutcomesStore, sequence: SequenceRecord, transitions: Transition[]): Promise<void> {
  await createOutcomesActivities({ outcomes: store }).recordOutcomes({ workflowId: sequence.workflowId, sequence, transitions });
}

const base = (id: string, rejectedAt: string, company: string, coach?: string): SequenceRecord => ({
  workflowId: `acme:rejection-${id}`,
  tenant: 'acme',
  rejectionId: id,
  rejectedAt,
  candidate: `Candidate ${id}`,
  company,
  ...(coach ? { coach } : {}),
});

/**
 * Four sequences of tenant acme in two months, two coaches (and one without), two companies; one of bravo:
 * - a: feedback requested and answered, hired 20 days after the rejection;
 * - b: feedback requested, no answer, hired 40 days after;
 * - c: feedback request skipped, a thank-you failed, opted out;
 * - d: completed, feedback requested, nothing else.
 */
async function seedFour(db: Kysely<unknown>): Promise<void> {
  const store = createOutcomesStore(db, sealing);
  const jan = '2026-01-05T14:00:00.000Z';
  const feb = '2026-02-10T09:00:00.000Z';
  await seed(store, base('a', jan, 'Acme Analytics', 'Dana'), [
    sent('thank-you:1', 'thank-you', at(jan, 2)),
    sent('feedback-request', 'feedback-request', at(jan, 3)),
    { key: 'feedback:1', event: 'feedback-received', at: at(jan, 5) },
    { key: 'progress:1', event: 'progress-reported', at: at(jan, 9) },
    { key: 'hired', event: 'hired', at: at(jan, 20) },
  ]);
  await seed(store, base('b', jan, 'Bravo Bank', 'Dana'), [sent('feedback-request', 'feedback-request', at(jan, 3)), { key: 'hired', event: 'hired', at: at(jan, 40) }]);
  await seed(store, base('c', feb, 'Acme Analytics', 'Eli'), [
    { key: 'message:thank-you:1', event: 'message-failed', at: at(feb, 2), step: { key: 'thank-you:1', kind: 'thank-you', recipientRole: 'interviewer' } },
    { key: 'message:feedback-request', event: 'message-skipped', at: at(feb, 3), step: { key: 'feedback-request', kind: 'feedback-request', recipientRole: 'recruiter' } },
    { key: 'opted-out', event: 'opted-out', at: at(feb, 4) },
  ]);
  await seed(store, base('d', feb, 'Bravo Bank'), [sent('feedback-request', 'feedback-request', at(feb, 3)), { key: 'completed', event: 'completed', at: at(feb, 60) }]);
  await seed(store, { ...base('e', feb, 'Acme Analytics', 'Dana'), workflowId: 'bravo:rejection-e', tenant: 'bravo' }, [{ key: 'hired', event: 'hired', at: at(feb, 1) }]);
}

describe.each(DATABASE_BACKENDS)('the outcomes ledger on the %s database', (backend) => {
  it('writes a retried activity once: one sequence row, one row per transition', async () => {
    const { db } = await databases.fresh(backend);
    const activities = createOutcomesActivities({ outcomes: createOutcomesStore(db, sealing) });
    const recordOutcomes = (write: Parameters<typeof activities.recordOutcomes>[0]) => activities.recordOutcomes(write);
    const write = { workflowId: 'acme:rejection-r', sequence: base('r', '2026-01-05T14:00:00Z', 'Acme Analytics'), transitions: [sent('thank-you:1', 'thank-you', '2026-01-07T14:00:00Z')] };
    await recordOutcomes(write);
    await recordOutcomes(write); // Temporal retried it (the first attempt's result was lost)
    await recordOutcomes({ workflowId: 'acme:rejection-r', transitions: [sent('thank-you:1', 'thank-you', '2026-01-08T00:00:00Z'), { key: 'hired', event: 'hired', at: '2026-02-01T00:00:00Z' }] });
    const count = async (table: string) => (await sql<{ n: number }>`select count(*)::int as n from ${sql.table(table)}`.execute(db)).rows[0]?.n;
    expect(await count('sequences')).toBe(1);
    expect(await count('outcomes')).toBe(2);
    // The first write of a transition stands.
    const { rows } = await sql<{ at: Date }>`select at from outcomes where transition = 'message:thank-you:1'`.execute(db);
    expect(new Date(rows[0]?.at ?? 0).toISOString()).toBe('2026-01-07T14:00:00.000Z');
  });

  it('reports by month, coach and company: reply rate, hires, median days to the next job, messages by step and status', async () => {
    const { db } = await databases.fresh(backend);
    await seedFour(db);
    const report = await createLedgerReports(db, sealing).outcomes('acme');
    expect(report.byMonth.map((group) => [group.group, group.sequences])).toEqual([
      ['2026-01', 2],
      ['2026-02', 2],
    ]);
    expect(report.byMonth[0]).toEqual({
      group: '2026-01',
      sequences: 2,
      feedbackRequested: 2,
      feedbackReceived: 1,
      feedbackReplyRate: 0.5,
      hired: 2,
      medianDaysToNextJob: 30,
      optedOut: 0,
      completed: 0,
      messagesSent: 3,
      messagesSkipped: 0,
      messagesFailed: 0,
    });
    expect(report.byMonth[1]).toMatchObject({ feedbackRequested: 1, feedbackReceived: 0, feedbackReplyRate: 0, hired: 0, medianDaysToNextJob: null, optedOut: 1, completed: 1, messagesSent: 1, messagesSkipped: 1, messagesFailed: 1 });
    expect(report.byCoach.map((group) => [group.group, group.sequences, group.hired])).toEqual([
      ['(none)', 1, 0],
      ['Dana', 2, 2],
      ['Eli', 1, 0],
    ]);
    expect(report.byCompany.map((group) => [group.group, group.sequences, group.medianDaysToNextJob, group.feedbackReplyRate])).toEqual([
      ['Acme Analytics', 2, 20, 1],
      ['Bravo Bank', 2, 40, 0],
    ]);
    expect(report.messages).toEqual([
      { step: 'feedback-request', status: 'sent', count: 3 },
      { step: 'feedback-request', status: 'skipped', count: 1 },
      { step: 'thank-you', status: 'failed', count: 1 },
      { step: 'thank-you', status: 'sent', count: 1 },
    ]);
    // Another tenant's sequences never count, and a date range keeps the rejections inside it.
    expect((await createLedgerReports(db, sealing).outcomes('bravo')).byCompany.map((group) => [group.group, group.hired])).toEqual([['Acme Analytics', 1]]);
    const february = await createLedgerReports(db, sealing).outcomes('acme', { from: '2026-02-01', to: '2026-02-10' });
    expect(february).toMatchObject({ from: '2026-02-01', to: '2026-02-10' });
    expect(february.byMonth.map((group) => [group.group, group.sequences])).toEqual([['2026-02', 2]]);
    expect((await createLedgerReports(db, sealing).outcomes('acme', { to: '2026-02-09' })).byMonth.map((group) => group.group)).toEqual(['2026-01']);
  });

  it('keeps each sent message once, sealed, and erases a sequence from every table', async () => {
    const { db } = await databases.fresh(backend);
    await seedFour(db);
    const store = createOutcomesStore(db, sealing);
    const message = { workflowId: 'acme:rejection-a', key: 'thank-you:1', kind: 'thank-you' as const, to: 'grace@acme.example.com', recipientRole: 'interviewer' as const, subject: 'Thank you', text: 'Thank you for your time.', sentAt: '2026-01-07T14:00:00.000Z' };
    await store.recordSentMessage({ ...message, key: 'feedback-request', kind: 'feedback-request', subject: 'A question', sentAt: '2026-01-08T14:00:00.000Z' });
    await store.recordSentMessage(message);
    await store.recordSentMessage({ ...message, text: 'a retry never overwrites what went out' });
    const reports = createLedgerReports(db, sealing);
    expect(await reports.messages('acme', 'a')).toEqual([
      { key: 'thank-you:1', kind: 'thank-you', to: 'grace@acme.example.com', recipientRole: 'interviewer', subject: 'Thank you', text: 'Thank you for your time.', sentAt: '2026-01-07T14:00:00.000Z' },
      expect.objectContaining({ key: 'feedback-request', subject: 'A question' }),
    ]);
    expect(await reports.messages('acme', 'b')).toEqual([]);
    expect(await reports.messages('bravo', 'a')).toBeUndefined();
    const { rows } = await sql`select * from sent_messages`.execute(db);
    expect(JSON.stringify(rows)).not.toMatch(/grace|Thank you|A question/i);

    await eraseOutcomesOf(db, 'acme:rejection-a');
    expect(await reports.messages('acme', 'a')).toBeUndefined();
    for (const table of ['sequences', 'outcomes', 'sent_messages']) {
      const left = await sql`select 1 from ${sql.table(table)} where workflow_id = 'acme:rejection-a'`.execute(db);
      expect(left.rows, table).toEqual([]);
    }
    expect((await reports.outcomes('acme')).byMonth.find((group) => group.group === '2026-01')?.sequences).toBe(1);
  });
});

describe('the outcomes CSV', () => {
  it('has one row per dimension and group, and no cell a spreadsheet would run as a formula', async () => {
    const { db } = await databases.fresh('embedded');
    await seed(createOutcomesStore(db, sealing), base('f', '2026-03-02T10:00:00Z', '=HYPERLINK("http://evil.example","x")', '@coach'), [{ key: 'completed', event: 'completed', at: '2026-04-01T00:00:00Z' }]);
    const lines = outcomesCsv(await createLedgerReports(db, sealing).outcomes('acme')).split('\r\n');
    expect(lines[0]).toBe('dimension,group,sequences,feedbackRequested,feedbackReceived,feedbackReplyRate,hired,medianDaysToNextJob,optedOut,completed,messagesSent,messagesSkipped,messagesFailed');
    expect(lines.slice(1, -1)).toEqual(['month,2026-03,1,0,0,,0,,0,1,0,0,0', `coach,"'@coach",1,0,0,,0,,0,1,0,0,0`, `company,"'=HYPERLINK(""http://evil.example"",""x"")",1,0,0,,0,,0,1,0,0,0`]);
    expect(lines.at(-1)).toBe('');
  });
});


describe('the ledger in an embedded database directory', () => {
  it('holds no readable name, company, coach, address or message text in its files', async () => {
    const directory = path.join(mkdtempSync(path.join(tmpdir(), 'onward-ledger-')), 'db');
    const database = await openDatabase({ kind: 'embedded', directory });
    const store = createOutcomesStore(database.db, createSealing(keyring));
    await seed(store, { ...base('p', '2026-01-05T14:00:00Z', 'Zanzibar Quantum Widgets', 'Philippa Coachworth'), candidate: 'Hermione Plaintextova' }, [sent('thank-you:1', 'thank-you', '2026-01-07T14:00:00Z')]);
    await store.recordSentMessage({ workflowId: 'acme:rejection-p', key: 'thank-you:1', kind: 'thank-you', to: 'ursula.unreadable@example.org', recipientRole: 'interviewer', subject: 'Gratitude beyond measure', text: 'Your system design advice was invaluable.', sentAt: '2026-01-07T14:00:00Z' });
    await database.close(); // everything on disk
    const files = filesUnder(directory);
    expect(files.includes('acme:rejection-p')).toBe(true); // the files are read: what is not sealed is there
    for (const secret of ['Hermione', 'Plaintextova', 'Zanzibar', 'Philippa', 'ursula.unreadable', 'Gratitude beyond', 'system design advice']) {
      expect(files.includes(secret), secret).toBe(false);
      expect(files.includes(Buffer.from(secret, 'utf16le')), secret).toBe(false);
    }
  });
});
