import { describe, expect, it } from 'vitest';
import { describeProblems, parseRejectionDocument, rejectionJsonSchema, type FieldProblem } from '../../workflows/input';
import { DEFAULT_POLICY } from '../../workflows/policy';
import { rejectionDocument } from '../helpers/fixtures';

const valid = rejectionDocument();
const candidate = valid.candidate;
const interviewer = { name: 'Grace Hopper', email: 'grace@acme.example.com' };

/** The problems of an invalid document; fails the test when the document is accepted. */
function problemsOf(document: unknown): FieldProblem[] {
  const result = parseRejectionDocument(document);
  if (result.ok) throw new Error('the document was accepted');
  return result.problems;
}

describe('parseRejectionDocument: a valid document', () => {
  it('is accepted, with the default policy when it overrides nothing', () => {
    const result = parseRejectionDocument(valid);
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.input.rejection).toMatchObject({ id: 'acme-eng-4711', company: 'Acme Analytics', candidate: { email: 'ada@example.com' } });
    const { publicHolidays, ...policy } = result.input.policy;
    expect(policy).toEqual(DEFAULT_POLICY);
    expect(Object.keys(publicHolidays ?? {})).toEqual(['GB']); // holidays: "auto", everyone in Europe/London
    expect(result.input.policy.grievingPeriod).toBe('2 days');
    expect(result.input.rejection).not.toHaveProperty('policy');
  });

  it('fills in the defaults around the settings it overrides', () => {
    const result = parseRejectionDocument({ ...valid, policy: { checkInCount: 2, sendWindow: { start: '10:00' } } });
    if (!result.ok) throw new Error(describeProblems(result.problems));
    expect(result.input.policy.checkInCount).toBe(2);
    expect(result.input.policy.sendWindow).toEqual({ days: ['mon', 'tue', 'wed', 'thu', 'fri'], start: '10:00', end: '17:00' });
    expect(result.input.policy.grievingPeriod).toBe(DEFAULT_POLICY.grievingPeriod);
  });

  it('trims surrounding whitespace off names', () => {
    const result = parseRejectionDocument({ ...valid, candidate: { ...candidate, name: '  Ada Lovelace \n' } });
    if (!result.ok) throw new Error(describeProblems(result.problems));
    expect(result.input.rejection.candidate.name).toBe('Ada Lovelace');
  });

  it('accepts a linkedin.com profile over https and an offset other than Z', () => {
    const result = parseRejectionDocument({
      ...valid,
      candidate: { ...candidate, linkedinUrl: 'https://www.linkedin.com/in/ada' },
      recruiter: { name: 'Katherine Johnson', email: 'katherine@acme.example.com', linkedinUrl: 'https://linkedin.com/in/kj' },
      rejectedAt: '2026-11-24T21:00:00+05:30',
    });
    expect(result.ok).toBe(true);
  });
});

