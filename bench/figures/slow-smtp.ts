// Figure 7: a slow SMTP server must not hold a sequence's workflow task, nor its status query (issue 10). One sequence
// with 20 interviewers sends its 20 thank-you notes to an SMTP server that takes 4 s per message, while the bench
// queries its status every 100 ms from the moment the sequence answered its first query (the worker warm); the
// baseline is the same run against an SMTP server that answers at once (no-op).
import type { AddressInfo } from 'node:net';
import type { Client } from '@temporalio/client';
import { SMTPServer } from 'smtp-server';
import { startSequence } from '../../client/sequences';
import { statusQuery, workflowIdFor } from '../../workflows/definitions';
import { sequenceInput, type BenchContext } from '../context';
import { fmt, type FigureResult } from '../report';
import { WorkerProcess } from '../worker-process';
import { now, progress, round, summarize, type LatencySummary } from '../util';

const INTERVIEWERS = 20;
const SLOW_MS = 4_000;
const QUERY_EVERY_MS = 100;
const TASK_TARGET_MS = 1_000;
const QUERY_P99_TARGET_MS = 200;

interface Run {
  longestWorkflowTaskMs: number;
  firstWorkflowTaskMs: number;
  workflowTasks: number;
  queries: LatencySummary;
  sendsSeconds: number;
}

/** A real SMTP server that accepts every message after `delayMs`. */
async function slowSmtpServer(delayMs: number): Promise<{ url: string; received: () => number; close: () => Promise<void> }> {
  let received = 0;
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS', 'AUTH'],
    logger: false,
    onData(stream, _session, callback) {
      stream.resume();
      stream.on('end', () =>
        setTimeout(() => {
          received += 1;
          callback();
        }, delayMs),
      );
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.server.address() as AddressInfo;
  return { url: `smtp://127.0.0.1:${port}`, received: () => received, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

/**
 * The longest time between a workflow task's start and its completion, in the history so far, after the first: the
 * first is the worker's cold start (the sequence's sandbox is created), measured before any send, and reported apart.
 */
async function longestWorkflowTask(client: Client, workflowId: string): Promise<{ longestMs: number; firstMs: number; tasks: number }> {
  const events = (await client.workflow.getHandle(workflowId).fetchHistory()).events ?? [];
  const millis = (event: (typeof events)[number]) => Number(event.eventTime?.seconds ?? 0) * 1000 + Math.floor((event.eventTime?.nanos ?? 0) / 1e6);
  let started: number | undefined;
  let longestMs = 0;
  let firstMs = 0;
  let tasks = 0;
  for (const event of events) {
    if (event.workflowTaskStartedEventAttributes) started = millis(event);
    if ((event.workflowTaskCompletedEventAttributes || event.workflowTaskTimedOutEventAttributes || event.workflowTaskFailedEventAttributes) && started !== undefined) {
      if (tasks === 0) firstMs = millis(event) - started;
      else longestMs = Math.max(longestMs, millis(event) - started);
      tasks += 1;
      started = undefined;
    }
  }
  return { longestMs, firstMs, tasks };
}

async function runOnce(context: BenchContext, label: string, delayMs: number): Promise<Run> {
  const env = await context.dev();
  const smtp = await slowSmtpServer(delayMs);
  const taskQueue = `${context.runId}-slow-smtp-${label}`;
  const onwardBundle = await context.bundle('onward');
  const worker = await WorkerProcess.start(`onward worker (${label})`, { kind: 'onward', address: env.address, namespace: 'default', taskQueue, bundlePath: onwardBundle.path, smtpUrl: smtp.url });
  const input = sequenceInput(`${context.runId}-slow-smtp-${label}`, {
    interviewers: Array.from({ length: INTERVIEWERS }, (_, index) => ({ name: `Interviewer ${index + 1}`, email: `interviewer-${index + 1}@acme.example.com` })),
    policy: {
      supportiveNote: false,
      // Long enough for the first workflow task and a first (unmeasured) query before the sends begin.
      grievingPeriod: '5 seconds',
      // Only the thank-you notes fall in the measured minutes: everything else is days away.
      feedbackRequestDelay: '1 day',
      sendWindow: { days: ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'], start: '00:00', end: '24:00' },
      avoidRejectionDay: false,
    },
  });
  const workflowId = workflowIdFor(input.rejection.id);
  try {
    await startSequence(env.client, taskQueue, input);
    await env.client.workflow.getHandle(workflowId).query(statusQuery);
    const latencies: number[] = [];
    const began = now();
    let sendsSeconds = Number.NaN;
    while (now() - began < 180_000) {
      const asked = now();
      await env.client.workflow.getHandle(workflowId).query(statusQuery);
      latencies.push(now() - asked);
      if (smtp.received() >= INTERVIEWERS) {
        sendsSeconds = round((now() - began) / 1000, 1);
        break;
      }
      await new Promise((resolve) => setTimeout(resolve, QUERY_EVERY_MS));
    }
    if (smtp.received() < INTERVIEWERS) throw new Error(`${label}: only ${smtp.received()} of ${INTERVIEWERS} thank-you notes arrived within 3 minutes`);
    const { longestMs, firstMs, tasks } = await longestWorkflowTask(env.client, workflowId);
    progress(`figure 7 (${label}): longest workflow task ${longestMs} ms of ${tasks} (the first, cold: ${firstMs} ms); query p99 ${round(summarize(latencies).p99)} ms over ${latencies.length}; sends ${sendsSeconds} s`);
    return { longestWorkflowTaskMs: longestMs, firstWorkflowTaskMs: firstMs, workflowTasks: tasks, queries: summarize(latencies), sendsSeconds };
  } finally {
    await env.client.workflow.getHandle(workflowId).terminate('bench done').catch(() => undefined);
    await worker.stop();
    await smtp.close();
  }
}

export async function slowSmtp(context: BenchContext): Promise<FigureResult> {
  const baseline = await runOnce(context, 'instant', 0);
  const slow = await runOnce(context, 'slow', SLOW_MS);
  const ratio = (a: number, b: number) => (b > 0 ? fmt(a / b, 2) : 'n/a');
  const met = (ok: boolean) => (ok ? 'yes' : 'no');
  return {
    rows: [
      {
        figure: '7',
        measure: `longest workflow task, ${INTERVIEWERS} interviewers, SMTP ${SLOW_MS / 1000} s per message, ms`,
        onward: String(slow.longestWorkflowTaskMs),
        baseline: `${baseline.longestWorkflowTaskMs} (SMTP at once)`,
        ratio: ratio(slow.longestWorkflowTaskMs, baseline.longestWorkflowTaskMs),
        target: `< ${TASK_TARGET_MS} ms`,
        met: met(slow.longestWorkflowTaskMs < TASK_TARGET_MS),
      },
      {
        figure: '7',
        measure: `status query p50 / p99 while those sends run, ms (${slow.queries.count} queries, ${slow.sendsSeconds} s)`,
        onward: `${fmt(slow.queries.p50)} / ${fmt(slow.queries.p99)}`,
        baseline: `${fmt(baseline.queries.p50)} / ${fmt(baseline.queries.p99)} (SMTP at once)`,
        ratio: ratio(slow.queries.p99, baseline.queries.p99),
        target: `p99 < ${QUERY_P99_TARGET_MS} ms`,
        met: met(slow.queries.p99 < QUERY_P99_TARGET_MS),
      },
    ],
    data: { interviewers: INTERVIEWERS, smtpDelayMs: SLOW_MS, queryEveryMs: QUERY_EVERY_MS, slow, baseline },
  };
}
