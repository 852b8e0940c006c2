/** Outcomes with charts (Chart.js, bundled): reply rate, time to the next job, messages by step; by coach, company or month. */
import { BarController, BarElement, CategoryScale, Chart, Legend, LinearScale, Tooltip } from 'chart.js';
import { type OutcomeDimension, type OutcomeGroup, type OutcomesReport } from '../api/dashboard-contract';
import { h, say, show } from './dom';
import { api, download, signedIn } from './session';
import { percent } from './words';

Chart.register(BarController, BarElement, CategoryScale, LinearScale, Legend, Tooltip);

/** Each grouping: its switch's label and its table's first column. */
const DIMENSIONS: [OutcomeDimension, string, string][] = [
  ['byCoach', 'By coach', 'Coach'],
  ['byCompany', 'By client company', 'Client company'],
  ['byMonth', 'By month', 'Month of the rejection'],
];

const COLUMNS: [keyof OutcomeGroup, string][] = [
  ['sequences', 'Sequences'],
  ['feedbackRequested', 'Feedback asked'],
  ['feedbackReceived', 'Feedback received'],
  ['feedbackReplyRate', 'Reply rate'],
  ['hired', 'Hired'],
  ['medianDaysToNextJob', 'Days to next job (median)'],
  ['optedOut', 'Opted out'],
  ['completed', 'Completed'],
  ['messagesSent', 'Sent'],
  ['messagesSkipped', 'Skipped'],
  ['messagesFailed', 'Failed'],
];

const STATUS_COLOURS = { sent: '#15803d', skipped: '#94a3b8', failed: '#b91c1c' } as const;

let charts: Chart[] = [];

/** One bar chart in its own card; animation off, so what is drawn is there at once (and in a screenshot). */
function barChart(into: HTMLElement, id: string, title: string, labels: string[], datasets: { label: string; data: (number | null)[]; backgroundColor: string }[], options: { stacked?: boolean; percent?: boolean } = {}): void {
  const canvas = h('canvas', { id, role: 'img', 'aria-label': title });
  into.append(h('figure', { class: 'card chart' }, h('figcaption', {}, title), h('div', { class: 'canvas' }, canvas)));
  charts.push(
    new Chart(canvas, {
      type: 'bar',
      data: { labels, datasets },
      options: {
        animation: false,
        responsive: true,
        maintainAspectRatio: false,
        plugins: { legend: { display: datasets.length > 1 } },
        scales: {
          x: { stacked: options.stacked },
          y: { stacked: options.stacked, beginAtZero: true, ...(options.percent ? { max: 1, ticks: { callback: (value) => percent(Number(value)) } } : {}) },
        },
      },
    }),
  );
}

export async function renderOutcomes(params: URLSearchParams): Promise<void> {
  const report = await api<OutcomesReport>('/outcomes');
  signedIn(report.tenant);
  if (!location.hash.startsWith('#/outcomes')) return;
  const dimension = DIMENSIONS.find(([name]) => name === params.get('by'))?.[0] ?? 'byCoach';
  const groups = report[dimension];
  const labels = groups.map((group) => group.group);
  for (const chart of charts) chart.destroy();
  charts = [];

  const steps = [...new Set(report.messages.map((row) => row.step))];
  const countOf = (step: string, status: keyof typeof STATUS_COLOURS) => report.messages.find((row) => row.step === step && row.status === status)?.count ?? 0;
  const exportCsv = () => download('/outcomes?format=csv', `onward-outcomes-${report.tenant}.csv`).catch((error: unknown) => say(`Export failed: ${(error as Error).message}`, true));

  const switcher = h(
    'nav',
    { class: 'switch', 'aria-label': 'group by' },
    ...DIMENSIONS.map(([name, title]) => h('a', { href: `#/outcomes?by=${name}`, class: name === dimension ? 'active' : undefined, 'aria-current': name === dimension ? 'page' : undefined }, title)),
  );
  // Charts need their canvas in the page to size themselves: the page is shown first, the charts drawn into it.
  const chartsArea = h('div', { class: 'charts' });
  show(
    h('h1', {}, 'Outcomes'),
    h('p', { class: 'sub' }, 'How the sequences went: whether feedback came, how soon candidates found their next job, and what was sent.'),
    h('div', { class: 'actions' }, switcher, h('button', { type: 'button', id: 'export', onclick: () => void exportCsv() }, 'Export CSV')),
    chartsArea,
    h(
      'div',
      { class: 'scroll' },
      h(
        'table',
        { id: 'outcomes' },
        h('thead', {}, h('tr', {}, h('th', {}, DIMENSIONS.find(([name]) => name === dimension)?.[2] ?? ''), ...COLUMNS.map(([, title]) => h('th', {}, title)))),
        h(
          'tbody',
          {},
          ...(groups.length
            ? groups.map((group) =>
                h('tr', { 'data-group': group.group }, h('td', {}, group.group), ...COLUMNS.map(([key]) => h('td', { class: 'num' }, key === 'feedbackReplyRate' ? percent(group.feedbackReplyRate) : (group[key] ?? '—')))),
              )
            : [h('tr', {}, h('td', { colspan: COLUMNS.length + 1, class: 'muted' }, 'No sequences yet.'))]),
        ),
      ),
    ),
  );
  barChart(chartsArea, 'reply-rate', 'Feedback reply rate', labels, [{ label: 'reply rate', data: groups.map((group) => group.feedbackReplyRate), backgroundColor: '#2563eb' }], { percent: true });
  barChart(chartsArea, 'days-to-job', 'Days to the next job (median)', labels, [{ label: 'days', data: groups.map((group) => group.medianDaysToNextJob), backgroundColor: '#15803d' }]);
  barChart(
    chartsArea,
    'messages-chart',
      'Messages by step and status',
      steps,
      (Object.keys(STATUS_COLOURS) as (keyof typeof STATUS_COLOURS)[]).map((status) => ({ label: status, data: steps.map((step) => countOf(step, status)), backgroundColor: STATUS_COLOURS[status] })),
    { stacked: true },
  );
}

