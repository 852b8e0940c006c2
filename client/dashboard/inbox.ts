/** The approvals inbox: every draft waiting for a person, across all candidates, oldest first, edited in place. */
import type { Approval, ApprovalsPage } from '../api/dashboard-contract';
import { describeFallback } from '../../workflows/status';
import { h, say, show } from './dom';
import { api, isSignedOut, refreshIn, signedIn } from './session';
import { dateInWords, stepName, whenInWords } from './words';

/** Approves (with the edits made here) or skips one draft; true when the sequence took it. */
async function decide(approval: Approval, decision: 'approve' | 'skip', edits: { subject?: string; text?: string }): Promise<boolean> {
  try {
    await api(`/sequences/${encodeURIComponent(approval.rejectionId)}/approve`, { method: 'POST', body: JSON.stringify({ step: approval.key, decision, ...edits }) });
    say(`${decision === 'approve' ? 'Approved' : 'Skipped'}: ${stepName(approval, approval.candidate)}`);
    return true;
  } catch (error) {
    if (!isSignedOut(error)) say(`Not done: ${(error as Error).message}`, true);
    return false;
  }
}

function approvalCard(approval: Approval, now: number): HTMLElement {
  const subject = h('input', { type: 'text', name: 'subject', value: approval.subject });
  const text = h('textarea', { name: 'text', rows: Math.min(24, approval.text.split('\n').length + 2) }, approval.text);
  const card = h('li', { class: 'card draft', 'data-approval': idOf(approval) });
  const act = async (decision: 'approve' | 'skip') => {
    // Only what the person changed is sent as an edit: an untouched draft goes out as the template wrote it.
    const edits = decision === 'approve' ? { ...(subject.value !== approval.subject ? { subject: subject.value } : {}), ...(text.value !== approval.text ? { text: text.value } : {}) } : {};
    for (const button of card.querySelectorAll('button')) button.disabled = true;
    if (await decide(approval, decision, edits)) card.remove();
    else for (const button of card.querySelectorAll('button')) button.disabled = false;
  };
  const deadline = Date.parse(approval.decideBy);
  const locale = navigator.language;
  card.append(
    h('div', { class: 'title' }, h('strong', {}, stepName(approval, approval.candidate)), ' ', h('a', { href: `#/sequences/${encodeURIComponent(approval.rejectionId)}` }, `${approval.candidate}, ${approval.role} at ${approval.company}`)),
    h('p', { class: 'deadline' }, `Decide ${whenInWords(approval.decideBy, now, locale)}: ${describeFallback(approval, (iso) => dateInWords(Date.parse(iso), locale))}.`),
    h('p', { class: 'muted' }, `To ${approval.to} · waiting since ${dateInWords(Date.parse(approval.waitingSince), locale)}`),
    h('label', {}, 'Subject', subject),
    h('label', {}, 'Text', text),
    h(
      'div',
      { class: 'actions' },
      h('button', { class: 'primary', type: 'button', onclick: () => void act('approve') }, deadline > now ? 'Approve' : 'Approve now'),
      h('button', { type: 'button', onclick: () => void act('skip') }, 'Skip'),
    ),
  );
  return card;
}

const idOf = (approval: Approval): string => `${approval.rejectionId}/${approval.key}`;

export async function renderInbox(): Promise<void> {
  const { tenant, approvals } = await api<ApprovalsPage>('/approvals');
  signedIn(tenant);
  if (location.hash !== '#/approvals') return;
  const now = Date.now();
  const summary = approvals.length ? `${approvals.length} draft${approvals.length === 1 ? '' : 's'} waiting for a person, oldest first. Edit the subject or text in place, then approve or skip.` : 'No draft waits for approval.';
  const list = document.getElementById('approvals');
  if (list) {
    // A refresh keeps the cards still waiting as they are (with any edit in progress), adds new ones, drops decided ones.
    const shown = new Map([...list.children].map((card) => [(card as HTMLElement).dataset.approval, card]));
    list.replaceChildren(...approvals.map((approval) => shown.get(idOf(approval)) ?? approvalCard(approval, now)));
    (document.getElementById('inbox-summary') as HTMLElement).textContent = summary;
  } else {
    show(h('h1', {}, 'Approvals'), h('p', { class: 'sub', id: 'inbox-summary' }, summary), h('ol', { id: 'approvals', class: 'cards' }, ...approvals.map((approval) => approvalCard(approval, now))));
  }
  refreshIn(15_000, renderInbox);
}
