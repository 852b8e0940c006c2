import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import Handlebars from 'handlebars';
import mjml2html from 'mjml';
import { LINK_LABELS_BY_LOCALE } from '../common/action-strings';
import { DEFAULT_LOCALE, type Locale } from '../workflows/locale';
import { DEFAULT_ACCENT_COLOR, type SenderIdentity } from './sender-identity';
import { DEFAULT_TEMPLATES_DIR, type RenderedEmail } from './templates';

/** A link the candidate can follow from an email (e.g. "I'm ready"), shown as a button in the HTML and a line in the text. */
export interface EmailAction {
  label: string;
  url: string;
}

/** What frames one email to the candidate: who sends it, and the links of its footer. */
export interface CandidateFrame {
  sender: SenderIdentity;
  /** The signed one-click unsubscribe link; absent when the worker has no ONWARD_PUBLIC_URL and secret. */
  unsubscribeUrl?: string;
  actions?: EmailAction[];
  /** The candidate's language, for the footer's words; English when absent. */
  locale?: Locale;
}

export interface EmailLayout {
  /** The step's body inside the sender's layout: header, body, signature, actions, footer; text likewise. */
  candidateEmail(body: RenderedEmail, frame: CandidateFrame): RenderedEmail;
  /** A message in the candidate's name: her words in a plain, personal-looking frame, with nothing of an agency. */
  personalEmail(body: RenderedEmail): RenderedEmail;
}

/** The layout that ships with Onward; a templates directory (ONWARD_TEMPLATES_DIR) may carry its own layout.mjml. */
export const LAYOUT_FILE = 'layout.mjml';
export const DEFAULT_LAYOUT_PATH = path.join(DEFAULT_TEMPLATES_DIR, LAYOUT_FILE);

/** The layout file of a templates directory: its own layout.mjml, or the one that ships. */
export function layoutPathFor(templatesDirectory?: string): string {
  const own = templatesDirectory === undefined ? undefined : path.join(templatesDirectory, LAYOUT_FILE);
  return own !== undefined && existsSync(own) ? own : DEFAULT_LAYOUT_PATH;
}

// A mail client shows a bare fragment in its default serif font; a person's email from Gmail looks like this.
const PERSONAL_FRAME = '<!doctype html>\n<html><body><div style="font-family: Arial, Helvetica, sans-serif; font-size: 14px; line-height: 1.5; color: #222222">\n';

/** The signature's lines as HTML, escaped. */
const signatureHtml = (signature: string | undefined): string =>
  (signature ?? '')
    .trim()
    .split(/\r?\n/)
    .map((line) => Handlebars.escapeExpression(line))
    .join('<br>');

/** The plain-text part: the body, the signature after the "-- " delimiter mail clients know, then the footer's links. */
function candidateText(text: string, { sender, unsubscribeUrl, actions = [], locale = DEFAULT_LOCALE }: CandidateFrame): string {
  const signature = [sender.name, ...(sender.signature?.trim().split(/\r?\n/) ?? [])].join('\n');
  const links = [...actions.map(({ label, url }) => `${label}: ${url}`), ...(unsubscribeUrl ? [`${LINK_LABELS_BY_LOCALE[locale].stop}: ${unsubscribeUrl}`] : [])];
  return `${text.trimEnd()}\n\n-- \n${signature}\n${links.length > 0 ? `\n${links.join('\n')}\n` : ''}`;
}

/**
 * Compiles the MJML layout once (the worker calls this at start): MJML gives the responsive HTML, with the Handlebars
 * tokens left in place, which Handlebars then compiles; each send only fills the tokens in. A layout that MJML finds
 * invalid, or that Handlebars cannot compile, is refused with the file's name, as a template is.
 */
export async function loadEmailLayout(file: string = DEFAULT_LAYOUT_PATH): Promise<EmailLayout> {
  let source: string;
  try {
    source = readFileSync(file, 'utf8');
  } catch {
    throw new Error(`email layout ${file} does not exist or cannot be read`);
  }
  let compiled: HandlebarsTemplateDelegate;
  try {
    const result = await mjml2html(source, { validationLevel: 'soft', filePath: file, keepComments: false, fonts: {} });
    // Attribute values still holding a Handlebars token are filled in later: only other complaints are errors.
    const errors = result.errors.filter((error) => !/\{\{/.test(error.message));
    if (errors.length > 0) throw new Error(errors.map((error) => `line ${error.line}: ${error.message}`).join('; '));
    compiled = Handlebars.create().compile(result.html, { strict: false });
    compiled({}); // surfaces Handlebars syntax errors now
  } catch (error) {
    throw new Error(`email layout ${file}: ${(error as Error).message}`);
  }
  return {
    candidateEmail(body, frame) {
      const html = compiled({
        subject: body.subject,
        body: body.html,
        sender: frame.sender,
        accentColor: frame.sender.accentColor ?? DEFAULT_ACCENT_COLOR,
        signatureHtml: signatureHtml(frame.sender.signature),
        actions: frame.actions ?? [],
        unsubscribeUrl: frame.unsubscribeUrl,
        unsubscribeLabel: LINK_LABELS_BY_LOCALE[frame.locale ?? DEFAULT_LOCALE].stop,
      });
      return { subject: body.subject, html, text: candidateText(body.text, frame) };
    },
    personalEmail(body) {
      return { ...body, html: `${PERSONAL_FRAME}${body.html.trim()}\n</div></body></html>\n` };
    },
  };
}

let shipped: Promise<EmailLayout> | undefined;
/** The shipped layout, compiled once per process (for workers built without one, e.g. by tests). */
export function shippedEmailLayout(): Promise<EmailLayout> {
  shipped ??= loadEmailLayout();
  return shipped;
}
