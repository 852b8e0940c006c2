import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { temporal } from '@temporalio/proto';
import { DeterminismViolationError } from '@temporalio/workflow';
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
        // The same states since emails went out as local activities.
        'default-complete.local-send.history.pb',
        'running-mid-check-ins.local-send.history.pb',
        // And since they go out as regular activities on the sends' own task queue.
        'default-complete.task-queue-send.history.pb',
        'answered-then-hired.task-queue-send.history.pb',
        'approved-paused-opted-out.task-queue-send.history.pb',
        'running-mid-check-ins.task-queue-send.history.pb',
        // And since feedback that comes after the last check-in is passed on (issue 10's workflow as it shipped).
        'default-complete.late-feedback.history.pb',
        'answered-then-hired.late-feedback.history.pb',
        'approved-paused-opted-out.late-feedback.history.pb',
        'running-mid-check-ins.late-feedback.history.pb',
        // And since templates learn the recipient's language, the contact's role and the rejection's age (issue 13).
        'default-complete.languages.history.pb',
        'answered-then-hired.languages.history.pb',
        'approved-paused-opted-out.languages.history.pb',
        'running-mid-check-ins.languages.history.pb',
        // And since email replies are caught (patch 'wf-email-replies'): one with the feedback and the recruiter's answer by email.
        'default-complete.email-replies.history.pb',
        'running-mid-check-ins.email-replies.history.pb',
        'replied-by-email.email-replies.history.pb',
        // And since each transition is written to the outcomes ledger (patch 'wf-outcomes-ledger').
        'default-complete.outcomes-ledger.history.pb',
        'answered-then-hired.outcomes-ledger.history.pb',
        'approved-paused-opted-out.outcomes-ledger.history.pb',
        'running-mid-check-ins.outcomes-ledger.history.pb',
        'replied-by-email.outcomes-ledger.history.pb',
        // And since the workflow keeps the list's memo and search attributes in step (patch 'wf-visibility-memo').
        'default-complete.visibility-memo.history.pb',
        'approved-paused-opted-out.visibility-memo.history.pb',
        'running-mid-check-ins.visibility-memo.history.pb',
      ]),
    );
  });

  test('the workflow bundle leaves the input schemas (zod) out: every cached sequence would carry them', () => {
    expect(bundle.code).not.toMatch(/node_modules\/zod\//);
  });

  test.each(HISTORIES)('%s', async (file) => {
    const history = temporal.api.history.v1.History.decode(readFileSync(path.join(__dirname, file)));
    expect(history.events.length).toBeGreaterThan(10);
    await Worker.runReplayHistory({ workflowBundle: bundle }, history, `replay-${file}`);
  });
});

describe('the guards are what keep them running', () => {
  test.each([
    ['the closing summary', "patched('closing-summary')", 'rejection-follow-up.ts', 'default-complete.history.pb'],
    // Local sends were told apart by the task timeout a sequence started with, not by a patch marker.
    ['sending as local activities', 'workflowInfo().taskTimeoutMs >= WORKFLOW_TASK_TIMEOUT_MS', 'legacy-local-send.ts', 'default-complete.history.pb'],
    // Sequences recorded with local sends go on with them: only new ones send from the sends' own task queue.
    ['sending from a task queue of its own', 'patched(TASK_QUEUE_SENDS_PATCH)', 'hand-over.ts', 'default-complete.local-send.history.pb'],
    // Sequences recorded before the outcomes ledger write no rows: their histories have no recordOutcomes activity.
    ['writing the outcomes ledger', "patched('wf-outcomes-ledger')", 'sequence.ts', 'default-complete.email-replies.history.pb'],
    // The list memo's upserts are commands of their own: sequences recorded before them must not issue them.
    ['keeping the list memo', 'patched(VISIBILITY_MEMO_PATCH)', 'visibility.ts', 'default-complete.email-replies.history.pb'],
  ])('%s without its guard would break the sequences recorded before it', async (_change, guard, fileName, historyFile) => {
    // The same workflow code with the guard taken as always true, as if it were forgotten.
    const copy = mkdtempSync(path.join(tmpdir(), 'onward-unguarded-'));
    try {
      cpSync(WORKFLOWS_PATH, path.join(copy, 'workflows'), { recursive: true });
      symlinkSync(path.resolve(WORKFLOWS_PATH, '..', 'node_modules'), path.join(copy, 'node_modules'));
      const file = path.join(copy, 'workflows', fileName);
      const source = readFileSync(file, 'utf8');
      expect(source).toContain(guard);
      writeFileSync(file, source.replace(guard, 'true'));
      const unguarded = await bundleWorkflowCode({ workflowsPath: path.join(copy, 'workflows'), logger: new DefaultLogger('WARN') });
      const history = temporal.api.history.v1.History.decode(readFileSync(path.join(__dirname, historyFile)));
      await expect(Worker.runReplayHistory({ workflowBundle: unguarded }, history, 'replay-unguarded')).rejects.toThrow(DeterminismViolationError);
    } finally {
      rmSync(copy, { recursive: true, force: true });
    }
  });
});
