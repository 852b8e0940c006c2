// Figure 1: start throughput. N starts of rejectionFollowUp through startSequence (the one way to start), against
// N starts of the bench's no-op workflow, on the same dev server, same client, same concurrency; the variants
// alternate round by round so that neither gets the fresher server. No worker polls these task queues: the
// figure is the cost of the start itself (client, gRPC, history service, persistence, visibility).
import { WorkflowIdReusePolicy, type Client } from '@temporalio/client';
import { startSequence } from '../../client/sequences';
import { STAGE_ATTRIBUTE } from '../../workflows/definitions';
import type { SequenceInput } from '../../workflows/input';
import { sequenceInput, type BenchContext } from '../context';
import { fmt, met, ratioOf, type FigureResult } from '../report';
import { now, progress, round, runPool, summarize } from '../util';

interface Variant {
  name: string;
  description: string;
  start(client: Client, index: number, input: SequenceInput): Promise<void>;
}

const TASK_QUEUE = 'bench-starts';
const NOOP_QUEUE = 'bench-starts-noop';

function variants(runId: string, diagnostics: boolean): Variant[] {
  const onward: Variant = {
    name: 'onward',
    description: 'startSequence(client, taskQueue, input): rejectionFollowUp with its input, OnwardStage=grieving, REJECT_DUPLICATE',
    async start(client, _index, input) {
      const { started } = await startSequence(client, TASK_QUEUE, input);
      if (!started) throw new Error(`${input.rejection.id} was not started`);
    },
  };
  const noop = (name: string, description: string, withInput: boolean, withAttribute: boolean): Variant => ({
    name,
    description,
    async start(client, index, input) {
      await client.workflow.start('benchNoop', {
        taskQueue: NOOP_QUEUE,
        workflowId: `${runId}-${name}-${index}`,
        args: withInput ? [input] : [],
        ...(withAttribute
          ? { workflowIdReusePolicy: WorkflowIdReusePolicy.REJECT_DUPLICATE, typedSearchAttributes: [{ key: STAGE_ATTRIBUTE, value: 'grieving' }] }
          : {}),
      });
    },
  });
  return [
    onward,
    noop('noop', 'client.workflow.start of benchNoop, no arguments (the baseline)', false, false),
    ...(diagnostics
      ? [
          noop('noop+input', "benchNoop with Onward's input as its argument", true, false),
          noop('noop+input+attribute', "benchNoop with Onward's input, the OnwardStage attribute and REJECT_DUPLICATE", true, true),
        ]
      : []),
  ];
}

