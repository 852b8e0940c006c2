// Figure 4: the Onward worker's RSS (its own process, read from /proc) idle, then with N sequences in flight,
// each asleep in its grieving wait (rejected a moment ago: the supportive note waits for tomorrow's window).
// The worker is the one the container image runs: createOnwardWorker with the tuning its configuration gives by
// default, a prebuilt bundle and the image's heap limit (Dockerfile). Variants, same method: without the heap limit;
// with the SDK's own cache size; diagnostics: the bench worker with the skeleton workflow (what a minimal sleeping
// workflow costs), the skeleton with the product's policy module (zod) in its bundle, the idle worker that
// bundles at start, and what the tsx loader (the bench runs TypeScript) adds to any process.
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { Client } from '@temporalio/client';
import { startSequence } from '../../client/sequences';
import { workflowIdFor } from '../../workflows/definitions';
import { sequenceInput, type BenchContext, type BundleName } from '../context';
import { fmt, met, ratioOf, type FigureResult } from '../report';
import { MiB, progress, round, runPool, sleep } from '../util';
import { WorkerProcess, type WorkerProcessOptions, type WorkerReport } from '../worker-process';
import { skeletonSteps } from './simulation';

const TARGET_MB = 400;
const ROOT = path.resolve(__dirname, '..', '..');

/** The worker's heap limit in the container image (its NODE_OPTIONS), MiB. */
function imageHeapLimitMb(): number {
  const limit = /--max-old-space-size=(\d+)/.exec(readFileSync(path.join(ROOT, 'Dockerfile'), 'utf8'))?.[1];
  if (!limit) throw new Error('the Dockerfile sets no --max-old-space-size');
  return Number(limit);
}
const mb = (bytes: number) => round(bytes / MiB, 1);

async function sampleRss(worker: WorkerProcess, samples = 5, intervalMs = 400): Promise<{ rss: number; samples: number[] }> {
  const values: number[] = [];
  for (let index = 0; index < samples; index++) {
    const memory = worker.memory();
    if (memory) values.push(memory.rss);
    await sleep(intervalMs);
  }
  const sorted = [...values].sort((a, b) => a - b);
  return { rss: sorted[Math.floor(sorted.length / 2)] ?? Number.NaN, samples: values };
}

/**
 * Waits until every workflow has completed its first workflow task (none pending, more than the start events).
 * The worker takes them roughly in start order, so the check walks the list in chunks and waits at the first
 * chunk that is not done yet, instead of describing every workflow on every pass.
 */
async function waitUntilAsleep(client: Client, workflowIds: string[], timeoutMs: number, label: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let pending = [...workflowIds];
  let lastReport = Date.now();
  while (pending.length > 0) {
    if (Date.now() > deadline) throw new Error(`${pending.length} workflows were still not asleep after ${timeoutMs} ms`);
    const chunk = pending.slice(0, 64);
    const still = await runPool(chunk, 16, async (workflowId) => {
      const description = await client.workflow.getHandle(workflowId).describe();
      const asleep = !description.raw.pendingWorkflowTask && description.historyLength > 3 && description.status.name === 'RUNNING';
      return asleep ? undefined : workflowId;
    });
    const notYet = still.filter((id): id is string => id !== undefined);
    pending = [...notYet, ...pending.slice(chunk.length)];
    if (notYet.length > 0) await sleep(500);
    if (Date.now() - lastReport > 10_000) {
      progress(`figure 4 (${label}): ${workflowIds.length - pending.length}/${workflowIds.length} asleep`);
      lastReport = Date.now();
    }
  }
}

interface Variant {
  label: string;
  kind: 'onward' | 'bench';
  bundle: BundleName;
  sequences: number;
  maxCachedWorkflows?: number | 'sdk-default';
  heapLimitMb?: number;
}

interface MemoryRun {
  label: string;
  kind: Variant['kind'];
  bundle: BundleName;
  maxCachedWorkflows: number | 'sdk-default' | 'default';
  heapLimitMb: number | 'Node default';
  sequences: number;
  idleRssMb: number;
  loadedRssMb: number;
  peakRssMb: number;
  cached: number;
  /** (loaded - idle) / workflows in the cache. */
  perCachedWorkflowKb: number;
  startMs: number;
  /** From the first start until every workflow had run its first task. */
  asleepMs: number;
  asleepPerSecond: number;
  workerStartupMs: number;
  idleReport: WorkerReport;
  loadedReport: WorkerReport;
  idleSamplesMb: number[];
  loadedSamplesMb: number[];
}

