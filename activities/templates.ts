import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import Handlebars from 'handlebars';
import { DateTime } from 'luxon';
import type { TemplateVars } from '../workflows/email-request';
import { STEP_KINDS, type StepKind } from '../workflows/steps';

export interface RenderedEmail {
  subject: string;
  text: string;
  html: string;
}

export interface Templates {
  render(kind: StepKind, vars: TemplateVars): RenderedEmail;
}

/** The templates that ship with Onward; point ONWARD_TEMPLATES_DIR at a copy to edit them. */
export const DEFAULT_TEMPLATES_DIR = path.resolve(__dirname, '..', 'templates');

const SUBJECT_LINE = /^Subject:[ \t]*(.*)\r?\n\r?\n/;

/** Escapes text for HTML and keeps its paragraphs and line breaks: used for edited drafts. */
export function textToHtml(text: string): string {
  return text
    .split(/\n{2,}/)
    .map((paragraph) => `<p>${Handlebars.escapeExpression(paragraph).replace(/\n/g, '<br>\n')}</p>`)
    .join('\n');
}

/** `{{localDay instant zone}}`: the day of an ISO instant in a zone, as a reader says it ("Sunday 29 November"). */
export function localDay(instant: unknown, zone: unknown): string {
  const day = DateTime.fromISO(String(instant), { zone: String(zone) });
  return day.isValid ? day.setLocale('en-GB').toFormat('cccc d LLLL') : '';
}

/** One line, no control characters: a subject can never inject a header. */
export function cleanSubject(subject: string): string {
  return subject.replace(/[\p{Cc}\s]+/gu, ' ').trim();
}

/**
 * Loads `<kind>.txt` ("Subject: ..." then a blank line, then the plain-text body) and `<kind>.html`
 * for every step, and fails at start-up, not mid-sequence, when one is missing or does not compile.
 * Tokens are Handlebars: `{{recipient.firstName}}`, with fallbacks `{{#if x}}{{x}}{{else}}there{{/if}}`.
 */
export function loadTemplates(directory: string = DEFAULT_TEMPLATES_DIR): Templates {
  const handlebars = Handlebars.create();
  handlebars.registerHelper('localDay', localDay);
  const available = new Set(readdirSync(directory));
  const compiled = new Map<StepKind, { subject: HandlebarsTemplateDelegate; text: HandlebarsTemplateDelegate; html: HandlebarsTemplateDelegate }>();
  const compile = (file: string, source: string, escape: boolean) => {
    const template = handlebars.compile(source, { noEscape: !escape, strict: false });
    try {
      template({}); // surfaces syntax errors now
    } catch (error) {
      throw new Error(`template ${path.join(directory, file)}: ${(error as Error).message}`);
    }
    return template;
  };
  for (const kind of STEP_KINDS) {
    for (const file of [`${kind}.txt`, `${kind}.html`]) {
      if (!available.has(file)) throw new Error(`template ${path.join(directory, file)} is missing`);
    }
    const textSource = readFileSync(path.join(directory, `${kind}.txt`), 'utf8');
    const match = SUBJECT_LINE.exec(textSource);
    if (!match) throw new Error(`template ${path.join(directory, `${kind}.txt`)} must start with "Subject: ..." and a blank line`);
    const subjectSource = match[1] ?? '';
    handlebars.registerPartial(`${kind}-subject`, subjectSource);
    compiled.set(kind, {
      subject: compile(`${kind}.txt`, subjectSource, false),
      text: compile(`${kind}.txt`, textSource.slice(match[0].length), false),
      html: compile(`${kind}.html`, readFileSync(path.join(directory, `${kind}.html`), 'utf8'), true),
    });
  }
  return {
    render(kind, vars) {
      const template = compiled.get(kind);
      if (!template) throw new Error(`no template for ${kind}`);
      return { subject: cleanSubject(template.subject(vars)), text: template.text(vars).trim() + '\n', html: template.html(vars) };
    },
  };
}
