// Figure 6: latency from `onward start` (and `POST /rejections`) to the sequence being visible as started, one
// start at a time (as a person or an ATS hook starts them). In process through startSequence, the function the
// CLI's `start` calls, and through the HTTP API (startApi, in this process, on its own port), against the no-op
// workflow started with client.workflow.start; then a few real CLI processes (`node bin/onward.js start file`)
// against the Temporal CLI's own `temporal workflow start`.
import { execFile } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Client } from '@temporalio/client';
import { startApi } from '../../client/api/server';
import { ApiKeys } from '../../client/api/keys';
import { startSequence } from '../../client/sequences';
import { resolveTemporalBinary } from '../../client/temporal-binaries';
import { rejectionDocument } from '../../test/helpers/fixtures';
import { statusQuery, workflowIdFor } from '../../workflows/definitions';
import { sequenceInput, type BenchContext } from '../context';
import { fmt, ratioOf, type FigureResult } from '../report';
import { benchStatusQuery } from '../workflows';
import { WorkerProcess } from '../worker-process';
import { now, progress, round, sleep, summarize, waitFor } from '../util';

const ROOT = path.resolve(__dirname, '..', '..');
const ONWARD_QUEUE = 'bench-latency';
const NOOP_QUEUE = 'bench-latency-noop';
/** The API's tenant in this figure: its sequences' workflow ids are scoped by it (workflowIdFor). */
const BENCH_TENANT = 'bench';

interface Sample {
  /** The start call returned (the CLI prints "Started sequence ..."). */
  started: number;
  /** describe() succeeds: what `onward status` and the web UI's detail page read. */
  described: number;
  /** The visibility list finds it by WorkflowId: what `onward list` and the web UI's list read. */
  listed: number;
  /** The status query is answered: the worker has run its first workflow task. */
  queried: number;
}

async function describeUntilFound(client: Client, workflowId: string): Promise<void> {
  await waitFor(`describe ${workflowId}`, async () => {
    try {
      await client.workflow.getHandle(workflowId).describe();
      return true;
    } catch {
      return undefined;
    }
  }, 30_000, 2);
}

async function listUntilFound(client: Client, workflowId: string): Promise<void> {
  await waitFor(`list ${workflowId}`, async () => {
    for await (const execution of client.workflow.list({ query: `WorkflowId = '${workflowId}'` })) {
      if (execution.workflowId === workflowId) return true;
    }
    return undefined;
  }, 30_000, 5);
}

async function measure(client: Client, workflowId: string, start: () => Promise<void>, query: () => Promise<unknown>): Promise<Sample> {
  const began = now();
  await start();
  const started = now() - began;
  await describeUntilFound(client, workflowId);
  const described = now() - began;
  await listUntilFound(client, workflowId);
  const listed = now() - began;
  await query();
  const queried = now() - began;
  return { started, described, listed, queried };
}

function run(command: string, args: string[], environment: Record<string, string>, timeout = 60_000): Promise<void> {
  return new Promise((resolve, reject) => {
    execFile(command, args, { cwd: ROOT, env: { ...process.env, ...environment }, timeout }, (error, _stdout, stderr) => {
      if (error) reject(new Error(`${path.basename(command)} ${args.slice(0, 3).join(' ')} failed: ${stderr || error.message}`));
      else resolve();
    });
  });
}

/** The compiled CLI, as the container image runs it (tsc -p tsconfig.build.json), built into the bench's temp dir. */
async function buildCompiledCli(directory: string): Promise<string | undefined> {
  const outDir = path.join(directory, 'dist');
  try {
    await run(process.execPath, [require.resolve('typescript/bin/tsc'), '-p', 'tsconfig.build.json', '--outDir', outDir], {}, 180_000);
  } catch (error) {
    // tsc still emits when some file has a type error (work in progress elsewhere in the tree): use it if it is there.
    progress(`figure 6: tsc reported errors while building the compiled CLI: ${error instanceof Error ? error.message.split('\n')[0] : String(error)}`);
  }
  const cli = path.join(outDir, 'client', 'cli.js');
  return existsSync(cli) ? cli : undefined;
}