async function measureWorker(context: BenchContext, variant: Variant): Promise<MemoryRun> {
  const { runId } = context;
  const env = await context.dev();
  const sink = await context.smtpSink();
  const bundle = await context.bundle(variant.bundle);
  const taskQueue = `bench-memory-${variant.label}`;
  const options: WorkerProcessOptions = {
    kind: variant.kind,
    address: env.address,
    namespace: 'default',
    taskQueue,
    bundlePath: bundle.path,
    smtpUrl: sink.url,
    maxCachedWorkflows: variant.maxCachedWorkflows,
    heapLimitMb: variant.heapLimitMb,
  };
  progress(`figure 4 (${variant.label}): starting the ${variant.kind} worker (child process)`);
  const worker = await WorkerProcess.start(`${variant.kind} worker (${variant.label})`, options);
  try {
    await sleep(3000);
    const idle = await sampleRss(worker);
    const idleReport = await worker.report();
    progress(`figure 4 (${variant.label}): idle RSS ${fmt(mb(idle.rss))} MiB; starting ${variant.sequences} workflows`);

    let peak = idle.rss;
    let sampling = true;
    const sampler = (async () => {
      while (sampling) {
        peak = Math.max(peak, worker.memory()?.rss ?? 0);
        await sleep(250);
      }
    })();

    const inputs = Array.from({ length: variant.sequences }, (_, index) => sequenceInput(`${runId}-mem-${variant.label}-${index}`));
    const workflowIds: string[] = [];
    const began = Date.now();
    let done = 0;
    await runPool(inputs, 32, async (input) => {
      if (variant.kind === 'onward') {
        const { workflowId } = await startSequence(env.client, taskQueue, input);
        workflowIds.push(workflowId);
      } else {
        const workflowId = workflowIdFor(input.rejection.id);
        await env.client.workflow.start('benchSkeleton', { taskQueue, workflowId, args: [skeletonSteps(input)] });
        workflowIds.push(workflowId);
      }
      done += 1;
      if (done % 1000 === 0) progress(`figure 4 (${variant.label}): ${done}/${inputs.length} started`);
    });
    const startMs = Date.now() - began;
    await waitUntilAsleep(env.client, workflowIds, 900_000, variant.label);
    const asleepMs = Date.now() - began;
    progress(`figure 4 (${variant.label}): all ${inputs.length} asleep (started in ${startMs} ms, all asleep after ${asleepMs} ms)`);
    await sleep(3000);
    const loaded = await sampleRss(worker);
    const loadedReport = await worker.report();
    sampling = false;
    await sampler;
    const peakRss = Math.max(peak, worker.memory()?.peakRss ?? 0);
    const cached = loadedReport.numCachedWorkflows;
    progress(`figure 4 (${variant.label}): RSS ${fmt(mb(loaded.rss))} MiB (peak ${fmt(mb(peakRss))}), ${cached} workflows cached`);
    return {
      label: variant.label,
      kind: variant.kind,
      bundle: variant.bundle,
      maxCachedWorkflows: variant.maxCachedWorkflows ?? 'default',
      heapLimitMb: variant.heapLimitMb ?? 'Node default',
      sequences: inputs.length,
      idleRssMb: mb(idle.rss),
      loadedRssMb: mb(loaded.rss),
      peakRssMb: mb(peakRss),
      cached,
      perCachedWorkflowKb: cached > 0 ? round((loaded.rss - idle.rss) / 1024 / cached, 1) : Number.NaN,
      startMs,
      asleepMs,
      asleepPerSecond: round((inputs.length / asleepMs) * 1000, 1),
      workerStartupMs: worker.startupMs,
      idleReport,
      loadedReport,
      idleSamplesMb: idle.samples.map(mb),
      loadedSamplesMb: loaded.samples.map(mb),
    };
  } finally {
    await worker.stop();
  }
}

