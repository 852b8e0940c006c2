/**
 * The Onward dashboard: plain DOM, no framework, no build step beyond stripping the types (the API serves
 * this file transpiled by esbuild). Everything it shows comes from the API with the user's key, which lives
 * in sessionStorage only; `onward dev` prints a URL whose #key=... fragment signs in (a fragment never
 * reaches a server or a log). Every value is set as text, never as HTML.
 */
import type { Cohort } from '../api/outcomes';
import type { SequenceExecution, SequenceListItem } from '../api/service';
import { describeFallback, ENDINGS, STAGES, type SequenceStatus, type TimelineEntry } from '../../workflows/status';

type SequencePage = SequenceStatus &
  SequenceExecution & { source?: { ats: string; applicationId: string; rejectionReason?: string; receivedAt: string; erasedAt?: string } };
interface ErrorBody {
  errors?: { field: string; problem: string }[];
}

const KEY_STORAGE = 'onward-api-key';
const main = document.getElementById('main') as HTMLElement;
const notice = document.getElementById('notice') as HTMLElement;
let refreshTimer: number | undefined;

// ---- small DOM helpers --------------------------------------------------------------------------

type Child = Node | string | number | null | undefined | false;
type Attributes = Record<string, string | number | boolean | undefined | ((event: Event) => void)>;

function h<K extends keyof HTMLElementTagNameMap>(tag: K, attributes: Attributes = {}, ...children: Child[]): HTMLElementTagNameMap[K] {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value === undefined || value === false) continue;
    if (typeof value === 'function') element.addEventListener(name.replace(/^on/, ''), value);
    else if (value === true) element.setAttribute(name, '');
    else element.setAttribute(name, String(value));
  }
  append(element, ...children);
  return element;
}

function append(parent: Node, ...children: Child[]): void {
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    parent.appendChild(typeof child === 'string' || typeof child === 'number' ? document.createTextNode(String(child)) : child);
  }
}

function show(...children: Child[]): void {
  main.replaceChildren();
  append(main, ...children);
}

function say(text: string, error = false): void {
  const message = h('div', { class: `message${error ? ' error' : ''}` }, text);
  notice.appendChild(message);
  window.setTimeout(() => message.remove(), error ? 8000 : 4000);
}

const when = (iso?: string): string => (iso ? new Date(iso).toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'short' }) : '');

function badge(status: string): HTMLElement {
  const tone = ['sent', 'completed', 'hired'].includes(status)
    ? 'done'
    : ['scheduled', 'awaiting-approval', ...STAGES.filter((stage) => stage !== 'completed' && !(ENDINGS as readonly string[]).includes(stage))].includes(status)
      ? 'pending'
      : status === 'failed'
        ? 'failed'
        : 'quiet';
  return h('span', { class: `badge ${tone}` }, status);
}

// ---- the API ------------------------------------------------------------------------------------

class ApiFailure extends Error {}

function apiKey(): string | null {
  return sessionStorage.getItem(KEY_STORAGE);
}

async function api<T>(path: string, init: RequestInit = {}): Promise<T> {
  const response = await fetch(path, {
    ...init,
    headers: { authorization: `Bearer ${apiKey() ?? ''}`, ...(init.body ? { 'content-type': 'application/json' } : {}), ...init.headers },
  });
  if (response.status === 401) {
    sessionStorage.removeItem(KEY_STORAGE);
    renderLogin('That API key was not accepted.');
    throw new ApiFailure('not signed in');
  }
  if (!response.ok) {
    const body = (await response.json().catch(() => ({}))) as ErrorBody;
    const problems = body.errors?.map(({ field, problem }) => (field.startsWith('(') ? problem : `${field}: ${problem}`)).join('; ');
    throw new ApiFailure(problems || `${response.status} ${response.statusText}`);
  }
  return (response.headers.get('content-type') ?? '').includes('json') ? ((await response.json()) as T) : ((await response.text()) as T);
}

