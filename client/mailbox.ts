import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import Handlebars from 'handlebars';
import { simpleParser } from 'mailparser';
import { SMTPServer } from 'smtp-server';

export interface LocalMailbox {
  smtpUrl: string;
  webUrl: string;
  directory: string;
  close(): Promise<void>;
}

const escape = (value: string | undefined) => Handlebars.escapeExpression(value ?? '');

function page(title: string, body: string): string {
  return `<!doctype html><html><head><meta charset="utf-8"><title>${escape(title)}</title>
<meta http-equiv="refresh" content="10">
<style>body{font:15px system-ui,sans-serif;margin:2rem;max-width:70rem}td,th{padding:.3rem .6rem;text-align:left;border-bottom:1px solid #ddd}
pre{white-space:pre-wrap;background:#f6f6f6;padding:1rem}iframe{width:100%;height:24rem;border:1px solid #ddd}</style></head>
<body>${body}</body></html>`;
}

/**
 * The embedded default's mailbox: an SMTP server on loopback that keeps every message as an .eml file
 * in `directory` and shows them in the browser. No SMTP account needed to see Onward work.
 */
export async function startLocalMailbox(options: { directory: string; smtpPort?: number; webPort?: number }): Promise<LocalMailbox> {
  const { directory } = options;
  mkdirSync(directory, { recursive: true });
  let counter = readdirSync(directory).length;
  const smtp = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onData(stream, _session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('end', () => {
        counter += 1;
        const name = `${new Date().toISOString().replace(/[:.]/g, '-')}-${String(counter).padStart(4, '0')}.eml`;
        writeFileSync(path.join(directory, name), Buffer.concat(chunks));
        callback();
      });
    },
  });
  await new Promise<void>((resolve, reject) => {
    smtp.server.once('error', reject);
    smtp.listen(options.smtpPort ?? 2525, '127.0.0.1', resolve);
  });

  const web: Server = createServer((request, response) => {
    handleWeb(directory, request.url ?? '/')
      .then(({ status, html }) => {
        response.writeHead(status, { 'content-type': 'text/html; charset=utf-8' });
        response.end(html);
      })
      .catch((error: Error) => {
        response.writeHead(500, { 'content-type': 'text/plain' });
        response.end(error.message);
      });
  });
  await new Promise<void>((resolve, reject) => {
    web.once('error', reject);
    web.listen(options.webPort ?? 8025, '127.0.0.1', resolve);
  });
  const smtpPort = (smtp.server.address() as AddressInfo).port;
  const webPort = (web.address() as AddressInfo).port;
  return {
    smtpUrl: `smtp://127.0.0.1:${smtpPort}`,
    webUrl: `http://127.0.0.1:${webPort}/`,
    directory,
    close: async () => {
      await new Promise<void>((resolve) => smtp.close(() => resolve()));
      await new Promise<void>((resolve) => web.close(() => resolve()));
    },
  };
}

async function handleWeb(directory: string, url: string): Promise<{ status: number; html: string }> {
  const files = readdirSync(directory).filter((file) => file.endsWith('.eml')).sort().reverse();
  const requested = /^\/messages\/([\w.-]+\.eml)$/.exec(url)?.[1];
  if (requested) {
    if (!files.includes(requested)) return { status: 404, html: page('Not found', '<p>No such message.</p>') };
    const mail = await simpleParser(readFileSync(path.join(directory, requested)));
    const headers = ['from', 'to', 'reply-to', 'date', 'message-id', 'in-reply-to', 'references']
      .map((name) => `<tr><th>${name}</th><td>${escape(headerText(mail.headers.get(name)))}</td></tr>`)
      .join('');
    // The email's links (the candidate's action links) open in a tab of their own: the pages refuse to be framed.
    const html = mail.html ? `<h3>HTML</h3><iframe sandbox="allow-popups allow-popups-to-escape-sandbox" srcdoc="${escape(`<base target="_blank">${mail.html}`)}"></iframe>` : '';
    return {
      status: 200,
      html: page(mail.subject ?? '', `<p><a href="/">&larr; all messages</a></p><h2>${escape(mail.subject)}</h2><table>${headers}</table><h3>Text</h3><pre>${linkedText(mail.text || '')}</pre>${html}`),
    };
  }
  const rows = await Promise.all(
    files.map(async (file) => {
      const mail = await simpleParser(readFileSync(path.join(directory, file)));
      return `<tr><td>${escape(mail.date?.toISOString())}</td><td>${escape(mail.to && !Array.isArray(mail.to) ? mail.to.text : '')}</td><td><a href="/messages/${escape(file)}">${escape(mail.subject)}</a></td></tr>`;
    }),
  );
  return {
    status: 200,
    html: page('Onward mailbox', `<h1>Onward local mailbox</h1><p>${files.length} messages in ${escape(directory)} (refreshes every 10 s)</p><table><tr><th>date</th><th>to</th><th>subject</th></tr>${rows.join('')}</table>`),
  };
}

/** The plain-text part, escaped, with its web links clickable (they open in a new tab). */
function linkedText(text: string): string {
  return text
    .split(/(https?:\/\/[^\s<>"]+)/)
    .map((part, index) => (index % 2 === 1 ? `<a href="${escape(part)}" target="_blank" rel="noopener noreferrer">${escape(part)}</a>` : escape(part)))
    .join('');
}

function headerText(value: unknown): string {
  if (value === undefined) return '';
  if (typeof value === 'string') return value;
  if (value && typeof value === 'object' && 'text' in value && typeof value.text === 'string') return value.text;
  if (value instanceof Date) return value.toISOString();
  return JSON.stringify(value);
}
