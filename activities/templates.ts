import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import Handlebars from 'handlebars';
import type { TemplateVars } from '../workflows/email-request';
import { DEFAULT_LOCALE, LOCALES, type Locale } from '../workflows/locale';
import { STEP_KINDS, type StepKind } from '../workflows/steps';
import { count, counts, derivedVars, frenchOf, localDay, possessive, quoteLines } from './template-helpers';

export interface RenderedEmail {
  subject: string;
  text: string;
  html: string;
}

export interface Templates {
  /** Renders in the recipient's language (`vars.locale`, English when absent). */
  render(kind: StepKind, vars: TemplateVars): RenderedEmail;
}

/** The templates that ship with Onward, one folder per locale; point ONWARD_TEMPLATES_DIR at a copy to edit them. */
export const DEFAULT_TEMPLATES_DIR = path.resolve(__dirname, '..', 'templates');

const SUBJECT_LINE = /^Subject:[ \t]*(.*)\r?\n\r?\n/;

/** Escapes text for HTML and keeps its paragraphs and line breaks: used for edited drafts. */
export function textToHtml(text: string): string {
  return text
    .split(/\n{2,}/)
    .map((paragraph) => `<p>${Handlebars.escapeExpression(paragraph).replace(/\n/g, '<br>\n')}</p>`)
    .join('\n');
}

/** One line, no control characters: a subject can never inject a header. No-break spaces stay (French "?" and ":"). */
export function cleanSubject(subject: string): string {
  return subject.replace(/(?:[\p{Cc}\p{Zl}\p{Zp}]|(?![\u00a0\u202f])\s)+/gu, ' ').trim();
}

interface CompiledStep {
  subject: HandlebarsTemplateDelegate;
  text: HandlebarsTemplateDelegate;
  html: HandlebarsTemplateDelegate;
}

/** A Handlebars of its own per locale: the helpers write numbers, dates and possessives the reader's way. */
function handlebarsFor(locale: Locale): typeof Handlebars {
  const handlebars = Handlebars.create();
  handlebars.registerHelper('localDay', (instant: unknown, zone: unknown) => localDay(String(instant), String(zone), locale));
  handlebars.registerHelper('possessive', (name: unknown) => possessive(typeof name === 'string' ? name : '', locale));
  handlebars.registerHelper('de', (name: unknown) => frenchOf(typeof name === 'string' ? name : ''));
  handlebars.registerHelper('count', (amount: unknown, forms: unknown) => count(Number(amount ?? 0), String(forms), locale));
  // `{{counts a "x|xs" b "y|ys"}}`: Handlebars passes its options object last.
  handlebars.registerHelper('counts', (...args: unknown[]) => counts(args.slice(0, -1), locale));
  handlebars.registerHelper('eq', (left: unknown, right: unknown) => left === right);
  // `{{#quote}}...{{/quote}}`: every line prefixed with "> ", as a mail client quotes the message replied to.
  handlebars.registerHelper('quote', function (this: unknown, options: Handlebars.HelperOptions) {
    return quoteLines(String(options.fn(this)));
  });
  return handlebars;
}

/** Loads one locale's `<kind>.txt` and `<kind>.html`, failing on the first that is missing or does not compile. */
function loadLocale(directory: string, locale: Locale): Map<StepKind, CompiledStep> {
  const handlebars = handlebarsFor(locale);
  const available = new Set(readdirSync(directory));
  const compiled = new Map<StepKind, CompiledStep>();
  const compile = (file: string, source: string, escape: boolean) => {
    const template = handlebars.compile(source, { noEscape: !escape, strict: false });
    try {
      template({ progress: { applications: 0, interviews: 0 }, contact: {} }); // surfaces syntax errors now
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
    // A follow-up can repeat the message it follows: `{{> feedback-request-subject}}`, `{{> feedback-request-text}}`.
    handlebars.registerPartial(`${kind}-subject`, subjectSource);
    handlebars.registerPartial(`${kind}-text`, textSource.slice(match[0].length));
    const htmlSource = readFileSync(path.join(directory, `${kind}.html`), 'utf8');
    handlebars.registerPartial(`${kind}-html`, htmlSource);
    compiled.set(kind, {
      subject: compile(`${kind}.txt`, subjectSource, false),
      text: compile(`${kind}.txt`, textSource.slice(match[0].length), false),
      html: compile(`${kind}.html`, htmlSource, true),
    });
  }
  return compiled;
}

/**
 * Loads `<locale>/<kind>.txt` ("Subject: ..." then a blank line, then the plain-text body) and `<locale>/<kind>.html`
 * for every locale and step, and fails at start-up, not mid-sequence, when one is missing or does not compile.
 * Tokens are Handlebars: `{{recipient.firstName}}`, with fallbacks `{{#if x}}{{x}}{{else}}there{{/if}}`.
 */
export function loadTemplates(directory: string = DEFAULT_TEMPLATES_DIR): Templates {
  const byLocale = new Map<Locale, Map<StepKind, CompiledStep>>();
  for (const locale of LOCALES) {
    const folder = path.join(directory, locale);
    if (!existsSync(folder)) {
      const flat = existsSync(path.join(directory, 'thank-you.txt')) ? ': templates are kept per locale now; move these files into en/ and add de/ and fr/' : '';
      throw new Error(`template folder ${folder} is missing${flat}`);
    }
    byLocale.set(locale, loadLocale(folder, locale));
  }
  return {
    render(kind, vars) {
      const template = byLocale.get(vars.locale ?? DEFAULT_LOCALE)?.get(kind);
      if (!template) throw new Error(`no ${vars.locale ?? DEFAULT_LOCALE} template for ${kind}`);
      const data = { ...vars, ...derivedVars(vars) };
      return { subject: cleanSubject(template.subject(data)), text: template.text(data).trim() + '\n', html: template.html(data) };
    },
  };
}