/** Runs an action on a sequence, says what happened, and refreshes the page. */
async function act(id: string, action: string, body: Record<string, unknown> = {}): Promise<boolean> {
  try {
    const result = await api<{ stage: string }>(`/sequences/${encodeURIComponent(id)}/${action}`, { method: 'POST', body: JSON.stringify(body) });
    say(`${action}: done (${result.stage})`);
    await renderSequence(id, false);
    return true;
  } catch (error) {
    if (!(error instanceof ApiFailure) || error.message !== 'not signed in') say(`${action} refused: ${(error as Error).message}`, true);
    return false;
  }
}

// ---- sign in --------------------------------------------------------------------------------------

function renderLogin(reason?: string): void {
  stopRefreshing();
  (document.getElementById('sign-out') as HTMLElement).hidden = true;
  (document.getElementById('tenant') as HTMLElement).textContent = '';
  const input = h('input', { type: 'password', name: 'key', autocomplete: 'off', required: true, placeholder: 'onw_…' });
  show(
    h('h1', {}, 'Sign in'),
    h('p', { class: 'sub' }, reason ?? 'Paste an API key of your agency (ONWARD_API_KEYS). It is kept in this tab only.'),
    h(
      'form',
      {
        class: 'login',
        onsubmit: (event) => {
          event.preventDefault();
          sessionStorage.setItem(KEY_STORAGE, input.value.trim());
          void route();
        },
      },
      h('label', {}, 'API key', input),
      h('button', { class: 'primary', type: 'submit' }, 'Sign in'),
    ),
  );
}

// ---- the sequences --------------------------------------------------------------------------------

const listState = { stage: '', candidate: '', company: '' };

async function renderList(): Promise<void> {
  const params = new URLSearchParams();
  if (listState.stage) params.set('stage', listState.stage);
  if (listState.candidate) params.set('candidate', listState.candidate);
  if (listState.company) params.set('company', listState.company);
  const { tenant, sequences } = await api<{ tenant: string; sequences: SequenceListItem[] }>(`/sequences?${params.toString()}`);
  signedIn(tenant);
  if (location.hash !== '' && location.hash !== '#/') return;

  // Every filter applies together, whichever control changed.
  const apply = () => {
    listState.stage = stage.value;
    listState.candidate = search.value.trim();
    listState.company = company.value.trim();
    void renderList();
  };
  const stage = h(
    'select',
    {
      name: 'stage',
      onchange: apply,
    }, h('option', { value: '' }, 'every stage'), ...STAGES.map((name) => h('option', { value: name }, name)));
  stage.value = listState.stage;
  const search = h('input', { type: 'search', name: 'candidate', placeholder: 'candidate name', value: listState.candidate });
  const company = h('input', { type: 'text', name: 'company', placeholder: 'exact company name', value: listState.company });
  const filters = h(
    'form',
    {
      class: 'filters',
      onsubmit: (event) => {
        event.preventDefault();
        apply();
      },
    },
    h('label', {}, 'Stage', stage),
    h('label', {}, 'Candidate', search),
    h('label', {}, 'Company', company),
    h('button', { type: 'submit' }, 'Search'),
  );
  const rows = sequences.map((sequence) =>
    h(
      'tr',
      { class: 'link', 'data-id': sequence.rejectionId, onclick: () => (location.hash = `#/sequences/${encodeURIComponent(sequence.rejectionId)}`) },
      h('td', {}, h('a', { href: `#/sequences/${encodeURIComponent(sequence.rejectionId)}` }, sequence.candidate ?? sequence.rejectionId)),
      h('td', {}, sequence.company ?? ''),
      h('td', {}, sequence.role ?? ''),
      h('td', {}, badge(sequence.stage)),
      h('td', {}, sequence.next ? `${sequence.next.key}${sequence.next.status === 'awaiting-approval' ? ' (draft waits)' : ''}` : '—'),
      h('td', {}, sequence.next ? when(sequence.next.at) : ''),
      h('td', { class: 'num' }, sequence.awaitingApproval || ''),
    ),
  );
  show(
    h('h1', {}, 'Sequences'),
    h('p', { class: 'sub' }, `${sequences.length} sequence${sequences.length === 1 ? '' : 's'}, newest first.`),
    filters,
    h(
      'table',
      { id: 'sequences' },
      h('thead', {}, h('tr', {}, ...['Candidate', 'Company', 'Role', 'Stage', 'Next step', 'When', 'Drafts'].map((title) => h('th', {}, title)))),
      h('tbody', {}, ...(rows.length ? rows : [h('tr', {}, h('td', { colspan: 7, class: 'muted' }, 'No sequences match.'))])),
    ),
  );
  refreshIn(10_000, () => renderList());
}

