import { describe, expect, it } from 'vitest';
import { formatPreview, previewLines } from '../../client/preview';
import { previewSequence } from '../../workflows/schedule';
import { sequenceInput, utc } from './support';

const DAY = 86_400_000;
// Rejected on Tuesday 2026-11-24 at 15:30 London time; the preview is asked for six days later.
const input = sequenceInput({ rejectedAt: '2026-11-24T15:30:00Z' });
const sixDaysLater = utc('2026-11-30T10:00:00Z'); // Monday 10:00, inside every window

describe('onward preview of a rejection entered late', () => {
  const lines = previewLines(input, sixDaysLater);
  const line = (step: string) => lines.find((entry) => entry.step === step);

  it('drops the supportive note whose moment has passed, and says why', () => {
    expect(line('supportive-note')).toMatchObject({ dropped: 'its moment has passed: grieving was over before the sequence started' });
    expect(line('supportive-note')?.now).toBeUndefined();
  });

  it('sends the thank-you notes now and counts the rest from now', () => {
    expect(line('thank-you:1')).toMatchObject({ now: true, at: new Date(sixDaysLater).toISOString() });
    expect(line('feedback-request')).toMatchObject({ at: new Date(sixDaysLater + DAY).toISOString() });
    expect(line('feedback-request')?.now).toBeUndefined();
    expect(line('grieving-ends')).toMatchObject({ now: true });
  });

  it('prints "now", "already past" and "not sent" with the reason', () => {
    const text = formatPreview(input, sixDaysLater).split('\n');
    expect(text.find((row) => row.includes('thank-you:1'))).toMatch(/^now\s+thank-you:1/);
    expect(text.find((row) => row.includes('grieving-ends'))).toMatch(/^already past\s+grieving-ends/);
    expect(text.find((row) => row.includes('supportive-note'))).toMatch(/^not sent\s+supportive-note .*\(dropped: its moment has passed/);
  });
});

describe('onward preview lists what the policy drops', () => {
  it('names the setting that turned a message off', () => {
    const quiet = sequenceInput({ policy: { supportiveNote: false, feedbackReminder: false, closingSummary: false } });
    const dropped = previewLines(quiet, Date.parse(quiet.rejection.rejectedAt)).filter((entry) => entry.dropped);
    expect(dropped.map((entry) => [entry.step, entry.dropped])).toEqual([
      ['supportive-note', 'turned off by the policy (supportiveNote: false)'],
      ['feedback-reminder', 'turned off by the policy (feedbackReminder: false)'],
      ['closing-summary', 'turned off by the policy (closingSummary: false)'],
    ]);
  });

  it('names a reminder that no send window fits before the deadline', () => {
    const tight = sequenceInput({ policy: { feedbackReminderAfter: '8 days', feedbackWait: '8 days' } });
    const reminder = previewLines(tight, Date.parse(tight.rejection.rejectedAt)).find((entry) => entry.step === 'feedback-reminder');
    expect(reminder?.dropped).toBe("no time in the recipient's send window before the feedback deadline");
  });

  it('leaves dropped messages out of the sequence itself', () => {
    const quiet = sequenceInput({ policy: { supportiveNote: false } });
    expect(previewSequence(quiet.rejection, quiet.policy).map((entry) => entry.key)).not.toContain('supportive-note');
  });
});

describe('onward preview of a sequence in several languages', () => {
  const { rejection } = sequenceInput();
  const multilingual = sequenceInput({
    candidate: { ...rejection.candidate, locale: 'de' },
    interviewers: rejection.interviewers.map((interviewer, index) => ({ ...interviewer, ...(index === 0 ? { locale: 'fr' as const } : {}) })),
  });

  it("gives each message its recipient's language", () => {
    const lines = previewLines(multilingual, sixDaysLater);
    const localeOf = (step: string) => lines.find((entry) => entry.step === step)?.locale;
    expect([localeOf('check-in:1'), localeOf('thank-you:1'), localeOf('thank-you:2'), localeOf('grieving-ends')]).toEqual(['de', 'fr', 'en', undefined]);
    const text = formatPreview(multilingual, sixDaysLater).split('\n');
    expect(text.find((row) => row.includes('thank-you:1'))).toMatch(/to Grace Hopper <grace@acme\.example\.com>, in French$/);
    expect(text.find((row) => row.includes('thank-you:2'))).toMatch(/, in English$/);
    expect(text.find((row) => row.includes('check-in:1'))).toMatch(/, in German$/);
  });

  it('says nothing of language when everyone is written to in English', () => {
    expect(formatPreview(input, sixDaysLater)).not.toMatch(/, in (English|German|French)/);
  });
});
