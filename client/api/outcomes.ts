import type { SequenceStatus } from '../../workflows/status';
import type { SequenceSummary } from '../sequences';

/**
 * The outcomes report as it was before the ledger (one status query per sequence, for those Temporal still keeps):
 * the benchmark's baseline for ./outcomes-report.ts, which GET /outcomes now serves. Per cohort (company, month of the rejection), how the job
 * search went. Each progress report answers a check-in, so "check-ins answered" counts the reports.
 */
export interface Cohort {
  company: string;
  /** YYYY-MM of the rejection (of the start, for sequences started before the API recorded it). */
  month: string;
  sequences: number;
  checkInsSent: number;
  checkInsAnswered: number;
  applications: number;
  interviews: number;
  hires: number;
  /** Days from the rejection to "hired", averaged over the hires; null when nobody was hired. */
  averageDaysToHire: number | null;
}

const DAY = 24 * 3600 * 1000;

export function cohortsOf(sequences: { summary: SequenceSummary; status: SequenceStatus }[]): Cohort[] {
  const cohorts = new Map<string, Cohort & { daysToHire: number[] }>();
  for (const { summary, status } of sequences) {
    const rejectedAt = summary.rejectedAt ? Date.parse(summary.rejectedAt) : summary.startedAt.getTime();
    const month = new Date(rejectedAt).toISOString().slice(0, 7);
    const company = status.company;
    const key = JSON.stringify([company, month]);
    const cohort = cohorts.get(key) ?? {
      company,
      month,
      sequences: 0,
      checkInsSent: 0,
      checkInsAnswered: 0,
      applications: 0,
      interviews: 0,
      hires: 0,
      averageDaysToHire: null,
      daysToHire: [],
    };
    cohort.sequences += 1;
    cohort.checkInsSent += status.timeline.filter((entry) => entry.kind === 'check-in' && entry.status === 'sent').length;
    cohort.checkInsAnswered += status.progress.reports.length;
    cohort.applications += status.progress.applications;
    cohort.interviews += status.progress.interviews;
    if (status.stage === 'hired') {
      cohort.hires += 1;
      const hiredAt = status.log.find((entry) => /^hired\b/.test(entry.event))?.at;
      if (hiredAt) cohort.daysToHire.push((Date.parse(hiredAt) - rejectedAt) / DAY);
    }
    cohorts.set(key, cohort);
  }
  return [...cohorts.values()]
    .map(({ daysToHire, ...cohort }) => ({
      ...cohort,
      averageDaysToHire: daysToHire.length ? Math.round((daysToHire.reduce((sum, days) => sum + days, 0) / daysToHire.length) * 10) / 10 : null,
    }))
    .sort((a, b) => b.month.localeCompare(a.month) || a.company.localeCompare(b.company));
}

/** A CSV cell, quoted when it must be; a leading = + - @ is neutralised so spreadsheets never run it as a formula. */
export function csvCell(value: unknown): string {
  const text = typeof value === 'string' ? value : typeof value === 'number' || typeof value === 'boolean' ? String(value) : value == null ? '' : JSON.stringify(value);
  // Quote what needs it, and keep spreadsheets from reading a company name as a formula.
  const safe = /^[=+\-@\t\r]/.test(text) ? `'${text}` : text;
  return /[",\n\r]/.test(safe) || safe !== text ? `"${safe.replace(/"/g, '""')}"` : safe;
}