function timelineRow(entry: TimelineEntry): HTMLElement {
  return h(
    'tr',
    { 'data-step': entry.key },
    h('td', {}, when(entry.sentAt ?? entry.scheduledAt)),
    h('td', {}, entry.key),
    h('td', {}, entry.to),
    h('td', {}, badge(entry.status)),
    h('td', { class: 'muted' }, entry.error ?? entry.note ?? (entry.messageId ? `Message-ID ${entry.messageId}` : '')),
  );
}

function draftCard(id: string, entry: TimelineEntry): HTMLElement {
  const draft = entry.draft as NonNullable<TimelineEntry['draft']>;
  const subject = h('input', { type: 'text', name: 'subject', value: draft.subject });
  const text = h('textarea', { name: 'text' }, draft.text);
  const decide = (decision: 'approve' | 'skip') => {
    const edits = decision === 'approve' ? { ...(subject.value !== draft.subject ? { subject: subject.value } : {}), ...(text.value !== draft.text ? { text: text.value } : {}) } : {};
    void act(id, 'approve', { step: entry.key, decision, ...edits });
  };
  return h(
    'div',
    { class: 'card draft', 'data-draft': entry.key },
    h('strong', {}, `Draft ${entry.key} to ${entry.to} waits for approval`),
    h('span', { class: 'muted' }, ` — ${describeFallback(draft, when)}`),
    h('div', { class: 'row' }, h('label', {}, 'Subject', subject)),
    h('div', { class: 'row' }, h('label', {}, 'Text', text)),
    h('div', { class: 'actions' }, h('button', { class: 'primary', type: 'button', onclick: () => decide('approve') }, 'Approve'), h('button', { type: 'button', onclick: () => decide('skip') }, 'Skip')),
  );
}

let shownDrafts = '';

