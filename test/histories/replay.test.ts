import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { temporal } from '@temporalio/proto';
import { bundleWorkflowCode, DefaultLogger, Runtime, Worker, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { beforeAll, describe, expect, test } from 'vitest';
import { WORKFLOWS_PATH } from '../../worker/worker';

/**
 * Sequences run for months: a deploy must not break the ones already running. These histories were recorded by an
 * earlier version of the workflow code (test/histories/record.ts) and are replayed here with today's: any change in
 * the commands the code issues for the same events fails the build. Use `patched()` for such changes (README).
 */
const HISTORIES = readdirSync(__dirname).filter((file) => file.endsWith('.history.pb'));

let bundle: WorkflowBundleWithSourceMap;
beforeAll(async () => {
  Runtime.install({ logger: new DefaultLogger('WARN'), telemetryOptions: { logging: { filter: { core: 'ERROR', other: 'ERROR' }, console: {} } } });
  bundle = await bundleWorkflowCode({ workflowsPath: WORKFLOWS_PATH, logger: new DefaultLogger('WARN') });
});

describe('recorded sequences replay with the current workflow code', () => {
  test('there are histories of sequences in several states', () => {
    expect(HISTORIES).toEqual(
      expect.arrayContaining([
        'default-complete.history.pb',
        'answered-then-hired.history.pb',
        'approved-paused-opted-out.history.pb',
        'running-mid-check-ins.history.pb',
      ]),
    );
  });

  test.each(HISTORIES)('%s', async (file) => {
    const history = temporal.api.history.v1.History.decode(readFileSync(path.join(__dirname, file)));
    expect(history.events.length).toBeGreaterThan(10);
    await Worker.runReplayHistory({ workflowBundle: bundle }, history, `replay-${file}`);
  });
});
