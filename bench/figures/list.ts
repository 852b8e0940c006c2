// Figure 8: the list of sequences. N sequences of one tenant (a long grieving period: they wait on a timer), then
// pages of GET /sequences (one visibility query, rows from the list memo) against today's approach measured in the
// same run on the same sequences: a page from visibility, then one status query per sequence (8 in flight), as the
// list did before. The two alternate sample by sample; an Onward worker (its default cache) answers the queries.
import { createMemorySuppressionList } from '../../activities/suppression';
import { ApiKeys } from '../../client/api/keys';
import { startApi } from '../../client/api/server';
import { SequenceService } from '../../client/api/service';
import { listSequences } from '../../client/sequences';
import { statusQuery, TENANT_ATTRIBUTE } from '../../workflows/definitions';
import { sequenceInput, type BenchContext } from '../context';
import { fmt, met, ratioOf, type FigureResult } from '../report';
import { now, progress, runPool, summarize } from '../util';
import { WorkerProcess } from '../worker-process';

const LIST_QUEUE = 'bench-list';
const TENANT = 'bench-list';
const PAGE_SIZE = 25;
const TARGET_P95_MS = 150;

export async function listLatency(context: BenchContext): Promise<FigureResult> {
  const { config, runId } = context;
  const env = await context.dev();
  const client = env.client;
  const sink = await context.smtpSink();
  const bundle = await context.bundle('onward');
  const worker = await WorkerProcess.start('onward worker (list)', { address: env.address, namespace: 'default', kind: 'onward', taskQueue: LIST_QUEUE, bundlePath: bundle.path, smtpUrl: sink.url });
  const apiKey = ApiKeys.generate();
  const api = await startApi({ client, taskQueue: LIST_QUEUE, keys: new ApiKeys().addKey(TENANT, apiKey), suppressions: createMemorySuppressionList(), rateLimits: { perIp: 1_000_000, perKey: 1_000_000 }, port: 0 });
  try {
    const service = new SequenceService(client, LIST_QUEUE, createMemorySuppressionList());
    const inputs = Array.from({ length: config.listSequences }, (_, index) => sequenceInput(`${runId}-list-${index}`, { policy: { grievingPeriod: '30 days' } }));
    progress(`figure 8: starting ${inputs.length} sequences of tenant ${TENANT}`);
    const startBegan = now();
    await runPool(inputs, 32, async (input) => void (await service.start(input, TENANT)));
    progress(`figure 8: started in ${Math.round(now() - startBegan)} ms; waiting for each workflow's first task (its memo) to be visible`);
    const planned = `${TENANT_ATTRIBUTE.name} = '${TENANT}' AND OnwardNextStepAt IS NOT NULL`;
    // At most 15 minutes: a loaded machine measures the sequences planned by then (the count is reported).
    const waitUntil = now() + 15 * 60_000;
    let plannedCount = 0;
    while (plannedCount < inputs.length && now() < waitUntil) {
      await new Promise((resolve) => setTimeout(resolve, 1000));
      plannedCount = (await client.workflow.count(planned)).count;
    }

    const page = async () => {
      const response = await fetch(`${api.url}/sequences?pageSize=${PAGE_SIZE}`, { headers: { authorization: `Bearer ${apiKey}` } });
      const body = (await response.json()) as { sequences: unknown[] };
      if (response.status !== 200 || body.sequences.length !== PAGE_SIZE) throw new Error(`GET /sequences answered ${response.status} with ${body.sequences.length} rows`);
    };
    // Today's approach before this change: the page from visibility, then each sequence's status query.
    const baseline = async () => {
      const summaries = await listSequences(client, { tenant: TENANT, limit: PAGE_SIZE });
      await runPool(summaries, 8, (summary) => client.workflow.getHandle(summary.workflowId).query(statusQuery));
    };
    for (let warm = 0; warm < 3; warm++) {
      await page();
      await baseline();
    }
    const samples = { onward: [] as number[], baseline: [] as number[] };
    for (let sample = 0; sample < config.listSamples; sample++) {
      const order = sample % 2 === 0 ? (['onward', 'baseline'] as const) : (['baseline', 'onward'] as const);
      for (const variant of order) {
        const began = now();
        await (variant === 'onward' ? page() : baseline());
        samples[variant].push(now() - began);
      }
    }
    const onward = summarize(samples.onward);
    const before = summarize(samples.baseline);
    const ratio = ratioOf(onward.p95, before.p95);
    progress(`figure 8: GET /sequences p95 ${fmt(onward.p95)} ms, status query per sequence p95 ${fmt(before.p95)} ms`);
    return {
      rows: [
        {
          figure: '8',
          measure: `list page of ${PAGE_SIZE} of ${inputs.length} sequences, p95 ms (p50)`,
          onward: `${fmt(onward.p95)} (${fmt(onward.p50)})`,
          baseline: `${fmt(before.p95)} (${fmt(before.p50)}) (query per sequence)`,
          ratio: fmt(ratio, 2),
          target: `< ${TARGET_P95_MS} ms`,
          met: met(Number.isFinite(onward.p95) ? onward.p95 < TARGET_P95_MS : undefined),
        },
      ],
      data: { sequences: inputs.length, plannedWhenMeasured: plannedCount, pageSize: PAGE_SIZE, samples: config.listSamples, onward, baseline: before, ratio, target: `p95 < ${TARGET_P95_MS} ms`, workerCache: 'the Onward default' },
    };
  } finally {
    await api.close();
    await worker.stop();
  }
}
