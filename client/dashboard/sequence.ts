/** A sequence's page: what it did and will do, in words; the messages sent in full; its drafts; its actions. */
import type { MessagesPage, SentMessage } from '../api/dashboard-contract';
import type { SequenceExecution } from '../api/service';
import { describeFallback, type SequenceStatus, type TimelineEntry } from '../../workflows/status';
import { badge, h, replaceIfChanged, say, show, when } from './dom';
import { api, isSignedOut, refreshIn } from './session';
import { dateInWords, stepName, whenInWords } from './words';

type SequencePage = SequenceStatus &
  SequenceExecution & { source?: { ats: string; applicationId: string; rejectionReason?: string; receivedAt: string; erasedAt?: string } };

/** Runs an action on a sequence, says what happened, and shows the page again. */
async function act(id: string, action: string, body: Record<string, unknown> = {}): Promise<boolean> {
  try {
    const result = await api<{ stage: string }>(`/sequences/${encodeURIComponent(id)}/${action}`, { method: 'POST', body: JSON.stringify(body) });
    say(`${action}: done (${result.stage})`);
    await renderSequence(id, false);
    return true;
  } catch (error) {
    if (!isSignedOut(error)) say(`${action} refused: ${(error as Error).message}`, true);
    return false;
  }
}

/** "Grace Hopper <grace@…>" for the addresses the sequence names (its people, or the messages' own "Name <address>"). */
function namesOf(messages: SentMessage[], people: Record<string, string> = {}): (address: string) => string {
  const named = messages.filter((message) => /<[^>]+>/.test(message.to));
  const names = new Map(named.map((message) => [/<([^>]+)>/.exec(message.to)?.[1]?.toLowerCase() ?? '', message.to]));
  return (address) => {
    const name = people[address.toLowerCase()];
    return name ? `${name} <${address}>` : (names.get(address.toLowerCase()) ?? address);
  };
}

/** The timeline by time: what was sent when, and what is planned when. */
function timeline(status: SequencePage, named: (address: string) => string): HTMLElement {
  const at = (entry: TimelineEntry) => entry.sentAt ?? entry.scheduledAt;
  const entries = [...status.timeline].sort((a, b) => at(a).localeCompare(at(b)));
  const technical = entries.filter((entry) => entry.messageId || entry.threadId || entry.taskId || entry.draftId);
  return h(
    'section',
    { id: 'timeline' },
    h('h2', {}, 'Timeline'),
    h(
      'ol',
      { class: 'timeline' },
      ...entries.map((entry) =>
        h(
          'li',
          { 'data-step': entry.key },
          h('time', { datetime: at(entry) }, when(at(entry))),
          h('span', { class: 'step' }, stepName({ ...entry, to: named(entry.to) }, status.candidate)),
          badge(entry.status),
          entry.error || entry.note ? h('span', { class: 'muted' }, entry.error ?? entry.note) : null,
          entry.reply ? h('blockquote', {}, `Reply from ${entry.reply.from} (${when(entry.reply.receivedAt)}): ${entry.reply.text}`) : null,
        ),
      ),
    ),
    // Message-IDs and Google ids help whoever traces a message in a mail log: kept out of the way.
    technical.length
      ? h(
          'details',
          { class: 'technical' },
          h('summary', {}, 'Technical details'),
          h('ul', {}, ...technical.map((entry) => h('li', {}, `${entry.key}: ${[entry.messageId && `Message-ID ${entry.messageId}`, entry.threadId && `thread ${entry.threadId}`, entry.draftId && `draft ${entry.draftId}`, entry.taskId && `task ${entry.taskId}`].filter(Boolean).join(' · ')}`))),
        )
      : null,
  );
}

/** Each message sent, in full, as it went out. */
function sentMessages(page: MessagesPage, candidate: string, named: (address: string) => string): HTMLElement {
  return h(
    'section',
    { id: 'messages' },
    h('h2', {}, 'Messages sent'),
    page.messages.length ? null : h('p', { class: 'muted' }, 'Nothing sent yet.'),
    ...page.messages.map((message) =>
      h(
        'article',
        { class: 'card message', 'data-message': message.key },
        h('div', { class: 'title' }, h('strong', {}, stepName({ ...message, to: named(message.to) }, candidate)), h('time', { datetime: message.sentAt, class: 'muted' }, when(message.sentAt))),
        h('div', { class: 'muted' }, `To ${message.to}`),
        h('div', { class: 'subject' }, message.subject),
        h('pre', { class: 'body' }, message.text),
      ),
    ),
  );
}

