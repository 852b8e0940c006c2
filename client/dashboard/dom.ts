/** Small DOM helpers: every value is set as text, never as HTML. */
import { ENDINGS, STAGES } from '../../workflows/status';

export type Child = Node | string | number | null | undefined | false;
type Attributes = Record<string, string | number | boolean | undefined | ((event: Event) => void)>;

export function h<K extends keyof HTMLElementTagNameMap>(tag: K, attributes: Attributes = {}, ...children: Child[]): HTMLElementTagNameMap[K] {
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

export function append(parent: Node, ...children: Child[]): void {
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    parent.appendChild(typeof child === 'string' || typeof child === 'number' ? document.createTextNode(String(child)) : child);
  }
}

/** Replaces the page's content. */
export function show(...children: Child[]): void {
  const main = document.getElementById('main') as HTMLElement;
  main.replaceChildren();
  append(main, ...children);
}

/** A short notice in the corner, gone after a few seconds. */
export function say(text: string, error = false): void {
  const message = h('div', { class: `message${error ? ' error' : ''}` }, text);
  (document.getElementById('notice') as HTMLElement).appendChild(message);
  window.setTimeout(() => message.remove(), error ? 8000 : 4000);
}

/** A date and time in the user's locale. */
export const when = (iso?: string): string => (iso ? new Date(iso).toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'short' }) : '');

export function badge(status: string): HTMLElement {
  const pending = ['scheduled', 'awaiting-approval', ...STAGES.filter((stage) => stage !== 'completed' && !(ENDINGS as readonly string[]).includes(stage))];
  const tone = ['sent', 'completed', 'hired'].includes(status) ? 'done' : pending.includes(status) ? 'pending' : status === 'failed' ? 'failed' : 'quiet';
  return h('span', { class: `badge ${tone}` }, status);
}

/** Puts `element` in the place of the page's element of the same id, unless it shows the same: a refresh then keeps what the user opened or points at. */
export function replaceIfChanged(element: HTMLElement): void {
  const current = document.getElementById(element.id);
  if (current && current.outerHTML !== element.outerHTML) current.replaceWith(element);
}
