import { describe, expect, it } from 'vitest';
import { buildEmailRequest, type MessageContext } from '../../workflows/email-request';
import type { Audience } from '../../workflows/recipients';
import type { RejectionDocument } from '../../workflows/rejection';
import type { StepKind } from '../../workflows/steps';
import { sequenceInput } from './support';

function request(kind: StepKind, audience: Audience, document: Partial<RejectionDocument> = {}, key: string = kind) {
  const context: MessageContext = { rejection: sequenceInput(document).rejection, feedback: [], progress: [], checkInCount: 6 };
  return buildEmailRequest(context, { sequenceId: 'rejection-acme-eng-4711', key, kind, audience });
}

const ADA = { name: 'Ada Lovelace', email: 'ada@example.com' };

describe('buildEmailRequest: who a message comes from', () => {
  it.each<[StepKind, Audience, { name: string; email: string }]>([
    ['thank-you', { role: 'interviewer', index: 1 }, { name: 'Alan Turing', email: 'alan@acme.example.com' }],
    ['feedback-request', { role: 'interviewer', index: 0 }, { name: 'Grace Hopper', email: 'grace@acme.example.com' }],
    ['other-openings', { role: 'recruiter' }, { name: 'Katherine Johnson', email: 'katherine@acme.example.com' }],
  ])('%s to %j speaks for the candidate, and replies go to the candidate', (kind, audience, to) => {
    const built = request(kind, audience);
    expect(built.to).toEqual(to);
    expect(built.fromName).toBe('Ada Lovelace');
    expect(built.replyTo).toEqual(ADA);
  });

  it.each<StepKind>(['supportive-note', 'check-in', 'linkedin-task', 'congratulations'])('%s to the candidate comes from Onward, without Reply-To', (kind) => {
    const built = request(kind, { role: 'candidate' });
    expect(built.to).toEqual(ADA);
    expect(built.fromName).toBe('Onward');
    expect(built.replyTo).toBeUndefined();
  });

  it('personalises with the recipient, not the candidate', () => {
    const built = request('thank-you', { role: 'interviewer', index: 0 });
    expect(built.vars.recipient).toEqual({ name: 'Grace Hopper', firstName: 'Grace', title: 'Head of Engineering' });
    expect(built.vars.candidate.firstName).toBe('Ada');
    expect(built.vars).toMatchObject({ company: 'Acme Analytics', role: 'Senior Data Engineer' });
  });

  it('carries the Message-ID to thread under', () => {
    const context: MessageContext = { rejection: sequenceInput().rejection, feedback: [], progress: [], checkInCount: 6 };
    const message = { sequenceId: 's', key: 'feedback-reminder', kind: 'feedback-reminder' as const, audience: { role: 'interviewer', index: 0 } as const };
    expect(buildEmailRequest(context, message, '<feedback-request.s.abc@x>').inReplyTo).toBe('<feedback-request.s.abc@x>');
  });
});

describe('buildEmailRequest: the LinkedIn task', () => {
  it("links the recruiter's profile when the rejection has it", () => {
    const built = request('linkedin-task', { role: 'candidate' }, {
      recruiter: { name: 'Katherine Johnson', email: 'katherine@acme.example.com', linkedinUrl: 'https://www.linkedin.com/in/katherine-j' },
    });
    expect(built.vars.linkedIn).toEqual({ url: 'https://www.linkedin.com/in/katherine-j', isProfile: true });
  });

  it('links a people search for the recruiter at the company otherwise', () => {
    const link = request('linkedin-task', { role: 'candidate' }).vars.linkedIn;
    expect(link?.isProfile).toBe(false);
    const url = new URL(link?.url ?? '');
    expect(url.protocol).toBe('https:');
    expect(url.hostname).toBe('www.linkedin.com');
    expect(url.pathname).toContain('/search/results/people');
    expect(url.searchParams.get('keywords')).toBe('Katherine Johnson Acme Analytics');
  });

  it('searches for the first interviewer when there is no recruiter, with the name safely encoded', () => {
    const link = request('linkedin-task', { role: 'candidate' }, { company: 'AT&T Labs #1', recruiter: undefined }).vars.linkedIn;
    expect(new URL(link?.url ?? '').searchParams.get('keywords')).toBe('Grace Hopper AT&T Labs #1');
    expect(link?.url).not.toContain(' ');
  });

  it('adds LinkedIn details only to the LinkedIn task', () => {
    expect(request('thank-you', { role: 'interviewer', index: 0 }).vars.linkedIn).toBeUndefined();
  });
});

