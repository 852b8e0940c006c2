import { describe, expect, it } from 'vitest';
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

// Fault drill: the Temporal server (`temporal server start-dev` on a database file) goes away mid-sequence, once
// stopped cleanly (SIGTERM) and once killed (SIGKILL), and comes back on the same file and port. The worker process
// keeps running throughout; the sequences resume where they were.
describe.runIf(FAULT_DRILLS_ENABLED)('fault drill: the Temporal server stops and restarts on the same database file', () => {
  const drill = useDrillEnvironment({ directoryPrefix: 'onward-drill-server-', eventLog: 'server restart drill' });
  const { keys, logs, note } = drill;

  it('sequences resume where they were, every email once, and the worker rides it out', { timeout: 300_000 }, async () => {
    const { server, smtp, worker } = drill;
    let { client, connection } = await connect(server.address, keys.keyring);
    const sequences: DrillSequence[] = [];
    for (const tag of ['a', 'b']) {
      sequences.push(await startDrillSequence(client, 'onward', sequenceInput(people(`server-${tag}`))));
      note(`started ${sequences.at(-1)?.workflowId}`);
    }
    await connection.close();
    let workerExit: string | undefined;
    void worker.exited.then(({ code, signal }) => (workerExit = `${code ?? signal ?? '?'}`));

    // Down while the grieving timers expire and the thank-you notes fall due.
    await waitUntil('the supportive notes', () => smtp.messages.filter((mail) => mail.step === 'supportive-note').length >= 2, 30_000);
    note(`${smtp.messages.length} emails so far; stopping the server (SIGTERM)`);
    await server.stop('SIGTERM');
    note('server stopped');
    await sleep(8000);
    await server.start();
    note(`server back on the same file; ${smtp.messages.length} emails so far`);

    // Killed outright while the check-ins and the feedback wait run.
    await waitUntil('the first check-ins', () => smtp.messages.filter((mail) => mail.step === 'check-in:1').length >= 2, 60_000);
    note(`${smtp.messages.length} emails so far; killing the server (SIGKILL)`);
    await server.stop('SIGKILL');
    await sleep(5000);
    await server.start();
    note(`server back after the crash; ${smtp.messages.length} emails so far`);

    ({ client, connection } = await connect(server.address, keys.keyring));
    try {
      const outcomes = await Promise.all(sequences.map((sequence) => client.workflow.getHandle(sequence.workflowId).result()));
      note('every sequence completed');
      for (const sequence of sequences) await expectReplays(client.workflow.getHandle(sequence.workflowId));
      expect(workerExit, `the worker exited:\n${logs.toString().slice(-3000)}`).toBeUndefined();
      for (const [index, sequence] of sequences.entries()) {
        expect(outcomes[index], sequence.workflowId).toEqual({ stage: 'completed', sent: sequence.expectedSteps.length, failed: 0, skipped: 0 });
        const mails = mailsOf(smtp, sequence);
        expect([...new Set(mails.map((mail) => mail.step))].sort(), sequence.workflowId).toEqual([...sequence.expectedSteps].sort());
        for (const [messageId, count] of countByMessageId(mails)) expect(count, `${messageId} arrived ${count} times`).toBe(1);
      }
      note(`${smtp.messages.length} emails, each once`);
    } finally {
      await connection.close();
    }
  });
});
