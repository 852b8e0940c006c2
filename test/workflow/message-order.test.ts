import { DateTime } from 'luxon';
import { describe, expect, test } from 'vitest';
import { approveUpdate } from '../../workflows/definitions';
import { eventually } from '../helpers/eventually';
import { DAY, later, localTime, useTimeSkipping } from '../helpers/time-skipping';

const harness = useTimeSkipping();
const LONDON = 'Europe/London';
const GRACE = 'grace@acme.example.com';
const localDay = (instant: number) => DateTime.fromMillis(instant, { zone: LONDON }).toISODate();

// Rejected on a Monday at 14:00 in London, no recruiter: the first interviewer, Grace, is asked about other openings.
// The thank-you notes wait for approval from Wednesday 14:00 and are approved on Friday at 15:00.

describe('the order of messages follows what actually happened', () => {
  test('"other openings" waits for the thank-you notes to go out (approval included), 3 days on, never the same day as another email to her', async () => {
    const { advanceTo, advanceUntil, start } = harness();
    const monday = await advanceTo(1, '14:00', LONDON);
    const sequence = await start({
      id: 'ts-order-openings',
      document: { recruiter: undefined },
      // The feedback request, a day after the thank-you notes, lands on the Monday the openings question would take.
      policy: { delivery: { 'thank-you': 'approve' }, checkInCount: 0, touchpointsAfter: [] },
    });

    const friday = later(monday, { days: 4, hours: 1 });
    await advanceUntil(friday);
    await eventually(async () => expect(sequence.entry(await sequence.status(), 'thank-you:1').status).toBe('awaiting-approval'));
    for (const step of ['thank-you:1', 'thank-you:2']) await sequence.handle.executeUpdate(approveUpdate, { args: [{ step, decision: 'approve' }] });
    await eventually(() => expect(sequence.mail('thank-you:2')).toBeDefined());
    const thanked = Math.max(...['thank-you:1', 'thank-you:2'].map((step) => sequence.mail(step)?.at ?? Number.NaN));

    await advanceUntil(later(monday, { days: 9 }));
    const openings = await eventually(() => {
      const mail = sequence.mail('other-openings');
      expect(mail).toBeDefined();
      return mail as NonNullable<typeof mail>;
    });
    expect(openings.at - thanked, localTime(openings.at)).toBeGreaterThanOrEqual(3 * DAY);
    const others = sequence.mails().filter((mail) => mail.step !== 'other-openings' && mail.to.includes(GRACE));
    expect(others.map((mail) => mail.step)).toEqual(expect.arrayContaining(['thank-you:1', 'feedback-request']));
    for (const mail of others) expect(localDay(mail.at), `${mail.step} ${localTime(mail.at)}`).not.toBe(localDay(openings.at));
    // Monday has the feedback request: Tuesday, at the start of her send window.
    expect(localTime(openings.at)).toBe(localTime(later(monday, { days: 8, hours: -5 })));
  });
});

describe('a message waiting for approval holds back the messages that depend on it', () => {
  test('the feedback request waits for the thank-you notes held for approval, and goes a day after them', async () => {
    const { advanceTo, advanceUntil, start } = harness();
    const monday = await advanceTo(1, '14:00', LONDON);
    const sequence = await start({ id: 'ts-order-request', policy: { delivery: { 'thank-you': 'approve' }, checkInCount: 0, touchpointsAfter: [] } });

    // Planned for Thursday 14:00, a day after the thank-you notes were due: they still wait for approval on Friday.
    await advanceUntil(later(monday, { days: 4, hours: 1 }));
    await eventually(async () => expect(sequence.entry(await sequence.status(), 'thank-you:1').status).toBe('awaiting-approval'));
    expect(sequence.mail('feedback-request')).toBeUndefined();
    for (const step of ['thank-you:1', 'thank-you:2']) await sequence.handle.executeUpdate(approveUpdate, { args: [{ step, decision: 'approve' }] });
    await eventually(() => expect(sequence.mail('thank-you:1')).toBeDefined());
    const thanked = sequence.mail('thank-you:1')?.at ?? Number.NaN;

    await advanceUntil(later(monday, { days: 8 }));
    const request = await eventually(() => sequence.mail('feedback-request') ?? expect.fail('no feedback request yet'));
    expect(request.at - thanked, localTime(request.at)).toBeGreaterThanOrEqual(DAY);
    // Friday 15:00 + 1 day is a Saturday: the first weekday window, Monday 09:00.
    expect(localTime(request.at)).toBe(localTime(later(monday, { days: 7, hours: -5 })));
  });
});

describe('the closing summary speaks only of what happened', () => {
  test('weeks counted from the rejection, and no "no feedback came" while the request still waits for an answer', async () => {
    const { advanceTo, advanceUntil, start } = harness();
    const monday = await advanceTo(1, '14:00', LONDON);
    // The summary goes a week after the sixth weekly check-in: 7 weeks and 2 days after the rejection; the feedback
    // request, sent in the first week, waits 60 days for its answer.
    const sequence = await start({ id: 'ts-order-summary', policy: { feedbackWait: '60 days', feedbackReminder: false, touchpointsAfter: [] } });

    await advanceUntil(later(monday, { days: 7 * 7 + 3 }));
    const summary = await eventually(() => {
      const mail = sequence.mail('closing-summary');
      expect(mail).toBeDefined();
      return mail as NonNullable<typeof mail>;
    });
    expect(((summary.at - monday) / (7 * DAY)).toFixed(1)).toBe('7.3');
    expect(summary.parsed.subject).toBe('7 weeks on: what you learned and what you did');
    expect(summary.parsed.text).toContain('It has been 7 weeks since the');
    expect(summary.parsed.text).not.toContain('No feedback came');
    expect((await sequence.status()).feedback.state).toBe('waiting');
  });
});
