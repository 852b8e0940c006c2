import { parse } from 'csv-parse/sync';
import { ColumnError, columnPath, type Segment } from './import-columns';
import type { FieldProblem } from '../workflows/input';
import { ApiError } from './api/errors';
import type { StartOutcome } from './api/service';

/**
 * Bulk import: one rejection per CSV row, shared by `onward import FILE.csv` and `POST /imports`.
 *
 * Columns are the rejection document's fields, nested with dots and brackets, so a refused row names the
 * column at fault: `id, candidate.name, candidate.email, candidate.timezone, company, role,
 * interviewers[0].name, interviewers[0].email, interviewers[1].name, ..., recruiter.email, rejectedAt,
 * dreamJob, policy` (policy as a JSON object, or one column per setting such as `policy.grievingPeriod`).
 * Empty cells are absent fields. Every row is validated by the CLI's and the API's validation and started
 * idempotently: running the same file twice starts nothing twice.
 */
export const MAX_IMPORT_ROWS = 5000;

export class ImportFileError extends Error {
  override name = 'ImportFileError';
}

export interface CsvRow {
  /** The row's line in the file (the header is line 1). */
  line: number;
  document: Record<string, unknown>;
}

export interface RowReport {
  line: number;
  id?: string;
  outcome: StartOutcome | 'refused';
  problems?: FieldProblem[];
}

export interface ImportReport {
  rows: RowReport[];
  started: number;
  existing: number;
  refused: number;
}

function pathOf(header: string): Segment[] {
  try {
    return columnPath(header);
  } catch (error) {
    if (error instanceof ColumnError) throw new ImportFileError(error.message);
    throw error;
  }
}

function cellValue(path: Segment[], text: string): unknown {
  if (path[0] === 'dreamJob' && path.length === 1) {
    if (/^(true|yes|y|1)$/i.test(text)) return true;
    if (/^(false|no|n|0)$/i.test(text)) return false;
  }
  if (path[0] === 'policy' && /^[[{\d-]|^(true|false)$/.test(text)) {
    try {
      return JSON.parse(text) as unknown;
    } catch {
      return text;
    }
  }
  return text;
}

type Node = Record<string | number, unknown>;
// Rows are built on null-prototype objects: even a path that slipped past columnPath could not reach Object.prototype.
const emptyObject = (): Node => Object.create(null) as Node;

function setPath(target: Node, path: Segment[], value: unknown): void {
  let node = target;
  path.forEach((segment, index) => {
    if (index === path.length - 1) {
      node[segment] = value;
      return;
    }
    if (!Object.hasOwn(node, segment)) node[segment] = typeof path[index + 1] === 'number' ? [] : emptyObject();
    node = node[segment] as Node;
  });
}

/** Arrays with holes (an interviewers[1] column but an empty interviewers[0]) become dense. */
function compact(value: unknown): unknown {
  if (Array.isArray(value)) return value.filter((item) => item !== undefined).map(compact);
  if (value && typeof value === 'object') {
    const dense = emptyObject();
    for (const [key, item] of Object.entries(value)) dense[key] = compact(item);
    return dense;
  }
  return value;
}

/** Parses the CSV into rejection documents; a file that is not such a CSV is refused whole. */
export function rowsFromCsv(text: string): CsvRow[] {
  let records: string[][];
  try {
    records = parse(text.replace(/^\uFEFF/, ''), { relax_column_count: false, skip_empty_lines: true, trim: true });
  } catch (error) {
    throw new ImportFileError(`is not valid CSV (${(error as Error).message})`);
  }
  const [header, ...rows] = records;
  if (!header) throw new ImportFileError('is empty: the first line must name the columns (id, candidate.name, candidate.email, ...)');
  if (!header.includes('id')) throw new ImportFileError('has no "id" column: each row needs its rejection id');
  if (rows.length > MAX_IMPORT_ROWS) throw new ImportFileError(`has ${rows.length} rows: import at most ${MAX_IMPORT_ROWS} at a time`);
  const paths = header.map(pathOf);
  return rows.map((cells, index) => {
    const document = emptyObject();
    cells.forEach((cell, column) => {
      const path = paths[column];
      if (path && cell !== '') setPath(document, path, cellValue(path, cell));
    });
    return { line: index + 2, document: compact(document) as Record<string, unknown> };
  });
}

/**
 * Starts every row (a few at a time) and reports each: started, existing, or refused with the problems.
 * A refusal (bad row, id of another tenant) is reported and the import goes on; any other error (Temporal
 * unreachable) stops it, and re-running the file then starts only what was not started.
 */
export async function importRows(
  rows: CsvRow[],
  start: (document: Record<string, unknown>) => Promise<StartOutcome>,
  options: { concurrency?: number; onRow?: (report: RowReport, done: number, total: number) => void } = {},
): Promise<ImportReport> {
  const reports: RowReport[] = new Array<RowReport>(rows.length);
  let next = 0;
  let done = 0;
  const worker = async () => {
    while (next < rows.length) {
      const index = next++;
      const row = rows[index] as CsvRow;
      const id = typeof row.document.id === 'string' ? row.document.id : undefined;
      let report: RowReport;
      try {
        report = { line: row.line, id, outcome: await start(row.document) };
      } catch (error) {
        if (!(error instanceof ApiError) || error.statusCode >= 500) throw error;
        report = { line: row.line, id, outcome: 'refused', problems: error.problems };
      }
      reports[index] = report;
      done += 1;
      options.onRow?.(report, done, rows.length);
    }
  };
  await Promise.all(Array.from({ length: Math.min(options.concurrency ?? 4, rows.length) }, worker));
  const count = (outcome: RowReport['outcome']) => reports.filter((report) => report.outcome === outcome).length;
  return { rows: reports, started: count('started'), existing: count('existing'), refused: count('refused') };
}

/** One line per row, e.g. `line 3  acme-2  refused  candidate.email: must be a valid email address`. */
export function formatRowReport(report: RowReport): string {
  const problems = report.problems?.map(({ field, problem }) => `${field}: ${problem}`).join('; ');
  return `line ${String(report.line).padEnd(5)} ${(report.id ?? '(no id)').padEnd(30)} ${report.outcome}${problems ? `  ${problems}` : ''}`;
}

/** A one-line progress bar for a terminal; nothing when the stream is not one (logs, pipes, CI). */
export function progressLine(stream: NodeJS.WriteStream): { update(done: number, total: number, report: ImportReport | RowReport[]): void; end(): void } {
  let drawn = false;
  return {
    update(done, total, reports) {
      if (!stream.isTTY) return;
      const rows = Array.isArray(reports) ? reports : reports.rows;
      const width = 30;
      const filled = total === 0 ? width : Math.round((done / total) * width);
      const tally = (outcome: RowReport['outcome']) => rows.filter((row) => row?.outcome === outcome).length;
      stream.write(
        `\r[${'#'.repeat(filled)}${'-'.repeat(width - filled)}] ${done}/${total}  started ${tally('started')}  existing ${tally('existing')}  refused ${tally('refused')}`,
      );
      drawn = true;
    },
    end() {
      if (drawn) stream.write('\n');
      drawn = false;
    },
  };
}
