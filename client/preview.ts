import { DateTime } from 'luxon';
import type { SequenceInput } from '../workflows/input';
import { DEFAULT_LOCALE, type Locale } from '../workflows/locale';
import { recipientOf } from '../workflows/recipients';
import { previewSequence, type PreviewEntry } from '../workflows/schedule';

export interface PreviewLine {
  at: string;
  localTime: string;
  step: string;
  kind: PreviewEntry['kind'];
  to?: string;
  /** The language the message is written in: the recipient's. */
  locale?: Locale;
  mode?: string;
  /** Its time is already past when the sequence starts: it goes at once. */
  now?: boolean;
  /** It will not go out, and why. */
  dropped?: string;
}

const LANGUAGES: Record<Locale, string> = { en: 'English', de: 'German', fr: 'French' };

const DESCRIPTIONS: Record<PreviewEntry['kind'], string> = {
  'supportive-note': 'supportive note with a reflection prompt',
  'grieving-ends': 'grieving period ends',
  'thank-you': 'thank-you note',
  'feedback-request': 'feedback request',
  'feedback-reminder': 'feedback reminder (only if no answer yet), same thread',
  'feedback-deadline': 'feedback deadline: no answer is recorded as such',
  'check-in': 'job-search check-in',
  'closing-summary': 'closing summary: the feedback and progress of these weeks',
  'other-openings': 'ask about other openings',
  'linkedin-task': '"connect on LinkedIn" task',
  touchpoint: 'touchpoint to stay on the radar',
  congratulations: 'congratulations',
  'late-feedback': 'feedback that came after the last check-in, passed on',
};

/**
 * The timeline `onward preview` shows, for a sequence started at `now`: each step, when (in the recipient's own time),
 * to whom, what goes at once ("now": a rejection entered late), and what will not go out, with the reason.
 */
export function previewLines(input: SequenceInput, now: number = Date.now()): PreviewLine[] {
  return previewSequence(input.rejection, input.policy, { now, includeDropped: true }).map((entry) => {
    const recipient = entry.audience ? recipientOf(input.rejection, entry.audience) : undefined;
    const zone = recipient?.timezone ?? input.rejection.candidate.timezone;
    return {
      at: new Date(entry.at).toISOString(),
      localTime: DateTime.fromMillis(entry.at, { zone }).toFormat('ccc d LLL yyyy HH:mm ZZZZ'),
      step: entry.key,
      kind: entry.kind,
      to: recipient ? `${recipient.name} <${recipient.email}>` : undefined,
      locale: recipient ? (recipient.locale ?? DEFAULT_LOCALE) : undefined,
      mode: entry.mode,
      ...(entry.now ? { now: true } : {}),
      ...(entry.dropped ? { dropped: entry.dropped } : {}),
    };
  });
}

export function formatPreview(input: SequenceInput, now: number = Date.now()): string {
  const lines = previewLines(input, now);
  const when = (line: PreviewLine) => (line.dropped ? 'not sent' : line.now ? (line.kind === 'grieving-ends' || line.kind === 'feedback-deadline' ? 'already past' : 'now') : line.localTime);
  const width = Math.max(...lines.map((line) => when(line).length));
  // All in English: nothing to say; otherwise each message says its language.
  const multilingual = lines.some((line) => line.locale !== undefined && line.locale !== DEFAULT_LOCALE);
  const { rejection } = input;
  return [
    `Sequence rejection-${rejection.id}: ${rejection.candidate.name}, ${rejection.role} at ${rejection.company}`,
    '',
    ...lines.map((line) => {
      const language = multilingual && line.locale ? `, in ${LANGUAGES[line.locale]}` : '';
      const what = `${DESCRIPTIONS[line.kind]}${line.to ? ` to ${line.to}${language}` : ''}${line.mode === 'approve' ? ' [needs approval]' : ''}`;
      return `${when(line).padEnd(width)}  ${line.step.padEnd(18)} ${what}${line.dropped ? ` (dropped: ${line.dropped})` : ''}`;
    }),
  ].join('\n');
}
