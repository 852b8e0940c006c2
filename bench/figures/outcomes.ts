// Figure 9: the outcomes report (GET /outcomes) over 100,000 ledger rows, on the embedded database and on PostgreSQL,
// against today's approach measured in the same run: a status query per sequence (SequenceService.statuses, then
// cohortsOf) over N real sequences on the dev server, per sequence, extrapolated to the ledger's sequence count.
import { sql, type Kysely } from 'kysely';
import { cohortsOf } from '../../client/api/outcomes';
import { createLedgerReports } from '../../client/api/outcomes-report';
import { SequenceService } from '../../client/api/service';
import { openDatabase, type DatabaseLocation } from '../../common/database/open';
import { createSealing, type Sealing } from '../../common/database/sealing';
import { postgresBinaries, startPostgres } from '../../test/helpers/postgres';
import { sequenceInput, type BenchContext } from '../context';
import { fmt, met, type FigureResult, type FigureRow } from '../report';
import { WorkerProcess } from '../worker-process';
import { now, progress, round, waitFor } from '../util';

const TENANT = 'bench';
const QUEUE = 'bench-outcomes';
const TARGET_MS = 500;
const RUNS = 5;
/** Each sequence has 12 message rows and one ending at least (up to 3 more: feedback, progress, a second ending). */
const MIN_ROWS_PER_SEQUENCE = 13;
const MESSAGES: [string, string, string][] = [
  ['supportive-note', 'supportive-note', 'candidate'],
  ['thank-you:1', 'thank-you', 'interviewer'],
  ['thank-you:2', 'thank-you', 'interviewer'],
  ['feedback-request', 'feedback-request', 'interviewer'],
  ['feedback-reminder', 'feedback-reminder', 'interviewer'],
  ['other-openings', 'other-openings', 'recruiter'],
  ['linkedin-task', 'linkedin-task', 'candidate'],
  ['check-in:1', 'check-in', 'candidate'],
  ['check-in:2', 'check-in', 'candidate'],
  ['check-in:3', 'check-in', 'candidate'],
  ['check-in:4', 'check-in', 'candidate'],
  ['touchpoint:1', 'touchpoint', 'recruiter'],
];

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? Number.NaN;

/** A tenant's ledger of `sequences` sequences over a year, 40 companies and 12 coaches (sealed and hashed as the worker writes them). */
async function seedLedger(db: Kysely<unknown>, sealing: Sealing, sequences: number): Promise<number> {
  const companies = Array.from({ length: 40 }, (_, index) => `Company ${index + 1}`);
  const coaches = Array.from({ length: 12 }, (_, index) => `Coach ${index + 1}`);
  const hash = (value: string) => sealing.hashes(value)[0]?.hash ?? '';
  for (let first = 0; first < sequences; first += 500) {
    const rows = Array.from({ length: Math.min(500, sequences - first) }, (_, offset) => {
      const index = first + offset;
      const company = companies[index % companies.length] ?? '';
      const coach = index % 13 === 0 ? undefined : coaches[index % coaches.length];
      const rejectedAt = new Date(Date.UTC(2025, 0, 1) + (index % 365) * 86_400_000 + (index % 24) * 3_600_000).toISOString();
      return sql`(${`${TENANT}:rejection-${index}`}, ${TENANT}, ${`${index}`}, ${rejectedAt}, ${sealing.activeKeyId}, ${sealing.seal(`Candidate ${index}`)},
        ${sealing.seal(company)}, ${hash(company)}, ${coach ? sealing.seal(coach) : null}, ${coach ? hash(coach) : null})`;
    });
    await sql`insert into sequences (workflow_id, tenant, rejection_id, rejected_at, key_id, candidate_sealed, company_sealed, company_hash, coach_sealed, coach_hash)
      values ${sql.join(rows)}`.execute(db);
  }
  const messages = sql.join(MESSAGES.map(([key, kind, role], index) => sql`(${index}::int, ${key}::text, ${kind}::text, ${role}::text)`));
  const n = sql`s.rejection_id::int`;
  await sql`insert into outcomes (workflow_id, transition, event, step_key, step_kind, recipient_role, at)
    select s.workflow_id, 'message:' || m.key,
      case when (${n} + m.i) % 23 = 0 then 'message-failed' when (${n} + m.i) % 7 = 0 then 'message-skipped' else 'message-sent' end,
      m.key, m.kind, m.role, s.rejected_at + (2 + m.i * 4) * interval '1 day'
    from sequences s cross join (values ${messages}) as m(i, key, kind, role)`.execute(db);
  await sql`insert into outcomes (workflow_id, transition, event, at)
    select workflow_id, 'feedback:1', 'feedback-received', rejected_at + interval '6 days' from sequences s where ${n} % 3 = 0
    union all select workflow_id, 'progress:1', 'progress-reported', rejected_at + interval '12 days' from sequences s where ${n} % 2 = 0
    union all select workflow_id, 'hired', 'hired', rejected_at + (10 + ${n} % 80) * interval '1 day' from sequences s where ${n} % 4 = 0
    union all select workflow_id, 'opted-out', 'opted-out', rejected_at + interval '20 days' from sequences s where ${n} % 4 <> 0 and ${n} % 17 = 0
    union all select workflow_id, 'completed', 'completed', rejected_at + interval '60 days' from sequences s where ${n} % 4 <> 0 and ${n} % 17 <> 0`.execute(db);
  await sql`analyze`.execute(db);
  const { rows } = await sql<{ count: number }>`select count(*)::int as count from outcomes`.execute(db);
  return rows[0]?.count ?? 0;
}

