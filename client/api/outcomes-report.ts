import { sql, type Kysely } from 'kysely';
import type { Sealing } from '../../common/database/sealing';
import type { SentMessage } from '../../activities/outcomes-store';
import type { RecipientRole } from '../../workflows/transitions';
import type { StepKind } from '../../workflows/steps';
import { csvCell } from './outcomes';

/** One group of sequences (a month of rejections, a coach, a client company) and how they went. */
export interface OutcomeGroup {
  group: string;
  sequences: number;
  /** Sequences whose feedback request went out, and those of them that got feedback. */
  feedbackRequested: number;
  feedbackReceived: number;
  /** feedbackReceived / feedbackRequested; null when nothing was requested. */
  feedbackReplyRate: number | null;
  hired: number;
  /** Median days from the rejection to "hired" (the time to the candidate's next job); null when nobody was hired. */
  medianDaysToNextJob: number | null;
  optedOut: number;
  completed: number;
  messagesSent: number;
  messagesSkipped: number;
  messagesFailed: number;
}

export type MessageStatus = 'sent' | 'skipped' | 'failed';

export interface OutcomesReport {
  tenant: string;
  from?: string;
  to?: string;
  byMonth: OutcomeGroup[];
  byCoach: OutcomeGroup[];
  byCompany: OutcomeGroup[];
  messages: { step: StepKind; status: MessageStatus; count: number }[];
}

/** A message as the sequence's page shows it. */
export type SentMessageView = Omit<SentMessage, 'workflowId'>;

/** A rejection date range, YYYY-MM-DD, both days included. */
export interface DateRange {
  from?: string;
  to?: string;
}

export const NO_COACH = '(none)';
const DAY_AFTER = (date: string) => new Date(Date.parse(`${date}T00:00:00Z`) + 24 * 3600 * 1000).toISOString();
type Dimension = 'month' | 'coach' | 'company';

interface GroupRow {
  dimension: Dimension;
  label: string | null;
  sequences: number;
  feedback_requested: number;
  feedback_received: number;
  hired: number;
  median_days: number | string | null;
  opted_out: number;
  completed: number;
  sent: number;
  skipped: number;
  failed: number;
}

const MESSAGE_STATUSES: Record<string, MessageStatus> = { 'message-sent': 'sent', 'message-skipped': 'skipped', 'message-failed': 'failed' };

/**
 * The outcomes report and the sent messages, read from the ledger (migration 0004-outcomes), so they outlive Temporal's
 * retention: one aggregate over every dimension (grouping sets), one over the messages; only the group labels are
 * unsealed. Company and coach are grouped by their keyed hash.
 */
