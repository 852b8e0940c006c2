import { DateTime } from 'luxon';
import type { SequenceInput } from '../workflows/input';
import { recipientOf } from '../workflows/recipients';
import { previewSequence, type PreviewEntry } from '../workflows/schedule';

export interface PreviewLine {
  at: string;
  localTime: string;
  step: string;
  kind: PreviewEntry['kind'];
  to?: string;
  mode?: string;
}

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
};

/** The timeline `onward preview` shows: each step, when (in the recipient's own time), and to whom. */
export function previewLines(input: SequenceInput): PreviewLine[] {
  return previewSequence(input.rejection, input.policy).map((entry) => {
    const recipient = entry.audience ? recipientOf(input.rejection, entry.audience) : undefined;
    const zone = recipient?.timezone ?? input.rejection.candidate.timezone;
    return {
      at: new Date(entry.at).toISOString(),
      localTime: DateTime.fromMillis(entry.at, { zone }).toFormat("ccc d LLL yyyy HH:mm ZZZZ"),
      step: entry.key,
      kind: entry.kind,
      to: recipient ? `${recipient.name} <${recipient.email}>` : undefined,
      mode: entry.mode,
    };
  });
}

export function formatPreview(input: SequenceInput): string {
  const lines = previewLines(input);
  const width = Math.max(...lines.map((line) => line.localTime.length));
  const { rejection } = input;
  return [
    `Sequence rejection-${rejection.id}: ${rejection.candidate.name}, ${rejection.role} at ${rejection.company}`,
    '',
    ...lines.map((line) => {
      const what = `${DESCRIPTIONS[line.kind]}${line.to ? ` to ${line.to}` : ''}${line.mode === 'approve' ? ' [needs approval]' : ''}`;
      return `${line.localTime.padEnd(width)}  ${line.step.padEnd(18)} ${what}`;
    }),
  ].join('\n');
}