/** The idle worker that runs webpack at start (`onward worker` without ONWARD_WORKFLOW_BUNDLE). */
async function idleSourceWorker(context: BenchContext): Promise<{ idleRssMb: number; peakRssMb: number; startupMs: number }> {
  const env = await context.dev();
  const sink = await context.smtpSink();
  progress('figure 4 (bundled at start): starting an Onward worker without a prebuilt bundle');
  const worker = await WorkerProcess.start('onward worker (bundled at start)', { kind: 'onward', address: env.address, namespace: 'default', taskQueue: 'bench-memory-source', smtpUrl: sink.url });
  try {
    await sleep(3000);
    const idle = await sampleRss(worker);
    return { idleRssMb: mb(idle.rss), peakRssMb: mb(worker.memory()?.peakRss ?? Number.NaN), startupMs: worker.startupMs };
  } finally {
    await worker.stop();
  }
}

/** RSS of a Node process that loaded @temporalio/worker, with and without the tsx loader the bench children use. */
async function tsxOverhead(): Promise<{ plainMb: number; tsxMb: number; overheadMb: number }> {
  const script = "require('@temporalio/worker'); setTimeout(() => console.log(/VmRSS:\\s+(\\d+)/.exec(require('fs').readFileSync('/proc/self/status', 'utf8'))[1]), 1500);";
  const rssOf = (execArgv: string[]) =>
    new Promise<number>((resolve, reject) => {
      execFile(process.execPath, [...execArgv, '-e', script], { cwd: ROOT, timeout: 30_000 }, (error, stdout) => {
        if (error) reject(new Error(error.message));
        else resolve(Number(stdout.trim()) * 1024);
      });
    });
  const plain = await rssOf([]);
  const tsx = await rssOf(['--import', 'tsx']);
  return { plainMb: mb(plain), tsxMb: mb(tsx), overheadMb: mb(tsx - plain) };
}

