// Figures 2 and 3, on Temporal's time-skipping test server: the history of one complete default sequence
// (feedback answered through the feedback update), and the wall time of complete default sequences, one and
// 50 at once. The baseline is benchSkeleton: the same planned schedule as plain timers and no-op activities.
import { temporal } from '@temporalio/proto';
import { Client, Connection } from '@temporalio/client';
import { InternalConnectionOptionsSymbol } from '@temporalio/client/lib/connection';
import { msToTs } from '@temporalio/common/lib/time';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker } from '@temporalio/worker';
import { DateTime } from 'luxon';
import { createSmtpMailer, loadTemplates, type Mailer } from '../../activities';
import { startSequence } from '../../client/sequences';
import { serverExecutable } from '../../client/temporal-binaries';
import { createOnwardWorker, type RunnableWorker, type WorkerTuning } from '../../worker/worker';
import { feedbackUpdate, statusQuery } from '../../workflows/definitions';
import type { SequenceInput } from '../../workflows/input';
import { previewSequence } from '../../workflows/schedule';
import type { SequenceOutcome } from '../../workflows/status';
import { sequenceInput, type BenchContext } from '../context';
import { fmt, met, ratioOf, type FigureResult } from '../report';
import type { SkeletonStep } from '../workflows';
import { now, progress, round, sleep, summarize, waitFor } from '../util';
import { onwardIndexedSearchAttributes } from '../../client/visibility';

const ONWARD_QUEUE = 'bench-simulation';
const SKELETON_QUEUE = 'bench-simulation-skeleton';
/** Onward on a worker with an activity rate limit: emails go as regular activities (docs/production.md). */
const RATE_LIMITED_QUEUE = 'bench-simulation-rate-limited';
const ZONE = 'Europe/London';
const HOUR = 3_600_000;
const FEEDBACK = { text: 'Go deeper on system design trade-offs, and quantify the impact of your past projects.', from: 'Grace Hopper' };

/** A day after the last planned moment of a sequence: every run of it has finished by then. */
function endOf(input: SequenceInput | undefined): number {
  if (!input) throw new Error('no sequence');
  return Math.max(...previewSequence(input.rejection, input.policy).map((entry) => entry.at)) + 24 * HOUR;
}

/** The planned schedule of a sequence as skeleton steps: the same moments, the same messages. */
export function skeletonSteps(input: SequenceInput): SkeletonStep[] {
  return previewSequence(input.rejection, input.policy).map((entry) => {
    if (entry.kind === 'grieving-ends') return { key: entry.key, at: entry.at, send: false };
    if (entry.kind === 'feedback-deadline') return { key: entry.key, at: entry.at, send: false, feedbackDeadline: true };
    if (entry.kind === 'feedback-reminder') return { key: entry.key, at: entry.at, send: true, cancelOnFeedback: true };
    return { key: entry.key, at: entry.at, send: true };
  });
}

interface HistoryFigures {
  events: number;
  protobufBytes: number;
  jsonBytes: number;
  byType: Record<string, number>;
  /** Protobuf bytes per event type: where the bytes go. */
  bytesByType: Record<string, number>;
}

function historyFigures(history: temporal.api.history.v1.IHistory): HistoryFigures {
  const events = history.events ?? [];
  const byType: Record<string, number> = {};
  const bytesByType: Record<string, number> = {};
  for (const event of events) {
    const name = temporal.api.enums.v1.EventType[event.eventType ?? 0] ?? String(event.eventType);
    const short = name.replace(/^EVENT_TYPE_/, '');
    byType[short] = (byType[short] ?? 0) + 1;
    bytesByType[short] = (bytesByType[short] ?? 0) + temporal.api.history.v1.HistoryEvent.encode(event).finish().byteLength;
  }
  const descending = (record: Record<string, number>) => Object.fromEntries(Object.entries(record).sort(([, a], [, b]) => b - a));
  return {
    events: events.length,
    protobufBytes: temporal.api.history.v1.History.encode(history).finish().byteLength,
    // protobufjs's JSON form (enums and longs as strings, payload bytes in base64), as `temporal workflow show -o json` prints it, roughly.
    jsonBytes: Buffer.byteLength(JSON.stringify(temporal.api.history.v1.History.fromObject(history).toJSON())),
    byType: descending(byType),
    bytesByType: descending(bytesByType),
  };
}

