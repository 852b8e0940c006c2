import { randomBytes } from 'node:crypto';
import { temporal } from '@temporalio/proto';
import { afterAll, describe, expect, it } from 'vitest';
import { startCodecServer, type CodecServer } from '../../client/codec-server';
import { feedbackUpdate, progressUpdate } from '../../workflows/definitions';
import { connect, databaseBytes, startDrillSequence, sequenceInput, useDrillEnvironment, waitUntil, type DrillSequence } from '../reliability/harness';

// Personal data that must never reach Temporal's database in clear: distinctive strings, so that a hit is a leak.
const CANDIDATE = { name: 'Zelda Quintessa-Marlowe', email: 'zelda.q.marlowe@candidate.example', timezone: 'Europe/London' };
const INTERVIEWERS = [
  { name: 'Octavia Brightwater', email: 'octavia.brightwater@hiring.example' },
  { name: 'Barnaby Featherstonehaugh', email: 'barnaby.featherstonehaugh@hiring.example' },
];
const RECRUITER = { name: 'Philippa Ravenscroft', email: 'philippa.ravenscroft@hiring.example' };
const FEEDBACK = 'Xylophonic feedback: rehearse the capacity-planning answer';
const PROGRESS_NOTE = 'Quokka progress note: applied at Lumenfold';
const SENSITIVE = [
  CANDIDATE.name,
  CANDIDATE.email,
  ...INTERVIEWERS.flatMap((person) => [person.name, person.email]),
  RECRUITER.name,
  RECRUITER.email,
  FEEDBACK,
  PROGRESS_NOTE,
  'Lumenfold Quantitative',
  'Principal Cartographer',
];

describe('personal data is encrypted in Temporal (AES-256-GCM payload codec)', () => {
  const drill = useDrillEnvironment({ directoryPrefix: 'onward-at-rest-' });
  const { keys } = drill;
  const canary = `plain-canary-${randomBytes(6).toString('hex')}`;
  let sequence: DrillSequence;
  let codecServer: CodecServer;
  let closeConnections: () => Promise<void> = () => Promise.resolve();

  // Declared after the environment: runs before its teardown.
  afterAll(async () => {
    await closeConnections();
    await codecServer?.close();
  });

  it('runs a full sequence with feedback, progress and a refused recipient', async () => {
    const { server, smtp } = drill;
    const { client, connection } = await connect(server.address, keys.keyring);
    closeConnections = () => connection.close();
    smtp.rejectRecipient(INTERVIEWERS[1]?.email ?? '');
    const input = sequenceInput({
      id: 'at-rest-1',
      candidate: CANDIDATE,
      company: 'Lumenfold Quantitative',
      role: 'Principal Cartographer',
      interviewers: INTERVIEWERS,
      recruiter: RECRUITER,
    });
    sequence = await startDrillSequence(client, 'onward', input);
    await waitUntil('the feedback request', async () => (await sequence.status()).feedback.state === 'waiting', 60_000, 250);
    await sequence.handle.executeUpdate(feedbackUpdate, { args: [{ text: FEEDBACK, from: INTERVIEWERS[0]?.name }] });
    await sequence.handle.executeUpdate(progressUpdate, { args: [{ applications: 3, interviews: 1, note: PROGRESS_NOTE }] });
    const outcome = await sequence.result();
    expect(outcome).toMatchObject({ stage: 'completed', failed: 1 });
    // The refusal, with the address in the SMTP reply, is recorded (and encrypted: see below).
    const status = await sequence.status();
    expect(status.timeline.find((entry) => entry.key === 'thank-you:2')?.error).toContain(INTERVIEWERS[1]?.email);
    expect(status.feedback.received[0]?.text).toBe(FEEDBACK);
    // The check-in after the feedback handed it back to the candidate.
    expect(smtp.messages.some((mail) => mail.raw.includes('rehearse the capacity-planning answer'))).toBe(true);
  });

  it('the codec endpoint decodes a payload of the history for an authorised caller, and refuses without the token', async () => {
    const { server } = drill;
    const token = randomBytes(32).toString('hex');
    codecServer = await startCodecServer({ keyring: keys.keyring, token, port: 0 });
    const { connection } = await connect(server.address);
    try {
      const { history } = await connection.workflowService.getWorkflowExecutionHistory({ namespace: 'default', execution: { workflowId: sequence.workflowId } });
      const input = history?.events?.[0]?.workflowExecutionStartedEventAttributes?.input?.payloads?.[0];
      if (!input) throw new Error('no input payload in the history');
      const encoding = Buffer.from(input.metadata?.encoding ?? []).toString();
      expect(encoding).toBe('binary/encrypted');
      const body = JSON.stringify({
        payloads: [
          {
            metadata: Object.fromEntries(Object.entries(input.metadata ?? {}).map(([key, value]) => [key, Buffer.from(value).toString('base64')])),
            data: Buffer.from(input.data ?? []).toString('base64'),
          },
        ],
      });
      const post = (headers: Record<string, string>) => fetch(`${codecServer.url}/default/decode`, { method: 'POST', headers: { 'Content-Type': 'application/json', 'X-Namespace': 'default', ...headers }, body });

      const refused = await post({});
      expect(refused.status).toBe(401);
      expect(await refused.text()).not.toContain(CANDIDATE.email);

      const decoded = await post({ Authorization: `Bearer ${token}` });
      expect(decoded.status).toBe(200);
      const { payloads } = (await decoded.json()) as { payloads: { data: string }[] };
      const document = JSON.parse(Buffer.from(payloads[0]?.data ?? '', 'base64').toString()) as { rejection: { candidate: { email: string } } };
      expect(document.rejection.candidate.email).toBe(CANDIDATE.email);
    } finally {
      await connection.close();
    }
  });

  it("leaves no candidate's or interviewer's name, address, feedback or note in clear in the history or the database file", async () => {
    const { server, worker } = drill;
    const { client, connection } = await connect(server.address);
    try {
      // A positive control: the same kind of data written by a client without the codec IS found by this search.
      const control = await client.workflow.start('controlWorkflow', { taskQueue: 'nobody-polls-this', workflowId: `control-${canary}`, args: [{ note: canary }] });
      await control.terminate('control written');

      const raw = temporal.api.history.v1.History.encode((await sequence.handle.fetchHistory())).finish();
      for (const value of SENSITIVE) expect(Buffer.from(raw).includes(value), `history holds "${value}" in clear`).toBe(false);
    } finally {
      await connection.close();
    }

    await worker.kill('SIGTERM');
    await server.stop('SIGTERM');
    const bytes = databaseBytes(server.dbFile);
    expect(bytes.length).toBeGreaterThan(100_000);
    expect(bytes.includes(canary), 'the positive control (a payload written without the codec) is found').toBe(true);
    // What is in clear by design: the workflow id (an ATS id, not personal data) and the stage search attribute.
    expect(bytes.includes(sequence.workflowId)).toBe(true);
    for (const value of SENSITIVE) {
      expect(bytes.includes(value), `the database file holds "${value}" in clear`).toBe(false);
      expect(bytes.includes(Buffer.from(value, 'utf16le')), `the database file holds "${value}" in UTF-16`).toBe(false);
    }
    // Error messages are encrypted too (the failure converter encodes them): the SMTP refusal is not in clear.
    expect(bytes.includes('permanently refused')).toBe(false);
    // Nor any key material.
    for (const material of keys.material) expect(bytes.includes(material)).toBe(false);
  });
});
