import { cpSync, mkdtempSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { DEFAULT_TEMPLATES_DIR, loadTemplates } from '../../activities/templates';
import { buildEmailRequest, type MessageContext, type TemplateVars } from '../../workflows/email-request';
import type { Audience } from '../../workflows/recipients';
import type { RejectionDocument } from '../../workflows/rejection';
import type { FeedbackEntry } from '../../workflows/status';
import { STEP_KINDS, type StepKind } from '../../workflows/steps';
import { AUDIENCE } from '../helpers/audience';
import { sequenceInput } from './support';

const templates = loadTemplates();

const FEEDBACK: FeedbackEntry[] = [
  { text: 'Practise system design out loud.', from: 'Grace Hopper', receivedAt: '2026-12-01T10:00:00Z' },
  { text: 'Quantify the impact of past projects.', receivedAt: '2026-12-02T10:00:00Z' },
];

/** The variables the sequence would pass for `kind`, built the way the workflow builds them. */
function varsFor(kind: StepKind, document: Partial<RejectionDocument> = {}, feedback: FeedbackEntry[] = FEEDBACK, daysAfterRejection = 2): TemplateVars {
  const context: MessageContext = {
    rejection: sequenceInput(document).rejection,
    feedback,
    progress: [
      { applications: 3, interviews: 1, reportedAt: '2026-12-03T10:00:00Z' },
      { applications: 2, interviews: 0, reportedAt: '2026-12-10T10:00:00Z' },
    ],
    checkInCount: 6,
    recipientFacts: { now: Date.parse('2026-11-24T15:30:00Z') + daysAfterRejection * 24 * 60 * 60 * 1000 },
  };
  const key = kind === 'check-in' ? 'check-in:2' : kind === 'touchpoint' ? 'touchpoint:1' : kind;
  return buildEmailRequest(context, { sequenceId: 'rejection-acme-eng-4711', key, kind, audience: AUDIENCE[kind] }).vars;
}

const FIRST_NAME: Record<Audience['role'], string> = { candidate: 'Ada', interviewer: 'Grace', recruiter: 'Katherine' };

describe('render: every step kind, personalised', () => {
  it.each(STEP_KINDS.map((kind) => [kind]))('%s', (kind) => {
    const email = templates.render(kind, varsFor(kind));
    for (const body of [email.text, email.html]) {
      expect(body).toContain(FIRST_NAME[AUDIENCE[kind].role]);
      // The congratulations is about the new job, not the old role; a check-in is about the week's search.
      if (kind !== 'check-in') expect(body).toContain('Acme Analytics');
      if (kind !== 'congratulations' && kind !== 'check-in') expect(body).toContain('Senior Data Engineer');
      expect(body).not.toMatch(/\{\{|\}\}|undefined|\[object Object\]/);
    }
    expect(email.subject.length).toBeGreaterThan(3);
    expect(email.subject).not.toMatch(/\{\{|undefined/);
    expect(email.text.endsWith('\n')).toBe(true);
  });

  it("mentions an interviewer's title only when there is one", () => {
    const withTitle = templates.render('thank-you', varsFor('thank-you'));
    expect(withTitle.text).toContain('Head of Engineering');
    const vars = varsFor('thank-you');
    const untitled = templates.render('thank-you', { ...vars, recipient: { name: 'Alan Turing', firstName: 'Alan' } });
    expect(untitled.text).toContain('Dear Alan');
    expect(untitled.text).not.toContain('Head of Engineering');
    expect(untitled.text).not.toMatch(/perspective as\s*[,.]/);
  });
});

describe('render: values cannot break out of the email', () => {
  it('escapes HTML in values in the HTML body', () => {
    const vars = varsFor('other-openings', { company: '<script>alert(1)</script>' });
    const email = templates.render('other-openings', vars);
    expect(email.html).not.toContain('<script>');
    expect(email.html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(email.text).toContain('<script>alert(1)</script>'); // plain text is shown as is
  });

  it('escapes feedback written by someone else in the check-in', () => {
    const email = templates.render('check-in', varsFor('check-in', {}, [{ text: '<img src=x onerror=alert(1)>', receivedAt: '2026-12-01T10:00:00Z' }]));
    expect(email.html).not.toContain('<img');
    expect(email.html).toContain('&lt;img src');
  });

  it.each(STEP_KINDS.map((kind) => [kind]))('%s: the subject is one line even when values contain CR/LF', (kind) => {
    const injected = '\r\nBcc: victim@example.com\r\n';
    const vars = varsFor(kind);
    const hostile: TemplateVars = {
      ...vars,
      company: `Acme${injected}`,
      role: `Engineer${injected}`,
      candidate: { ...vars.candidate, firstName: `Ada${injected}`, name: `Ada${injected}` },
      recipient: { ...vars.recipient, firstName: `Grace${injected}`, name: `Grace${injected}` },
      contact: { firstName: `Kat${injected}`, name: `Kat${injected}` },
    };
    const { subject } = templates.render(kind, hostile);
    expect(subject).not.toMatch(/[\r\n]/);
    expect(subject).toBe(subject.trim());
  });

  it('keeps the value in the subject, just on one line', () => {
    const vars = varsFor('other-openings');
    expect(templates.render('other-openings', { ...vars, company: 'Acme\r\nBcc: x@evil.example' }).subject).toContain('Acme Bcc: x@evil.example');
  });
});

describe('render: the feedback request follows the article', () => {
  const request = templates.render('feedback-request', varsFor('feedback-request'));
  const reminder = templates.render('feedback-reminder', varsFor('feedback-reminder'));

  it('asks what would make the candidate more competitive, never why', () => {
    for (const body of [request.text, request.html, reminder.text, reminder.html]) {
      expect(body).toContain('more competitive');
      expect(body).not.toMatch(/\bwhy\b/i);
    }
    expect(request.subject).not.toMatch(/\bwhy\b/i);
  });

  it('replies in the same thread: the reminder subject is "Re: " + the request subject', () => {
    expect(reminder.subject).toBe(`Re: ${request.subject}`);
  });
});

describe('render: the weekly check-in', () => {
  it('shows the feedback received, with who gave it, and the progress so far', () => {
    const email = templates.render('check-in', varsFor('check-in'));
    for (const body of [email.text, email.html]) {
      expect(body).toContain('Practise system design out loud.');
      expect(body).toContain('Grace Hopper');
      expect(body).toContain('Quantify the impact of past projects.');
      expect(body).toContain('5 applications and 1 interview');
    }
    expect(email.subject).toMatch(/\b2\b.*\b6\b/);
  });

  it('leaves the feedback section out when there is none', () => {
    const withFeedback = templates.render('check-in', varsFor('check-in'));
    const without = templates.render('check-in', varsFor('check-in', {}, []));
    expect(without.text).not.toContain('Practise');
    expect(without.text.length).toBeLessThan(withFeedback.text.length);
    expect(without.html).not.toContain('<li>');
  });
});

describe('loadTemplates from a directory', () => {
  const directories: string[] = [];
  const copyOfDefaults = () => {
    const directory = mkdtempSync(path.join(tmpdir(), 'onward-templates-'));
    directories.push(directory);
    cpSync(DEFAULT_TEMPLATES_DIR, directory, { recursive: true });
    return directory;
  };
  afterAll(() => directories.forEach((directory) => rmSync(directory, { recursive: true, force: true })));

  it('loads a complete copy of the defaults', () => {
    expect(() => loadTemplates(copyOfDefaults())).not.toThrow();
  });

  it.each(['en/touchpoint.html', 'de/feedback-request.txt', 'fr/check-in.txt'])('refuses to start when %s is missing, naming it', (file) => {
    const directory = copyOfDefaults();
    unlinkSync(path.join(directory, file));
    expect(() => loadTemplates(directory)).toThrow(path.join(directory, file));
  });

  it('refuses a text template without a subject line, naming it', () => {
    const directory = copyOfDefaults();
    writeFileSync(path.join(directory, 'en', 'thank-you.txt'), 'Dear {{recipient.firstName}},\n');
    expect(() => loadTemplates(directory)).toThrow(/thank-you\.txt.*Subject/);
  });

  it('refuses a template that does not compile, naming it', () => {
    const directory = copyOfDefaults();
    writeFileSync(path.join(directory, 'fr', 'check-in.html'), '<p>{{#each feedback}}{{text}}</p>');
    expect(() => loadTemplates(directory)).toThrow(/fr\/check-in\.html/);
  });

  it('refuses a directory in the layout from before locales, saying how to move it', () => {
    const directory = mkdtempSync(path.join(tmpdir(), 'onward-templates-'));
    directories.push(directory);
    cpSync(path.join(DEFAULT_TEMPLATES_DIR, 'en'), directory, { recursive: true });
    expect(() => loadTemplates(directory)).toThrow(/en is missing: templates are kept per locale now; move these files into en\//);
  });

  it('uses edited templates from the directory', () => {
    const directory = copyOfDefaults();
    writeFileSync(path.join(directory, 'en', 'touchpoint.txt'), 'Subject: Hello from {{company}}\n\nHi {{recipient.firstName}}\n');
    const email = loadTemplates(directory).render('touchpoint', varsFor('touchpoint'));
    expect(email.subject).toBe('Hello from Acme Analytics');
    expect(email.text).toBe('Hi Katherine\n');
  });
});

describe('render: copy that fits the reader', () => {
  const checkIn = (number: number, feedback: FeedbackEntry[] = FEEDBACK, progress = true) => {
    const vars = varsFor('check-in', {}, feedback);
    return templates.render('check-in', {
      ...vars,
      checkIn: { number, count: 6, nextAction: '' },
      ...(progress ? {} : { progress: { applications: 0, interviews: 0 } }),
    });
  };
  const paragraphs = (text: string) => text.split('\n\n');

  it('six check-ins, six different subjects and actions, and "this week" in one of them at most', () => {
    const weeks = [1, 2, 3, 4, 5, 6].map((number) => checkIn(number, []));
    expect(new Set(weeks.map((email) => email.subject)).size).toBe(6);
    expect(new Set(weeks.map((email) => paragraphs(email.text)[1])).size).toBe(6);
    expect(weeks.filter((email) => /this week/i.test(email.text)).length).toBeLessThanOrEqual(1);
  });

  it("ties the week's action to the feedback when there is some", () => {
    for (const number of [1, 2, 3, 4, 5, 6]) {
      expect(paragraphs(checkIn(number).text)[1]).toMatch(/feedback/);
      expect(paragraphs(checkIn(number, []).text)[1]).not.toMatch(/feedback/);
    }
  });

  it('writes a progress line only when progress was reported, with the right plurals', () => {
    expect(checkIn(2, [], false).text).not.toMatch(/application|interview \d|reported/);
    const one = templates.render('check-in', { ...varsFor('check-in'), progress: { applications: 1, interviews: 0 } });
    expect(one.text).toContain('1 application.');
    const some = templates.render('check-in', { ...varsFor('check-in'), progress: { applications: 0, interviews: 3 } });
    expect(some.text).toContain('3 interviews.');
    expect(some.text).not.toContain('0 applications');
  });

  it('the two touchpoints differ, and neither names the company twice in a sentence', () => {
    const vars = varsFor('touchpoint');
    const [first, second] = [1, 2].map((number) => templates.render('touchpoint', { ...vars, touchpoint: { number } }));
    expect(first?.subject).not.toBe(second?.subject);
    expect(paragraphs(first?.text ?? '')[1]).not.toBe(paragraphs(second?.text ?? '')[1]);
    for (const email of [first, second]) {
      for (const sentence of (email?.text ?? '').split(/(?<=[.!?])\s+/)) expect(sentence.split('Acme Analytics').length, sentence).toBeLessThanOrEqual(2);
    }
  });

  it('the feedback reminder quotes the original request below it, as a reply does', () => {
    const request = templates.render('feedback-request', varsFor('feedback-request'));
    const reminder = templates.render('feedback-reminder', varsFor('feedback-reminder'));
    const quoted = request.text
      .trim()
      .split('\n')
      .map((line) => (line ? `> ${line}` : '>'))
      .join('\n');
    expect(reminder.text.trim().endsWith(quoted)).toBe(true);
    expect(reminder.text.indexOf('Ada Lovelace wrote:')).toBeGreaterThan(reminder.text.indexOf('Best regards'));
    expect(reminder.html).toMatch(/<blockquote>[\s\S]*What could I have done to make myself more competitive\?[\s\S]*<\/blockquote>/);
  });

  it('the LinkedIn task fits who the contact is: the recruiter, or the interviewer when there is none', () => {
    const recruiter = templates.render('linkedin-task', varsFor('linkedin-task'));
    expect(recruiter.text).toContain('Katherine Johnson recruits for Acme Analytics');
    expect(recruiter.text).not.toMatch(/interviewed you/);
    const interviewer = templates.render('linkedin-task', varsFor('linkedin-task', { recruiter: undefined }));
    expect(interviewer.text).toContain('Grace Hopper interviewed you for the Senior Data Engineer role');
    expect(interviewer.text).not.toMatch(/recruits for/);
  });

  it('possessives of names ending in s take only the apostrophe', () => {
    expect(templates.render('other-openings', varsFor('other-openings')).text).toContain("Acme Analytics' work");
    expect(templates.render('other-openings', varsFor('other-openings', { company: 'Initech' })).text).toContain("Initech's work");
  });

  it('a rejection weeks old gets a thank-you and a request that own up to the delay', () => {
    const prompt = templates.render('thank-you', varsFor('thank-you', {}, [], 2)).text;
    const late = templates.render('thank-you', varsFor('thank-you', {}, [], 40)).text;
    expect(prompt).toContain('Thank you for taking the time');
    expect(late).toContain('Some weeks have passed since our conversation');
    expect(templates.render('feedback-request', varsFor('feedback-request', {}, [], 40)).text).toContain('a few weeks on');
  });
});

describe('render: in the recipient language', () => {
  const withLocales = (candidate: 'en' | 'de' | 'fr', contacts: 'en' | 'de' | 'fr') => {
    const { rejection } = sequenceInput();
    return {
      candidate: { ...rejection.candidate, locale: candidate },
      interviewers: rejection.interviewers.map((interviewer) => ({ ...interviewer, locale: contacts })),
      recruiter: { name: 'Katherine Johnson', email: 'katherine@acme.example.com', locale: contacts },
    };
  };

  it('writes to a German candidate in German and to French interviewers in French, formally', () => {
    const document = withLocales('de', 'fr');
    const checkIn = templates.render('check-in', varsFor('check-in', document));
    expect(checkIn.subject).toBe('Woche 2 von 6: eine neue Jobbörse');
    expect(checkIn.text).toContain('Hallo Ada,');
    expect(checkIn.text).toContain('Bisher haben Sie 5 Bewerbungen und 1 Vorstellungsgespräch gemeldet.');
    const thanks = templates.render('thank-you', varsFor('thank-you', document));
    expect(thanks.text).toContain('Bonjour Grace Hopper,');
    expect(thanks.text).toMatch(/\bvous\b/);
    expect(thanks.subject).toBe('Merci pour notre échange');
  });

  it('writes days the reader way', () => {
    const vars = varsFor('supportive-note');
    const grieving = { endsAt: '2026-11-29T12:00:00Z', timezone: 'Europe/Berlin' };
    expect(templates.render('supportive-note', { ...vars, grieving }).text).toContain('until Sunday 29 November');
    expect(templates.render('supportive-note', { ...vars, grieving, locale: 'de' }).text).toContain('Bis Sonntag, 29. November, passiert');
    expect(templates.render('supportive-note', { ...vars, grieving, locale: 'fr' }).text).toContain('avant le dimanche 29 novembre');
  });

  it('writes in English when no locale is given (sequences from before locales)', () => {
    const vars = varsFor('check-in');
    expect(vars.locale).toBeUndefined();
    expect(templates.render('check-in', vars).text).toContain('Hi Ada,');
  });
});
