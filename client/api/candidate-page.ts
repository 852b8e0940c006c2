import { createHash } from 'node:crypto';
import type { FastifyReply } from 'fastify';
import type { Locale } from '../../workflows/locale';

/** The candidate's pages (action links, unsubscribe): one small stylesheet, readable on a phone, allowed by its hash. */
const STYLE = [
  ':root{color-scheme:light dark;--accent:#1a5fb4}',
  'body{font:17px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;max-width:32rem;margin:0 auto;padding:1.5rem 1rem}',
  'h1{font-size:1.5rem;line-height:1.25;margin:1rem 0}',
  'fieldset{border:0;margin:0;padding:0}',
  'label,legend{display:block;padding:0;font-weight:600;margin:1rem 0 .25rem}',
  'fieldset label{font-weight:400;display:flex;gap:.6rem;align-items:center;min-height:44px;margin:0}',
  'input[type=number],textarea{box-sizing:border-box;width:100%;font:inherit;padding:.6rem;border:1px solid #767676;border-radius:.4rem}',
  'input[type=radio]{width:1.25rem;height:1.25rem;margin:0}',
  'button{display:block;box-sizing:border-box;width:100%;min-height:48px;margin-top:1.5rem;font:inherit;font-weight:600;color:#fff;background:var(--accent);border:0;border-radius:.4rem;cursor:pointer}',
  'button:focus-visible,input:focus-visible,textarea:focus-visible{outline:3px solid #f5a623;outline-offset:2px}',
  '.problem{border-left:4px solid #c01c28;padding:.25rem 0 .25rem .75rem}',
  '@media (min-width:40rem){body{padding-top:4rem}button{width:auto;padding:0 1.5rem}}',
].join('');

const STYLE_HASH = createHash('sha256').update(STYLE).digest('base64');

/** Like the dashboard's: nothing but this page's own style and forms posting back here; never cached, never framed. */
export const CANDIDATE_PAGE_HEADERS = {
  'cache-control': 'no-store',
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'x-robots-tag': 'noindex',
  'content-security-policy': `default-src 'none'; style-src 'sha256-${STYLE_HASH}'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'`,
};

/** A problem's words as a sentence of its own: "grieving is already over" reads "Grieving is already over.". */
export const asSentence = (problem: string): string => `${problem.charAt(0).toUpperCase()}${problem.slice(1)}.`;

export const escapeHtml = (text: string): string => text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/** Sends one page in the candidate's language: a heading and its body (HTML the caller escaped). */
export function candidatePage(reply: FastifyReply, status: number, title: string, body: string, locale: Locale): FastifyReply {
  return reply
    .code(status)
    .headers(CANDIDATE_PAGE_HEADERS)
    .headers({ 'content-language': locale, vary: 'Accept-Language' })
    .type('text/html; charset=utf-8')
    .send(
      `<!doctype html><html lang="${locale}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">` +
        `<title>${escapeHtml(title)}</title><style>${STYLE}</style></head>` +
        `<body><main><h1>${escapeHtml(title)}</h1>${body}</main></body></html>`,
    );
}
