import { LINK_LABELS_BY_LOCALE } from '../common/action-strings';
import { DEFAULT_LOCALE, type Locale } from '../workflows/locale';
import type { StepKind } from '../workflows/steps';
import type { EmailAction } from './email-layout';
import { publicLink, signActionToken, type LinkAction, type UnsubscribeLinks } from './unsubscribe-token';

/**
 * The actions each email to the candidate offers, besides "stop" (the unsubscribe link in every footer): "I'm ready" and "more time" only
 * while grieving (the supportive note), progress while the check-ins run; the last notes of a sequence only stop.
 */
export const ACTIONS_BY_KIND: Partial<Record<StepKind, readonly LinkAction[]>> = {
  'supportive-note': ['ready', 'snooze', 'hired'],
  'check-in': ['progress', 'hired'],
  'linkedin-task': ['progress', 'hired'],
};

/** The action page of the API, as links point at it. */
export const ACTION_ROUTE = 'act';

/** The signed action links of one email to the candidate; its footer carries the unsubscribe link ("stop") besides. */
export function actionLinks(links: UnsubscribeLinks, message: { kind: StepKind; sequenceId: string; locale?: Locale }, now: number): EmailAction[] {
  const labels = LINK_LABELS_BY_LOCALE[message.locale ?? DEFAULT_LOCALE];
  return (ACTIONS_BY_KIND[message.kind] ?? []).map((action) => ({
    label: labels[action],
    url: publicLink(links, ACTION_ROUTE, signActionToken({ sequenceId: message.sequenceId, action, locale: message.locale }, links.secret, now)),
  }));
}
