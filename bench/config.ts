// The benchmark's parameters: `--smoke` for the small, quick version (CI), env variables for each N.
import os from 'node:os';
import path from 'node:path';

export const FIGURES = ['starts', 'history', 'simulation', 'memory', 'email', 'latency', 'slow-smtp', 'list', 'outcomes'] as const;
export type FigureName = (typeof FIGURES)[number];

export interface BenchConfig {
  mode: 'full' | 'smoke';
  out: string;
  figures: FigureName[];
  /** Figure 1: starts per variant, concurrent starts in flight, and rounds (the variants alternate per round). */
  starts: number;
  startConcurrency: number;
  startRounds: number;
  /** Figure 1: also start the no-op with Onward's input and search attribute, to show where a gap comes from. */
  startDiagnostics: boolean;
  /** Figure 3: runs of one sequence (median reported), and sequences run concurrently. */
  simulationRuns: number;
  simulationConcurrent: number;
  /** Figure 4: sequences in flight. */
  memorySequences: number;
  /** Figure 4: also the same worker without the image's heap limit (Node's default), the same N. */
  memoryUnboundedHeap: boolean;
  /** Figure 4: also the worker with the SDK's own default cache size (sized from the heap limit), 1000 asleep. */
  memorySdkCache: boolean;
  /** Figure 4: also the worker with this maxCachedWorkflows, 1000 asleep. */
  memoryCacheVariant?: number;
  /** Figure 4: workflows for each diagnostic worker (the skeleton, and the skeleton with the policy module); 0 = none. */
  memoryDiagnostics: number;
  /** Figure 4: also measure the idle worker that bundles its workflows at start (no prebuilt bundle). */
  memorySourceBundle: boolean;
  /** Figure 5: messages per variant, and messages in flight. */
  emails: number;
  emailConcurrency: number;
  /** Figure 6: sequential starts per variant, and real CLI processes per variant. */
  latencyStarts: number;
  cliRuns: number;
  /** Figure 8: sequences of the listed tenant, and pages measured per variant. */
  listSequences: number;
  listSamples: number;
  /** Figure 6: also build the compiled CLI (tsc -p tsconfig.build.json, into a temp dir) and time it. */
  cliCompiled: boolean;
  /** Figure 9: ledger rows the outcomes report reads, and the sequences the status-query baseline starts. */
  outcomeRows: number;
  outcomeBaselineSequences: number;
}

const SMOKE: Omit<BenchConfig, 'mode' | 'out' | 'figures'> = {
  starts: 60,
  startConcurrency: 16,
  startRounds: 2,
  startDiagnostics: false,
  simulationRuns: 1,
  simulationConcurrent: 3,
  memorySequences: 60,
  memoryUnboundedHeap: false,
  memorySdkCache: false,
  memoryDiagnostics: 0,
  memorySourceBundle: false,
  emails: 60,
  emailConcurrency: 10,
  latencyStarts: 15,
  cliRuns: 1,
  listSequences: 100,
  listSamples: 10,
  cliCompiled: false,
  outcomeRows: 2000,
  outcomeBaselineSequences: 10,
};

const FULL: Omit<BenchConfig, 'mode' | 'out' | 'figures'> = {
  starts: 2000,
  startConcurrency: 32,
  startRounds: 4,
  startDiagnostics: true,
  simulationRuns: 3,
  simulationConcurrent: 50,
  memorySequences: 5000,
  memoryUnboundedHeap: true,
  memorySdkCache: true,
  memoryDiagnostics: 1000,
  memorySourceBundle: true,
  emails: 2000,
  emailConcurrency: 10,
  latencyStarts: 500,
  cliRuns: 10,
  listSequences: 5000,
  listSamples: 100,
  cliCompiled: true,
  outcomeRows: 100_000,
  outcomeBaselineSequences: 200,
};

function whole(environment: NodeJS.ProcessEnv, name: string, fallback: number, min = 1): number {
  const text = environment[name];
  if (text === undefined || text === '') return fallback;
  if (!/^\d+$/.test(text) || Number(text) < min) throw new Error(`${name}=${text}: must be a whole number of at least ${min}`);
  return Number(text);
}

function flag(environment: NodeJS.ProcessEnv, name: string, fallback: boolean): boolean {
  const text = environment[name];
  if (text === undefined || text === '') return fallback;
  if (!['0', '1', 'true', 'false'].includes(text)) throw new Error(`${name}=${text}: must be 1 or 0`);
  return text === '1' || text === 'true';
}

