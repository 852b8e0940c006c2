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
function varsFor(kind: StepKind, document: Partial<RejectionDocument> = {}, feedback: FeedbackEntry[] = FEEDBACK): TemplateVars {
  const context: MessageContext = {
    rejection: sequenceInput(document).rejection,
    feedback,
    progress: [
      { applications: 3, interviews: 1, reportedAt: '2026-12-03T10:00:00Z' },
      { applications: 2, interviews: 0, reportedAt: '2026-12-10T10:00:00Z' },
    ],
    checkInCount: 6,
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
      // The congratulations is about the new job, not the old role.
      expect(body).toContain('Acme Analytics');
      if (kind !== 'congratulations') expect(body).toContain('Senior Data Engineer');
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
      expect(body).toContain('5 applications');
      expect(body).toContain('1 interviews');
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

  it.each(['touchpoint.html', 'feedback-request.txt'])('refuses to start when %s is missing, naming it', (file) => {
    const directory = copyOfDefaults();
    unlinkSync(path.join(directory, file));
    expect(() => loadTemplates(directory)).toThrow(path.join(directory, file));
  });

  it('refuses a text template without a subject line, naming it', () => {
    const directory = copyOfDefaults();
    writeFileSync(path.join(directory, 'thank-you.txt'), 'Dear {{recipient.firstName}},\n');
    expect(() => loadTemplates(directory)).toThrow(/thank-you\.txt.*Subject/);
  });

  it('refuses a template that does not compile, naming it', () => {
    const directory = copyOfDefaults();
    writeFileSync(path.join(directory, 'check-in.html'), '<p>{{#each feedback}}{{text}}</p>');
    expect(() => loadTemplates(directory)).toThrow(/check-in\.html/);
  });

  it('uses edited templates from the directory', () => {
    const directory = copyOfDefaults();
    writeFileSync(path.join(directory, 'touchpoint.txt'), 'Subject: Hello from {{company}}\n\nHi {{recipient.firstName}}\n');
    const email = loadTemplates(directory).render('touchpoint', varsFor('touchpoint'));
    expect(email.subject).toBe('Hello from Acme Analytics');
    expect(email.text).toBe('Hi Katherine\n');
  });
});