/** The floor for a Node process: load @temporalio/client, connect, start one workflow, close. */
const NODE_FLOOR_SCRIPT = `
const { Client, Connection } = require('@temporalio/client');
(async () => {
  const connection = await Connection.connect({ address: process.env.BENCH_ADDRESS });
  await new Client({ connection }).workflow.start('benchNoop', { taskQueue: process.env.BENCH_QUEUE, workflowId: process.env.BENCH_ID });
  await connection.close();
})().catch((error) => { console.error(error); process.exit(1); });
`;

const summaries = (samples: Sample[]) => ({
  started: summarize(samples.map((sample) => sample.started)),
  described: summarize(samples.map((sample) => sample.described)),
  listed: summarize(samples.map((sample) => sample.listed)),
  queried: summarize(samples.map((sample) => sample.queried)),
});

export async function startLatency(context: BenchContext): Promise<FigureResult> {
  const { config, runId } = context;
  const env = await context.dev();
  const client = env.client;
  const sink = await context.smtpSink();
  const [onwardBundle, benchBundle] = [await context.bundle('onward'), await context.bundle('bench')];
  progress('figure 6: starting the Onward worker and the bench worker (child processes)');
  const common = { address: env.address, namespace: 'default' };
  const onwardWorker = await WorkerProcess.start('onward worker', { ...common, kind: 'onward', taskQueue: ONWARD_QUEUE, bundlePath: onwardBundle.path, smtpUrl: sink.url });
  const benchWorker = await WorkerProcess.start('bench worker', { ...common, kind: 'bench', taskQueue: NOOP_QUEUE, bundlePath: benchBundle.path });
  try {
    // Warm-up (not counted).
    for (let index = 0; index < Math.min(10, config.latencyStarts); index++) {
      const input = sequenceInput(`${runId}-lat-warm-${index}`);
      await measure(client, workflowIdFor(input.rejection.id), async () => void (await startSequence(client, ONWARD_QUEUE, input)), () =>
        client.workflow.getHandle(workflowIdFor(input.rejection.id)).query(statusQuery),
      );
      const noopId = `${runId}-lat-warm-noop-${index}`;
      await measure(client, noopId, async () => void (await client.workflow.start('benchNoop', { taskQueue: NOOP_QUEUE, workflowId: noopId })), () =>
        client.workflow.getHandle(noopId).query(benchStatusQuery),
      );
    }

    const apiKey = ApiKeys.generate();
    const api = await startApi({ client, taskQueue: ONWARD_QUEUE, keys: new ApiKeys().addKey(BENCH_TENANT, apiKey), rateLimits: { perIp: 1_000_000, perKey: 1_000_000 }, port: 0 }); // limits checked, never reached
    const postRejection = async (document: unknown): Promise<string> => {
      const response = await fetch(`${api.url}/rejections`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${apiKey}` },
        body: JSON.stringify(document),
      });
      const body = (await response.json()) as { workflowId?: string };
      if (response.status !== 201 || !body.workflowId) throw new Error(`POST /rejections answered ${response.status}: ${JSON.stringify(body)}`);
      return body.workflowId;
    };
    // Warm-up of the API (not counted).
    for (let index = 0; index < Math.min(10, config.latencyStarts); index++) {
      const workflowId = await postRejection(rejectionDocument({ id: `${runId}-api-warm-${index}`, rejectedAt: new Date().toISOString() }));
      await describeUntilFound(client, workflowId);
    }

    const onward: Sample[] = [];
    const viaApi: Sample[] = [];
    const baseline: Sample[] = [];
    progress(`figure 6: ${config.latencyStarts} sequential starts per variant, alternating`);
    for (let index = 0; index < config.latencyStarts; index++) {
      const input = sequenceInput(`${runId}-lat-${index}`);
      const workflowId = workflowIdFor(input.rejection.id);
      const noopId = `${runId}-lat-noop-${index}`;
      const measureOnward = async () => {
        onward.push(
          await measure(
            client,
            workflowId,
            async () => {
              const { started } = await startSequence(client, ONWARD_QUEUE, input);
              if (!started) throw new Error(`${workflowId} was not started`);
            },
            () => client.workflow.getHandle(workflowId).query(statusQuery),
          ),
        );
      };
      const measureNoop = async () => {
        baseline.push(
          await measure(
            client,
            noopId,
            async () => void (await client.workflow.start('benchNoop', { taskQueue: NOOP_QUEUE, workflowId: noopId })),
            () => client.workflow.getHandle(noopId).query(benchStatusQuery),
          ),
        );
      };
      const apiId = `${runId}-api-${index}`;
      const measureApi = async () => {
        const document = rejectionDocument({ id: apiId, rejectedAt: new Date().toISOString() });
        viaApi.push(
          await measure(
            client,
            workflowIdFor(apiId, BENCH_TENANT),
            async () => {
              const started = await postRejection(document);
              if (started !== workflowIdFor(apiId, BENCH_TENANT)) throw new Error(`POST /rejections started ${started}`);
            },
            () => client.workflow.getHandle(workflowIdFor(apiId, BENCH_TENANT)).query(statusQuery),
          ),
        );
      };
      // The three in turn, each first once in three, so that none always follows the same one.
      const order = [measureOnward, measureApi, measureNoop];
      for (let turn = 0; turn < order.length; turn++) await (order[(index + turn) % order.length] as () => Promise<void>)();
      if ((index + 1) % Math.max(1, Math.floor(config.latencyStarts / 5)) === 0) progress(`figure 6: ${index + 1}/${config.latencyStarts}`);
    }

    // Real processes, each followed by describe() until it succeeds: `onward start FILE` as `npx onward` runs it
    // (bin/onward.js: TypeScript through tsx), the compiled CLI as the container image runs it, a Node script
    // that only loads @temporalio/client and starts the no-op (the floor for a Node CLI), and the Temporal CLI.
    const cli: Record<'onward' | 'onwardCompiled' | 'nodeFloor' | 'temporal', { process: number[]; visible: number[] }> = {
      onward: { process: [], visible: [] },
      onwardCompiled: { process: [], visible: [] },
      nodeFloor: { process: [], visible: [] },
      temporal: { process: [], visible: [] },
    };
    const temporalBinary = resolveTemporalBinary('temporal');
    const compiledCli = config.cliRuns > 0 && config.cliCompiled ? await buildCompiledCli(context.directory) : undefined;
    const onwardEnvironment = { TEMPORAL_ADDRESS: env.address, TEMPORAL_NAMESPACE: 'default', ONWARD_TASK_QUEUE: ONWARD_QUEUE };
    const timed = async (target: keyof typeof cli, workflowId: string, launch: () => Promise<void>) => {
      const began = now();
      await launch();
      cli[target].process.push(round(now() - began));
      await describeUntilFound(client, workflowId);
      cli[target].visible.push(round(now() - began));
    };
    if (config.cliRuns > 0) progress(`figure 6: ${config.cliRuns} real CLI processes per variant`);
    for (let index = 0; index < config.cliRuns; index++) {
      const id = `${runId}-cli-${index}`;
      const file = path.join(context.directory, `${id}.json`);
      writeFileSync(file, JSON.stringify(rejectionDocument({ id, rejectedAt: new Date().toISOString() })));
      await timed('onward', workflowIdFor(id), () => run(process.execPath, [path.join(ROOT, 'bin', 'onward.js'), 'start', file, '--insecure-plaintext'], onwardEnvironment));
      if (compiledCli) {
        const compiledId = `${id}-compiled`;
        const compiledFile = path.join(context.directory, `${compiledId}.json`);
        writeFileSync(compiledFile, JSON.stringify(rejectionDocument({ id: compiledId, rejectedAt: new Date().toISOString() })));
        await timed('onwardCompiled', workflowIdFor(compiledId), () =>
          run(process.execPath, [compiledCli, 'start', compiledFile, '--insecure-plaintext'], { ...onwardEnvironment, NODE_PATH: path.join(ROOT, 'node_modules') }),
        );
      }
      const floorId = `${runId}-cli-floor-${index}`;
      await timed('nodeFloor', floorId, () => run(process.execPath, ['-e', NODE_FLOOR_SCRIPT], { BENCH_ADDRESS: env.address, BENCH_QUEUE: NOOP_QUEUE, BENCH_ID: floorId }));
      if (temporalBinary) {
        const noopId = `${runId}-cli-noop-${index}`;
        await timed('temporal', noopId, () =>
          run(temporalBinary, ['workflow', 'start', '--address', env.address, '--namespace', 'default', '--task-queue', NOOP_QUEUE, '--type', 'benchNoop', '--workflow-id', noopId], {}),
        );
      }
      await sleep(50);
    }

    await api.close();
    const o = summaries(onward);
    const a = summaries(viaApi);
    const b = summaries(baseline);
    const cliSummary = (target: keyof typeof cli) => ({ processMs: summarize(cli[target].process), toDescribeMs: summarize(cli[target].visible) });
    const cliOnward = summarize(cli.onward.visible);
    const cliTemporal = summarize(cli.temporal.visible);
    const cliRow = (target: keyof typeof cli, label: string) => {
      const summary = summarize(cli[target].visible);
      return {
        figure: '6',
        measure: `  ${label}: CLI process → describe(), p50 / max ms`,
        onward: target === 'onwardCompiled' ? `${fmt(summary.p50, 0)} / ${fmt(summary.max, 0)}` : '',
        baseline: target === 'nodeFloor' ? `${fmt(summary.p50, 0)} / ${fmt(summary.max, 0)}` : '',
        ratio: fmt(ratioOf(summary.p50, cliTemporal.p50), 2),
        target: '',
        met: '' as const,
      };
    };
    const pair = (x: { p50: number; p99: number }) => `${fmt(x.p50)} / ${fmt(x.p99)}`;
    const rows: FigureResult['rows'] = [
      { figure: '6', measure: `start → describe() succeeds, p50 / p99 ms (${config.latencyStarts} starts)`, onward: pair(o.described), baseline: pair(b.described), ratio: fmt(ratioOf(o.described.p50, b.described.p50), 2), target: 'report', met: '' },
      { figure: '6', measure: 'POST /rejections → describe() succeeds, p50 / p99 ms', onward: pair(a.described), baseline: pair(b.described), ratio: fmt(ratioOf(a.described.p50, b.described.p50), 2), target: 'report', met: '' },
      { figure: '6', measure: 'start → in the visibility list (onward list), p50 / p99 ms', onward: pair(o.listed), baseline: pair(b.listed), ratio: fmt(ratioOf(o.listed.p50, b.listed.p50), 2), target: 'report', met: '' },
      { figure: '6', measure: 'start → status query answered (first task run), p50 / p99 ms', onward: pair(o.queried), baseline: pair(b.queried), ratio: fmt(ratioOf(o.queried.p50, b.queried.p50), 2), target: 'report', met: '' },
      ...(config.cliRuns > 0
        ? [
            { figure: '6', measure: `onward start (npx, tsx) process → describe() succeeds, p50 / max ms (${config.cliRuns} runs)`, onward: `${fmt(cliOnward.p50, 0)} / ${fmt(cliOnward.max, 0)}`, baseline: `${fmt(cliTemporal.p50, 0)} / ${fmt(cliTemporal.max, 0)} (temporal CLI)`, ratio: fmt(ratioOf(cliOnward.p50, cliTemporal.p50), 2), target: 'report', met: '' as const },
            ...(cli.onwardCompiled.visible.length > 0 ? [cliRow('onwardCompiled', 'compiled dist/client/cli.js start')] : []),
            cliRow('nodeFloor', 'diagnostic: node script, @temporalio/client only'),
          ]
        : []),
    ];
    return {
      rows,
      data: {
        starts: config.latencyStarts,
        sequential: true,
        workersRunning: true,
        onward: o,
        api: a,
        baseline: b,
        ratioP50: { described: ratioOf(o.described.p50, b.described.p50), listed: ratioOf(o.listed.p50, b.listed.p50), queried: ratioOf(o.queried.p50, b.queried.p50) },
        apiRatioP50: { described: ratioOf(a.described.p50, b.described.p50), listed: ratioOf(a.listed.p50, b.listed.p50), queried: ratioOf(a.queried.p50, b.queried.p50) },
        cli: {
          runs: config.cliRuns,
          onward: cliSummary('onward'),
          onwardCompiled: compiledCli ? cliSummary('onwardCompiled') : null,
          nodeClientFloor: cliSummary('nodeFloor'),
          temporalCli: cliSummary('temporal'),
          raw: cli,
        },
        restApi: 'POST /rejections on startApi (Fastify) in the bench process, one tenant, sequential requests with fetch',
        met: null,
      },
    };
  } finally {
    await onwardWorker.stop();
    await benchWorker.stop();
  }
}