describe('parseRejectionDocument: each invalid field is refused by name', () => {
  it('a missing field is "required"', () => {
    const problems = problemsOf({ ...valid, candidate: { name: 'Ada Lovelace', timezone: 'Europe/London' } });
    expect(describeProblems(problems)).toBe('candidate.email: is required');
    expect(describeProblems(problemsOf({ ...valid, rejectedAt: undefined }))).toBe('rejectedAt: is required');
  });

  it.each<[string, Record<string, unknown>, string, RegExp]>([
    ['a bad email', { candidate: { ...candidate, email: 'ada.example.com' } }, 'candidate.email', /email/],
    ['an email with a header in it', { interviewers: [{ ...interviewer, email: 'grace@acme.example.com\r\nBcc: x@evil.example' }] }, 'interviewers[0].email', /email/],
    ['an unknown time zone', { candidate: { ...candidate, timezone: 'Mars/Olympus_Mons' } }, 'candidate.timezone', /time zone/],
    ["an unknown interviewer's time zone", { interviewers: [{ ...interviewer, timezone: 'GMT+25' }] }, 'interviewers[0].timezone', /time zone/],
    ['a duration without a unit', { policy: { grievingPeriod: '10' } }, 'policy.grievingPeriod', /duration/],
    ['an unknown unit', { policy: { feedbackWait: '2 fortnights' } }, 'policy.feedbackWait', /duration/],
    ['a bad touchpoint', { policy: { touchpointsAfter: ['30 days', '-1 day'] } }, 'policy.touchpointsAfter[1]', /duration/],
    ['no interviewers', { interviewers: [] }, 'interviewers', /at least one/],
    ['a date-time without offset', { rejectedAt: '2026-11-24T15:30:00' }, 'rejectedAt', /time zone/],
    ['a date without a time', { rejectedAt: '2026-11-24' }, 'rejectedAt', /date-time/],
    ['linkedinUrl over http', { candidate: { ...candidate, linkedinUrl: 'http://www.linkedin.com/in/ada' } }, 'candidate.linkedinUrl', /https/],
    ['linkedinUrl elsewhere', { candidate: { ...candidate, linkedinUrl: 'https://evil.example.com/in/ada' } }, 'candidate.linkedinUrl', /linkedin/],
    ['linkedinUrl on a look-alike host', { recruiter: { name: 'K J', email: 'kj@acme.example.com', linkedinUrl: 'https://linkedin.com.evil.example/in/kj' } }, 'recruiter.linkedinUrl', /linkedin/],
    ['a send window that starts after it ends', { policy: { sendWindow: { start: '18:00', end: '09:00' } } }, 'policy.sendWindow.end', /start must be before end/],
    ['a send window of no time', { policy: { sendWindow: { start: '09:00', end: '09:00' } } }, 'policy.sendWindow.end', /start must be before end/],
    ['a clock time past 24:00', { policy: { sendWindow: { end: '24:30' } } }, 'policy.sendWindow.end', /HH:MM/],
    ['an id with a slash', { id: '../etc/passwd' }, 'id', /letters, digits/],
  ])('%s', (_label, override, field, problem) => {
    const problems = problemsOf({ ...valid, ...override });
    expect(problems).toHaveLength(1);
    expect(problems[0]?.field).toBe(field);
    expect(problems[0]?.problem).toMatch(problem);
    expect(describeProblems(problems)).toMatch(new RegExp(`^${field.replace(/[.[\]]/g, '\\$&')}: `));
  });

  it.each([
    ['a CRLF header injection', 'Ada Lovelace\r\nBcc: victim@example.com'],
    ['a bare line feed', 'Ada\nLovelace'],
    ['a tab', 'Ada\tLovelace'],
    ['a NUL', 'Ada\u0000Lovelace'],
    ['a Unicode line separator', 'Ada\u2028Lovelace'],
  ])('names with %s are refused wherever they go into a header', (_label, badName) => {
    const fields = (document: Record<string, unknown>) => problemsOf({ ...valid, ...document }).map((problem) => problem.field);
    expect(fields({ candidate: { ...candidate, name: badName } })).toEqual(['candidate.name']);
    expect(fields({ interviewers: [interviewer, { ...interviewer, name: badName }] })).toEqual(['interviewers[1].name']);
    expect(fields({ recruiter: { name: badName, email: 'kj@acme.example.com' } })).toEqual(['recruiter.name']);
    expect(fields({ company: `Acme${badName}` })).toEqual(['company']);
    expect(problemsOf({ ...valid, candidate: { ...candidate, name: badName } })[0]?.problem).toMatch(/control characters/);
  });

  it('names unknown keys, at the top level and in the policy', () => {
    const problems = problemsOf({ ...valid, salary: 100, policy: { grievingPeriodd: '3 days' } });
    expect(problems).toEqual(
      expect.arrayContaining([
        { field: 'salary', problem: 'is not a known field' },
        { field: 'policy.grievingPeriodd', problem: 'is not a known field' },
      ]),
    );
    expect(problems).toHaveLength(2);
  });

  it('lists every problem of a document, one line each', () => {
    const problems = problemsOf({ ...valid, company: '', interviewers: [], rejectedAt: 'yesterday' });
    expect(problems.map((problem) => problem.field).sort()).toEqual(['company', 'interviewers', 'rejectedAt']);
    expect(describeProblems(problems).split('\n')).toHaveLength(3);
  });

  it('refuses things that are not documents at all', () => {
    expect(problemsOf(null).length).toBeGreaterThan(0);
    expect(problemsOf('{"id": "x"}').length).toBeGreaterThan(0);
    expect(problemsOf([]).length).toBeGreaterThan(0);
  });
});

describe('rejectionJsonSchema', () => {
  const schema = rejectionJsonSchema();

  it('requires the fields every rejection needs and refuses unknown ones', () => {
    expect(schema.type).toBe('object');
    expect(schema.required).toEqual(expect.arrayContaining(['id', 'candidate', 'company', 'role', 'interviewers', 'rejectedAt']));
    expect(schema.required).not.toContain('policy');
    expect(schema.required).not.toContain('recruiter');
    expect(schema.additionalProperties).toBe(false);
  });

  it('describes the policy with its settings and defaults', () => {
    const properties = schema.properties as Record<string, { properties?: Record<string, { default?: unknown }> }>;
    expect(properties.policy?.properties?.grievingPeriod?.default).toBe('2 days');
    expect(JSON.parse(JSON.stringify(schema))).toEqual(schema);
  });
});
