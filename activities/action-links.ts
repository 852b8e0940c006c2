import Handlebars from 'handlebars';
import { FOOTER_HEADING, LINK_LABELS } from '../common/action-strings';
import type { StepKind } from '../workflows/steps';
import type { RenderedEmail } from './templates';
import { publicLink, signActionToken, unsubscribeUrl, type LinkAction, type UnsubscribeLinks } from './unsubscribe-token';

/** A link in a candidate email's footer: what it says, and where it goes. */
export interface ActionLink {
  label: string;
  url: string;
}

/**
 * The actions each email to the candidate offers, besides "stop" (every one has it): "I'm ready" and "more time" only
 * while grieving (the supportive note), progress while the check-ins run; the last notes of a sequence only stop.
 */
export const ACTIONS_BY_KIND: Partial<Record<StepKind, readonly LinkAction[]>> = {
  'supportive-note': ['ready', 'snooze', 'hired'],
  'check-in': ['progress', 'hired'],
  'linkedin-task': ['progress', 'hired'],
};

/** The action page of the API, as links point at it. */
export const ACTION_ROUTE = 'act';

/** The signed links of one email to the candidate: its actions, then the unsubscribe link. */
export function actionLinks(links: UnsubscribeLinks, message: { kind: StepKind; sequenceId: string; email: string }, now: number): ActionLink[] {
  const actions = (ACTIONS_BY_KIND[message.kind] ?? []).map((action) => ({
    label: LINK_LABELS[action],
    url: publicLink(links, ACTION_ROUTE, signActionToken({ sequenceId: message.sequenceId, action }, links.secret, now)),
  }));
  return [...actions, { label: LINK_LABELS.stop, url: unsubscribeUrl(links, { email: message.email, sequenceId: message.sequenceId }, now) }];
}

/** The email with its links appended, in both parts (until the layout module draws its own footer from the same links). */
export function withActionFooter(email: RenderedEmail, actions: readonly ActionLink[]): RenderedEmail {
  if (actions.length === 0) return email;
  const text = `${email.text}\n--\n${FOOTER_HEADING}\n${actions.map((link) => `${link.label}: ${link.url}`).join('\n')}\n`;
  const items = actions.map((link) => `<a href="${Handlebars.escapeExpression(link.url)}">${Handlebars.escapeExpression(link.label)}</a>`).join(' · ');
  const html = `${email.html}\n<hr>\n<p>${Handlebars.escapeExpression(FOOTER_HEADING)} ${items}</p>\n`;
  return { ...email, text, html };
}
