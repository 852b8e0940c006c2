import { describe, expect, it } from 'vitest';
import {
  connect,
  countByMessageId,
  expectReplays,
  mailsOf,
  people,
  seededRandom,
  sequenceInput,
  sleep,
  startDrillSequence,
  useDrillEnvironment,
  type DrillMail,
  type DrillSequence,
  FAULT_DRILLS_ENABLED,
} from './harness';

// Fault drill: the worker (a separate process, `onward worker`) is killed with SIGKILL several times while three
// sequences run: at random points (waits, workflow tasks, replays) and once on purpose in the middle of two sends.
// Every sequence must complete, every email arrive, and none twice, except in the one window that no SMTP client can
// close, which this drill opens on purpose to show its extent: the server committed the message, the process died
// before it heard "250 OK" and before Temporal recorded the send.
describe.runIf(FAULT_DRILLS_ENABLED)('fault drill: the worker is killed with SIGKILL, again and again', () => {
  const seed = Number(process.env.ONWARD_DRILL_SEED ?? Date.now() % 1_000_000);
  const random = seededRandom(seed);
  const between = (min: number, max: number) => Math.round(min + random() * (max - min));
  const drill = useDrillEnvironment({
    directoryPrefix: 'onward-drill-kill-',
    eventLog: `worker crash drill (seed ${seed}; replay with ONWARD_DRILL_SEED=${seed})`,
    onWorkerReady: (worker) => drill.note(`worker ${worker.pid} ready`),
  });
  const { keys, note } = drill;

  // Any SIGKILL can land in that window by chance (c's sends run while a's and b's are held): a message whose DATA ended
  // within moments of a kill may come twice.
  const RANDOM_WINDOW_MS = 2000;
  const crashTimes: number[] = [];
  const restart = () => drill.startWorker();
  const crash = async (why: string) => {
    note(`SIGKILL worker ${drill.worker.pid} (${why})`);
    crashTimes.push(Date.now());
    await drill.worker.kill('SIGKILL');
  };

  it('every sequence completes, every email arrives, none twice outside the documented window', { timeout: 480_000 }, async () => {
    const testStart = Date.now();
    const { server, smtp } = drill;
    const { client, connection } = await connect(server.address, keys.keyring);
    try {
      const [a, b, c] = ['a', 'b', 'c'].map((tag) => people(`kill-${tag}`)) as [ReturnType<typeof people>, ReturnType<typeof people>, ReturnType<typeof people>];
      // The first thank-you notes of sequences a and b go out within seconds: a's is caught before the server commits
      // it (RCPT), b's after the server committed it but before the worker hears "250" (the duplicate window).
      const firstInterviewer = a.interviewers?.[0]?.email ?? '';
      const committedInterviewer = b.interviewers?.[0]?.email ?? '';
      const beforeCommit = smtp.holdRcpt(firstInterviewer);
      const afterCommit = smtp.holdAfterCommit(committedInterviewer);

      const sequences: DrillSequence[] = [];
      for (const document of [a, b, c]) {
        sequences.push(await startDrillSequence(client, 'onward', sequenceInput(document)));
        note(`started ${sequences.at(-1)?.workflowId}`);
        await sleep(1500);
      }

      // 1. At a random point early on: grieving waits, supportive notes, workflow tasks.
      await sleep(between(0, 2500));
      await crash('random point, early');
      await sleep(between(0, 2000));
      await restart();

      // 2. In the middle of two sends.
      await Promise.all([beforeCommit.reached, afterCommit.reached]);
      note(`thank-you:1 of ${sequences[0]?.workflowId} held at RCPT (nothing committed), of ${sequences[1]?.workflowId} held after the server committed it`);
      await crash('two sends in flight');
      beforeCommit.release();
      afterCommit.release();
      await sleep(between(0, 2000));
      await restart();

      // 3. Twice more at random points, while the sequences wait, send, and the two interrupted sends time out.
      for (const round of [3, 4]) {
        await sleep(between(3000, 12_000));
        await crash(`random point ${round}`);
        await sleep(between(0, 2000));
        await restart();
      }

      // The two interrupted sends run again when their workflow task times out (10 s) on a live worker.
      const outcomes = await Promise.all(sequences.map((sequence) => sequence.result()));
      note('every sequence completed');
      for (const sequence of sequences) await expectReplays(sequence.handle);

      const windowMessageIds = new Set<string>();
      const chanceWindowMessageIds = new Set<string>();
      const endedNearACrash = (mails: DrillMail[], messageId: string) => {
        const first = Math.min(...mails.filter((mail) => mail.messageId === messageId).map((mail) => mail.committedAt));
        return crashTimes.some((crashedAt) => Math.abs(crashedAt - first) <= RANDOM_WINDOW_MS);
      };
      for (const [index, sequence] of sequences.entries()) {
        expect(outcomes[index], sequence.workflowId).toEqual({ stage: 'completed', sent: sequence.expectedSteps.length, failed: 0, skipped: 0 });
        const mails = mailsOf(smtp, sequence);
        expect([...new Set(mails.map((mail) => mail.step))].sort(), sequence.workflowId).toEqual([...sequence.expectedSteps].sort());
        for (const [messageId, count] of countByMessageId(mails)) {
          const step = mails.find((mail) => mail.messageId === messageId)?.step ?? '';
          if (index === 1 && step === 'thank-you:1') {
            // The window: committed by the server, never acknowledged to the dead worker, sent again by the retry, with
            // the same Message-ID (so that mail clients that de-duplicate by Message-ID show it once).
            expect(count, `${sequence.workflowId} ${step}`).toBe(2);
            windowMessageIds.add(messageId);
          } else if (count === 2 && endedNearACrash(mails, messageId)) {
            note(`${sequence.workflowId} ${step} came twice: its DATA ended within ${RANDOM_WINDOW_MS} ms of a SIGKILL`);
            chanceWindowMessageIds.add(messageId);
          } else {
            const when = (at: number) => `+${((at - testStart) / 1000).toFixed(1)}s`;
            const commits = mails.filter((mail) => mail.messageId === messageId).map((mail) => when(mail.committedAt));
            expect(count, `${sequence.workflowId} ${step} arrived ${count} times (committed ${commits.join(', ')}; SIGKILLs ${crashTimes.map(when).join(', ')})`).toBe(1);
          }
        }
      }
      expect(windowMessageIds.size).toBe(1);
      // The send interrupted before the server committed it: one RCPT more than the messages that address received.
      const toFirst = smtp.messages.filter((mail) => mail.to.includes(firstInterviewer)).length;
      expect(smtp.rcptCount(firstInterviewer)).toBe(toFirst + 1);
      const total = sequences.reduce((sum, sequence) => sum + sequence.expectedSteps.length, 0);
      expect(smtp.messages).toHaveLength(total + 1 + chanceWindowMessageIds.size);
      note(`${smtp.messages.length} messages for ${total} expected emails (${1 + chanceWindowMessageIds.size} in the duplicate window), 4 SIGKILLs`);
    } finally {
      await connection.close();
    }
  });
});
