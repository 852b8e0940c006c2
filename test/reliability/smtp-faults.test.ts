import type { Client, Connection } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  connect,
  countByMessageId,
  expectReplays,
  mailsOf,
  people,
  sequenceInput,
  sleep,
  startDrillSequence,
  useDrillEnvironment,
  waitUntil,
  type DrillSequence,
  FAULT_DRILLS_ENABLED,
} from './harness';

// Fault drills on the SMTP side, against the worker process and a real SMTP server: a recipient refused for good
// (550), and the server down for a while (connections refused), then back.
describe.runIf(FAULT_DRILLS_ENABLED)('fault drill: the SMTP server refuses a recipient, or goes down and comes back', () => {
  const drill = useDrillEnvironment({ directoryPrefix: 'onward-drill-smtp-', eventLog: 'SMTP drills' });
  const { note } = drill;
  let client: Client;
  let connection: Connection;

  beforeAll(async () => {
    ({ client, connection } = await connect(drill.server.address, drill.keys.keyring));
  });

  // Declared after the environment: runs before its teardown.
  afterAll(async () => {
    await connection?.close();
  });

  /** How many attempts each queued send of a sequence took, from its history (a local send is one attempt). */
  async function attemptsOf(sequence: DrillSequence): Promise<number[]> {
    const history = await sequence.handle.fetchHistory();
    return (history.events ?? []).flatMap((event) => (event.activityTaskStartedEventAttributes ? [event.activityTaskStartedEventAttributes.attempt ?? 1] : []));
  }

  it('550 for one address: recorded as permanent after one attempt, and the sequence goes on', { timeout: 180_000 }, async () => {
    const { smtp } = drill;
    const document = people('smtp-550');
    const refused = document.interviewers?.[1]?.email ?? '';
    smtp.rejectRecipient(refused, 550);
    const sequence = await startDrillSequence(client, 'onward', sequenceInput(document));
    const outcome = await sequence.result();
    note(`${sequence.workflowId}: ${JSON.stringify(outcome)}`);

    expect(outcome).toEqual({ stage: 'completed', sent: sequence.expectedSteps.length - 1, failed: 1, skipped: 0 });
    await expectReplays(sequence.handle);
    const entry = (await sequence.status()).timeline.find((item) => item.key === 'thank-you:2');
    expect(entry?.status).toBe('failed');
    expect(entry?.error).toMatch(/permanently refused.*550|550.*permanently refused/s);
    // Not retried: the server saw that address once.
    expect(smtp.rcptCount(refused)).toBe(1);
    const mails = mailsOf(smtp, sequence);
    expect([...new Set(mails.map((mail) => mail.step))].sort()).toEqual(sequence.expectedSteps.filter((step) => step !== 'thank-you:2').sort());
    for (const [messageId, count] of countByMessageId(mails)) expect(count, messageId).toBe(1);
  });

  it('down for 40 seconds, then back: every send retried with backoff and delivered once, nothing dropped', { timeout: 300_000 }, async () => {
    const { smtp } = drill;
    const sequence = await startDrillSequence(client, 'onward', sequenceInput(people('smtp-outage')));
    await waitUntil('the supportive note', () => mailsOf(smtp, sequence).length >= 1, 30_000);
    await smtp.stop();
    note(`SMTP server down (connections refused) after ${mailsOf(smtp, sequence).length} email`);
    await sleep(40_000);
    await smtp.start();
    note(`SMTP server back; ${mailsOf(smtp, sequence).length} emails of ${sequence.expectedSteps.length} so far`);

    const outcome = await sequence.result();
    note(`${sequence.workflowId}: ${JSON.stringify(outcome)}`);
    expect(outcome).toEqual({ stage: 'completed', sent: sequence.expectedSteps.length, failed: 0, skipped: 0 });
    await expectReplays(sequence.handle);
    const mails = mailsOf(smtp, sequence);
    expect([...new Set(mails.map((mail) => mail.step))].sort()).toEqual([...sequence.expectedSteps].sort());
    for (const [messageId, count] of countByMessageId(mails)) expect(count, messageId).toBe(1);
    // The outage was felt and retried through: the sends it caught went on to the task queue, where the server retried
    // them with backoff (30 s, then 60 s), one at least three times.
    const attempts = await attemptsOf(sequence);
    note(`attempts per send: ${attempts.join(', ')}`);
    expect(attempts.filter((count) => count > 1).length).toBeGreaterThanOrEqual(1);
    expect(Math.max(...attempts)).toBeGreaterThanOrEqual(3);
  });
});