export async function startThroughput(context: BenchContext): Promise<FigureResult> {
  const { config, runId } = context;
  const env = await context.dev();
  const client = env.client;
  const all = variants(runId, config.startDiagnostics);
  const perRound = Math.ceil(config.starts / config.startRounds);
  // Rejection ids allow letters, digits, ".", "_", ":" and "-" only ("noop+input" is not one).
  const input = (variant: string, index: number) => sequenceInput(`${runId}-${variant.replace(/[^A-Za-z0-9._:-]/g, '-')}-${index}`);

  // Warm up connections and code paths on every variant (not counted).
  const warmUp = Math.min(50, config.starts);
  progress(`figure 1: warming up (${warmUp} starts per variant)`);
  for (const variant of all) {
    const inputs = Array.from({ length: warmUp }, (_, index) => input(`warm-${variant.name}`, index));
    await runPool(inputs, config.startConcurrency, (item, index) => variant.start(client, 1_000_000 + index, item));
  }

  const measured = new Map(all.map((variant) => [variant.name, { starts: 0, ms: 0, latencies: [] as number[], rounds: [] as number[] }]));
  let next = 0;
  for (let round_ = 0; round_ < config.startRounds; round_++) {
    // Rotate the order each round: onward first, then last, ...
    const order = all.map((_, index) => all[(index + round_) % all.length] as Variant);
    if (round_ % 2 === 1) order.reverse();
    for (const variant of order) {
      const count = Math.min(perRound, config.starts - (measured.get(variant.name)?.starts ?? 0));
      if (count <= 0) continue;
      const first = next;
      next += count;
      // Inputs are built before the clock starts: parsing the document is not part of the start.
      const inputs = Array.from({ length: count }, (_, index) => input(variant.name, first + index));
      const latencies: number[] = [];
      const began = now();
      await runPool(inputs, config.startConcurrency, async (item, index) => {
        const at = now();
        await variant.start(client, first + index, item);
        latencies.push(now() - at);
      });
      const ms = now() - began;
      const entry = measured.get(variant.name);
      if (!entry) continue;
      entry.starts += count;
      entry.ms += ms;
      entry.latencies.push(...latencies);
      entry.rounds.push(round((count / ms) * 1000));
      progress(`figure 1: round ${round_ + 1}/${config.startRounds} ${variant.name}: ${count} starts in ${Math.round(ms)} ms (${Math.round((count / ms) * 1000)}/s)`);
    }
  }

  const results = all.map((variant) => {
    const entry = measured.get(variant.name) ?? { starts: 0, ms: 0, latencies: [], rounds: [] };
    return {
      variant: variant.name,
      description: variant.description,
      starts: entry.starts,
      ms: round(entry.ms),
      perSecond: round((entry.starts / entry.ms) * 1000),
      perSecondByRound: entry.rounds,
      latencyMs: summarize(entry.latencies),
    };
  });
  const onward = results.find((result) => result.variant === 'onward');
  const baseline = results.find((result) => result.variant === 'noop');
  const ratio = ratioOf(onward?.perSecond ?? Number.NaN, baseline?.perSecond ?? Number.NaN);
  const input0 = input('size', 0);
  const inputBytes = Buffer.byteLength(JSON.stringify(input0));

  const rows: FigureResult['rows'] = [
    {
      figure: '1',
      measure: `starts/s (${config.starts} starts, ${config.startConcurrency} in flight)`,
      onward: fmt(onward?.perSecond ?? Number.NaN),
      baseline: `${fmt(baseline?.perSecond ?? Number.NaN)} (no-op)`,
      ratio: fmt(ratio, 2),
      target: '>= 0.9',
      met: met(Number.isFinite(ratio) ? ratio >= 0.9 : undefined),
    },
    {
      figure: '1',
      measure: 'start latency p50 / p99, ms',
      onward: `${fmt(onward?.latencyMs.p50 ?? Number.NaN)} / ${fmt(onward?.latencyMs.p99 ?? Number.NaN)}`,
      baseline: `${fmt(baseline?.latencyMs.p50 ?? Number.NaN)} / ${fmt(baseline?.latencyMs.p99 ?? Number.NaN)}`,
      ratio: fmt(ratioOf(onward?.latencyMs.p50 ?? Number.NaN, baseline?.latencyMs.p50 ?? Number.NaN), 2),
      target: '',
      met: '',
    },
    ...results
      .filter((result) => result.variant.startsWith('noop+'))
      .map((result) => ({
        figure: '1',
        measure: `  diagnostic: ${result.variant} starts/s`,
        onward: '',
        baseline: fmt(result.perSecond),
        ratio: fmt(ratioOf(onward?.perSecond ?? Number.NaN, result.perSecond), 2),
        target: '',
        met: '' as const,
      })),
  ];
  return {
    rows,
    data: {
      starts: config.starts,
      concurrency: config.startConcurrency,
      rounds: config.startRounds,
      warmUpPerVariant: warmUp,
      workersPolling: false,
      onwardInputBytes: inputBytes,
      onward,
      baseline,
      ratio,
      target: 'ratio >= 0.9',
      met: Number.isFinite(ratio) ? ratio >= 0.9 : null,
      variants: results,
    },
  };
}