/**
 * One time-skipping server with the Onward worker (createOnwardWorker, mail to the sink) and the bench worker.
 * Time is locked except while the bench skips it on purpose: sequences are started with time locked (so every
 * one of a batch starts at the same moment), then the clock is skipped once for the whole batch, to a day after
 * its last planned moment (see finish). The bench has its own client connection with gentle keepalive and no
 * retries: the SDK's default 30 s pings make the test server answer "too many pings" (GOAWAY), and a time-skipping
 * call retried after that is counted twice by the server, which leaves time locked for good.
 */
export class TimeSkipping {
  private constructor(
    readonly env: TestWorkflowEnvironment,
    private readonly connection: Connection & { testService: NonNullable<Connection['testService']> },
    readonly client: Client,
    private readonly workers: RunnableWorker[],
    private readonly running: Promise<void>[],
    private readonly mailer: Mailer,
    readonly startupMs: number,
  ) {}

  static async start(context: BenchContext): Promise<TimeSkipping> {
    progress('starting the time-skipping test server');
    const began = now();
    const env = await TestWorkflowEnvironment.createTimeSkipping({ server: { executable: serverExecutable('temporal-test-server') } });
    await env.connection.operatorService.addSearchAttributes({
      namespace: env.namespace ?? 'default',
      searchAttributes: onwardIndexedSearchAttributes(),
    });
    const sink = await context.smtpSink();
    const mailer = createSmtpMailer(sink.url);
    const [onwardBundle, benchBundle] = [await context.bundle('onward'), await context.bundle('bench')];
    const onwardWorker = (taskQueue: string, tuning?: WorkerTuning) =>
      createOnwardWorker({
        connection: env.nativeConnection,
        namespace: env.namespace ?? 'default',
        taskQueue,
        workflowBundle: { code: onwardBundle.code },
        dependencies: { mailer, templates: loadTemplates(), fromAddress: 'onward@bench.onward.test' },
        ...(tuning ? { tuning } : {}),
      });
    const onward = await onwardWorker(ONWARD_QUEUE);
    const rateLimited = await onwardWorker(RATE_LIMITED_QUEUE, { maxTaskQueueActivitiesPerSecond: 1000 });
    const skeleton = await Worker.create({
      connection: env.nativeConnection,
      namespace: env.namespace ?? 'default',
      taskQueue: SKELETON_QUEUE,
      workflowBundle: { code: benchBundle.code },
      activities: { benchSend: (_key: string): Promise<void> => Promise.resolve() },
    });
    const workers = [onward, rateLimited, skeleton];
    const running = workers.map((worker) => worker.run());
    const options = {
      address: env.address,
      channelArgs: { 'grpc.keepalive_permit_without_calls': 0, 'grpc.keepalive_time_ms': 600_000 },
      // No retries: a retried lock or unlock would be counted twice by the server.
      interceptors: [],
      // The test service (time skipping) is only on connections that ask for it, as TestWorkflowEnvironment's does.
      [InternalConnectionOptionsSymbol]: { supportsTestService: true },
    };
    const connection = await Connection.connect(options);
    if (!connection.testService) throw new Error('the bench connection has no test service');
    const client = new Client({ connection, namespace: env.namespace ?? 'default' });
    const startupMs = round(now() - began);
    progress(`time-skipping server and workers ready (${Math.round(startupMs)} ms)`);
    return new TimeSkipping(env, connection as Connection & { testService: NonNullable<Connection['testService']> }, client, workers, running, mailer, startupMs);
  }

