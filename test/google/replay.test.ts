import { readFileSync } from 'node:fs';
import path from 'node:path';
import { temporal } from '@temporalio/proto';
import { bundleWorkflowCode, DefaultLogger, Runtime, Worker, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { beforeAll, describe, expect, test } from 'vitest';

/**
 * Sequences already running when the Google channels were deployed must replay unchanged: these histories were
 * recorded with the workflow code from before them (test/google/fixtures/record-histories.ts), with the default
 * channels, and are replayed here with today's code. A replay fails on any difference in the commands.
 */
const FIXTURES = path.join(__dirname, 'fixtures');
const WORKFLOWS_ENTRY = path.resolve(__dirname, '..', '..', 'workflows', 'index.ts');

let bundle: WorkflowBundleWithSourceMap;
beforeAll(async () => {
  Runtime.install({ logger: new DefaultLogger('WARN'), telemetryOptions: { logging: { filter: { core: 'ERROR', other: 'ERROR' }, console: {} } } });
  bundle = await bundleWorkflowCode({ workflowsPath: WORKFLOWS_ENTRY, logger: new DefaultLogger('WARN') });
});

const history = (name: string) => temporal.api.history.v1.History.decode(readFileSync(path.join(FIXTURES, `${name}.history.pb`)));

describe('sequences recorded before the Google channels', () => {
  test('the default sequence replays with today’s workflow code, event for event', async () => {
    const recorded = history('default-sequence');
    // The default sequence's size, as it was: the Google channels add nothing to it.
    expect(recorded.events).toHaveLength(168);
    await Worker.runReplayHistory({ workflowBundle: bundle }, recorded, 'rejection-replay-default');
  });

  test('a sequence answered and then stopped by `hired` replays too (the stopping paths changed)', async () => {
    const recorded = history('steered-sequence');
    const kinds = (recorded.events ?? []).map((event) => event.eventType);
    expect(kinds).toContain(temporal.api.enums.v1.EventType.EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_COMPLETED);
    await Worker.runReplayHistory({ workflowBundle: bundle }, recorded, 'rejection-replay-steered');
  });
});
