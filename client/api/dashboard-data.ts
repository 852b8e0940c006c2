import type { Client } from '@temporalio/client';
import type { temporal } from '@temporalio/proto';
import { decodeFromPayloadsAtIndex } from '@temporalio/common/lib/internal-non-workflow';
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { renderRequest } from '../../activities/email';
import { loadTemplates, type Templates } from '../../activities/templates';
import { statusQuery } from '../../workflows/definitions';
import type { EmailRequest } from '../../workflows/email-request';
import type { SequenceInput } from '../../workflows/input';
import { STAGES, type SequenceStatus, type Stage } from '../../workflows/status';
import { listSequences, type SequenceSummary } from '../sequences';
import {
  OUTCOME_GROUP_FIELDS,
  type Approval,
  type ApprovalsPage,
  type MessagesPage,
  type OutcomeGroup,
  type OutcomesReport,
  type RecipientRole,
  type SentMessage,
  type SequenceListItem,
  type SequencesPage,
} from './dashboard-contract';
import { forbidden } from './errors';
import { csvCell } from './outcomes';
import { nextStepOf, type SequenceService } from './service';
import { parseOr400 } from './validation';

/**
 * The dashboard's endpoints computed the slow way, from what Temporal holds today: one status query per sequence,
 * and the start input (coach, names) and send activities read from each workflow's history. A stand-in with the
 * contract's shapes (./dashboard-contract.ts) until the visibility memo and the outcomes ledger answer them.
 */

const SCAN_LIMIT = 2000;
const QUERY_DEADLINE_MS = 5_000;
const SEND_ACTIVITIES = new Set(['sendEmail', 'sendWithGmail', 'sendEmailUnlessRateLimited']);

const day = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'must be a date YYYY-MM-DD');

const sequencesQuery = z.strictObject({
  stage: z.enum(STAGES).optional(),
  coach: z.string().min(1).max(120).optional(),
  q: z.string().min(1).max(160).optional(),
  from: day.optional(),
  to: day.optional(),
  pageSize: z.coerce.number().int().min(1).max(100).optional(),
  cursor: z.string().regex(/^\d{1,6}$/, 'is not a cursor from a previous page').optional(),
  // The list's earlier filters, still answered: an exact company, part of a name, a tenant check, a limit.
  company: z.string().min(1).max(160).optional(),
  candidate: z.string().min(1).max(120).optional(),
  tenant: z.string().optional(),
  limit: z.coerce.number().int().min(1).max(500).optional(),
});

const outcomesQuery = z.strictObject({ from: day.optional(), to: day.optional(), format: z.enum(['json', 'csv']).default('json') });

/** One sequence with everything the slow way knows of it. */
interface Known {
  summary: SequenceSummary;
  status?: SequenceStatus;
  input?: SequenceInput;
}

const rejectionDay = ({ summary, input }: Known): string => (input?.rejection.rejectedAt ?? (typeof summary.memo?.rejectedAt === 'string' ? summary.memo.rejectedAt : summary.startedAt.toISOString())).slice(0, 10);

const within = (date: string, from?: string, to?: string): boolean => (!from || date >= from) && (!to || date <= to);

/** "Grace Hopper <grace@…>" for an address the rejection names, else the address. */
function mailboxOf(input: SequenceInput | undefined, address: string): string {
  const rejection = input?.rejection;
  const people = rejection ? [rejection.candidate, ...rejection.interviewers, ...(rejection.recruiter ? [rejection.recruiter] : [])] : [];
  const person = people.find((candidate) => candidate.email.toLowerCase() === address.toLowerCase());
  return person ? `${person.name} <${person.email}>` : address;
}

function roleOf(input: SequenceInput | undefined, address: string): RecipientRole {
  const rejection = input?.rejection;
  if (!rejection || rejection.candidate.email.toLowerCase() === address.toLowerCase()) return 'candidate';
  return rejection.recruiter?.email.toLowerCase() === address.toLowerCase() ? 'recruiter' : 'interviewer';
}