  private async currentTimeMs(): Promise<number> {
    const { time } = await this.connection.testService.getCurrentTime({});
    return Number(time?.seconds ?? 0) * 1000 + Math.floor((time?.nanos ?? 0) / 1_000_000);
  }

  /** Skips the clock forward to `instant` (timers due meanwhile fire, their activities run). */
  async advanceUntil(instant: number): Promise<void> {
    const remaining = instant - (await this.currentTimeMs());
    if (remaining > 0) await this.connection.testService.unlockTimeSkippingWithSleep({ duration: msToTs(remaining) });
  }

  /**
   * Skips the clock to `end` (a day after the last planned moment of the sequences just started: they have all
   * finished by then), then takes their results with time locked. Time is never left to skip freely: once every
   * workflow has finished, the test server jumps to its next pending timer, years away, and a later run's
   * rejection date would be out of range.
   */
  async finish<T>(end: number, results: () => Promise<T>): Promise<T> {
    await this.advanceUntil(end);
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`the workflows had not finished by ${new Date(end).toISOString()} (simulated)`)), 60_000);
    });
    try {
      return await Promise.race([results(), timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  /** Skips to the next Monday 14:00 in London, the rejection time of every run (the same schedule each time). */
  async nextMonday(): Promise<number> {
    const current = DateTime.fromMillis(await this.currentTimeMs(), { zone: ZONE });
    let target = current.set({ hour: 14, minute: 0, second: 0, millisecond: 0 });
    while (target.weekday !== 1 || target <= current) target = target.plus({ days: 1 }).set({ hour: 14, minute: 0 });
    await this.advanceUntil(target.toMillis());
    return target.toMillis();
  }

  input(id: string, rejectedAt: number): SequenceInput {
    return sequenceInput(id, { rejectedAt: new Date(rejectedAt).toISOString() });
  }

  /** Starts `count` complete default sequences at once and waits for all of them; wall time from first start to last result. */
  async runOnward(ids: string[], rejectedAt: number): Promise<{ ms: number; outcomes: SequenceOutcome[]; workflowIds: string[] }> {
    const inputs = ids.map((id) => this.input(id, rejectedAt));
    const began = now();
    const started = await Promise.all(inputs.map((input) => startSequence(this.client, ONWARD_QUEUE, input)));
    const outcomes = await this.finish(endOf(inputs[0]), () =>
      Promise.all(started.map(({ workflowId }) => this.client.workflow.getHandle(workflowId).result() as Promise<SequenceOutcome>)),
    );
    return { ms: round(now() - began), outcomes, workflowIds: inputs.map((input) => `rejection-${input.rejection.id}`) };
  }

  async runSkeleton(ids: string[], rejectedAt: number): Promise<{ ms: number; sent: number[]; workflowIds: string[] }> {
    const steps = skeletonSteps(this.input('skeleton', rejectedAt));
    const began = now();
    const handles = await Promise.all(ids.map((id) => this.client.workflow.start('benchSkeleton', { taskQueue: SKELETON_QUEUE, workflowId: id, args: [steps] })));
    const sent = await this.finish(endOf(this.input('skeleton', rejectedAt)), () => Promise.all(handles.map((handle) => handle.result() as Promise<number>)));
    return { ms: round(now() - began), sent, workflowIds: ids };
  }

  /** The simulated clock, for the record. */
  async clock(): Promise<string> {
    return new Date(await this.currentTimeMs()).toISOString();
  }

  async history(workflowId: string): Promise<HistoryFigures> {
    return historyFigures(await this.client.workflow.getHandle(workflowId).fetchHistory());
  }

  async teardown(): Promise<void> {
    for (const worker of this.workers) {
      if (worker.getState() === 'RUNNING') worker.shutdown();
    }
    await Promise.allSettled(this.running);
    this.mailer.close();
    await this.connection.close();
    await this.env.teardown();
  }
}

const median = (values: number[]) => summarize(values).p50;

// ---- figure 3 ---------------------------------------------------------------------------------------

export async function simulationSpeed(context: BenchContext, ts: TimeSkipping): Promise<FigureResult> {
  const { config, runId } = context;
  const expectSent = (outcome: SequenceOutcome) => {
    if (outcome.stage !== 'completed' || outcome.failed > 0) throw new Error(`a sequence ended ${JSON.stringify(outcome)}`);
  };

  progress('figure 3: one complete default sequence (a cold run first, not counted)');
  const coldOnward = await ts.runOnward([`${runId}-sim-cold`], await ts.nextMonday());
  coldOnward.outcomes.forEach(expectSent);
  const coldSkeleton = await ts.runSkeleton([`${runId}-sim-cold-skeleton`], await ts.nextMonday());
  const one = { onward: [] as number[], skeleton: [] as number[] };
  let firstWorkflowId = coldOnward.workflowIds[0] ?? '';
  let firstSkeletonId = coldSkeleton.workflowIds[0] ?? '';
  for (let run = 0; run < config.simulationRuns; run++) {
    const onward = await ts.runOnward([`${runId}-sim-${run}`], await ts.nextMonday());
    onward.outcomes.forEach(expectSent);
    const skeleton = await ts.runSkeleton([`${runId}-sim-skeleton-${run}`], await ts.nextMonday());
    one.onward.push(onward.ms);
    one.skeleton.push(skeleton.ms);
    firstWorkflowId = onward.workflowIds[0] ?? firstWorkflowId;
    firstSkeletonId = skeleton.workflowIds[0] ?? firstSkeletonId;
    progress(`figure 3: run ${run + 1}/${config.simulationRuns}: Onward ${Math.round(onward.ms)} ms, skeleton ${Math.round(skeleton.ms)} ms`);
  }

  const n = config.simulationConcurrent;
  progress(`figure 3: ${n} complete default sequences at once`);
  const manyOnward = await ts.runOnward(
    Array.from({ length: n }, (_, index) => `${runId}-sim-many-${index}`),
    await ts.nextMonday(),
  );
  manyOnward.outcomes.forEach(expectSent);
  progress(`figure 3: ${n} Onward sequences in ${Math.round(manyOnward.ms)} ms`);
  const manySkeleton = await ts.runSkeleton(
    Array.from({ length: n }, (_, index) => `${runId}-sim-many-skeleton-${index}`),
    await ts.nextMonday(),
  );
  progress(`figure 3: ${n} skeleton sequences in ${Math.round(manySkeleton.ms)} ms`);

  const oneMs = median(one.onward);
  const oneBaseline = median(one.skeleton);
  const sentPerSequence = manyOnward.outcomes[0]?.sent ?? Number.NaN;
  const noFeedbackHistory = await ts.history(firstWorkflowId);
  const noFeedbackSkeleton = await ts.history(firstSkeletonId);
  return {
    rows: [
      { figure: '3', measure: 'one complete default sequence, wall ms (median)', onward: fmt(oneMs, 0), baseline: `${fmt(oneBaseline, 0)} (skeleton)`, ratio: fmt(ratioOf(oneMs, oneBaseline), 2), target: '< 2000 ms', met: met(oneMs < 2000) },
      { figure: '3', measure: `${n} sequences at once, wall ms`, onward: fmt(manyOnward.ms, 0), baseline: `${fmt(manySkeleton.ms, 0)} (skeleton)`, ratio: fmt(ratioOf(manyOnward.ms, manySkeleton.ms), 2), target: 'report', met: '' },
    ],
    data: {
      server: 'temporal-test-server (time skipping)',
      serverStartupMs: ts.startupMs,
      emailsPerSequence: sentPerSequence,
      one: { runs: config.simulationRuns, onwardMs: one.onward, skeletonMs: one.skeleton, onwardMedianMs: oneMs, skeletonMedianMs: oneBaseline, coldOnwardMs: coldOnward.ms, coldSkeletonMs: coldSkeleton.ms },
      concurrent: { sequences: n, onwardMs: manyOnward.ms, skeletonMs: manySkeleton.ms, onwardPerSequenceMs: round(manyOnward.ms / n), ratio: ratioOf(manyOnward.ms, manySkeleton.ms) },
      ratio: ratioOf(oneMs, oneBaseline),
      target: '< 2000 ms for one',
      met: oneMs < 2000,
      historyWithoutFeedback: { onward: noFeedbackHistory, skeleton: noFeedbackSkeleton },
      simulatedClockAfter: await ts.clock(),
    },
  };
}

// ---- figure 2 ---------------------------------------------------------------------------------------

interface HistoryRun extends HistoryFigures {
  workflowId: string;
  sent: number;
}

/** The run whose event count is the median of the runs (the counts vary by a few events: see the note). */
function medianRun(runs: HistoryRun[]): HistoryRun {
  const sorted = [...runs].sort((a, b) => a.events - b.events);
  const chosen = sorted[Math.floor((sorted.length - 1) / 2)];
  if (!chosen) throw new Error('no history runs');
  return chosen;
}

export async function historyCost(context: BenchContext, ts: TimeSkipping): Promise<FigureResult> {
  const { config, runId } = context;
  const runs = config.simulationRuns;
  progress(`figure 2: ${runs} complete default sequence(s), feedback answered through the feedback update, and the skeletons`);

  const onwardRun = async (run: number, taskQueue = ONWARD_QUEUE): Promise<HistoryRun & { outcome: SequenceOutcome; feedbackState: string }> => {
    const rejectedAt = await ts.nextMonday();
    const input = ts.input(`${runId}-history-${taskQueue === ONWARD_QUEUE ? '' : 'rate-limited-'}${run}`, rejectedAt);
    const requestAt = previewSequence(input.rejection, input.policy).find((entry) => entry.key === 'feedback-request')?.at;
    if (requestAt === undefined) throw new Error('the default sequence has no feedback request');
    const { workflowId } = await startSequence(ts.client, taskQueue, input);
    const handle = ts.client.workflow.getHandle(workflowId);
    await ts.advanceUntil(requestAt + HOUR);
    await waitFor('the feedback request', async () => ((await handle.query(statusQuery)).feedback.state === 'waiting' ? true : undefined), 30_000, 20);
    await handle.executeUpdate(feedbackUpdate, { args: [FEEDBACK] });
    const outcome = (await ts.finish(endOf(input), () => handle.result())) as SequenceOutcome;
    const status = await handle.query(statusQuery);
    if (outcome.stage !== 'completed' || outcome.failed > 0 || status.feedback.state !== 'received') {
      throw new Error(`unexpected end: ${JSON.stringify(outcome)}, feedback ${status.feedback.state}`);
    }
    return { ...(await ts.history(workflowId)), workflowId, sent: outcome.sent, outcome, feedbackState: status.feedback.state };
  };

  const skeletonRun = async (run: number, local: boolean): Promise<HistoryRun> => {
    const at = await ts.nextMonday();
    const input = ts.input(`${runId}-history-skeleton-${run}`, at);
    const requestedAt = previewSequence(input.rejection, input.policy).find((entry) => entry.key === 'feedback-request')?.at ?? at;
    const workflowId = `${runId}-history-skeleton${local ? '-local' : ''}-${run}`;
    const handle = await ts.client.workflow.start('benchSkeleton', { taskQueue: SKELETON_QUEUE, workflowId, args: [skeletonSteps(input), { local }] });
    await ts.advanceUntil(requestedAt + HOUR);
    await sleep(100);
    await handle.executeUpdate(feedbackUpdate, { args: [FEEDBACK] });
    const sent = (await ts.finish(endOf(input), () => handle.result())) as number;
    return { ...(await ts.history(workflowId)), workflowId, sent };
  };

  const onwardRuns: Awaited<ReturnType<typeof onwardRun>>[] = [];
  const skeletonRuns: HistoryRun[] = [];
  const localRuns: HistoryRun[] = [];
  const rateLimitedRuns: HistoryRun[] = [];
  for (let run = 0; run < runs; run++) {
    onwardRuns.push(await onwardRun(run));
    skeletonRuns.push(await skeletonRun(run, false));
    localRuns.push(await skeletonRun(run, true));
    rateLimitedRuns.push(await onwardRun(run, RATE_LIMITED_QUEUE));
    progress(
      `figure 2: run ${run + 1}/${runs}: Onward ${onwardRuns[run]?.events} events / ${onwardRuns[run]?.protobufBytes} bytes; ` +
        `skeleton ${skeletonRuns[run]?.events} / ${skeletonRuns[run]?.protobufBytes}; skeleton with local activities ${localRuns[run]?.events} / ${localRuns[run]?.protobufBytes}; ` +
        `Onward rate-limited ${rateLimitedRuns[run]?.events} / ${rateLimitedRuns[run]?.protobufBytes}`,
    );
  }
  const onward = medianRun(onwardRuns) as Awaited<ReturnType<typeof onwardRun>>;
  const onwardRateLimited = medianRun(rateLimitedRuns);
  const skeleton = medianRun(skeletonRuns);
  const skeletonLocal = medianRun(localRuns);
  const eventsOf = (list: HistoryRun[]) => list.map((run) => run.events);

  const ratio = ratioOf(onward.events, skeleton.events);
  return {
    rows: [
      { figure: '2', measure: `history events, one complete sequence (${onward.sent} emails, feedback answered)`, onward: String(onward.events), baseline: `${skeleton.events} (skeleton)`, ratio: fmt(ratio, 2), target: 'report', met: '' },
      { figure: '2', measure: '  history bytes (protobuf / JSON)', onward: `${onward.protobufBytes} / ${onward.jsonBytes}`, baseline: `${skeleton.protobufBytes} / ${skeleton.jsonBytes}`, ratio: fmt(ratioOf(onward.protobufBytes, skeleton.protobufBytes), 2), target: 'report', met: '' },
      { figure: '2', measure: '  diagnostic: skeleton sending with local activities, events', onward: '', baseline: String(skeletonLocal.events), ratio: fmt(ratioOf(onward.events, skeletonLocal.events), 2), target: 'report', met: '' },
      { figure: '2', measure: '  Onward on a rate-limited worker, events', onward: String(onwardRateLimited.events), baseline: `${skeleton.events} (skeleton)`, ratio: fmt(ratioOf(onwardRateLimited.events, skeleton.events), 2), target: 'report', met: '' },
    ],
    data: {
      runs,
      eventsPerRun: { onward: eventsOf(onwardRuns), skeleton: eventsOf(skeletonRuns), skeletonLocalActivities: eventsOf(localRuns), onwardRateLimited: eventsOf(rateLimitedRuns) },
      outcome: onward.outcome,
      feedbackState: onward.feedbackState,
      onward,
      skeleton: { ...skeleton, description: 'benchSkeleton: the same planned schedule as parallel timers + one no-op activity per message; feedback cancels reminder and deadline' },
      skeletonLocalActivities: { ...skeletonLocal, description: 'benchSkeleton with { local: true }: the same, each message sent by a local activity' },
      onwardRateLimited: { ...onwardRateLimited, description: 'Onward on a worker with maxTaskQueueActivitiesPerSecond set' },
      ratio,
      // About 175 events for a months-long sequence is fine (issue 10): no target, the figure is reported.
      simulatedClockAfter: await ts.clock(),
    },
  };
}