async function renderSequence(id: string, full = true): Promise<void> {
  const status = await api<SequencePage>(`/sequences/${encodeURIComponent(id)}`);
  if (location.hash !== `#/sequences/${encodeURIComponent(id)}`) return;
  const running = status.execution === 'RUNNING' && !['hired', 'opted-out', 'cancelled', 'completed'].includes(status.stage);
  const drafts = status.timeline.filter((entry) => entry.status === 'awaiting-approval' && entry.draft);
  const draftKeys = drafts.map((entry) => entry.key).join(',');
  const existing = document.getElementById('sequence');
  // Polling keeps the page current without throwing away a draft being edited.
  if (existing && !full && existing.dataset.id === id && draftKeys === shownDrafts) {
    document.getElementById('summary')?.replaceWith(summary(status));
    document.getElementById('timeline')?.replaceWith(timeline(status));
    document.getElementById('details')?.replaceWith(details(status));
    document.getElementById('buttons')?.replaceWith(buttons(id, status, running));
    refreshIn(2000, () => renderSequence(id, false));
    return;
  }
  shownDrafts = draftKeys;
  const feedbackText = h('textarea', { name: 'feedback', placeholder: 'What the interviewer or recruiter said' });
  const feedbackFrom = h('input', { type: 'text', name: 'from', placeholder: 'who said it' });
  const applications = h('input', { type: 'number', name: 'applications', min: 0, value: 0 });
  const interviews = h('input', { type: 'number', name: 'interviews', min: 0, value: 0 });
  const note = h('input', { type: 'text', name: 'note', placeholder: 'anything else' });
  show(
    h(
      'div',
      { id: 'sequence', 'data-id': id },
      h('p', {}, h('a', { href: '#/' }, '← Sequences')),
      summary(status),
      buttons(id, status, running),
      h('div', { id: 'drafts' }, drafts.length ? h('h2', {}, 'Drafts waiting for approval') : null, ...drafts.map((entry) => draftCard(id, entry))),
      timeline(status),
      details(status),
      running
        ? h(
            'div',
            { class: 'grid' },
            h(
              'form',
              {
                class: 'card',
                onsubmit: (event) => {
                  event.preventDefault();
                  void act(id, 'feedback', { text: feedbackText.value, ...(feedbackFrom.value.trim() ? { from: feedbackFrom.value.trim() } : {}) });
                },
              },
              h('strong', {}, 'Record feedback'),
              feedbackText,
              h('div', { class: 'row' }, feedbackFrom, h('button', { type: 'submit' }, 'Record feedback')),
            ),
            h(
              'form',
              {
                class: 'card',
                onsubmit: (event) => {
                  event.preventDefault();
                  void act(id, 'progress', { applications: Number(applications.value), interviews: Number(interviews.value), ...(note.value.trim() ? { note: note.value.trim() } : {}) });
                },
              },
              h('strong', {}, 'Record progress'),
              h('div', { class: 'row' }, h('label', {}, 'Applications', applications), h('label', {}, 'Interviews', interviews)),
              h('div', { class: 'row' }, note, h('button', { type: 'submit' }, 'Record progress')),
            ),
          )
        : null,
    ),
  );
  refreshIn(2000, () => renderSequence(id, false));
}

function summary(status: SequencePage): HTMLElement {
  return h(
    'div',
    { id: 'summary' },
    h('h1', {}, `${status.candidate} — ${status.role} at ${status.company}`),
    h(
      'p',
      { class: 'sub' },
      badge(status.stage),
      status.paused ? ' paused' : '',
      ` · rejection ${status.rejectionId} · started ${when(status.startedAt)}`,
      status.stage === 'grieving' ? ` · grieving until ${when(status.grievingEndsAt)}` : '',
    ),
  );
}

function buttons(id: string, status: SequencePage, running: boolean): HTMLElement {
  const confirmed = (action: string, question: string) => () => {
    if (window.confirm(question)) void act(id, action, {});
  };
  return h(
    'div',
    { class: 'actions', id: 'buttons' },
    running && status.stage === 'grieving' ? h('button', { type: 'button', onclick: () => void act(id, 'ready') }, 'Ready now') : null,
    running && status.stage === 'grieving'
      ? h(
          'button',
          {
            type: 'button',
            onclick: () => {
              const duration = window.prompt('Extend grieving by how long?', '2 days');
              if (duration) void act(id, 'snooze', { for: duration });
            },
          },
          'Snooze…',
        )
      : null,
    running && !status.paused ? h('button', { type: 'button', onclick: () => void act(id, 'pause') }, 'Pause') : null,
    running && status.paused ? h('button', { type: 'button', onclick: () => void act(id, 'resume') }, 'Resume') : null,
    running ? h('button', { type: 'button', onclick: confirmed('hired', 'Mark the candidate as hired? Every remaining step stops and a congratulation is sent.') }, 'Hired') : null,
    running ? h('button', { type: 'button', class: 'danger', onclick: confirmed('opt-out', 'Stop all further contact now?') }, 'Opt out') : null,
    running ? h('button', { type: 'button', class: 'danger', onclick: confirmed('cancel', 'Cancel this sequence?') }, 'Cancel') : null,
  );
}

