import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import type { Payload } from '@temporalio/common';
import { temporal } from '@temporalio/proto';
import { describe, expect, it, onTestFailed } from 'vitest';
import { AesGcmCodec } from '../../common/codec';
import { feedbackUpdate, statusQuery } from '../../workflows/definitions';
import { runCli } from '../helpers/cli';
import { freePort, ROOT } from '../helpers/processes';
import {
  connect,
  databaseBytes,
  people,
  sequenceInput,
  startDrillSequence,
  useDrillEnvironment,
  waitUntil,
  type DrillSequence,
} from '../reliability/harness';

// Secrets (the SMTP password, the payload keys, the codec server's token) never appear in workflow inputs, histories,
// query results, the database, logs or error messages. A full sequence runs with all of them set, through the faults
// that produce error messages (a refused login, a 451, a 550), and everything it left behind is searched for them.
describe('secrets stay out of inputs, histories, logs and error messages', () => {
  // A password with characters that must be URL-encoded in SMTP_URL: both forms are searched for.
  const password = `Pw-${randomBytes(9).toString('hex')}/+@:%s3cr3t`;
  const codecToken = randomBytes(32).toString('hex');
  const drill = useDrillEnvironment({ directoryPrefix: 'onward-secrets-', smtpCredentials: { user: 'onward-mailer', password } });
  const { keys, logs } = drill;
  let sequence: DrillSequence;

  const secrets = () => [password, encodeURIComponent(password), ...keys.material, codecToken];
  const expectNoSecret = (where: string, text: string | Buffer) => {
    for (const secret of secrets()) expect(text.includes(secret), `${where} contains a secret (${secret.slice(0, 4)}...)`).toBe(false);
  };

  it('runs a full sequence with a password-protected SMTP server, through a refused login, a 451 and a 550', { timeout: 240_000 }, async () => {
    const { server, smtp } = drill;
    onTestFailed(() => console.log(`worker logs:\n${logs.toString().slice(-6000)}`));
    expect(smtp.url).toContain(encodeURIComponent(password));
    smtp.failNextAuth(1);
    const document = people('secrets');
    smtp.rejectRecipient(document.interviewers?.[1]?.email ?? '', 550);
    const { client, connection } = await connect(server.address, keys.keyring);
    try {
      sequence = await startDrillSequence(client, 'onward', sequenceInput(document));
      // The refused login delays the supportive note by one retry (30 s); then a 451 for the next message.
      await waitUntil('the supportive note', () => smtp.messages.length >= 1, 90_000, 250);
      smtp.failNext(1, 451);
      await waitUntil('the feedback request', async () => (await sequence.status()).feedback.state === 'waiting', 90_000, 250);
      await sequence.handle.executeUpdate(feedbackUpdate, { args: [{ text: 'Tighter answers, please.' }] });
      expect(await sequence.result()).toMatchObject({ stage: 'completed', failed: 1 });
    } finally {
      await connection.close();
    }
    // The faults happened, and were logged.
    expect(logs.toString()).toMatch(/535 Authentication failed/);
    expect(logs.toString()).toMatch(/451 try again later/);
    expect(logs.toString()).toMatch(/550/);
    expect(logs.toString()).toContain(`smtp://onward-mailer:***@127.0.0.1:${smtp.port}`);
  });

  it('not in the histories (raw and decrypted), the workflow input, the status, nor the database file', async () => {
    const { server } = drill;
    const { client, connection } = await connect(server.address, keys.keyring);
    const codec = new AesGcmCodec(keys.keyring);
    try {
      const handle = client.workflow.getHandle(sequence.workflowId);
      const history = await handle.fetchHistory();
      const raw = Buffer.from(temporal.api.history.v1.History.encode(history).finish());
      expectNoSecret('the raw history', raw);

      // Every payload of the history, decrypted: inputs, results, update arguments, encoded failure messages.
      const payloads: Payload[] = [];
      const collect = (node: unknown): void => {
        if (node === null || typeof node !== 'object' || ArrayBuffer.isView(node)) return;
        const candidate = node as { metadata?: Record<string, Uint8Array>; data?: Uint8Array };
        if (candidate.metadata && typeof candidate.metadata === 'object' && 'encoding' in candidate.metadata) payloads.push(candidate);
        for (const value of Object.values(node)) collect(value);
      };
      collect(history);
      const decrypted = (await codec.decode(payloads)).map((payload) => Buffer.from(payload.data ?? []).toString('utf8')).join('\n');
      expect(payloads.length).toBeGreaterThan(20);
      expect(decrypted).toContain('candidate.secrets@people.example');
      expect(decrypted).toMatch(/permanently refused/);
      expectNoSecret('the decrypted history', decrypted);

      const description = await handle.describe();
      expectNoSecret('the description', JSON.stringify(description.raw));
      expectNoSecret('the status', JSON.stringify(await handle.query(statusQuery)));
    } finally {
      await connection.close();
    }
    expectNoSecret('the database file', databaseBytes(server.dbFile));
  });

  it('not in the worker logs', () => {
    expect(logs.toString().length).toBeGreaterThan(100);
    expectNoSecret('the worker logs', logs.toString());
  });

  it('not in the error messages of a misconfigured worker or codec server', async () => {
    const { server, smtp } = drill;
    const badWorker = await runCli(['worker'], {
      SMTP_URL: smtp.url,
      ONWARD_FROM: 'not an address',
      TEMPORAL_ADDRESS: server.address,
      ONWARD_CODEC_KEYS: `k1:${randomBytes(16).toString('base64')},k2:${keys.environment.ONWARD_CODEC_KEYS.split(',')[1]?.split(':')[1] ?? ''}`,
    });
    expect(badWorker.code).toBe(1);
    expect(badWorker.stderr).toMatch(/ONWARD_FROM/);
    expectNoSecret('the worker configuration error', badWorker.stderr + badWorker.stdout);

    const badKeys = await runCli(['worker'], { SMTP_URL: smtp.url, ONWARD_FROM: 'onward@drill.example', TEMPORAL_ADDRESS: server.address, ONWARD_CODEC_KEYS: keys.environment.ONWARD_CODEC_KEYS.replace('old:', 'old key:') });
    expect(badKeys.code).toBe(1);
    expect(badKeys.stderr).toMatch(/ONWARD_CODEC_KEYS: entry 1 of 2: the key id must be/);
    expectNoSecret('the key configuration error', badKeys.stderr + badKeys.stdout);

    const noKeys = await runCli(['worker'], { SMTP_URL: smtp.url, ONWARD_FROM: 'onward@drill.example', TEMPORAL_ADDRESS: server.address, ONWARD_CODEC_KEYS: '' });
    expect(noKeys.code).toBe(1);
    expect(noKeys.stderr).toMatch(/ONWARD_CODEC_KEYS: is required/);

    const badToken = await runCli(['codec-server'], { ...keys.environment, ONWARD_CODEC_SERVER_TOKEN: codecToken.slice(0, 20) });
    expect(badToken.code).toBe(1);
    expect(badToken.stderr).toMatch(/ONWARD_CODEC_SERVER_TOKEN/);
    expect(badToken.stderr).not.toContain(codecToken.slice(0, 20));
    expectNoSecret('the codec server configuration error', badToken.stderr + badToken.stdout);
  });

  it('not in the logs of the codec server, which serves with and refuses without its token', { timeout: 60_000 }, async () => {
    const port = await freePort();
    const child = spawn(process.execPath, [path.join(ROOT, 'bin', 'onward.js'), 'codec-server'], {
      cwd: ROOT,
      env: { PATH: process.env.PATH ?? '', ...keys.environment, ONWARD_CODEC_SERVER_TOKEN: codecToken, ONWARD_CODEC_SERVER_ADDRESS: `127.0.0.1:${port}` },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    try {
      await waitUntil('the codec server', () => output.includes('Onward codec server on'), 30_000);
      const [encrypted] = await new AesGcmCodec(keys.keyring).encode([{ metadata: { encoding: Buffer.from('json/plain') }, data: Buffer.from('"hello"') }]);
      const body = JSON.stringify({
        payloads: [{ metadata: Object.fromEntries(Object.entries(encrypted?.metadata ?? {}).map(([key, value]) => [key, Buffer.from(value).toString('base64')])), data: Buffer.from(encrypted?.data ?? []).toString('base64') }],
      });
      const url = `http://127.0.0.1:${port}`;
      expect((await fetch(`${url}/decode`, { method: 'POST', body })).status).toBe(401);
      expect((await fetch(`${url}/decode`, { method: 'POST', body, headers: { Authorization: `Bearer ${codecToken}` } })).status).toBe(200);
      expect((await fetch(`${url}/${codecToken}/default/decode`, { method: 'POST', body })).status).toBe(200);
      await waitUntil('the request log', () => output.split('\n').filter((line) => line.startsWith('codec POST')).length >= 3, 5000);
    } finally {
      child.kill('SIGTERM');
      await exited;
    }
    expect(output).toContain('codec POST /default/decode 200');
    expectNoSecret('the codec server logs', output);
  });
});
