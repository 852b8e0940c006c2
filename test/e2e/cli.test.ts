import { WorkflowNotFoundError } from '@temporalio/common';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSmtpMailer } from '../../activities/mailer';
import { loadTemplates } from '../../activities/templates';
import { serverExecutable } from '../../client/temporal-binaries';
import { createOnwardWorker, type OnwardWorker } from '../../worker/worker';
import { ONWARD_SEARCH_ATTRIBUTES, workflowIdFor } from '../../workflows/definitions';
import type { SequenceStatus } from '../../workflows/status';
import { runCli } from '../helpers/cli';
import { ApiKeys } from '../../client/api/keys';
import { startApi } from '../../client/api/server';
import { DEV_TENANT } from '../../client/default-tenant';
import { createMemorySuppressionList } from '../../activities/suppression';
import { startPostgres, type TestPostgres } from '../helpers/postgres';
import { rejectionDocument } from '../helpers/fixtures';
import { startSmtpServer, type TestSmtpServer } from '../helpers/smtp';

// The CLI end to end, as a user runs it, against `temporal server start-dev` and a worker on a real SMTP server.
describe('onward CLI against a Temporal dev server', () => {
  let env: TestWorkflowEnvironment;
  let smtp: TestSmtpServer;
  let worker: OnwardWorker;
  let running: Promise<void>;
  let cliEnv: Record<string, string>;
  let postgres: TestPostgres;
  const directory = mkdtempSync(path.join(tmpdir(), 'onward-cli-'));
  const writeDocument = (name: string, document: unknown) => {
    const file = path.join(directory, name);
    writeFileSync(file, JSON.stringify(document));
    return file;
  };
  // A rejection happening now, so the sequence is grieving while the test looks at it.
  const rejectionFile = writeDocument('rejection.json', rejectionDocument({ id: 'cli-e2e-1', rejectedAt: new Date().toISOString() }));

  beforeAll(async () => {
    smtp = await startSmtpServer();
    postgres = await startPostgres();
    env = await TestWorkflowEnvironment.createLocal({
      server: { executable: serverExecutable('temporal'), searchAttributes: [...ONWARD_SEARCH_ATTRIBUTES] },
    });
    worker = await createOnwardWorker({
      connection: env.nativeConnection,
      namespace: 'default',
      taskQueue: 'onward',
      dependencies: { mailer: createSmtpMailer(smtp.url), templates: loadTemplates(), fromAddress: 'onward@example.com' },
    });
    running = worker.run();
    cliEnv = { TEMPORAL_ADDRESS: env.address, TEMPORAL_NAMESPACE: 'default', ONWARD_TASK_QUEUE: 'onward' };
  });

  afterAll(async () => {
    worker?.shutdown();
    await running;
    await env?.teardown();
    await smtp?.close();
    postgres?.stop();
  });

  it('previews the timeline without a server, as text and as JSON', async () => {
    const text = await runCli(['preview', rejectionFile], { TEMPORAL_ADDRESS: '127.0.0.1:1' });
    expect(text.code).toBe(0);
    expect(text.stdout).toContain('thank-you note to Grace Hopper <grace@acme.example.com>');
    expect(text.stdout).toContain('feedback request');

    const json = await runCli(['preview', rejectionFile, '--json']);
    const lines = JSON.parse(json.stdout) as { step: string; at: string }[];
    expect(lines.map((line) => line.step)).toEqual(expect.arrayContaining(['thank-you:1', 'thank-you:2', 'feedback-request', 'check-in:6', 'touchpoint:2']));
    const times = lines.map((line) => Date.parse(line.at));
    expect(times).toEqual([...times].sort((a, b) => a - b));
  });

  it('refuses to start a sequence for a candidate on the suppression list: one line, exit code 1, nothing started', async () => {
    // The database the workers share: `suppression add`, then `start`, each a process of its own.
    const database = { ONWARD_DATABASE_URL: await postgres.createDatabase() };
    expect((await runCli(['suppression', 'add', 'ada.opted-out@example.com', '--reason', 'asked to stop'], { ...cliEnv, ...database })).code).toBe(0);
    const file = writeDocument(
      'suppressed.json',
      rejectionDocument({ id: 'cli-e2e-suppressed', rejectedAt: new Date().toISOString(), candidate: { name: 'Ada Lovelace', email: 'ada.opted-out@example.com', timezone: 'Europe/London' } }),
    );
    const refused = await runCli(['start', file, '--insecure-plaintext'], { ...cliEnv, ...database });
    expect(refused.code).toBe(1);
    // The keyless test server's warning, then the refusal: one line, no stack trace.
    expect(refused.stderr.trim().split('\n').slice(1)).toEqual(['onward: candidate.email: is on the suppression list (the candidate opted out): no sequence is started for this address']);
    const runs = [];
    for await (const run of env.client.workflow.list({ query: `WorkflowId = '${workflowIdFor('cli-e2e-suppressed')}'` })) runs.push(run);
    expect(runs).toHaveLength(0);
  });

  it('starts a sequence once; starting the same rejection again returns the existing one', async () => {
    const first = await runCli(['start', rejectionFile, '--insecure-plaintext'], cliEnv);
    expect(first.stderr).toMatch(/^onward: warning: --insecure-plaintext: [^\n]*\n$/); // a keyless test server: the one line said
    expect(first.stdout).toContain(`Started sequence ${workflowIdFor('cli-e2e-1')}`);

    const again = await runCli(['start', rejectionFile, '--insecure-plaintext'], cliEnv);
    expect(again.code).toBe(0);
    expect(again.stdout).toContain('already exists');
    const runs = [];
    for await (const run of env.client.workflow.list({ query: `WorkflowId = '${workflowIdFor('cli-e2e-1')}'` })) runs.push(run);
    expect(runs).toHaveLength(1);
  });

  it('shows the status, and lists sequences by stage', async () => {
    const status = await runCli(['status', 'cli-e2e-1', '--json'], cliEnv);
    expect(status.code).toBe(0);
    const parsed = JSON.parse(status.stdout) as SequenceStatus;
    expect(parsed.stage).toBe('grieving');
    expect(parsed.timeline.find((entry) => entry.key === 'thank-you:1')?.status).toBe('scheduled');

    // Visibility is eventually consistent: the new sequence shows up in a moment.
    await expect.poll(async () => (await runCli(['list', '--stage', 'grieving'], cliEnv)).stdout, { timeout: 20_000, interval: 500 }).toContain('cli-e2e-1');
    const following = await runCli(['list', '--stage', 'following-up'], cliEnv);
    expect(following.stdout).not.toContain('cli-e2e-1');
  });

  it('acts on a sequence and reports refusals with the reason', async () => {
    const pause = await runCli(['pause', 'cli-e2e-1'], cliEnv);
    expect(pause.stdout).toContain('paused');
    const pauseAgain = await runCli(['pause', 'cli-e2e-1'], cliEnv);
    expect(pauseAgain.code).toBe(1);
    expect(pauseAgain.stderr).toContain('already paused');
    const snooze = await runCli(['snooze', 'cli-e2e-1', 'a while'], cliEnv);
    expect(snooze.code).toBe(1);
    expect(snooze.stderr).toContain('is not a duration');
    const unknown = await runCli(['ready', 'no-such-rejection'], cliEnv);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain('no running sequence');
  });

  it("starts a sequence for a tenant: by default the single-user one (`onward dev`'s), whose dashboard lists and opens it", async () => {
    const devKey = 'dev-tenant-key-0123456789';
    const acmeKey = 'acme-tenant-key-0123456789';
    const api = await startApi({ client: env.client, taskQueue: 'onward', keys: new ApiKeys().addKey(DEV_TENANT, devKey).addKey('acme', acmeKey), suppressions: createMemorySuppressionList(), port: 0 });
    const get = async (route: string, key: string) => {
      const response = await fetch(`${api.url}${route}`, { headers: { authorization: `Bearer ${key}` } });
      return { status: response.status, body: (await response.json()) as { sequences?: { rejectionId: string; candidate?: string }[]; candidate?: string; workflowId?: string; tenant?: string } };
    };
    try {
      const plain = writeDocument('tenant-default.json', rejectionDocument({ id: 'cli-e2e-dev', rejectedAt: new Date().toISOString() }));
      const started = await runCli(['start', plain, '--insecure-plaintext'], cliEnv);
      expect(started.code, started.stderr).toBe(0);
      // The id stays unscoped, so `onward status ID` still finds it.
      expect(started.stdout).toContain(`Started sequence ${workflowIdFor('cli-e2e-dev')}`);
      expect((await runCli(['status', 'cli-e2e-dev'], cliEnv)).code).toBe(0);
      await expect.poll(async () => (await get('/sequences', devKey)).body.sequences?.map((sequence) => sequence.rejectionId), { timeout: 20_000, interval: 250 }).toContain('cli-e2e-dev');
      const opened = await get('/sequences/cli-e2e-dev', devKey);
      expect(opened.status).toBe(200);
      expect(opened.body).toMatchObject({ candidate: 'Ada Lovelace', tenant: DEV_TENANT, workflowId: workflowIdFor('cli-e2e-dev') });
      expect((await get('/sequences/cli-e2e-dev', acmeKey)).status).toBe(404);

      const forAcme = writeDocument('tenant-acme.json', rejectionDocument({ id: 'cli-e2e-acme', rejectedAt: new Date().toISOString() }));
      const acme = await runCli(['start', forAcme, '--tenant', 'acme', '--insecure-plaintext'], cliEnv);
      expect(acme.stdout).toContain(`Started sequence ${workflowIdFor('cli-e2e-acme', 'acme')}`);
      expect((await runCli(['status', 'cli-e2e-acme', '--tenant', 'acme'], cliEnv)).code).toBe(0);
      await expect.poll(async () => (await get('/sequences', acmeKey)).body.sequences?.map((sequence) => sequence.rejectionId), { timeout: 20_000, interval: 250 }).toEqual(['cli-e2e-acme']);
      expect((await get('/sequences/cli-e2e-acme', acmeKey)).body).toMatchObject({ tenant: 'acme', candidate: 'Ada Lovelace' });
      expect((await get('/sequences/cli-e2e-acme', devKey)).status).toBe(404);

      const bad = await runCli(['start', forAcme, '--tenant', 'not a tenant', '--insecure-plaintext'], cliEnv);
      expect(bad.code).toBe(1);
      expect(bad.stderr).toContain('--tenant: "not a tenant" must be 1-64 letters, digits, "_" or "-"');
    } finally {
      await api.close();
    }
  });

  it('erases a sequence from Temporal (its history, memo and list entry go); a second run finds nothing, a bad id is refused', async () => {
    const database = { ONWARD_DATABASE_URL: await postgres.createDatabase() };
    const file = writeDocument('erase.json', rejectionDocument({ id: 'cli-e2e-erase', rejectedAt: new Date().toISOString() }));
    expect((await runCli(['start', file, '--tenant', 'acme', '--insecure-plaintext'], { ...cliEnv, ...database })).code).toBe(0);
    const handle = env.client.workflow.getHandle(workflowIdFor('cli-e2e-erase', 'acme'));
    expect((await handle.describe()).status.name).toBe('RUNNING');

    const erased = await runCli(['erase', 'cli-e2e-erase', '--tenant', 'acme'], { ...cliEnv, ...database });
    expect(erased.code, erased.stderr).toBe(0);
    expect(erased.stdout).toContain('cli-e2e-erase (tenant acme): deleted from Temporal; erased from');
    const gone = async () => {
      try {
        await handle.describe();
        return 'still in Temporal';
      } catch (error) {
        return error instanceof WorkflowNotFoundError ? 'gone' : String(error);
      }
    };
    await expect.poll(gone, { timeout: 30_000, interval: 500 }).toBe('gone');
    const again = await runCli(['erase', 'cli-e2e-erase', '--tenant', 'acme'], { ...cliEnv, ...database });
    expect(again.code, again.stderr).toBe(0);
    expect(again.stdout).toContain('no sequence in Temporal');
    const refused = await runCli(['erase', '../etc', '--tenant', 'acme'], { ...cliEnv, ...database });
    expect(refused.stderr).toContain('<id>: "../etc" is not a rejection id');
  });

  it('refuses an invalid file, naming each bad field, and starts nothing', async () => {
    const invalid = writeDocument('invalid.json', {
      ...rejectionDocument({ id: 'cli-e2e-invalid', interviewers: [] }),
      candidate: { name: 'Ada', email: 'not-an-email', timezone: 'Mars/Olympus' },
      policy: { grievingPeriod: 'soon', surprise: true },
    });
    const result = await runCli(['start', invalid, '--insecure-plaintext'], cliEnv);
    expect(result.code).toBe(1);
    for (const field of ['candidate.email', 'candidate.timezone', 'interviewers', 'policy.grievingPeriod', 'policy.surprise']) {
      expect(result.stderr).toContain(field);
    }
    await expect(env.client.workflow.getHandle(workflowIdFor('cli-e2e-invalid')).describe()).rejects.toThrow(/not found/i);
  });

  it('keeps the suppression list: add, check, remove (case-insensitive)', async () => {
    const file = { ONWARD_DATABASE_URL: await postgres.createDatabase() };
    expect((await runCli(['suppression', 'add', 'Opted.Out@example.com', '--reason', 'asked by phone'], file)).stdout).toContain('suppressed');
    expect((await runCli(['suppression', 'check', 'opted.out@EXAMPLE.com'], file)).stdout).toContain('opted.out@EXAMPLE.com: suppressed');
    await runCli(['suppression', 'remove', 'opted.out@example.com'], file);
    expect((await runCli(['suppression', 'check', 'Opted.Out@example.com'], file)).stdout).toContain('not suppressed');
  });

  it('says clearly when the server is unreachable', async () => {
    const result = await runCli(['status', 'cli-e2e-1'], { TEMPORAL_ADDRESS: '127.0.0.1:1' });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('Cannot reach the Temporal server at 127.0.0.1:1');
  });
});
