import { DateTime } from 'luxon';
import { describe, expect, test } from 'vitest';
import { sendQueueOf, STAGE_ATTRIBUTE } from '../../workflows/definitions';
import { previewSequence } from '../../workflows/schedule';
import { isInsideSendWindow, sendRulesFor } from '../../workflows/send-window';
import { FROM_ADDRESS, useTimeSkipping } from '../helpers/time-skipping';
import { localActivityTypes } from '../helpers/local-activities';

const harness = useTimeSkipping();

const CANDIDATE = { name: 'Ada Lovelace', email: 'ada@example.com', timezone: 'Europe/London', linkedinUrl: 'https://www.linkedin.com/in/ada-lovelace' };
const GRACE = { name: 'Grace Hopper', email: 'grace@acme.example.com', title: 'Head of Engineering' };
const ALAN = { name: 'Alan Turing', email: 'alan@acme.example.com', timezone: 'America/New_York' };
const KATHERINE = {
  name: 'Katherine Johnson',
  email: 'katherine@acme.example.com',
  timezone: 'America/Los_Angeles',
  linkedinUrl: 'https://www.linkedin.com/in/katherine-johnson',
};

// Who receives each step, in which time zone, and what its subject and body must say.
const EXPECTED: Record<string, { to: typeof CANDIDATE | typeof GRACE | typeof ALAN | typeof KATHERINE; zone: string; subject: string | RegExp; body: string[] }> = {
  'supportive-note': { to: CANDIDATE, zone: 'Europe/London', subject: 'About the Senior Data Engineer role at Acme Analytics', body: ['Hi Ada,', 'then put the page away.'] },
  'thank-you:1': {
    to: GRACE,
    zone: 'Europe/London',
    subject: 'Thank you for your time, Grace',
    body: ['Dear Grace,', 'about the Senior Data Engineer role', 'the work you gave me as Head of Engineering', 'my interest in Acme Analytics', 'Ada Lovelace'],
  },
  'thank-you:2': { to: ALAN, zone: 'America/New_York', subject: 'Thank you for your time, Alan', body: ['Dear Alan,', 'about the Senior Data Engineer role', 'my interest in Acme Analytics', 'Ada Lovelace'] },
  'feedback-request': {
    to: GRACE,
    zone: 'Europe/London',
    subject: 'A quick question for future reference',
    body: ['Dear Grace,', 'Senior Data Engineer role at Acme Analytics', 'What could I have done to make myself more competitive?', 'Ada Lovelace'],
  },
  'feedback-reminder': { to: GRACE, zone: 'Europe/London', subject: 'Re: A quick question for future reference', body: ['Dear Grace,', 'more competitive candidate', 'Ada Lovelace'] },
  'other-openings': { to: KATHERINE, zone: 'America/Los_Angeles', subject: 'Other openings at Acme Analytics?', body: ['Dear Katherine,', 'Senior Data Engineer', 'match my skills', 'Ada Lovelace'] },
  'linkedin-task': {
    to: CANDIDATE,
    zone: 'Europe/London',
    subject: 'To do: connect with Katherine Johnson on LinkedIn',
    body: ['Hi Ada,', 'Their profile: https://www.linkedin.com/in/katherine-johnson', 'Hi Katherine, thank you for your time during the Senior Data Engineer process at Acme Analytics'],
  },
  ...Object.fromEntries(
    // Six check-ins, six different steps.
    ['one tailored application', 'a job board you have not tried', 'one conversation', 'the hardest question', 'your resume, revised', 'two bolder applications'].map((step, index) => [
      `check-in:${index + 1}`,
      { to: CANDIDATE, zone: 'Europe/London', subject: `Week ${index + 1} of 6: ${step}`, body: ['Hi Ada,'] },
    ]),
  ),
  'closing-summary': {
    to: CANDIDATE,
    zone: 'Europe/London',
    subject: '7 weeks on: what you learned and what you did', // whole weeks since the rejection, not the check-ins
    body: ['Hi Ada,', 'since the Senior Data Engineer role at Acme Analytics', 'No feedback came from Acme Analytics'],
  },
  'touchpoint:1': { to: KATHERINE, zone: 'America/Los_Angeles', subject: 'Keeping in touch', body: ['Dear Katherine,', 'Acme Analytics', 'Senior Data Engineer', 'Ada Lovelace'] },
  'touchpoint:2': { to: KATHERINE, zone: 'America/Los_Angeles', subject: 'A short update from Ada Lovelace', body: ['Dear Katherine,', 'Acme Analytics', 'Senior Data Engineer', 'Ada Lovelace'] },
};

