import { describe, expect, it } from 'vitest';
import { loadTemplates, type RenderedEmail } from '../../activities/templates';
import { buildEmailRequest, type MessageContext } from '../../workflows/email-request';
import { LOCALES, type Locale } from '../../workflows/locale';
import { feedbackContact, recipientOf, relationshipContact, type Audience } from '../../workflows/recipients';
import type { RejectionDocument } from '../../workflows/rejection';
import type { FeedbackEntry, ProgressReport } from '../../workflows/status';
import type { StepKind } from '../../workflows/steps';
import { doubled, foreignWords, leftovers, namedTwice, ownProse, repeatedSentences, sentences, wrongPlurals, wrongPossessives } from '../helpers/copy-checks';
import { sequenceInput } from './support';

// Every template, rendered for whole sequences over a matrix of inputs, read the way an editor reads: no leftover
// tokens or missing values, no doubled words, plurals and possessives right, each email in its reader's language, and
// nothing said twice to the same person.

const templates = loadTemplates();
const DAY_MS = 24 * 60 * 60 * 1000;
const REJECTED_AT = '2026-11-24T15:30:00Z';

interface Variant {
  label: string;
  document: Partial<RejectionDocument>;
  feedback: FeedbackEntry[];
  progress: ProgressReport[];
  /** Days between the rejection and the sequence's messages: weeks for a rejection entered late. */
  daysAgo: number;
}

const FEEDBACK: FeedbackEntry[] = [
  { text: 'Practise system design out loud.', from: 'Grace Hopper', receivedAt: '2026-12-01T10:00:00Z' },
  { text: 'Quantify the impact of past projects.', receivedAt: '2026-12-02T10:00:00Z' },
];
const report = (applications: number, interviews: number): ProgressReport => ({ applications, interviews, reportedAt: '2026-12-03T10:00:00Z' });

const VARIANTS: Variant[] = [
  { label: 'no feedback, no progress, a recruiter', document: {}, feedback: [], progress: [], daysAgo: 2 },
  {
    label: 'feedback, one of each, no recruiter, rejected weeks ago, dream job',
    document: { recruiter: undefined, dreamJob: true },
    feedback: FEEDBACK,
    progress: [report(1, 1)],
    daysAgo: 40,
  },
  {
    label: 'anonymous feedback, applications only, a role starting with a vowel',
    document: { company: 'Initech', role: 'Account Manager' },
    feedback: FEEDBACK.slice(1),
    progress: [report(2, 0), report(1, 0)],
    daysAgo: 3,
  },
  {
    label: 'interviews only, a recruiter on LinkedIn, a company ending in s',
    document: { company: 'Dynamics', recruiter: { name: 'Katherine Johnson', email: 'katherine@acme.example.com', linkedinUrl: 'https://www.linkedin.com/in/kj' } },
    feedback: [],
    progress: [report(0, 2)],
    daysAgo: 5,
  },
];

interface Scenario {
  label: string;
  candidateLocale: Locale;
  contactLocale: Locale;
  variant: Variant;
}

const SCENARIOS: Scenario[] = LOCALES.flatMap((candidateLocale) =>
  LOCALES.flatMap((contactLocale) =>
    VARIANTS.map((variant) => ({ label: `candidate ${candidateLocale}, contacts ${contactLocale}: ${variant.label}`, candidateLocale, contactLocale, variant })),
  ),
);

interface Sent {
  label: string;
  to: string;
  locale: Locale;
  kind: StepKind;
  email: RenderedEmail;
}