function timeline(status: SequencePage): HTMLElement {
  return h(
    'div',
    { id: 'timeline' },
    h('h2', {}, 'Timeline'),
    h(
      'table',
      {},
      h('thead', {}, h('tr', {}, ...['When', 'Step', 'To', 'Status', 'Detail'].map((title) => h('th', {}, title)))),
      h('tbody', {}, ...status.timeline.map(timelineRow)),
    ),
  );
}

function details(status: SequencePage): HTMLElement {
  return h(
    'div',
    { id: 'details', class: 'grid' },
    h(
      'div',
      { class: 'card' },
      h('strong', {}, `Feedback: ${status.feedback.state}`),
      status.feedback.deadline ? h('div', { class: 'muted' }, `deadline ${when(status.feedback.deadline)}`) : null,
      h('ul', {}, ...status.feedback.received.map((entry) => h('li', {}, `“${entry.text}”${entry.from ? ` — ${entry.from}` : ''} (${when(entry.receivedAt)})`))),
    ),
    h(
      'div',
      { class: 'card' },
      h('strong', {}, `Progress: ${status.progress.applications} applications, ${status.progress.interviews} interviews`),
      h('ul', {}, ...status.progress.reports.map((report) => h('li', {}, `${when(report.reportedAt)}: ${report.applications} applications, ${report.interviews} interviews${report.note ? ` — ${report.note}` : ''}`))),
    ),
    h(
      'div',
      { class: 'card' },
      h('strong', {}, 'Log'),
      status.source ? h('div', { class: 'muted' }, `From ${status.source.ats}${status.source.rejectionReason ? `, rejection reason: ${status.source.rejectionReason}` : ''}`) : null,
      h('ul', {}, ...status.log.map((entry) => h('li', {}, `${when(entry.at)}: ${entry.event}`))),
    ),
  );
}

// ---- outcomes -----------------------------------------------------------------------------------

function chart(cohorts: Cohort[]): SVGSVGElement {
  const svg = 'http://www.w3.org/2000/svg';
  const node = (tag: string, attributes: Record<string, string | number>, text?: string) => {
    const element = document.createElementNS(svg, tag);
    for (const [name, value] of Object.entries(attributes)) element.setAttribute(name, String(value));
    if (text !== undefined) element.textContent = text;
    return element;
  };
  const series = ['applications', 'interviews', 'hires'] as const;
  const group = 18 * series.length + 24;
  const height = 220;
  const top = Math.max(1, ...cohorts.flatMap((cohort) => series.map((name) => cohort[name])));
  const root = node('svg', { class: 'chart', width: Math.max(320, cohorts.length * group + 40), height: height + 50, role: 'img', 'aria-label': 'Applications, interviews and hires per cohort' }) as SVGSVGElement;
  cohorts.forEach((cohort, index) => {
    series.forEach((name, offset) => {
      const value = cohort[name];
      const barHeight = (value / top) * height;
      const x = 30 + index * group + offset * 18;
      const bar = node('rect', { class: name, x, y: 10 + height - barHeight, width: 16, height: Math.max(barHeight, 0.5) });
      bar.appendChild(node('title', {}, `${cohort.company} ${cohort.month}: ${value} ${name}`));
      root.appendChild(bar);
      root.appendChild(node('text', { x: x + 8, y: 6 + height - barHeight, 'text-anchor': 'middle' }, String(value)));
    });
    root.appendChild(node('text', { x: 30 + index * group + 27, y: height + 28, 'text-anchor': 'middle' }, cohort.month));
    root.appendChild(node('text', { x: 30 + index * group + 27, y: height + 44, 'text-anchor': 'middle' }, cohort.company.slice(0, 14)));
  });
  return root;
}