describe('the full default sequence under time skipping', () => {
  test('every email of the six steps reaches its recipient, personalised, inside send windows, threaded', async () => {
    // A Monday-afternoon rejection in London, a moment ago on the test server's clock.
    await harness().advanceTo(1, '14:00', 'Europe/London');
    const sequence = await harness().start({
      id: 'ts-full-1',
      document: { candidate: CANDIDATE, interviewers: [GRACE, ALAN], recruiter: KATHERINE },
    });
    const { rejection, policy } = sequence.input;
    const planned = new Map(previewSequence(rejection, policy).map((entry) => [entry.key, entry.at]));

    const outcome = await sequence.handle.result();
    expect(outcome).toEqual({ stage: 'completed', sent: 16, failed: 0, skipped: 0 });

    const mails = sequence.mails();
    expect(mails.map((mail) => mail.step).sort()).toEqual(Object.keys(EXPECTED).sort());
    expect(new Set(mails.map((mail) => mail.messageId)).size).toBe(mails.length);

    for (const mail of mails) {
      const expected = EXPECTED[mail.step];
      if (!expected) throw new Error(`unexpected step ${mail.step}`);
      const context = `${mail.step} at ${new Date(mail.at).toISOString()}`;
      // The right recipient, in the envelope and in the To header, and nobody else.
      expect(mail.to, context).toEqual([expected.to.email]);
      const to = Array.isArray(mail.parsed.to) ? mail.parsed.to : [mail.parsed.to];
      expect(to.flatMap((header) => header?.value ?? []).map((address) => address.address), context).toEqual([expected.to.email]);
      expect(mail.parsed.from?.value[0]?.address, context).toBe(FROM_ADDRESS);
      if (expected.to === CANDIDATE) {
        expect(mail.parsed.from?.value[0]?.name, context).toBe('Onward');
      } else {
        // Messages to interviewers and the recruiter speak for the candidate; replies go to her.
        expect(mail.parsed.from?.value[0]?.name, context).toBe('Ada Lovelace');
        expect(mail.parsed.replyTo?.value[0]?.address, context).toBe('ada@example.com');
        // Nothing in her name gives the automation away: no X-Onward-* header, a Message-ID naming neither step nor sequence.
        expect([...mail.parsed.headers.keys()].filter((name) => name.startsWith('x-onward')), context).toEqual([]);
        expect(mail.messageId, context).toMatch(/^<[0-9a-f]{32}@onward\.test>$/);
      }
      // Personalised subject and bodies (plain text and HTML).
      expect(mail.parsed.subject, context).toEqual(expected.subject);
      for (const phrase of expected.body) expect(mail.parsed.text, context).toContain(phrase);
      expect(mail.parsed.text, context).not.toMatch(/\{\{|\}\}/);
      expect(mail.parsed.html || '', context).toContain(expected.to.name.split(' ')[0]);
      expect(mail.parsed.text, context).not.toMatch(/why (wasn'?t|was not) I (hired|selected)/i);

      // At the planned simulated time, inside the recipient's send window, never on the rejection day.
      expect(mail.at, context).toBeGreaterThanOrEqual(planned.get(mail.step) ?? Number.NaN);
      expect(mail.at - (planned.get(mail.step) ?? Number.NaN), context).toBeLessThan(60_000);
      const toCandidate = expected.to === CANDIDATE;
      const rules = sendRulesFor(policy, toCandidate ? { role: 'candidate' } : { role: 'recruiter' }, rejection);
      expect(isInsideSendWindow(mail.at, expected.zone, rules, sequence.rejectedAt), context).toBe(true);
      const local = DateTime.fromMillis(mail.at, { zone: expected.zone });
      if (!toCandidate) expect(local.weekday, context).toBeLessThanOrEqual(5);
      expect(local.hour, context).toBeGreaterThanOrEqual(9);
      expect(local.hour, context).toBeLessThan(toCandidate ? 19 : 17);
      expect(local.toISODate(), context).not.toBe(DateTime.fromMillis(sequence.rejectedAt, { zone: expected.zone }).toISODate());
    }

    // The candidate got the profile link of the recruiter in the LinkedIn task.
    expect(sequence.mail('linkedin-task')?.parsed.text).toContain(KATHERINE.linkedinUrl);

    // The reminder is a reply in the feedback request's thread.
    const request = sequence.mail('feedback-request');
    const reminder = sequence.mail('feedback-reminder');
    expect(request?.messageId).toMatch(/^<.+@onward\.test>$/);
    expect(reminder?.parsed.inReplyTo).toBe(request?.messageId);
    expect(reminder?.parsed.references).toEqual(request?.messageId);
    expect(reminder?.parsed.subject?.startsWith('Re: ')).toBe(true);
    expect(reminder?.parsed.subject).toBe(`Re: ${request?.parsed.subject}`);
    expect(reminder?.at).toBeGreaterThan(request?.at ?? Number.NaN);
    for (const mail of mails.filter((mail) => mail.step !== 'feedback-reminder')) {
      expect(mail.parsed.inReplyTo, mail.step).toBeUndefined();
    }

    // Order of the steps in simulated time.
    const at = (step: string) => sequence.mail(step)?.at ?? Number.NaN;
    expect(at('supportive-note')).toBeLessThan(at('thank-you:1'));
    expect(at('thank-you:1')).toBeLessThan(at('feedback-request'));
    expect(at('feedback-request')).toBeLessThan(at('other-openings'));
    expect(at('touchpoint:1')).toBeLessThan(at('touchpoint:2'));
    for (let week = 1; week < 6; week++) expect(at(`check-in:${week}`)).toBeLessThan(at(`check-in:${week + 1}`));
    expect(at('check-in:6')).toBeLessThan(at('closing-summary'));

    // The status records every message as sent, with the Message-ID that went out.
    const status = await sequence.status();
    expect(status.stage).toBe('completed');
    expect(status.feedback.state).toBe('no-answer');
    expect(status.timeline).toHaveLength(16);
    for (const entry of status.timeline) {
      expect(entry.status, entry.key).toBe('sent');
      expect(entry.to, entry.key).toBe(EXPECTED[entry.key]?.to.email);
      expect(entry.messageId, entry.key).toBe(sequence.mail(entry.key)?.messageId);
      expect(entry.sentAt, entry.key).toBeDefined();
      expect(entry.error, entry.key).toBeUndefined();
    }
    // Every email went out as a regular activity on the sends' own task queue (its rate limit governs every worker).
    const events = (await sequence.handle.fetchHistory()).events ?? [];
    const sends = events.flatMap((event) => event.activityTaskScheduledEventAttributes ?? []).filter((scheduled) => scheduled.activityType?.name === 'sendEmail');
    expect(sends.map((scheduled) => scheduled.taskQueue?.name)).toEqual(Array.from({ length: 16 }, () => sendQueueOf(harness().taskQueue)));
    // The outcomes ledger's writes are the only local activities (workflows/ledger.ts): one short insert each.
    expect(localActivityTypes(events).filter((type) => type !== 'recordOutcomes')).toEqual([]);

    const executionInfo = await sequence.handle.describe();
    expect(executionInfo.status.name).toBe('COMPLETED');
    // The stage is kept in the OnwardStage search attribute, for listing by stage.
    expect(executionInfo.typedSearchAttributes.get(STAGE_ATTRIBUTE)).toBe('completed');
  });
});