/** Every email of one sequence, built the way the workflow builds them and rendered by the shipped templates. */
function sequenceEmails({ candidateLocale, contactLocale, variant }: Scenario): Sent[] {
  const withLocale = <T extends object>(person: T) => ({ ...person, locale: contactLocale });
  const base = sequenceInput(variant.document);
  const document: Partial<RejectionDocument> = {
    ...variant.document,
    rejectedAt: REJECTED_AT,
    candidate: { ...base.rejection.candidate, locale: candidateLocale },
    interviewers: base.rejection.interviewers.map(withLocale),
    ...(base.rejection.recruiter ? { recruiter: withLocale(base.rejection.recruiter) } : {}),
  };
  const { rejection, policy } = sequenceInput(document);
  const now = Date.parse(REJECTED_AT) + variant.daysAgo * DAY_MS;
  const context: MessageContext = {
    rejection,
    feedback: variant.feedback,
    progress: variant.progress,
    checkInCount: 6,
    grievingEndsAt: Date.parse(REJECTED_AT) + 2 * DAY_MS,
    summaryFacts: { now: now + 7 * 7 * DAY_MS, feedbackWaitOver: true },
    recipientFacts: { now },
  };
  const contact = relationshipContact(rejection);
  const messages: { key: string; kind: StepKind; audience: Audience }[] = [
    { key: 'supportive-note', kind: 'supportive-note', audience: { role: 'candidate' } },
    ...rejection.interviewers.map((_, index) => ({ key: `thank-you:${index + 1}`, kind: 'thank-you' as const, audience: { role: 'interviewer' as const, index } })),
    { key: 'feedback-request', kind: 'feedback-request', audience: feedbackContact(rejection, policy) },
    { key: 'feedback-reminder', kind: 'feedback-reminder', audience: feedbackContact(rejection, policy) },
    ...[1, 2, 3, 4, 5, 6].map((week) => ({ key: `check-in:${week}`, kind: 'check-in' as const, audience: { role: 'candidate' as const } })),
    { key: 'closing-summary', kind: 'closing-summary', audience: { role: 'candidate' } },
    { key: 'other-openings', kind: 'other-openings', audience: contact },
    { key: 'linkedin-task', kind: 'linkedin-task', audience: { role: 'candidate' } },
    { key: 'touchpoint:1', kind: 'touchpoint', audience: contact },
    { key: 'touchpoint:2', kind: 'touchpoint', audience: contact },
    ...(variant.feedback.length ? [{ key: 'late-feedback:1', kind: 'late-feedback' as const, audience: { role: 'candidate' as const } }] : []),
    { key: 'congratulations', kind: 'congratulations', audience: { role: 'candidate' } },
  ];
  return messages.map((message) => {
    const request = buildEmailRequest(context, { sequenceId: 'rejection-acme-eng-4711', ...message });
    const recipient = recipientOf(rejection, message.audience);
    return { label: message.key, to: recipient.email, locale: recipient.locale ?? 'en', kind: message.kind, email: templates.render(message.kind, request.vars) };
  });
}

/** Everything an editor would refuse in one email, each problem named. */
function problemsOf(sent: Sent, company: string): string[] {
  const { email, locale } = sent;
  const prose = ownProse(email);
  const everything = [email.subject, email.text, email.html].join('\n');
  return [
    ...leftovers(everything).map((found) => `unrendered or missing value: ${found}`),
    ...[email.subject, prose.text, prose.html].flatMap((part) => doubled(part)).map((found) => `doubled: "${found}"`),
    ...[email.subject, prose.text, prose.html].flatMap((part) => wrongPlurals(part, locale)).map((found) => `wrong plural: "${found}"`),
    ...(locale === 'en' ? [email.subject, prose.text, prose.html].flatMap(wrongPossessives).map((found) => `wrong possessive: "${found}"`) : []),
    ...[email.subject, prose.text].flatMap((part) => foreignWords(part, locale)).map((found) => `not ${locale}: "${found}"`),
    ...[prose.text, prose.html].flatMap((part) => namedTwice(part, company)).map((found) => `names ${company} twice: "${found}"`),
  ].map((problem) => `${sent.label}: ${problem}`);
}