/** The report over the seeded ledger: the median of RUNS runs after one warm-up. */
async function timeLedgerReport(location: DatabaseLocation, sequences: number): Promise<{ rows: number; ms: number; runsMs: number[]; groups: number }> {
  const database = await openDatabase(location);
  try {
    const sealing = createSealing(undefined);
    const rows = await seedLedger(database.db, sealing, sequences);
    const reports = createLedgerReports(database.db, sealing);
    const warm = await reports.outcomes(TENANT);
    const runsMs: number[] = [];
    for (let run = 0; run < RUNS; run++) {
      const began = now();
      await reports.outcomes(TENANT);
      runsMs.push(round(now() - began));
    }
    return { rows, ms: median(runsMs), runsMs, groups: warm.byMonth.length + warm.byCoach.length + warm.byCompany.length };
  } finally {
    await database.close();
  }
}

/** Today's approach: N real sequences on the dev server, one status query each (an Onward worker with its default cache). */
async function timeStatusQueries(context: BenchContext, count: number): Promise<{ sequences: number; ms: number; runsMs: number[]; answered: number[] }> {
  const env = await context.dev();
  const [sink, bundle] = [await context.smtpSink(), await context.bundle('onward')];
  const worker = await WorkerProcess.start('onward worker (outcomes)', { kind: 'onward', address: env.address, namespace: 'default', taskQueue: QUEUE, bundlePath: bundle.path, smtpUrl: sink.url });
  try {
    const service = new SequenceService(env.client, QUEUE);
    const tenant = `${TENANT}-${context.runId}`.replace(/[^A-Za-z0-9_-]/g, '-');
    for (let index = 0; index < count; index++) await service.start(sequenceInput(`${context.runId}-outcomes-${index}`), tenant);
    await waitFor('every sequence listed and answering', async () => ((await service.statuses(tenant)).length === count ? true : undefined), 120_000, 200);
    const runsMs: number[] = [];
    // A status query that times out leaves its sequence out of the report (as GET /outcomes did): counted, not hidden.
    const answered: number[] = [];
    for (let run = 0; run < 3; run++) {
      const began = now();
      const cohorts = cohortsOf(await service.statuses(tenant));
      runsMs.push(round(now() - began));
      answered.push(cohorts.reduce((sum, cohort) => sum + cohort.sequences, 0));
    }
    return { sequences: count, ms: median(runsMs), runsMs, answered };
  } finally {
    await worker.stop();
  }
}

export async function outcomesReport(context: BenchContext): Promise<FigureResult> {
  const { config } = context;
  const sequences = Math.ceil(config.outcomeRows / MIN_ROWS_PER_SEQUENCE);
  progress(`figure 9: the outcomes report over ${sequences} sequences' ledger on the embedded database`);
  const embedded = await timeLedgerReport({ kind: 'embedded' }, sequences);
  let postgres: Awaited<ReturnType<typeof timeLedgerReport>> | undefined;
  if (postgresBinaries()) {
    progress('figure 9: the same on PostgreSQL');
    const server = await startPostgres();
    try {
      postgres = await timeLedgerReport({ kind: 'postgres', url: await server.createDatabase() }, sequences);
    } finally {
      server.stop();
    }
  }
  progress(`figure 9: the baseline, a status query per sequence over ${config.outcomeBaselineSequences} sequences`);
  const baseline = await timeStatusQueries(context, config.outcomeBaselineSequences);
  const perSequence = baseline.ms / baseline.sequences;
  const extrapolated = perSequence * sequences;
  const row = (measure: string, onward: string, ratio: number, target = '', ok?: boolean): FigureRow => ({
    figure: '9',
    measure,
    onward,
    baseline: `${fmt(extrapolated, 0)} (status queries, extrapolated)`,
    // Far below 0.01: two significant digits, not ratioOf's two decimals.
    ratio: Number.isFinite(ratio) ? ratio.toPrecision(2) : 'n/a',
    target,
    met: met(ok),
  });
  const rows: FigureRow[] = [
    row(`outcomes report from the ledger, embedded PGlite, ms (${embedded.rows} rows, ${sequences} sequences; median of ${RUNS})`, fmt(embedded.ms), embedded.ms / extrapolated, `< ${TARGET_MS} ms`, embedded.ms < TARGET_MS),
    ...(postgres
      ? [row(`  the same on PostgreSQL, ms (${postgres.rows} rows)`, fmt(postgres.ms), postgres.ms / extrapolated, `< ${TARGET_MS} ms`, postgres.ms < TARGET_MS)]
      : []),
    {
      figure: '9',
      measure: `  baseline measured: cohortsOf over ${baseline.sequences} sequences (a status query each; answered ${baseline.answered.join('/')}), ms; per sequence`,
      onward: '',
      baseline: `${fmt(baseline.ms, 0)}; ${fmt(perSequence, 2)}`,
      ratio: '',
      target: '',
      met: '',
    },
  ];
  return { rows, data: { sequences, embedded, postgres: postgres ?? null, baseline: { ...baseline, perSequenceMs: round(perSequence), extrapolatedMs: round(extrapolated) } } };
}
