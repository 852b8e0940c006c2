// `npm run bench`: how cheap Onward is, next to what Temporal itself costs for the same work (issue 6).
// Starts its own `temporal server start-dev` and time-skipping test server; prints progress on stderr, a table
// on stdout, and writes every raw number to bench/results.json. `npm run bench:smoke` is the small-N version.
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DefaultLogger, Runtime } from '@temporalio/worker';
import { resolveTemporalBinary } from '../client/temporal-binaries';
import { readConfig, type BenchConfig, type FigureName } from './config';
import { BenchContext } from './context';
import { emailThroughput } from './figures/email';
import { startLatency } from './figures/latency';
import { workerMemory } from './figures/memory';
import { outcomesReport } from './figures/outcomes';
import { historyCost, simulationSpeed, TimeSkipping } from './figures/simulation';
import { slowSmtp } from './figures/slow-smtp';
import { startThroughput } from './figures/starts';
import { listLatency } from './figures/list';
import { formatTable, type FigureResult, type FigureRow } from './report';
import { MiB, now, progress, round } from './util';

const TITLES: Record<FigureName, string> = {
  starts: '1. start throughput',
  history: '2. history cost',
  simulation: '3. simulation speed',
  memory: '4. worker memory at scale',
  email: '5. email throughput',
  latency: '6. start latency',
  'slow-smtp': '7. a slow SMTP server',
  list: '8. the list of sequences',
  outcomes: '9. the outcomes report',
};

function version(binary: string | undefined): string | null {
  if (!binary) return null;
  try {
    return execFileSync(binary, ['--version'], { encoding: 'utf8', timeout: 10_000 }).trim();
  } catch {
    return null;
  }
}

function machine() {
  const cpus = os.cpus();
  return {
    cpus: cpus.length,
    cpuModel: cpus[0]?.model ?? 'unknown',
    availableParallelism: os.availableParallelism(),
    memoryMb: round(os.totalmem() / MiB, 0),
    freeMemoryMbAtStart: round(os.freemem() / MiB, 0),
    loadAverageAtStart: os.loadavg().map((value) => round(value)),
    platform: `${os.platform()} ${os.release()} ${os.arch()}`,
    node: process.version,
    temporalCli: version(resolveTemporalBinary('temporal')),
    temporalSdk: (JSON.parse(readFileSync(require.resolve('@temporalio/worker/package.json'), 'utf8')) as { version: string }).version,
  };
}

export interface BenchResults {
  generatedAt: string;
  mode: BenchConfig['mode'];
  durationSeconds: number;
  machine: ReturnType<typeof machine>;
  parameters: BenchConfig;
  setup: Record<string, unknown>;
  figures: Partial<Record<FigureName, { title: string; rows: FigureRow[]; data: Record<string, unknown> } | { title: string; error: string }>>;
}

async function main(): Promise<number> {
  const config = readConfig(process.argv.slice(2));
  const began = now();
  Runtime.install({
    logger: new DefaultLogger('WARN'),
    telemetryOptions: { logging: { filter: { core: 'ERROR', other: 'ERROR' }, console: {} } },
  });
  const results: BenchResults = {
    generatedAt: new Date().toISOString(),
    mode: config.mode,
    durationSeconds: 0,
    machine: machine(),
    parameters: config,
    setup: {},
    figures: {},
  };
  progress(`${config.mode} benchmark: ${config.figures.join(', ')} on ${results.machine.cpus} CPUs, ${results.machine.memoryMb} MiB, Node ${process.version}`);

  const context = new BenchContext(config);
  let timeSkipping: TimeSkipping | undefined;
  const skipping = async () => (timeSkipping ??= await TimeSkipping.start(context));
  const run: Record<FigureName, () => Promise<FigureResult>> = {
    starts: () => startThroughput(context),
    list: () => listLatency(context),
    latency: () => startLatency(context),
    'slow-smtp': () => slowSmtp(context),
    memory: () => workerMemory(context),
    email: () => emailThroughput(context),
    simulation: async () => simulationSpeed(context, await skipping()),
    history: async () => historyCost(context, await skipping()),
    outcomes: () => outcomesReport(context),
  };
  // The dev-server figures first (1, 6, 7, 8, 9, 4), then the ones without it (5) and on the time-skipping server (3, 2).
  const order: FigureName[] = (['starts', 'latency', 'slow-smtp', 'list', 'outcomes', 'memory', 'email', 'simulation', 'history'] as const).filter((name) => config.figures.includes(name));
  let failed = 0;
  try {
    for (const name of order) {
      progress(`── ${TITLES[name]} ──`);
      const figureBegan = now();
      try {
        const result = await run[name]();
        results.figures[name] = { title: TITLES[name], rows: result.rows, data: { ...result.data, wallSeconds: round((now() - figureBegan) / 1000, 1) } };
      } catch (error) {
        failed += 1;
        const message = error instanceof Error ? (error.stack ?? error.message) : String(error);
        progress(`${TITLES[name]} FAILED: ${message}`);
        results.figures[name] = { title: TITLES[name], error: message };
      }
    }
  } finally {
    results.setup = { devServerStartMs: context.devServerStartMs ?? null, timeSkippingStartMs: timeSkipping?.startupMs ?? null, bundles: context.bundleInfo() };
    for (const [what, close] of [['time-skipping server', () => timeSkipping?.teardown()], ['dev server and sink', () => context.close()]] as const) {
      try {
        await close();
      } catch (error) {
        progress(`closing the ${what} failed: ${error instanceof Error ? error.message : String(error)}`);
      }
    }
  }

  results.durationSeconds = round((now() - began) / 1000, 1);
  results.setup.loadAverageAtEnd = os.loadavg().map((value) => round(value));
  const out = path.resolve(config.out);
  mkdirSync(path.dirname(out), { recursive: true });
  writeFileSync(out, `${JSON.stringify(results, null, 2)}\n`);

  const rows = order.flatMap((name) => {
    const figure = results.figures[name];
    if (!figure) return [];
    if ('error' in figure) return [{ figure: TITLES[name].split('.')[0] ?? '', measure: `${TITLES[name]}: FAILED`, onward: '', baseline: '', ratio: '', target: '', met: 'no' as const }];
    return figure.rows;
  });
  const m = results.machine;
  console.log(`\nOnward benchmark (${config.mode}), ${results.generatedAt}: ${m.cpus} × ${m.cpuModel}, ${m.memoryMb} MiB, ${m.platform}, Node ${m.node}, ${m.temporalCli ?? 'temporal ?'}\n`);
  console.log(formatTable(rows));
  const shown = path.relative(process.cwd(), out);
  console.log(`\nRaw numbers: ${shown.startsWith('..') ? out : shown} (${results.durationSeconds} s)`);
  return failed;
}

main().then(
  (failed) => process.exit(failed > 0 ? 1 : 0),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
