import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SequenceListItem } from '../../client/api/service';
import { runCli } from '../helpers/cli';
import { eventually } from '../helpers/eventually';
import { KEYS, startApiHarness, type ApiHarness } from './harness';

// `onward import FILE.csv` as a user runs it, against the dev server the API harness runs.
describe('onward import', () => {
  let api: ApiHarness;
  let cliEnv: Record<string, string>;
  const directory = mkdtempSync(path.join(tmpdir(), 'onward-import-'));
  const now = new Date().toISOString();
  const header = 'id,candidate.name,candidate.email,candidate.timezone,company,role,interviewers[0].name,interviewers[0].email,recruiter.name,recruiter.email,rejectedAt,policy.grievingPeriod';
  const file = (name: string, lines: string[]) => {
    const target = path.join(directory, name);
    writeFileSync(target, [header, ...lines].join('\n'));
    return target;
  };

  beforeAll(async () => {
    api = await startApiHarness();
    cliEnv = { TEMPORAL_ADDRESS: api.env.address, TEMPORAL_NAMESPACE: 'default', ONWARD_TASK_QUEUE: api.taskQueue };
  });
  afterAll(async () => api?.teardown());

  it('starts one sequence per row, reports each, and re-running starts nothing twice', async () => {
    const csv = file('good.csv', [
      `cli-import-1,Ada Lovelace,ada@example.com,Europe/London,Acme Analytics,Data Engineer,Grace Hopper,grace@acme.example.com,Katherine Johnson,katherine@acme.example.com,${now},3 days`,
      `cli-import-2,"Hopper, Grace",grace.h@example.com,America/New_York,Acme Analytics,"Analyst, Data",Alan Turing,alan@acme.example.com,,,${now},`,
    ]);
    const first = await runCli(['import', csv, '--tenant', 'acme', '--insecure-plaintext'], cliEnv);
    expect(first.stderr).toMatch(/^onward: warning: --insecure-plaintext: [^\n]*\n$/); // a keyless test server: the one line said
    expect(first.code).toBe(0);
    expect(first.stdout).toMatch(/line 2\s+cli-import-1\s+started/);
    expect(first.stdout).toMatch(/line 3\s+cli-import-2\s+started/);
    expect(first.stdout).toContain('2 rows: 2 started, 0 already existed, 0 refused.');

    const again = await runCli(['import', csv, '--tenant', 'acme', '--json', '--insecure-plaintext'], cliEnv);
    expect(again.code).toBe(0);
    expect(JSON.parse(again.stdout)).toMatchObject({ started: 0, existing: 2, refused: 0 });

    // Imported for tenant acme: its API key sees them, with the policy column applied.
    const listed = await eventually(async () => {
      const response = await api.call<{ sequences: SequenceListItem[] }>('GET', '/sequences', { key: KEYS.acme });
      expect(response.body.sequences.map((sequence) => sequence.rejectionId).sort()).toEqual(['cli-import-1', 'cli-import-2']);
      return response.body.sequences;
    });
    expect(listed.find((sequence) => sequence.rejectionId === 'cli-import-2')).toMatchObject({ candidate: 'Hopper, Grace', role: 'Analyst, Data' });
    const status = await api.call<{ grievingEndsAt: string }>('GET', '/sequences/cli-import-1', { key: KEYS.acme });
    expect(Date.parse(status.body.grievingEndsAt) - Date.parse(now)).toBeGreaterThan(2.9 * 24 * 3600 * 1000);
  });

  it('refuses bad rows with the column and the reason, and says so in its exit code', async () => {
    const csv = file('mixed.csv', [
      `cli-import-3,Mary Somerville,mary@example.com,Europe/London,Acme Analytics,Analyst,Alan Turing,alan@acme.example.com,,,${now},`,
      `cli-import-4,Bad Row,not-an-email,Mars/Olympus,Acme Analytics,Analyst,,,,,${now},soon`,
    ]);
    const result = await runCli(['import', csv, '--insecure-plaintext'], cliEnv);
    expect(result.code).toBe(2);
    expect(result.stdout).toMatch(/line 2\s+cli-import-3\s+started/);
    const refused = result.stdout.split('\n').find((line) => line.includes('cli-import-4')) ?? '';
    expect(refused).toContain('refused');
    for (const problem of ['candidate.email: must be a valid email address', 'candidate.timezone:', 'interviewers: is required', 'policy.grievingPeriod:']) {
      expect(refused).toContain(problem);
    }
    expect(result.stdout).toContain('2 rows: 1 started, 0 already existed, 1 refused.');

    const notCsv = await runCli(['import', path.join(directory, 'missing.csv')], cliEnv);
    expect(notCsv.code).toBe(1);
    expect(notCsv.stderr).toContain('cannot be read');
  });
});
