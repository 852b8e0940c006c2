/**
 * Records the histories that test/histories/replay.test.ts replays: sequences in several states, run under time
 * skipping by the workflow code of a git revision (HEAD by default).
 *
 *   npx tsx test/histories/record.ts [revision] [label]
 *
 * With a label (e.g. the release), the files are named `<state>.<label>.history.pb`, beside those of earlier releases:
 * sequences started on each of them may still be running.
 * Record before changing a workflow, commit the files, then change the code: CI replays them against the change, so a
 * change that would break sequences already running (weeks-long ones) fails the build. See README, "Changing a
 * workflow safely". The revision's workflows/ is taken with `git show` into a temporary directory and bundled from
 * there; the activities are today's.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { temporal } from '@temporalio/proto';
import type { WorkflowHandle } from '@temporalio/client';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { bundleWorkflowCode, DefaultLogger, Runtime, Worker } from '@temporalio/worker';
import { DateTime } from 'luxon';
import { createActivities, createSmtpMailer, loadTemplates } from '../../activities';
import { startSequence } from '../../client/sequences';
import { serverExecutable } from '../../client/temporal-binaries';
import {
  approveUpdate,
  feedbackUpdate,
  hiredUpdate,
  optOutUpdate,
  pauseUpdate,
  progressUpdate,
  replyUpdate,
  resumeUpdate,
  sendQueueOf,
  snoozeUpdate,
  statusQuery,
} from '../../workflows/definitions';
import { parseRejectionDocument } from '../../workflows/input';
import type { PolicyOverrides } from '../../workflows/policy';
import { rejectionDocument } from '../helpers/fixtures';
import { startSmtpServer } from '../helpers/smtp';
import { onwardIndexedSearchAttributes } from '../../client/visibility';

const ROOT = path.resolve(__dirname, '..', '..');
const OUT = __dirname;
const DAY = 24 * 60 * 60 * 1000;

async function main(revision = 'HEAD', label?: string): Promise<void> {
  const write = (state: string, history: temporal.api.history.v1.IHistory) => writeHistory(label ? `${state}.${label}` : state, history);
  const checkout = mkdtempSync(path.join(tmpdir(), 'onward-workflows-'));
  try {
    mkdirSync(path.join(checkout, 'workflows'));
    symlinkSync(path.join(ROOT, 'node_modules'), path.join(checkout, 'node_modules'));
    const files = execFileSync('git', ['ls-tree', '--name-only', revision, 'workflows/'], { cwd: ROOT, encoding: 'utf8' }).split('\n').filter(Boolean);
    for (const file of files) writeFileSync(path.join(checkout, file), execFileSync('git', ['show', `${revision}:${file}`], { cwd: ROOT }));

    Runtime.install({ logger: new DefaultLogger('WARN'), telemetryOptions: { logging: { filter: { core: 'ERROR', other: 'ERROR' }, console: {} } } });
    const env = await TestWorkflowEnvironment.createTimeSkipping({ server: { executable: serverExecutable('temporal-test-server') } });
    const smtp = await startSmtpServer();
    const mailer = createSmtpMailer(smtp.url, { maxConnections: 2 });
    try {
      await env.connection.operatorService.addSearchAttributes({
        namespace: env.namespace ?? 'default',
        searchAttributes: onwardIndexedSearchAttributes(),
      });
      const taskQueue = 'record-histories';
      const activities = createActivities({ mailer, templates: loadTemplates(), fromAddress: 'onward@onward.test' });
      const worker = await Worker.create({
        connection: env.nativeConnection,
        namespace: env.namespace ?? 'default',
        taskQueue,
        workflowBundle: await bundleWorkflowCode({ workflowsPath: path.join(checkout, 'workflows', 'index.ts'), logger: new DefaultLogger('WARN') }),
        activities,
      });
      // Sends have a task queue of their own since `wf-task-queue-sends`; earlier revisions leave this worker idle.
      const sends = await Worker.create({ connection: env.nativeConnection, namespace: env.namespace ?? 'default', taskQueue: sendQueueOf(taskQueue), activities });
      await sends.runUntil(worker.runUntil(async () => {
        const advanceTo = async (instant: number) => env.sleep(Math.max(0, instant - (await env.currentTimeMs())));
        // Each sequence is rejected on the next Monday afternoon in London, as in the workflow tests.
        const start = async (id: string, policy?: PolicyOverrides) => {
          const now = DateTime.fromMillis(await env.currentTimeMs(), { zone: 'Europe/London' });
          let monday = now.set({ hour: 14, minute: 0, second: 0, millisecond: 0 });
          while (monday.weekday !== 1 || monday <= now) monday = monday.plus({ days: 1 }).set({ hour: 14, minute: 0 });
          await advanceTo(monday.toMillis());
          const parsed = parseRejectionDocument(rejectionDocument({ id, rejectedAt: monday.toUTC().toISO() ?? '', policy }));
          if (!parsed.ok) throw new Error('invalid fixture');
          const { workflowId } = await startSequence(env.client, taskQueue, parsed.input);
          return { handle: env.client.workflow.getHandle(workflowId), rejectedAt: monday.toMillis() };
        };
        const settled = async (handle: WorkflowHandle, kind: string, status: string) => {
          for (let tries = 0; tries < 200; tries++) {
            const found = (await handle.query(statusQuery)).timeline.find((entry) => entry.kind === kind && entry.status === status);
            if (found) return;
            await new Promise((resolve) => setTimeout(resolve, 50));
          }
          throw new Error(`${kind} never became ${status}: ${JSON.stringify((await handle.query(statusQuery)).timeline.slice(0, 4))} at ${new Date(await env.currentTimeMs()).toISOString()}`);
        };

        // 1. The default sequence, nobody intervening: every step, the reminder, no answer.
        const { handle: plain } = await start('replay-default');
        await plain.result();
        write('default-complete', await plain.fetchHistory());

        // 2. Feedback answered after the request, progress reported, then hired during the check-ins.
        const { handle: steered, rejectedAt } = await start('replay-steered');
        await advanceTo(rejectedAt + 3 * DAY + 3_600_000);
        await steered.executeUpdate(feedbackUpdate, { args: [{ text: 'Quantify the impact of your projects.', from: 'Grace Hopper' }] });
        await advanceTo(rejectedAt + 10 * DAY);
        await steered.executeUpdate(progressUpdate, { args: [{ applications: 4, interviews: 1 }] });
        await advanceTo(rejectedAt + 17 * DAY);
        await steered.executeUpdate(hiredUpdate, { args: [{ reason: 'an offer elsewhere' }] });
        await steered.result();
        write('answered-then-hired', await steered.fetchHistory());

        // 3. Approve mode with a snooze, an edit, a skip and a pause, then an opt-out.
        const approved = await start('replay-approving', { delivery: { 'thank-you': 'approve', 'other-openings': 'approve' } });
        const approving = approved.handle;
        await approving.executeUpdate(snoozeUpdate, { args: [{ for: '1 day' }] });
        await advanceTo(approved.rejectedAt + 3 * DAY + 3_600_000);
        await settled(approving, 'thank-you', 'awaiting-approval');
        await approving.executeUpdate(approveUpdate, { args: [{ step: 'thank-you:1', decision: 'approve', subject: 'Thank you, Grace!' }] });
        await approving.executeUpdate(approveUpdate, { args: [{ step: 'thank-you:2', decision: 'skip' }] });
        await approving.executeUpdate(pauseUpdate);
        await advanceTo(approved.rejectedAt + 9 * DAY);
        await approving.executeUpdate(resumeUpdate);
        await advanceTo(approved.rejectedAt + 20 * DAY);
        await approving.executeUpdate(optOutUpdate, { args: [{ reason: 'asked to stop' }] });
        await approving.result();
        write('approved-paused-opted-out', await approving.fetchHistory());

        // 4. Still running: in the middle of the check-ins (week 3), as a sequence is when a new version deploys.
        const { handle: running, rejectedAt: runningSince } = await start('replay-running');
        await advanceTo(runningSince + 23 * DAY);
        write('running-mid-check-ins', await running.fetchHistory());
        await running.terminate('recorded');

        // 5. Replies caught by email (workflows/replies.ts, from 'wf-email-replies' on): the feedback, then the recruiter.
        if (files.includes('workflows/replies.ts')) {
          const { handle: replied, rejectedAt: repliedSince } = await start('replay-replied');
          await advanceTo(repliedSince + 3 * DAY + 3_600_000);
          await settled(replied, 'feedback-request', 'sent');
          const feedback = { step: 'feedback-request', messageId: '<reply-1@acme.example.com>', from: 'grace@acme.example.com', text: 'Quantify the impact of your projects.' };
          await replied.executeUpdate(replyUpdate, { args: [feedback] });
          await advanceTo(repliedSince + 12 * DAY);
          await settled(replied, 'other-openings', 'sent');
          const answer = { step: 'other-openings', messageId: '<reply-2@acme.example.com>', from: 'katherine@acme.example.com', text: 'Nothing right now; I will keep you in mind.' };
          await replied.executeUpdate(replyUpdate, { args: [answer] });
          await replied.result();
          write('replied-by-email', await replied.fetchHistory());
        }
      }));
    } finally {
      mailer.close();
      await smtp.close();
      await env.teardown();
    }
  } finally {
    rmSync(checkout, { recursive: true, force: true });
  }
}

/** The history in protobuf binary form (what `temporal workflow show --output json` shows, but compact). */
function writeHistory(name: string, history: temporal.api.history.v1.IHistory): void {
  const file = `${name}.history.pb`;
  writeFileSync(path.join(OUT, file), temporal.api.history.v1.History.encode(history).finish());
  console.log(`${file}: ${history.events?.length ?? 0} events`);
}

main(process.argv[2], process.argv[3]).catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
