/**
 * The Onward dashboard: plain DOM, no framework; esbuild bundles this file and its imports (Chart.js among them), so
 * the page loads nothing from elsewhere. Everything it shows comes from the API with the user's key, which lives in
 * sessionStorage only; `onward dev` prints a URL whose #key=... fragment signs in (a fragment never reaches a server
 * or a log). Each page is its own module; this one signs in and routes.
 */
import { h, show } from './dom';
import { renderInbox } from './inbox';
import { renderList } from './list';
import { renderOutcomes } from './outcomes';
import { renderSequence } from './sequence';
import { apiKey, isSignedOut, signIn, signOut, stopRefreshing, whenKeyRefused } from './session';

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
          signIn(input.value.trim());
          void route();
        },
      },
      h('label', {}, 'API key', input),
      h('button', { class: 'primary', type: 'submit' }, 'Sign in'),
    ),
  );
}

/** The page of the address's fragment: #/approvals, #/sequences/<id>, #/outcomes?by=…, else the list (#/?q=…). */
async function route(): Promise<void> {
  stopRefreshing();
  if (!apiKey()) return renderLogin();
  const hash = location.hash || '#/';
  const [path = '', query = ''] = hash.slice(1).split('?');
  const params = new URLSearchParams(query);
  for (const link of document.querySelectorAll<HTMLAnchorElement>('header nav a')) {
    link.classList.toggle('active', link.getAttribute('href') === `#${path}` || (path.startsWith('/sequences/') && link.getAttribute('href') === '#/'));
  }
  try {
    const sequence = /^\/sequences\/(.+)$/.exec(path);
    if (sequence?.[1]) await renderSequence(decodeURIComponent(sequence[1]));
    else if (path === '/approvals') await renderInbox();
    else if (path === '/outcomes') await renderOutcomes(params);
    else await renderList(params);
  } catch (error) {
    if (isSignedOut(error)) return;
    show(h('h1', {}, 'Something went wrong'), h('p', {}, (error as Error).message), h('p', {}, h('a', { href: '#/' }, '← Sequences')));
  }
}

function start(): void {
  // `onward dev` prints http://…/dashboard/#key=…: take the key, then drop it from the address bar.
  const fromUrl = /^#key=([^&]+)/.exec(location.hash);
  if (fromUrl?.[1]) {
    signIn(decodeURIComponent(fromUrl[1]));
    history.replaceState(null, '', `${location.pathname}#/`);
  }
  whenKeyRefused(renderLogin);
  (document.getElementById('sign-out') as HTMLElement).addEventListener('click', () => {
    signOut();
    renderLogin('Signed out.');
  });
  window.addEventListener('hashchange', () => void route());
  void route();
}

start();