export function createLedgerReports(db: Kysely<unknown>, sealing: Sealing) {
  const inRange = ({ from, to }: DateRange) =>
    sql.join(
      [sql`true`, ...(from ? [sql`s.rejected_at >= ${`${from}T00:00:00Z`}`] : []), ...(to ? [sql`s.rejected_at < ${DAY_AFTER(to)}`] : [])],
      sql` and `,
    );

  async function groups(tenant: string, range: DateRange): Promise<GroupRow[]> {
    const { rows } = await sql<GroupRow>`
      with per_sequence as (
        select s.workflow_id, s.rejected_at, s.company_hash, s.company_sealed, s.coach_hash, s.coach_sealed,
          to_char(s.rejected_at at time zone 'UTC', 'YYYY-MM') as month,
          coalesce(bool_or(o.event = 'message-sent' and o.step_kind = 'feedback-request'), false) as requested,
          coalesce(bool_or(o.event = 'feedback-received'), false) as received,
          min(o.at) filter (where o.event = 'hired') as hired_at,
          coalesce(bool_or(o.event = 'opted-out'), false) as opted_out,
          coalesce(bool_or(o.event = 'completed'), false) as completed,
          count(o.event) filter (where o.event = 'message-sent') as sent,
          count(o.event) filter (where o.event = 'message-skipped') as skipped,
          count(o.event) filter (where o.event = 'message-failed') as failed
        from sequences s left join outcomes o on o.workflow_id = s.workflow_id
        where s.tenant = ${tenant} and ${inRange(range)}
        group by s.workflow_id
      )
      select
        case when grouping(month) = 0 then 'month' when grouping(coach_hash) = 0 then 'coach' else 'company' end as dimension,
        case when grouping(month) = 0 then month when grouping(coach_hash) = 0 then min(coach_sealed) else min(company_sealed) end as label,
        count(*)::int as sequences,
        count(*) filter (where requested)::int as feedback_requested,
        count(*) filter (where requested and received)::int as feedback_received,
        count(hired_at)::int as hired,
        percentile_cont(0.5) within group (order by extract(epoch from hired_at - rejected_at) / 86400) filter (where hired_at is not null) as median_days,
        count(*) filter (where opted_out)::int as opted_out,
        count(*) filter (where completed)::int as completed,
        sum(sent)::int as sent,
        sum(skipped)::int as skipped,
        sum(failed)::int as failed
      from per_sequence
      group by grouping sets ((month), (coach_hash), (company_hash))`.execute(db);
    return rows;
  }

  const groupOf = (row: GroupRow): OutcomeGroup => {
    const group = row.dimension === 'month' ? (row.label ?? '') : row.label === null ? NO_COACH : sealing.open(row.label);
    const median = row.median_days === null ? null : Math.round(Number(row.median_days) * 10) / 10;
    return {
      group,
      sequences: row.sequences,
      feedbackRequested: row.feedback_requested,
      feedbackReceived: row.feedback_received,
      feedbackReplyRate: row.feedback_requested > 0 ? Math.round((row.feedback_received / row.feedback_requested) * 1000) / 1000 : null,
      hired: row.hired,
      medianDaysToNextJob: median,
      optedOut: row.opted_out,
      completed: row.completed,
      messagesSent: row.sent,
      messagesSkipped: row.skipped,
      messagesFailed: row.failed,
    };
  };

  return {
    async outcomes(tenant: string, range: DateRange = {}): Promise<OutcomesReport> {
      const [rows, messages] = await Promise.all([
        groups(tenant, range),
        sql<{ step: StepKind; event: string; count: number }>`
          select o.step_kind as step, o.event, count(*)::int as count
          from outcomes o join sequences s on s.workflow_id = o.workflow_id
          where s.tenant = ${tenant} and ${inRange(range)} and o.event in ('message-sent', 'message-skipped', 'message-failed')
          group by o.step_kind, o.event`.execute(db),
      ]);
      const byDimension = (dimension: Dimension) => rows.filter((row) => row.dimension === dimension).map(groupOf);
      const byLabel = (a: OutcomeGroup, b: OutcomeGroup) => a.group.localeCompare(b.group);
      return {
        tenant,
        ...(range.from ? { from: range.from } : {}),
        ...(range.to ? { to: range.to } : {}),
        byMonth: byDimension('month').sort(byLabel),
        byCoach: byDimension('coach').sort(byLabel),
        byCompany: byDimension('company').sort(byLabel),
        messages: messages.rows
          .map((row) => ({ step: row.step, status: MESSAGE_STATUSES[row.event] as MessageStatus, count: row.count }))
          .sort((a, b) => a.step.localeCompare(b.step) || a.status.localeCompare(b.status)),
      };
    },

    /** The messages a tenant's sequence sent, as sent, oldest first; undefined when the ledger has no such sequence. */
    async messages(tenant: string, rejectionId: string): Promise<SentMessageView[] | undefined> {
      const known = await sql`select 1 from sequences where tenant = ${tenant} and rejection_id = ${rejectionId} limit 1`.execute(db);
      if (known.rows.length === 0) return undefined;
      const { rows } = await sql<{ step_key: string; step_kind: StepKind; recipient_role: RecipientRole; to_sealed: string; subject_sealed: string; text_sealed: string; sent_at: Date | string }>`
        select m.step_key, m.step_kind, m.recipient_role, m.to_sealed, m.subject_sealed, m.text_sealed, m.sent_at
        from sent_messages m join sequences s on s.workflow_id = m.workflow_id
        where s.tenant = ${tenant} and s.rejection_id = ${rejectionId}
        order by m.sent_at, m.step_key`.execute(db);
      return rows.map((row) => ({
        key: row.step_key,
        kind: row.step_kind,
        to: sealing.open(row.to_sealed),
        recipientRole: row.recipient_role,
        subject: sealing.open(row.subject_sealed),
        text: sealing.open(row.text_sealed),
        sentAt: new Date(row.sent_at).toISOString(),
      }));
    },
  };
}

export type LedgerReports = ReturnType<typeof createLedgerReports>;

const GROUP_COLUMNS = [
  'sequences',
  'feedbackRequested',
  'feedbackReceived',
  'feedbackReplyRate',
  'hired',
  'medianDaysToNextJob',
  'optedOut',
  'completed',
  'messagesSent',
  'messagesSkipped',
  'messagesFailed',
] as const satisfies readonly (keyof OutcomeGroup)[];

/** One row per (dimension, group): the CSV export of the report (spreadsheet formulas neutralised, as csvCell does). */
export function outcomesCsv(report: OutcomesReport): string {
  const sections: [string, OutcomeGroup[]][] = [
    ['month', report.byMonth],
    ['coach', report.byCoach],
    ['company', report.byCompany],
  ];
  const lines = sections.flatMap(([dimension, groups]) => groups.map((group) => [dimension, group.group, ...GROUP_COLUMNS.map((column) => group[column])].map(csvCell).join(',')));
  return [['dimension', 'group', ...GROUP_COLUMNS].join(','), ...lines].join('\r\n') + '\r\n';
}