export const USAGE = `usage: npm run bench [-- --out FILE] [-- --only starts,history,simulation,memory,email,latency,slow-smtp,list,outcomes]
       npm run bench:smoke [-- --out FILE]      (small N; writes to $TMPDIR/onward-bench-smoke.json by default)

Environment (defaults full / smoke):
  BENCH_STARTS=2000/60              figure 1: starts per variant
  BENCH_START_CONCURRENCY=32/16     figure 1: starts in flight
  BENCH_START_ROUNDS=4/2            figure 1: rounds; the variants alternate in each
  BENCH_START_DIAGNOSTICS=1/0       figure 1: also the no-op with Onward's input and search attribute
  BENCH_SIMULATION_RUNS=3/1         figure 3: runs of one sequence (the median is the figure)
  BENCH_SIMULATION_CONCURRENT=50/3  figure 3: sequences at once
  BENCH_MEMORY_SEQUENCES=5000/60    figure 4: sequences in flight
  BENCH_MEMORY_HEAP_VARIANT=256/0   figure 4: also the worker with --max-old-space-size=MiB (0 = none)
  BENCH_MEMORY_SDK_CACHE=1/0        figure 4: also the worker with the SDK's default cache, 1000 asleep
  BENCH_MEMORY_CACHE_VARIANT=0/0    figure 4: also the worker with this maxCachedWorkflows, 1000 asleep (0 = none)
  BENCH_MEMORY_DIAGNOSTICS=1000/0   figure 4: workflows for the skeleton workers (0 = none)
  BENCH_MEMORY_SOURCE_BUNDLE=1/0    figure 4: also the idle worker that bundles at start
  BENCH_EMAILS=2000/60              figure 5: messages per variant
  BENCH_EMAIL_CONCURRENCY=10/10     figure 5: messages in flight
  BENCH_LATENCY_STARTS=500/15       figure 6: sequential starts per variant
  BENCH_LIST_SEQUENCES=5000/100     figure 8: sequences of the listed tenant
  BENCH_LIST_SAMPLES=100/10         figure 8: pages measured per variant
  BENCH_CLI_RUNS=10/1               figure 6: real CLI processes per variant
  BENCH_CLI_COMPILED=1/0            figure 6: also build and time the compiled CLI (dist/client/cli.js)
  BENCH_OUTCOME_ROWS=100000/2000    figure 9: ledger rows the outcomes report reads
  BENCH_OUTCOME_BASELINE=200/10     figure 9: sequences the baseline queries one by one (status query each)`;

export function readConfig(argv: string[], environment: NodeJS.ProcessEnv = process.env): BenchConfig {
  let mode: BenchConfig['mode'] = 'full';
  let out: string | undefined;
  let figures: FigureName[] = [...FIGURES];
  for (let index = 0; index < argv.length; index++) {
    const argument = argv[index];
    if (argument === '--smoke') mode = 'smoke';
    else if (argument === '--out') out = argv[++index] ?? out;
    else if (argument === '--only') {
      const names = (argv[++index] ?? '').split(',').filter(Boolean);
      const unknown = names.filter((name) => !(FIGURES as readonly string[]).includes(name));
      if (unknown.length > 0 || names.length === 0) throw new Error(`--only: unknown figure ${unknown.join(', ')}\n${USAGE}`);
      figures = names as FigureName[];
    } else if (argument === '--help' || argument === '-h') {
      console.log(USAGE);
      process.exit(0);
    } else throw new Error(`unknown argument ${argument}\n${USAGE}`);
  }
  if (environment.BENCH_SMOKE === '1') mode = 'smoke';
  // The smoke run never overwrites the full results (bench/results.json, the figures the README quotes).
  out ??= mode === 'smoke' ? path.join(os.tmpdir(), 'onward-bench-smoke.json') : 'bench/results.json';
  const defaults = mode === 'smoke' ? SMOKE : FULL;
  const cacheVariant = whole(environment, 'BENCH_MEMORY_CACHE_VARIANT', defaults.memoryCacheVariant ?? 0, 0);
  return {
    mode,
    out,
    figures,
    starts: whole(environment, 'BENCH_STARTS', defaults.starts),
    startConcurrency: whole(environment, 'BENCH_START_CONCURRENCY', defaults.startConcurrency),
    startRounds: whole(environment, 'BENCH_START_ROUNDS', defaults.startRounds),
    startDiagnostics: flag(environment, 'BENCH_START_DIAGNOSTICS', defaults.startDiagnostics),
    simulationRuns: whole(environment, 'BENCH_SIMULATION_RUNS', defaults.simulationRuns),
    simulationConcurrent: whole(environment, 'BENCH_SIMULATION_CONCURRENT', defaults.simulationConcurrent),
    memorySequences: whole(environment, 'BENCH_MEMORY_SEQUENCES', defaults.memorySequences),
    memoryCacheVariant: cacheVariant > 0 ? cacheVariant : undefined,
    memoryUnboundedHeap: flag(environment, 'BENCH_MEMORY_UNBOUNDED_HEAP', defaults.memoryUnboundedHeap),
    memorySdkCache: flag(environment, 'BENCH_MEMORY_SDK_CACHE', defaults.memorySdkCache),
    memoryDiagnostics: whole(environment, 'BENCH_MEMORY_DIAGNOSTICS', defaults.memoryDiagnostics, 0),
    memorySourceBundle: flag(environment, 'BENCH_MEMORY_SOURCE_BUNDLE', defaults.memorySourceBundle),
    emails: whole(environment, 'BENCH_EMAILS', defaults.emails),
    emailConcurrency: whole(environment, 'BENCH_EMAIL_CONCURRENCY', defaults.emailConcurrency),
    latencyStarts: whole(environment, 'BENCH_LATENCY_STARTS', defaults.latencyStarts),
    cliRuns: whole(environment, 'BENCH_CLI_RUNS', defaults.cliRuns, 0),
    listSequences: whole(environment, 'BENCH_LIST_SEQUENCES', defaults.listSequences),
    listSamples: whole(environment, 'BENCH_LIST_SAMPLES', defaults.listSamples),
    cliCompiled: flag(environment, 'BENCH_CLI_COMPILED', defaults.cliCompiled),
    outcomeRows: whole(environment, 'BENCH_OUTCOME_ROWS', defaults.outcomeRows),
    outcomeBaselineSequences: whole(environment, 'BENCH_OUTCOME_BASELINE', defaults.outcomeBaselineSequences),
  };
}