describe('buildEmailRequest: numbered steps', () => {
  it('gives each check-in its number, the total and a next action that changes week by week', () => {
    const second = request('check-in', { role: 'candidate' }, {}, 'check-in:2').vars.checkIn;
    const third = request('check-in', { role: 'candidate' }, {}, 'check-in:3').vars.checkIn;
    expect(second).toMatchObject({ number: 2, count: 6 });
    expect(third?.number).toBe(3);
    expect(second?.nextAction).toBeTruthy();
    expect(second?.nextAction).not.toBe(third?.nextAction);
  });

  it('numbers touchpoints', () => {
    expect(request('touchpoint', { role: 'recruiter' }, {}, 'touchpoint:2').vars.touchpoint).toEqual({ number: 2 });
  });
});

describe('buildEmailRequest: the closing summary and late feedback', () => {
  const summaryAfter = (days: number) => {
    const rejection = sequenceInput({}).rejection;
    const now = Date.parse(rejection.rejectedAt) + days * 86_400_000;
    const context: MessageContext = { rejection, feedback: [], progress: [], checkInCount: 6, summaryFacts: { now, feedbackWaitOver: true } };
    return buildEmailRequest(context, { sequenceId: 'rejection-acme-eng-4711', key: 'closing-summary', kind: 'closing-summary', audience: { role: 'candidate' } }).vars.summary;
  };

  it('says how long it has been in words that read right: never "0 weeks" or "1 weeks"', () => {
    expect(summaryAfter(54)).toMatchObject({ weeks: 7, period: '7 weeks', periodHeading: '7 weeks' });
    expect(summaryAfter(8)).toMatchObject({ weeks: 1, period: 'a week', periodHeading: 'A week' });
    expect(summaryAfter(0.01)).toMatchObject({ weeks: 0, period: 'a few days', periodHeading: 'A few days' });
  });

  it('passes on only the feedback no check-in handed back (late-feedback:N starts at entry N)', () => {
    const context: MessageContext = {
      rejection: sequenceInput({}).rejection,
      feedback: [
        { text: 'handed back in a check-in', receivedAt: '2026-12-01T10:00:00Z' },
        { text: 'came late', from: 'Grace Hopper', receivedAt: '2027-01-20T10:00:00Z' },
      ],
      progress: [],
      checkInCount: 6,
    };
    const note = buildEmailRequest(context, { sequenceId: 'rejection-acme-eng-4711', key: 'late-feedback:2', kind: 'late-feedback', audience: { role: 'candidate' } });
    expect(note.vars.feedback).toEqual([{ text: 'came late', from: 'Grace Hopper' }]);
  });
});

describe("buildEmailRequest: the recipient's language, the contact's role, the rejection's age (since 'tpl-recipient-facts')", () => {
  const document: Partial<RejectionDocument> = {
    candidate: { name: 'Ada Lovelace', email: 'ada@example.com', timezone: 'Europe/Berlin', locale: 'de' },
    interviewers: [{ name: 'Grace Hopper', email: 'grace@acme.example.com', locale: 'fr' }],
    recruiter: undefined,
  };
  const build = (kind: StepKind, audience: Audience, recipientFacts?: { now: number }) => {
    const context: MessageContext = { rejection: sequenceInput(document).rejection, feedback: [], progress: [], checkInCount: 6, ...(recipientFacts ? { recipientFacts } : {}) };
    return buildEmailRequest(context, { sequenceId: 'rejection-acme-eng-4711', key: kind, kind, audience }).vars;
  };
  const tenDaysOn = { now: Date.parse('2026-11-24T15:30:00Z') + 10.5 * 24 * 60 * 60 * 1000 };

  it('passes each recipient their own locale, the contact role and whole days since the rejection', () => {
    expect(build('check-in', { role: 'candidate' }, tenDaysOn)).toMatchObject({ locale: 'de', daysSinceRejection: 10, contact: { role: 'interviewer' } });
    expect(build('thank-you', { role: 'interviewer', index: 0 }, tenDaysOn).locale).toBe('fr');
  });

  it('passes none of them for sequences from before (they replay as they were)', () => {
    const vars = build('check-in', { role: 'candidate' });
    expect(vars.locale).toBeUndefined();
    expect(vars.daysSinceRejection).toBeUndefined();
    expect(vars.contact.role).toBeUndefined();
  });
});
