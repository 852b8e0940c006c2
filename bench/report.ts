// One row per measure: Onward, the baseline measured in the same run, their ratio, the target and whether it holds.

export interface FigureRow {
  figure: string;
  measure: string;
  onward: string;
  baseline: string;
  ratio: string;
  target: string;
  met: 'yes' | 'no' | '';
}

export interface FigureResult {
  /** The headline, for the table. */
  rows: FigureRow[];
  /** Every raw number, for bench/results.json. */
  data: Record<string, unknown>;
}

export const fmt = (value: number, digits = 1): string => (Number.isFinite(value) ? value.toFixed(digits) : 'n/a');

/** onward / baseline, or the other way round when smaller is better; 2 decimals. */
export function ratioOf(onward: number, baseline: number): number {
  return baseline > 0 && Number.isFinite(onward) ? Math.round((onward / baseline) * 100) / 100 : Number.NaN;
}

export function met(condition: boolean | undefined): FigureRow['met'] {
  return condition === undefined ? '' : condition ? 'yes' : 'no';
}

type Cells = Record<keyof FigureRow, string>;

export function formatTable(rows: FigureRow[]): string {
  const header: Cells = { figure: '#', measure: 'measure', onward: 'Onward', baseline: 'baseline', ratio: 'ratio', target: 'target', met: 'met' };
  const columns: (keyof FigureRow)[] = ['figure', 'measure', 'onward', 'baseline', 'ratio', 'target', 'met'];
  const all: Cells[] = [header, ...rows];
  const widths = columns.map((column) => Math.max(...all.map((row) => row[column].length)));
  const line = (row: Cells) => columns.map((column, index) => row[column].padEnd(widths[index] ?? 0)).join(' | ').trimEnd();
  const rule = widths.map((width) => '-'.repeat(width)).join('-|-');
  return [line(header), rule, ...rows.map(line)].join('\n');
}
