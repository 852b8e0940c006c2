/** The sequences list: search, filters and pages, all kept in the address (#/?q=…), as cards that fit a phone. */
import type { SequenceListItem, SequencesPage } from '../api/dashboard-contract';
import { STAGES } from '../../workflows/status';
import { badge, h, replaceIfChanged, show, when } from './dom';
import { api, refreshIn, signedIn } from './session';
import { recipientName, stepName } from './words';

const FILTERS = ['q', 'stage', 'coach', 'from', 'to'] as const;
const PAGE_SIZES = ['10', '25', '50', '100'];

/** The list's address: its filters, this page's cursor, and the cursors of the pages before (for "Previous"). */
export function listHash(params: URLSearchParams): string {
  const kept = new URLSearchParams([...params].filter(([, value]) => value !== ''));
  const text = kept.toString();
  return text ? `#/?${text}` : '#/';
}

export async function renderList(params: URLSearchParams, refresh = false): Promise<void> {
  const query = new URLSearchParams();
  for (const name of [...FILTERS, 'pageSize', 'cursor'] as const) {
    const value = params.get(name);
    if (value) query.set(name, value);
  }
  const shown = location.hash;
  const page = await api<SequencesPage>(`/sequences?${query.toString()}`);
  signedIn(page.tenant);
  // The user went elsewhere while the list loaded.
  if (location.hash !== shown) return;

  const field = (name: (typeof FILTERS)[number], attributes: Record<string, string>) => h('input', { name, value: params.get(name) ?? '', ...attributes });
  const search = field('q', { type: 'search', placeholder: 'part of a name or company' });
  const coach = field('coach', { type: 'text', placeholder: 'coach name' });
  const from = field('from', { type: 'date' });
  const to = field('to', { type: 'date' });
  const stage = h('select', { name: 'stage' }, h('option', { value: '' }, 'every stage'), ...STAGES.map((name) => h('option', { value: name }, name)));
  stage.value = params.get('stage') ?? '';
  const pageSize = h('select', { name: 'pageSize' }, ...PAGE_SIZES.map((size) => h('option', { value: size }, size)));
  pageSize.value = PAGE_SIZES.includes(params.get('pageSize') ?? '') ? (params.get('pageSize') as string) : '25';
  // Every filter applies together, from the first page; the address keeps them, so a link or a reload shows the same.
  const apply = () => {
    const next = new URLSearchParams({ q: search.value.trim(), stage: stage.value, coach: coach.value.trim(), from: from.value, to: to.value, pageSize: pageSize.value === '25' ? '' : pageSize.value });
    location.hash = listHash(next);
  };
  stage.addEventListener('change', apply);
  pageSize.addEventListener('change', apply);
  const back = (params.get('back') ?? '').split(',').filter(Boolean);
  const goTo = (cursor: string | undefined, previous: string[]) => {
    const next = new URLSearchParams(params);
    next.set('cursor', cursor ?? '');
    next.set('back', previous.join(','));
    location.hash = listHash(next);
  };
  const cursor = params.get('cursor') ?? '';
  const pager = h(
    'nav',
    { class: 'pager', id: 'pager', 'aria-label': 'pages' },
    h('button', { type: 'button', disabled: cursor === '', onclick: () => goTo(back.at(-1) === '-' ? undefined : back.at(-1), back.slice(0, -1)) }, '← Previous'),
    h('button', { type: 'button', disabled: !page.nextCursor, onclick: () => goTo(page.nextCursor, [...back, cursor || '-']) }, 'Next →'),
  );

  // Which address the cards answer: the page says when a new search has arrived.
  const list = h('ul', { id: 'sequences', class: 'cards', 'data-for': shown || '#/' }, ...page.sequences.map(sequenceCard));
  if (!page.sequences.length) list.append(h('li', { class: 'muted' }, 'No sequences match.'));
  refreshIn(10_000, () => renderList(params, true));
  // A refresh renews the cards and the pages only: the filters keep what the user is typing.
  if (refresh && document.getElementById('sequences')) {
    replaceIfChanged(list);
    replaceIfChanged(pager);
    return;
  }

  show(
    h('h1', {}, 'Sequences'),
    h('p', { class: 'sub' }, 'Running sequences first, each the most recently started first.'),
    h(
      'form',
      {
        class: 'filters',
        onsubmit: (event) => {
          event.preventDefault();
          apply();
        },
      },
      h('label', {}, 'Search', search),
      h('label', {}, 'Stage', stage),
      h('label', {}, 'Coach', coach),
      h('label', {}, 'Rejected from', from),
      h('label', {}, 'Rejected to', to),
      h('label', {}, 'Per page', pageSize),
      h('button', { type: 'submit' }, 'Search'),
    ),
    list,
    pager,
  );
}

function sequenceCard(sequence: SequenceListItem): HTMLElement {
  const link = `#/sequences/${encodeURIComponent(sequence.rejectionId)}`;
  return h(
    'li',
    { class: 'card sequence', 'data-id': sequence.rejectionId },
    h('div', { class: 'title' }, h('a', { href: link }, sequence.candidate ?? sequence.rejectionId), badge(sequence.stage)),
    h('div', { class: 'muted' }, [sequence.role, sequence.company].filter(Boolean).join(' at ')),
    h('div', { class: 'muted' }, sequence.coach ? `Coach: ${sequence.coach}` : '', sequence.rejectedAt ? `${sequence.coach ? ' · ' : ''}rejected ${when(sequence.rejectedAt)}` : ''),
    sequence.next
      ? h(
          'div',
          { class: 'next' },
          `Next: ${stepName(sequence.next, sequence.candidate ?? recipientName(sequence.next.to))}`,
          sequence.next.status === 'awaiting-approval' ? ' — waits for approval' : ` — ${when(sequence.next.at)}`,
        )
      : null,
    sequence.awaitingApproval ? h('div', { class: 'drafts' }, h('a', { href: '#/approvals' }, `${sequence.awaitingApproval} draft${sequence.awaitingApproval === 1 ? '' : 's'} to approve`)) : null,
  );
}