describe('template copy: every email of a sequence, over a matrix of inputs', () => {
  it.each(SCENARIOS.map((scenario) => [scenario.label, scenario]))('%s: reads right', (_, scenario) => {
    const company = scenario.variant.document.company ?? 'Acme Analytics';
    expect(sequenceEmails(scenario).flatMap((sent) => problemsOf(sent, company))).toEqual([]);
  });

  it.each(SCENARIOS.map((scenario) => [scenario.label, scenario]))('%s: says nothing twice to the same person', (_, scenario) => {
    const emails = sequenceEmails(scenario);
    const people = new Set(emails.map((sent) => sent.to));
    for (const person of people) {
      const theirs = emails.filter((sent) => sent.to === person);
      const repeated = [
        ...repeatedSentences(theirs.map((sent) => ({ label: sent.label, prose: ownProse(sent.email).text }))),
        ...repeatedSentences(theirs.map((sent) => ({ label: sent.label, prose: sent.email.subject }))),
      ];
      expect(repeated, person).toEqual([]);
    }
  });
});

describe('template copy: each check catches what it guards', () => {
  it('leftover tokens and missing values', () => {
    expect(leftovers('Hi {{candidate.firstName}}, undefined and null, NaN, [object Object]')).toEqual(['{{', '}}', 'undefined', 'null', 'NaN', '[object Object]']);
    expect(leftovers('Hi Ada, nullable is a word.')).toEqual([]);
  });

  it('doubled words and phrases', () => {
    expect(doubled('Thank you for for your time.')).toEqual(['for for']);
    expect(doubled('I enjoyed the team at Acme at Acme.')).toEqual(['at Acme at Acme']);
    expect(doubled('Ich habe habe es gesehen.')).toEqual(['habe habe']);
    expect(doubled('Thank you for your time, and for the talk.')).toEqual([]);
  });

  it('wrong plurals, in each language', () => {
    expect(wrongPlurals('3 applications and 1 interviews', 'en')).toEqual(['1 interviews']);
    expect(wrongPlurals('2 application', 'en')).toEqual(['2 application']);
    expect(wrongPlurals('1 Bewerbungen und 2 Vorstellungsgespräch', 'de')).toEqual(['1 Bewerbungen', '2 Vorstellungsgespräch']);
    expect(wrongPlurals('0 candidatures', 'fr')).toEqual(['0 candidatures']);
    expect(wrongPlurals('0 candidature, 2 entretiens, 1 semaine', 'fr')).toEqual([]);
  });

  it('possessives of names ending in s', () => {
    expect(wrongPossessives("Stay on Acme Analytics's radar.")).toEqual(["Analytics's"]);
    expect(wrongPossessives("Stay on Acme Analytics' radar, and on Initech's.")).toEqual([]);
  });

  it('a name twice in a sentence', () => {
    expect(namedTwice('I hope all is well at Acme. I remain keen on Acme and its team at Acme.', 'Acme')).toHaveLength(1);
  });

  it('sentences repeated between two emails, salutations and sign-offs aside', () => {
    const emails = [
      { label: 'check-in:1', prose: 'Hi Ada,\n\nSo far you have reported 3 applications.\n\nKeep going,\nOnward' },
      { label: 'check-in:2', prose: 'Hi Ada,\n\nSo far you have reported 3 applications.\n\nKeep going,\nOnward' },
    ];
    expect(repeatedSentences(emails)).toEqual(['check-in:1 and check-in:2: "So far you have reported 3 applications."']);
    expect(sentences('One. Two!\n\nThree?')).toEqual(['One.', 'Two!', 'Three?']);
  });

  it('words of another language', () => {
    expect(foreignWords('Vielen Dank for Ihre Zeit', 'de')).toEqual(['for']);
    expect(foreignWords('Merci pour votre temps, und bis bald', 'fr')).toEqual(['und']);
    expect(foreignWords('Thank you, vous', 'en')).toEqual(['vous']);
  });
});