function median(values: number[]): number | null {
  if (!values.length) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  const value = sorted.length % 2 ? (sorted[middle] as number) : ((sorted[middle - 1] as number) + (sorted[middle] as number)) / 2;
  return Math.round(value * 10) / 10;
}

const DAY_MS = 24 * 3600 * 1000;

/** The outcome groups of the sequences, by a dimension's key. */
function groupsOf(sequences: Known[], keyOf: (known: Known) => string): OutcomeGroup[] {
  const groups = new Map<string, Known[]>();
  for (const known of sequences) groups.set(keyOf(known), [...(groups.get(keyOf(known)) ?? []), known]);
  return [...groups.entries()]
    .map(([group, members]) => {
      const statuses = members.flatMap(({ status }) => (status ? [status] : []));
      const entries = statuses.flatMap((status) => status.timeline);
      const feedbackRequested = statuses.filter((status) => status.timeline.some((entry) => entry.kind === 'feedback-request' && entry.status === 'sent')).length;
      const feedbackReceived = statuses.filter((status) => status.feedback.received.length > 0).length;
      const daysToNextJob = members.flatMap((known) => {
        const hiredAt = known.status?.stage === 'hired' ? known.status.log.find((entry) => /^hired\b/.test(entry.event))?.at : undefined;
        return hiredAt ? [(Date.parse(hiredAt) - Date.parse(rejectionDay(known))) / DAY_MS] : [];
      });
      return {
        group,
        sequences: members.length,
        feedbackRequested,
        feedbackReceived,
        feedbackReplyRate: feedbackRequested ? feedbackReceived / feedbackRequested : null,
        hired: statuses.filter((status) => status.stage === 'hired').length,
        medianDaysToNextJob: median(daysToNextJob),
        optedOut: statuses.filter((status) => status.stage === 'opted-out').length,
        completed: statuses.filter((status) => status.stage === 'completed').length,
        messagesSent: entries.filter((entry) => entry.status === 'sent').length,
        messagesSkipped: entries.filter((entry) => entry.status === 'skipped').length,
        messagesFailed: entries.filter((entry) => entry.status === 'failed').length,
      };
    })
    .sort((a, b) => a.group.localeCompare(b.group));
}

