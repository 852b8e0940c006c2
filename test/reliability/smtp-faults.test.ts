import path from 'node:path';
import type { Client, Connection } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  connect,
  countByMessageId,
  devServer,
  mailsOf,
  people,
  sequenceInput,
  sleep,
  spawnWorker,
  startDrillSequence,
  startDrillSmtp,
  temporaryDirectory,
  testKeys,
  waitUntil,
  workerEnvironment,
  workflowBundleFile,
  WorkerLogs,
  type DevServer,
  type DrillSequence,
  type DrillSmtp,
  type WorkerProcess,
  FAULT_DRILLS_ENABLED,
} from './harness';

// Fault drills on the SMTP side, against the worker process and a real SMTP server: a recipient refused for good
// (550), and the server down for a while (connections refused), then back.
describe.runIf(FAULT_DRILLS_ENABLED)('fault drill: the SMTP server refuses a recipient, or goes down and comes back', () => {
  let directory: ReturnType<typeof temporaryDirectory>;
  const keys = testKeys();
  const logs = new WorkerLogs();
  let server: DevServer;
  let smtp: DrillSmtp;
  let worker: WorkerProcess;
  let client: Client;
  let connection: Connection;
  const events: string[] = [];
  const started = Date.now();
  const note = (event: string) => events.push(`+${((Date.now() - started) / 1000).toFixed(1)}s ${event}`);

  beforeAll(async () => {
    directory = temporaryDirectory('onward-drill-smtp-');
    [server, smtp] = await Promise.all([devServer(path.join(directory.path, 'temporal.db')), startDrillSmtp()]);
    const bundle = await workflowBundleFile(directory.path);
    worker = spawnWorker(workerEnvironment({ address: server.address, smtpUrl: smtp.url, taskQueue: 'onward', keys, bundle }), logs);
    await worker.ready;
    ({ client, connection } = await connect(server.address, keys.keyring));
  });

  afterAll(async () => {
    console.log(`SMTP drills:\n  ${events.join('\n  ')}`);
    await connection?.close();
    await worker?.kill('SIGTERM');
    await server?.stop();
    await smtp?.close();
    directory?.remove();
  });

  /** How many attempts each activity of a sequence took, by activity id, from its history. */
  async function attemptsOf(sequence: DrillSequence): Promise<number[]> {
    const history = await sequence.handle.fetchHistory();
    return (history.events ?? []).flatMap((event) => (event.activityTaskStartedEventAttributes ? [event.activityTaskStartedEventAttributes.attempt ?? 1] : []));
  }

  it('550 for one address: recorded as permanent after one attempt, and the sequence goes on', { timeout: 180_000 }, async () => {
    const document = people('smtp-550');
    const refused = document.interviewers?.[1]?.email ?? '';
    smtp.rejectRecipient(refused, 550);
    const sequence = await startDrillSequence(client, 'onward', sequenceInput(document));
    const outcome = await sequence.result();
    note(`${sequence.workflowId}: ${JSON.stringify(outcome)}`);

    expect(outcome).toEqual({ stage: 'completed', sent: sequence.expectedSteps.length - 1, failed: 1, skipped: 0 });
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
    const mails = mailsOf(smtp, sequence);
    expect([...new Set(mails.map((mail) => mail.step))].sort()).toEqual([...sequence.expectedSteps].sort());
    for (const [messageId, count] of countByMessageId(mails)) expect(count, messageId).toBe(1);
    // The outage was felt and retried through: several sends needed more than one attempt, one of them at least three.
    const attempts = await attemptsOf(sequence);
    note(`attempts per send: ${attempts.join(', ')}`);
    expect(attempts.filter((count) => count > 1).length).toBeGreaterThanOrEqual(3);
    expect(Math.max(...attempts)).toBeGreaterThanOrEqual(3);
  });
});
