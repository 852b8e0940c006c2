import { sql } from 'kysely';
import { afterAll, describe, expect, test } from 'vitest';
import { createOutcomesStore } from '../../activities/outcomes-store';
import { createLedgerReports } from '../../client/api/outcomes-report';
import { openDatabase, type OnwardDatabase } from '../../common/database/open';
import { createSealing } from '../../common/database/sealing';
import { feedbackUpdate, hiredUpdate, progressUpdate } from '../../workflows/definitions';
import { eventually } from '../helpers/eventually';
import { later, useTimeSkipping } from '../helpers/time-skipping';

// The worker writes the ledger into an embedded database, as `onward dev` does.
let database: OnwardDatabase | undefined;
const sealing = createSealing(undefined);
const harness = useTimeSkipping({
  dependencies: async () => {
    database = await openDatabase({ kind: 'embedded' });
    return { outcomes: createOutcomesStore(database.db, sealing) };
  },
});
afterAll(async () => database?.close());
const db = () => {
  if (!database) throw new Error('no database');
  return database.db;
};

describe('the outcomes ledger of a running sequence', () => {
  test('a row per transition (messages, feedback, progress, hired), none twice, and the text of each message as sent', async () => {
    const { advanceTo, advanceUntil, start } = harness();
    const monday = await advanceTo(1, '14:00', 'Europe/London');
    const sequence = await start({ id: 'ts-ledger', tenant: 'acme', policy: { checkInCount: 3, touchpointsAfter: [] }, document: { coach: 'Dana Coach' } });

    // Rejected Monday 14:00: thank-you notes Wednesday, the feedback request Thursday, the first check-in a week later.
    await advanceUntil(later(monday, { days: 3, hours: 1 }));
    await eventually(async () => expect((await sequence.status()).feedback.state).toBe('waiting'));
    await sequence.handle.executeUpdate(feedbackUpdate, { args: [{ text: 'Quantify your impact.', from: 'Grace Hopper' }] });
    await advanceUntil(later(monday, { days: 9, hours: 2 }));
    await eventually(() => expect(sequence.mail('check-in:1')).toBeDefined());
    await sequence.handle.executeUpdate(progressUpdate, { args: [{ applications: 3, interviews: 1 }] });
    // Written at each transition, while the sequence runs: not only when it ends.
    await eventually(async () => {
      const { rows } = await sql<{ transition: string }>`select transition from outcomes where workflow_id = ${sequence.workflowId}`.execute(db());
      expect(rows.map((row) => row.transition)).toEqual(expect.arrayContaining(['message:thank-you:1', 'feedback:1', 'message:check-in:1', 'progress:1']));
    });
    await sequence.handle.executeUpdate(hiredUpdate, { args: [{ reason: 'offer from Globex' }] });
    expect(await sequence.handle.result()).toMatchObject({ stage: 'hired' });

    const { rows } = await sql<{ transition: string; event: string; step_kind: string | null; recipient_role: string | null; at: Date }>`
      select transition, event, step_kind, recipient_role, at from outcomes where workflow_id = ${sequence.workflowId} order by at, transition`.execute(db());
    const sent = sequence.mails().map((mail) => mail.step);
    expect(sent).toEqual(expect.arrayContaining(['thank-you:1', 'feedback-request', 'check-in:1', 'congratulations']));
    // Each message that went out is one "sent" row, and nothing else was sent.
    expect(rows.filter((row) => row.event === 'message-sent').map((row) => row.transition.replace('message:', '')).sort()).toEqual([...sent].sort());
    expect(rows.find((row) => row.transition === 'message:thank-you:1')).toMatchObject({ step_kind: 'thank-you', recipient_role: 'interviewer' });
    expect(rows.find((row) => row.transition === 'message:check-in:1')).toMatchObject({ step_kind: 'check-in', recipient_role: 'candidate' });
    expect(rows.filter((row) => row.step_kind === null).map((row) => [row.transition, row.event])).toEqual([
      ['feedback:1', 'feedback-received'],
      ['progress:1', 'progress-reported'],
      ['hired', 'hired'],
    ]);
    // The reminder was skipped (feedback came first); the rest of the check-ins were cancelled, which is no outcome.
    expect(rows.find((row) => row.transition === 'message:feedback-reminder')?.event).toBe('message-skipped');
    expect(rows.some((row) => row.transition.startsWith('message:check-in:3'))).toBe(false);
    const hiredAt = rows.find((row) => row.event === 'hired')?.at;
    expect(new Date(hiredAt ?? 0).getTime()).toBeGreaterThan(later(monday, { days: 9 }));

    // The sequence's row, and its messages as sent (the report's source once Temporal has forgotten the sequence).
    const reports = createLedgerReports(db(), sealing);
    const messages = (await reports.messages('acme', 'ts-ledger')) ?? [];
    expect(messages.map((message) => message.key)).toEqual(sent);
    const thankYou = messages.find((message) => message.key === 'thank-you:1');
    const mail = sequence.mail('thank-you:1');
    expect(thankYou).toMatchObject({ kind: 'thank-you', to: 'grace@acme.example.com', recipientRole: 'interviewer', subject: mail?.parsed.subject });
    expect(mail?.parsed.text).toContain(thankYou?.text.split('\n')[0]);
    const report = await reports.outcomes('acme');
    expect(report.byCoach).toEqual([expect.objectContaining({ group: 'Dana Coach', sequences: 1, feedbackRequested: 1, feedbackReceived: 1, feedbackReplyRate: 1, hired: 1 })]);
    expect(report.byCompany.map((group) => group.group)).toEqual(['Acme Analytics']);
  });
});