export function outcomesReport(tenant: string, sequences: Known[], from?: string, to?: string): OutcomesReport {
  const chosen = sequences.filter((known) => within(rejectionDay(known), from, to));
  const counts = new Map<string, number>();
  for (const entry of chosen.flatMap(({ status }) => status?.timeline ?? [])) {
    if (entry.status !== 'sent' && entry.status !== 'skipped' && entry.status !== 'failed') continue;
    const key = JSON.stringify([entry.kind, entry.status]);
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  return {
    tenant,
    ...(from ? { from } : {}),
    ...(to ? { to } : {}),
    byMonth: groupsOf(chosen, (known) => rejectionDay(known).slice(0, 7)),
    byCoach: groupsOf(chosen, ({ input }) => input?.rejection.coach ?? '(none)'),
    byCompany: groupsOf(chosen, ({ summary, status }) => status?.company ?? summary.company ?? '(unknown)'),
    messages: [...counts.entries()].map(([key, count]) => {
      const [step, status] = JSON.parse(key) as [string, 'sent' | 'skipped' | 'failed'];
      return { step, status, count };
    }),
  };
}

/** One row per (dimension, group), with the OutcomeGroup's fields. */
export function outcomesCsv(report: OutcomesReport): string {
  const rows = (['byMonth', 'byCoach', 'byCompany'] as const).flatMap((dimension) =>
    report[dimension].map((group) => [dimension, ...OUTCOME_GROUP_FIELDS.map((field) => group[field])].map(csvCell).join(',')),
  );
  return [['dimension', ...OUTCOME_GROUP_FIELDS].join(','), ...rows].join('\r\n') + '\r\n';
}

class SlowDashboardData {
  private templates?: Templates;

  constructor(
    private readonly client: Client,
    private readonly service: SequenceService,
  ) {}

  /** The input the sequence was started with: its first history event. */
  private async inputOf(workflowId: string): Promise<SequenceInput | undefined> {
    const page = await this.client.workflowService.getWorkflowExecutionHistory({ namespace: this.client.options.namespace, execution: { workflowId }, maximumPageSize: 1 });
    const payloads = page.history?.events?.[0]?.workflowExecutionStartedEventAttributes?.input?.payloads;
    return payloads ? decodeFromPayloadsAtIndex<SequenceInput>(this.client.options.loadedDataConverter, 0, payloads) : undefined;
  }

  /** The sequence's status query, given up after a few seconds (a sequence no worker answers for is shown from its summary). */
  private statusOf(workflowId: string): Promise<SequenceStatus> {
    return this.client.withDeadline(Date.now() + QUERY_DEADLINE_MS, () => this.client.workflow.getHandle(workflowId).query(statusQuery));
  }

  /** Every sequence of the tenant with its status and start input; unanswered ones keep their summary only. */
  async known(tenant: string, filters: { stage?: Stage; company?: string } = {}): Promise<Known[]> {
    const summaries = await listSequences(this.client, { tenant, limit: SCAN_LIMIT, stage: filters.stage, company: filters.company });
    const known: Known[] = [];
    // A few at a time: each costs a query and a history read.
    for (let start = 0; start < summaries.length; start += 8) {
      known.push(
        ...(await Promise.all(
          summaries.slice(start, start + 8).map(async (summary) => ({
            summary,
            status: await this.statusOf(summary.workflowId).catch(() => undefined),
            input: await this.inputOf(summary.workflowId).catch(() => undefined),
          })),
        )),
      );
    }
    return known;
  }

  itemOf({ summary, status, input }: Known): SequenceListItem {
    const next = status && !summary.closedAt ? nextStepOf(status) : undefined;
    return {
      rejectionId: summary.rejectionId,
      workflowId: summary.workflowId,
      stage: status?.stage ?? summary.stage,
      candidate: status?.candidate,
      company: status?.company ?? summary.company,
      role: status?.role,
      coach: input?.rejection.coach,
      rejectedAt: input?.rejection.rejectedAt ?? (typeof summary.memo?.rejectedAt === 'string' ? summary.memo.rejectedAt : undefined),
      startedAt: summary.startedAt.toISOString(),
      closedAt: summary.closedAt?.toISOString(),
      next: next && { ...next, to: mailboxOf(input, next.to) },
      awaitingApproval: status?.timeline.filter((entry) => entry.status === 'awaiting-approval').length ?? 0,
    };
  }

  approvalsOf(known: Known[]): Approval[] {
    return known
      .flatMap(({ summary, status, input }) =>
        (status?.timeline ?? []).flatMap((entry) =>
          entry.status === 'awaiting-approval' && entry.draft && !summary.closedAt
            ? [
                {
                  rejectionId: summary.rejectionId,
                  workflowId: summary.workflowId,
                  candidate: status?.candidate ?? '',
                  company: status?.company ?? '',
                  role: status?.role ?? '',
                  key: entry.key,
                  kind: entry.kind,
                  to: mailboxOf(input, entry.to),
                  subject: entry.draft.subject,
                  text: entry.draft.text,
                  decideBy: entry.draft.decideBy,
                  fallback: entry.draft.fallback ?? 'send',
                  // The status keeps no time of the draft itself: it was drafted when its planned time came.
                  waitingSince: entry.scheduledAt,
                },
              ]
            : [],
        ),
      )
      .sort((a, b) => a.waitingSince.localeCompare(b.waitingSince) || a.rejectionId.localeCompare(b.rejectionId));
  }

  /** The messages sent: each send activity's request from the history, rendered as the activity renders it. */
  async messagesOf(tenant: string, rejectionId: string): Promise<MessagesPage> {
    const { workflowId } = await this.service.owned(tenant, rejectionId);
    const { status } = await this.service.status(tenant, rejectionId);
    const input = await this.inputOf(workflowId);
    const history = await this.client.workflow.getHandle(workflowId).fetchHistory();
    const requests = new Map<string, EmailRequest>();
    for (const event of (history.events ?? []) as temporal.api.history.v1.IHistoryEvent[]) {
      const scheduled = event.activityTaskScheduledEventAttributes;
      if (!scheduled?.activityType?.name || !SEND_ACTIVITIES.has(scheduled.activityType.name) || !scheduled.input?.payloads) continue;
      const request = await decodeFromPayloadsAtIndex<EmailRequest>(this.client.options.loadedDataConverter, 0, scheduled.input.payloads);
      requests.set(request.key, request);
    }
    this.templates ??= loadTemplates();
    const templates = this.templates;
    const messages: SentMessage[] = status.timeline.flatMap((entry) => {
      const request = requests.get(entry.key);
      if (entry.status !== 'sent' || !entry.sentAt || !request) return [];
      const { subject, text } = renderRequest(templates, request);
      return [{ key: entry.key, kind: entry.kind, to: `${request.to.name} <${request.to.email}>`, recipientRole: roleOf(input, request.to.email), subject, text, sentAt: entry.sentAt }];
    });
    return { rejectionId, messages: messages.sort((a, b) => a.sentAt.localeCompare(b.sentAt)) };
  }
}

/** GET /sequences, GET /approvals, GET /sequences/:id/messages and GET /outcomes, behind the API key. */
export function registerDashboardData(scope: FastifyInstance, client: Client, service: SequenceService): void {
  const data = new SlowDashboardData(client, service);

  scope.get('/sequences', async (request): Promise<SequencesPage> => {
    const query = parseOr400(sequencesQuery, request.query, '(query)');
    if (query.tenant !== undefined && query.tenant !== request.tenant) throw forbidden('tenant', `this API key may only read tenant "${request.tenant}"`);
    const needle = query.q?.toLocaleLowerCase();
    const name = query.candidate?.toLocaleLowerCase();
    const coach = query.coach?.toLocaleLowerCase();
    const items = (await data.known(request.tenant, { stage: query.stage, company: query.company }))
      .filter((known) => within(rejectionDay(known), query.from, query.to))
      .map((known) => data.itemOf(known))
      .filter((item) => !needle || [item.candidate, item.company].some((text) => text?.toLocaleLowerCase().includes(needle)))
      .filter((item) => !name || item.candidate?.toLocaleLowerCase().includes(name))
      .filter((item) => !coach || item.coach?.toLocaleLowerCase() === coach)
      .sort((a, b) => (b.rejectedAt ?? b.startedAt).localeCompare(a.rejectedAt ?? a.startedAt) || b.startedAt.localeCompare(a.startedAt));
    const size = query.pageSize ?? query.limit ?? 25;
    const offset = Number(query.cursor ?? 0);
    const page = items.slice(offset, offset + size);
    return { tenant: request.tenant, sequences: page, ...(offset + size < items.length ? { nextCursor: String(offset + size) } : {}) };
  });

  scope.get('/approvals', async (request): Promise<ApprovalsPage> => {
    parseOr400(z.strictObject({}), request.query, '(query)');
    return { tenant: request.tenant, approvals: data.approvalsOf(await data.known(request.tenant)) };
  });

  scope.get<{ Params: { id: string } }>('/sequences/:id/messages', (request) => data.messagesOf(request.tenant, request.params.id));

  scope.get('/outcomes', async (request, reply) => {
    const { from, to, format } = parseOr400(outcomesQuery, request.query, '(query)');
    const report = outcomesReport(request.tenant, await data.known(request.tenant), from, to);
    if (format === 'json') return report;
    return reply
      .type('text/csv; charset=utf-8')
      .header('content-disposition', `attachment; filename="onward-outcomes-${request.tenant}.csv"`)
      .send(outcomesCsv(report));
  });
}
