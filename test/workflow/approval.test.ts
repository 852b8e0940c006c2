import { describe, expect, test } from 'vitest';
import { approveUpdate } from '../../workflows/definitions';
import { eventually } from '../helpers/eventually';
import { DAY, later, refusal, useTimeSkipping } from '../helpers/time-skipping';

const harness = useTimeSkipping();

// Rejected on a Monday at 14:00 in London; the thank-you notes (to Grace and Alan) are due Wednesday 14:00
// and, in approve mode, wait there for a person.

// Each approval scenario has a file, and so a time-skipping environment, of its own: a run of them in one
// environment now and then stalled it after the first.
describe('approve mode', () => {
  test('the draft waits for approval; approved with edits it goes out edited; skipped it never goes out', async () => {
    const { advanceTo, advanceUntil, start } = harness();
    const monday = await advanceTo(1, '14:00', 'Europe/London');
    const sequence = await start({ id: 'ts-approve-edits', policy: { delivery: { 'thank-you': 'approve' } } });
    const due = monday + 2 * DAY;

    await advanceUntil(later(due, { hours: 1 }));
    const waiting = await eventually(async () => {
      const status = await sequence.status();
      expect(sequence.entry(status, 'thank-you:1').status).toBe('awaiting-approval');
      expect(sequence.entry(status, 'thank-you:2').status).toBe('awaiting-approval');
      return status;
    });
    const draft = sequence.entry(waiting, 'thank-you:1').draft;
    expect(draft?.subject).toBe('Thank you for your time, Grace');
    expect(draft?.text).toContain('Dear Grace,');
    expect(draft?.text).toContain('about the Senior Data Engineer role');
    const decideBy = Date.parse(draft?.decideBy ?? '') - (due + 3 * DAY);
    expect(decideBy).toBeGreaterThanOrEqual(0);
    expect(decideBy).toBeLessThan(60_000);
    expect(sequence.mails().filter((mail) => mail.step.startsWith('thank-you:'))).toEqual([]);

    // Bad decisions are refused while the draft waits.
    expect(await refusal(sequence.handle.executeUpdate(approveUpdate, { args: [{ step: 'thank-you:1', decision: 'maybe' as 'approve' }] }))).toBe(
      'decision: must be "approve" or "skip"',
    );
    expect(
      await refusal(sequence.handle.executeUpdate(approveUpdate, { args: [{ step: 'thank-you:1', decision: 'approve', subject: 'Hi\r\nBcc: x@evil.test' }] })),
    ).toBe('subject: must be one non-empty line of at most 300 characters');

    const editedText = 'Dear Grace,\n\nThank you for the conversation about data platforms & <pipelines>.\n\nAda';
    await sequence.handle.executeUpdate(approveUpdate, {
      args: [{ step: 'thank-you:1', decision: 'approve', subject: 'Thank you, Grace!', text: editedText }],
    });
    await sequence.handle.executeUpdate(approveUpdate, { args: [{ step: 'thank-you:2', decision: 'skip' }] });

    const sent = await eventually(() => {
      const mail = sequence.mail('thank-you:1');
      if (!mail) throw new Error('thank-you:1 not delivered yet');
      return mail;
    });
    expect(sent.to).toEqual(['grace@acme.example.com']);
    expect(sent.parsed.subject).toBe('Thank you, Grace!');
    expect(sent.parsed.text?.trim()).toBe(editedText);
    expect(sent.parsed.html).toContain('data platforms &amp; &lt;pipelines&gt;');
    expect(sent.parsed.html).not.toContain('Thank you for taking the time');

    const status = await eventually(async () => {
      const current = await sequence.status();
      expect(sequence.entry(current, 'thank-you:2').status).toBe('skipped');
      expect(sequence.entry(current, 'thank-you:1').status).toBe('sent');
      return current;
    });
    expect(sequence.entry(status, 'thank-you:2').note).toBe('skipped by a person');
    expect(sequence.entry(status, 'thank-you:1').draft).toBeUndefined();
    expect(status.log.map((line) => line.event)).toEqual(expect.arrayContaining(['thank-you:1: approved with edits', 'thank-you:2: skipped']));
    expect(sequence.mails().filter((mail) => mail.to.includes('alan@acme.example.com'))).toEqual([]);

    // The rest of the sequence carries on in send mode: the feedback request on Thursday.
    await advanceUntil(later(due, { days: 1, hours: 1 }));
    await eventually(() => expect(sequence.mail('feedback-request')).toBeDefined());
  });
});