function draftCard(id: string, entry: TimelineEntry, candidate: string, named: (address: string) => string): HTMLElement {
  const draft = entry.draft as NonNullable<TimelineEntry['draft']>;
  const subject = h('input', { type: 'text', name: 'subject', value: draft.subject });
  const text = h('textarea', { name: 'text', rows: Math.min(24, draft.text.split('\n').length + 2) }, draft.text);
  const decide = (decision: 'approve' | 'skip') => {
    const edits = decision === 'approve' ? { ...(subject.value !== draft.subject ? { subject: subject.value } : {}), ...(text.value !== draft.text ? { text: text.value } : {}) } : {};
    void act(id, 'approve', { step: entry.key, decision, ...edits });
  };
  const locale = navigator.language;
  return h(
    'div',
    { class: 'card draft', 'data-draft': entry.key },
    h('strong', {}, `${stepName({ ...entry, to: named(entry.to) }, candidate)} waits for approval`),
    h('p', { class: 'deadline' }, `Decide ${whenInWords(draft.decideBy, Date.now(), locale)}: ${describeFallback(draft, (iso) => dateInWords(Date.parse(iso), locale))}.`),
    h('label', {}, 'Subject', subject),
    h('label', {}, 'Text', text),
    h('div', { class: 'actions' }, h('button', { class: 'primary', type: 'button', onclick: () => decide('approve') }, 'Approve'), h('button', { type: 'button', onclick: () => decide('skip') }, 'Skip')),
  );
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
  const snooze = () => {
    const duration = window.prompt('Extend grieving by how long?', '2 days');
    if (duration) void act(id, 'snooze', { for: duration });
  };
  return h(
    'div',
    { class: 'actions', id: 'buttons' },
    running && status.stage === 'grieving' ? h('button', { type: 'button', onclick: () => void act(id, 'ready') }, 'Ready now') : null,
    running && status.stage === 'grieving' ? h('button', { type: 'button', onclick: snooze }, 'Snooze…') : null,
    running && !status.paused ? h('button', { type: 'button', onclick: () => void act(id, 'pause') }, 'Pause') : null,
    running && status.paused ? h('button', { type: 'button', onclick: () => void act(id, 'resume') }, 'Resume') : null,
    running ? h('button', { type: 'button', onclick: confirmed('hired', 'Mark the candidate as hired? Every remaining step stops and a congratulation is sent.') }, 'Hired') : null,
    running ? h('button', { type: 'button', class: 'danger', onclick: confirmed('opt-out', 'Stop all further contact now?') }, 'Opt out') : null,
    running ? h('button', { type: 'button', class: 'danger', onclick: confirmed('cancel', 'Cancel this sequence?') }, 'Cancel') : null,
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

function recordForms(id: string): HTMLElement {
  const feedbackText = h('textarea', { name: 'feedback', placeholder: 'What the interviewer or recruiter said' });
  const feedbackFrom = h('input', { type: 'text', name: 'from', placeholder: 'who said it' });
  const applications = h('input', { type: 'number', name: 'applications', min: 0, value: 0 });
  const interviews = h('input', { type: 'number', name: 'interviews', min: 0, value: 0 });
  const note = h('input', { type: 'text', name: 'note', placeholder: 'anything else' });
  const submit = (run: () => void) => (event: Event) => {
    event.preventDefault();
    run();
  };
  return h(
    'div',
    { class: 'grid' },
    h(
      'form',
      { class: 'card', onsubmit: submit(() => void act(id, 'feedback', { text: feedbackText.value, ...(feedbackFrom.value.trim() ? { from: feedbackFrom.value.trim() } : {}) })) },
      h('strong', {}, 'Record feedback'),
      feedbackText,
      h('div', { class: 'row' }, feedbackFrom, h('button', { type: 'submit' }, 'Record feedback')),
    ),
    h(
      'form',
      { class: 'card', onsubmit: submit(() => void act(id, 'progress', { applications: Number(applications.value), interviews: Number(interviews.value), ...(note.value.trim() ? { note: note.value.trim() } : {}) })) },
      h('strong', {}, 'Record progress'),
      h('div', { class: 'row' }, h('label', {}, 'Applications', applications), h('label', {}, 'Interviews', interviews)),
      h('div', { class: 'row' }, note, h('button', { type: 'submit' }, 'Record progress')),
    ),
  );
}

let shownDrafts = '';

export async function renderSequence(id: string, full = true): Promise<void> {
  const path = `/sequences/${encodeURIComponent(id)}`;
  const [status, messages] = await Promise.all([api<SequencePage>(path), api<MessagesPage>(`${path}/messages`)]);
  if (location.hash !== `#${path}`) return;
  const running = status.execution === 'RUNNING' && !['hired', 'opted-out', 'cancelled', 'completed'].includes(status.stage);
  const drafts = status.timeline.filter((entry) => entry.status === 'awaiting-approval' && entry.draft);
  const draftKeys = drafts.map((entry) => entry.key).join(',');
  const named = namesOf(messages.messages, status.people);
  const existing = document.getElementById('sequence');
  // Polling keeps the page current without throwing away a draft being edited.
  if (existing && !full && existing.dataset.id === id && draftKeys === shownDrafts) {
    for (const part of [summary(status), timeline(status, named), sentMessages(messages, status.candidate, named), details(status), buttons(id, status, running)]) replaceIfChanged(part);
    refreshIn(2000, () => renderSequence(id, false));
    return;
  }
  shownDrafts = draftKeys;
  show(
    h(
      'div',
      { id: 'sequence', 'data-id': id },
      h('p', {}, h('a', { href: '#/' }, '← Sequences')),
      summary(status),
      buttons(id, status, running),
      h('div', { id: 'drafts' }, drafts.length ? h('h2', {}, 'Drafts waiting for approval') : null, ...drafts.map((entry) => draftCard(id, entry, status.candidate, named))),
      timeline(status, named),
      sentMessages(messages, status.candidate, named),
      details(status),
      running ? recordForms(id) : null,
    ),
  );
  refreshIn(2000, () => renderSequence(id, false));
}