export async function workerMemory(context: BenchContext): Promise<FigureResult> {
  const { config } = context;
  await context.dev();
  const serverBefore = context.devServerMemory();
  const heapLimitMb = imageHeapLimitMb();
  const main = await measureWorker(context, { label: 'onward-worker', kind: 'onward', bundle: 'onward', heapLimitMb, sequences: config.memorySequences });

  // Variants and diagnostics: a failure here is recorded, and does not lose the figure.
  const errors: string[] = [];
  const optional = async (variant: Variant): Promise<MemoryRun | undefined> => {
    try {
      return await measureWorker(context, variant);
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      progress(`figure 4 (${variant.label}) failed: ${message}`);
      errors.push(`${variant.label}: ${message}`);
      return undefined;
    }
  };
  const fewer = Math.min(config.memorySequences, 1000);
  const heapVariant = config.memoryUnboundedHeap
    ? await optional({ label: 'node-default-heap', kind: 'onward', bundle: 'onward', sequences: config.memorySequences })
    : undefined;
  // Node's default heap, as the diagnostics (the SDK sizes its cache from the heap: 60 sequences under the image's limit).
  const sdkCache = config.memorySdkCache ? await optional({ label: 'sdk-default-cache', kind: 'onward', bundle: 'onward', maxCachedWorkflows: 'sdk-default', sequences: fewer }) : undefined;
  const cacheVariant = config.memoryCacheVariant
    ? await optional({ label: `cache-${config.memoryCacheVariant}`, kind: 'onward', bundle: 'onward', heapLimitMb, maxCachedWorkflows: config.memoryCacheVariant, sequences: fewer })
    : undefined;
  const diagnostics = (
    config.memoryDiagnostics > 0
      ? [
          await optional({ label: 'skeleton', kind: 'bench', bundle: 'bench', sequences: config.memoryDiagnostics }),
          await optional({ label: 'skeleton-with-policy-module', kind: 'bench', bundle: 'bench-schemas', sequences: config.memoryDiagnostics }),
        ]
      : []
  ).filter((run): run is MemoryRun => run !== undefined);
  const source = config.memorySourceBundle ? await idleSourceWorker(context) : undefined;
  const tsx = await tsxOverhead();
  const serverAfter = context.devServerMemory();

  const ratio = ratioOf(main.loadedRssMb, main.idleRssMb);
  const withinTarget = main.loadedRssMb <= TARGET_MB && main.peakRssMb <= TARGET_MB;
  const variantRow = (run: MemoryRun, label: string): FigureResult['rows'][number] => ({
    figure: '4',
    measure: `  ${label}, ${run.sequences} asleep: RSS / peak MiB; cached`,
    onward: `${fmt(run.loadedRssMb)} / ${fmt(run.peakRssMb)}; ${run.cached}`,
    baseline: `${fmt(run.idleRssMb)} (idle)`,
    ratio: fmt(ratioOf(run.loadedRssMb, run.idleRssMb), 2),
    target: `<= ${TARGET_MB} MB`,
    met: met(run.loadedRssMb <= TARGET_MB && run.peakRssMb <= TARGET_MB),
  });
  const skeleton = diagnostics.find((run) => run.label === 'skeleton');
  const rows: FigureResult['rows'] = [
    {
      figure: '4',
      measure: `worker RSS as the image runs it (--max-old-space-size=${heapLimitMb}), MiB, ${main.sequences} sequences asleep (idle = baseline)`,
      onward: fmt(main.loadedRssMb),
      baseline: `${fmt(main.idleRssMb)} (idle)`,
      ratio: fmt(ratio, 2),
      target: `<= ${TARGET_MB} MB`,
      met: met(main.loadedRssMb <= TARGET_MB),
    },
    {
      figure: '4',
      measure: '  peak RSS, MiB; workflows cached',
      onward: `${fmt(main.peakRssMb)}; ${main.cached}`,
      baseline: '',
      ratio: fmt(ratioOf(main.peakRssMb, main.idleRssMb), 2),
      target: `<= ${TARGET_MB} MB`,
      met: met(main.peakRssMb <= TARGET_MB),
    },
    {
      figure: '4',
      measure: '  sequences taken to sleep per second (first task each)',
      onward: fmt(main.asleepPerSecond),
      baseline: skeleton ? `${fmt(skeleton.asleepPerSecond)} (skeleton)` : '',
      ratio: skeleton ? fmt(ratioOf(main.asleepPerSecond, skeleton.asleepPerSecond), 2) : '',
      target: '',
      met: '',
    },
    ...(heapVariant ? [variantRow(heapVariant, "without the image's heap limit (Node's default, as bin/onward.js runs)")] : []),
    ...(sdkCache ? [variantRow(sdkCache, "the SDK's default cache (createOnwardWorker without tuning), Node's default heap")] : []),
    ...(cacheVariant ? [variantRow(cacheVariant, `maxCachedWorkflows=${cacheVariant.maxCachedWorkflows}`)] : []),
    ...[...(sdkCache ? [sdkCache] : []), ...diagnostics].map((run) => ({
      figure: '4',
      measure: `  diagnostic: ${run.label === 'sdk-default-cache' ? 'Onward' : run.label} (${run.bundle} bundle), KiB per cached workflow`,
      onward: run.kind === 'onward' ? fmt(run.perCachedWorkflowKb, 0) : '',
      baseline: run.kind === 'onward' ? '' : fmt(run.perCachedWorkflowKb, 0),
      ratio: '',
      target: '',
      met: '' as const,
    })),
    ...(source
      ? [{ figure: '4', measure: '  idle worker that bundles at start: RSS / peak MiB', onward: `${fmt(source.idleRssMb)} / ${fmt(source.peakRssMb)}`, baseline: '', ratio: '', target: '', met: '' as const }]
      : []),
  ];
  return {
    rows,
    data: {
      sequences: config.memorySequences,
      targetMb: TARGET_MB,
      worker: `createOnwardWorker with workerTuning(readWorkerConfig()) defaults, a prebuilt bundle and --max-old-space-size=${heapLimitMb}, as the container image runs it`,
      idleRssMb: main.idleRssMb,
      loadedRssMb: main.loadedRssMb,
      peakRssMb: main.peakRssMb,
      cached: main.cached,
      ratio,
      met: withinTarget,
      note: 'RSS of the worker process from /proc/<pid>/status (VmRSS, peak VmHWM); the worker runs from TypeScript through the tsx loader (see tsxLoader)',
      runs: [main, ...(heapVariant ? [heapVariant] : []), ...(sdkCache ? [sdkCache] : []), ...(cacheVariant ? [cacheVariant] : []), ...diagnostics],
      errors,
      bundledAtStart: source ?? null,
      tsxLoader: tsx,
      devServerRssMb: { before: serverBefore ? mb(serverBefore.rss) : null, after: serverAfter ? mb(serverAfter.rss) : null, peak: serverAfter ? mb(serverAfter.peakRss) : null },
    },
  };
}