async function renderOutcomes(): Promise<void> {
  const { tenant, cohorts } = await api<{ tenant: string; cohorts: Cohort[] }>('/outcomes');
  signedIn(tenant);
  const exportCsv = async () => {
    try {
      const csv = await api<string>('/outcomes?format=csv');
      const link = h('a', { href: URL.createObjectURL(new Blob([csv], { type: 'text/csv' })), download: `onward-outcomes-${tenant}.csv` });
      link.click();
      URL.revokeObjectURL(link.href);
    } catch (error) {
      say(`export failed: ${(error as Error).message}`, true);
    }
  };
  const columns: [keyof Cohort, string][] = [
    ['company', 'Company'],
    ['month', 'Month'],
    ['sequences', 'Sequences'],
    ['checkInsSent', 'Check-ins sent'],
    ['checkInsAnswered', 'Check-ins answered'],
    ['applications', 'Applications'],
    ['interviews', 'Interviews'],
    ['hires', 'Hires'],
    ['averageDaysToHire', 'Days to hire (avg)'],
  ];
  show(
    h('h1', {}, 'Outcomes'),
    h('p', { class: 'sub' }, 'Per cohort (company, month of the rejection): how the job search went. Each progress report answers a check-in.'),
    h('div', { class: 'actions' }, h('button', { type: 'button', onclick: () => void exportCsv() }, 'Export CSV')),
    cohorts.length ? h('div', { class: 'card' }, h('div', { class: 'legend' }, h('span', { class: 'applications' }, 'applications'), h('span', { class: 'interviews' }, 'interviews'), h('span', { class: 'hires' }, 'hires')), chart(cohorts)) : null,
    h(
      'table',
      { id: 'outcomes' },
      h('thead', {}, h('tr', {}, ...columns.map(([, title]) => h('th', {}, title)))),
      h(
        'tbody',
        {},
        ...(cohorts.length
          ? cohorts.map((cohort) => h('tr', {}, ...columns.map(([key]) => h('td', { class: typeof cohort[key] === 'number' ? 'num' : undefined }, cohort[key] ?? '—'))))
          : [h('tr', {}, h('td', { colspan: columns.length, class: 'muted' }, 'No sequences yet.'))]),
      ),
    ),
  );
}

// ---- routing --------------------------------------------------------------------------------------

function signedIn(tenant: string): void {
  (document.getElementById('tenant') as HTMLElement).textContent = `tenant ${tenant}`;
  (document.getElementById('sign-out') as HTMLElement).hidden = false;
}

function stopRefreshing(): void {
  if (refreshTimer !== undefined) window.clearTimeout(refreshTimer);
  refreshTimer = undefined;
}

function refreshIn(milliseconds: number, render: () => Promise<void>): void {
  stopRefreshing();
  refreshTimer = window.setTimeout(() => {
    render().catch((error: unknown) => {
      if (!(error instanceof ApiFailure && error.message === 'not signed in')) say((error as Error).message, true);
    });
  }, milliseconds);
}

async function route(): Promise<void> {
  stopRefreshing();
  if (!apiKey()) return renderLogin();
  const hash = location.hash || '#/';
  try {
    const sequence = /^#\/sequences\/(.+)$/.exec(hash);
    if (sequence?.[1]) await renderSequence(decodeURIComponent(sequence[1]));
    else if (hash === '#/outcomes') await renderOutcomes();
    else await renderList();
  } catch (error) {
    if (error instanceof ApiFailure && error.message === 'not signed in') return;
    show(h('h1', {}, 'Something went wrong'), h('p', {}, (error as Error).message), h('p', {}, h('a', { href: '#/' }, '← Sequences')));
  }
}

function start(): void {
  // `onward dev` prints http://…/dashboard/#key=…: take the key, then drop it from the address bar.
  const fromUrl = /^#key=([^&]+)/.exec(location.hash);
  if (fromUrl?.[1]) {
    sessionStorage.setItem(KEY_STORAGE, decodeURIComponent(fromUrl[1]));
    history.replaceState(null, '', `${location.pathname}#/`);
  }
  (document.getElementById('sign-out') as HTMLElement).addEventListener('click', () => {
    sessionStorage.removeItem(KEY_STORAGE);
    renderLogin('Signed out.');
  });
  window.addEventListener('hashchange', () => void route());
  void route();
}

start();
