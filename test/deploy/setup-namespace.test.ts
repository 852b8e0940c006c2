import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { ONWARD_SEARCH_ATTRIBUTES } from '../../workflows/definitions';
import { onwardIndexedSearchAttributes, SEARCH_ATTRIBUTE_TYPE_NAMES } from '../../client/visibility';
import { resolveTemporalBinary, serverExecutable } from '../../client/temporal-binaries';

// deploy/temporal/setup-namespace.sh is what the compose file's `temporal-setup` job runs (in the admin-tools image,
// with the Temporal CLI). Here it runs with the same CLI against a real dev server that knows nothing of Onward yet.

const ROOT = path.resolve(__dirname, '..', '..');
const SCRIPT = path.join(ROOT, 'deploy', 'temporal', 'setup-namespace.sh');
const NAMESPACE = 'onward-setup-test';
const run = promisify(execFile);

let testEnv: TestWorkflowEnvironment;

beforeAll(async () => {
  testEnv = await TestWorkflowEnvironment.createLocal({ server: { executable: serverExecutable('temporal') } });
});
afterAll(async () => {
  await testEnv?.teardown();
});

function setup() {
  const cli = resolveTemporalBinary('temporal');
  if (!cli) throw new Error('the Temporal CLI is needed: npm run setup');
  return run('sh', [SCRIPT], {
    env: {
      PATH: `${path.dirname(cli)}${path.delimiter}${process.env.PATH ?? ''}`,
      HOME: process.env.HOME,
      TEMPORAL_ADDRESS: testEnv.address,
      TEMPORAL_NAMESPACE: NAMESPACE,
      ONWARD_NAMESPACE_RETENTION: '720h',
    },
    timeout: 60_000,
  });
}


describe('the temporal-setup job (deploy/temporal/setup-namespace.sh)', () => {
  test('lists exactly the search attributes Onward uses', () => {
    const line = /^SEARCH_ATTRIBUTES="([^"]*)"$/m.exec(readFileSync(SCRIPT, 'utf8'))?.[1] ?? '';
    expect(line.split(' ').sort()).toEqual(ONWARD_SEARCH_ATTRIBUTES.map((key) => `${key.name}:${SEARCH_ATTRIBUTE_TYPE_NAMES[key.type]}`).sort());
  });

  test('creates the namespace with its retention, and every search attribute; a second run changes nothing', async () => {
    const first = await setup();
    expect(first.stdout).toContain(`Creating namespace ${NAMESPACE} (retention 720h)`);
    for (const key of ONWARD_SEARCH_ATTRIBUTES) expect(first.stdout).toContain(`Creating search attribute ${key.name} (${SEARCH_ATTRIBUTE_TYPE_NAMES[key.type]})`);

    const { workflowService, operatorService } = testEnv.client.connection;
    const namespace = await workflowService.describeNamespace({ namespace: NAMESPACE });
    expect(Number(namespace.config?.workflowExecutionRetentionTtl?.seconds)).toBe(720 * 3600);
    const { customAttributes } = await operatorService.listSearchAttributes({ namespace: NAMESPACE });
    for (const key of ONWARD_SEARCH_ATTRIBUTES) {
      expect(customAttributes?.[key.name], key.name).toBe(onwardIndexedSearchAttributes()[key.name]);
    }

    const second = await setup();
    expect(second.stdout).toContain(`Namespace ${NAMESPACE} exists.`);
    for (const key of ONWARD_SEARCH_ATTRIBUTES) expect(second.stdout).toContain(`Search attribute ${key.name} exists.`);
    expect(second.stdout).not.toContain('Creating');
  });
});
