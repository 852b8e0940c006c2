import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { describeProblems, parseRejectionDocument, type FieldProblem } from '../../workflows/input';
import { arbitraries, baseDocument, combined, type MalformedCase } from './malformed';

/**
 * The bad-input barrage: thousands of generated malformed rejection documents thrown at parseRejectionDocument, the one
 * validation the CLI (`onward start`, `onward preview`) and the API use. Every one must be refused with problems that
 * name the field at fault, and nothing may throw or take long. The CLI-level check (a handful of them through
 * `onward start`: non-zero exit, nothing started) is in cli-refusals.test.ts.
 */

// ---- the property ----------------------------------------------------------------------------------------------------

const counts = new Map<string, number>();
let slowest = 0;

function checkRefused({ category, field, document }: MalformedCase): void {
  counts.set(category, (counts.get(category) ?? 0) + 1);
  const started = performance.now();
  let result: ReturnType<typeof parseRejectionDocument>;
  try {
    result = parseRejectionDocument(document);
  } catch (error) {
    throw new Error(`parseRejectionDocument threw on a ${category} case: ${(error as Error).message}`);
  }
  slowest = Math.max(slowest, performance.now() - started);
  if (result.ok) throw new Error(`a ${category} case was accepted (field ${field ?? '?'})`);
  const problems: FieldProblem[] = result.problems;
  expect(problems.length).toBeGreaterThan(0);
  for (const problem of problems) {
    expect(typeof problem.field).toBe('string');
    expect(problem.field.length, `an empty field name in ${JSON.stringify(problems)}`).toBeGreaterThan(0);
    expect(problem.problem).toMatch(/^\S/);
    expect(problem.problem).not.toMatch(/undefined|\[object Object\]|^Invalid input$/);
  }
  // The field itself, or (an object given something object-like) a field inside it.
  if (field !== undefined) {
    // An odd key (empty, spaces, control characters) is named quoted and escaped, e.g. `[" "]`.
    const quoted = (name: string) => /\["(?:[^"\\]|\\.)*"\]$/.test(name);
    const named = problems.some(
      (problem) => problem.field === field || problem.field.startsWith(`${field}.`) || problem.field.startsWith(`${field}[`) || quoted(problem.field),
    );
    expect(named, `${category}: the problems do not name ${field}: ${JSON.stringify(problems).slice(0, 300)}`).toBe(true);
  }
  expect(describeProblems(problems).split('\n').length).toBeGreaterThanOrEqual(problems.length);
}

const RUNS: Record<string, number> = {
  'wrong type': 200,
  'missing required field': 60,
  'huge string': 60,
  'control characters': 150,
  'header injection': 150,
  'bad time zone': 100,
  'bad duration': 150,
  'unknown key': 150,
  'bad email address': 100,
  'bad date-time': 100,
  'bad policy value': 75,
  'bad LinkedIn URL': 40,
  'not a document': 40,
  'values JSON cannot express': 60,
};

describe('the bad-input barrage: generated malformed rejection documents, every one refused by field', () => {
  afterAll(() => {
    const total = [...counts.values()].reduce((sum, count) => sum + count, 0);
    console.log(
      `bad-input barrage: ${total} documents refused, slowest ${slowest.toFixed(1)} ms\n` +
        [...counts.entries()].map(([category, count]) => `  ${category}: ${count}`).join('\n'),
    );
  });

  for (const [category, arbitrary] of Object.entries(arbitraries)) {
    it(`${category} (${RUNS[category] ?? 100} documents)`, () => {
      fc.assert(fc.property(arbitrary, checkRefused), { numRuns: RUNS[category] ?? 100 });
    });
  }

  it('several faults at once (200 documents)', () => {
    fc.assert(fc.property(combined, checkRefused), { numRuns: 200 });
  });

  it('counts at least 1,000 documents', () => {
    const total = [...counts.values()].reduce((sum, count) => sum + count, 0);
    expect(total).toBeGreaterThanOrEqual(1000);
  });
});

// Gaps the barrage found in workflows/input.ts, now closed.
describe('what the barrage taught the validation', () => {
  const problemsOf = (document: unknown): FieldProblem[] => {
    const result = parseRejectionDocument(document);
    return result.ok ? [] : result.problems;
  };

  it('a value of the wrong type is described as such, not as "is required"', () => {
    expect(describeProblems(problemsOf({ ...baseDocument(), company: 42 }))).not.toContain('is required');
  });

  it('an unknown key named "" still names a field', () => {
    expect(problemsOf({ ...baseDocument(), '': 1 }).every((problem) => problem.field.length > 0)).toBe(true);
  });

  // The CLI prints field names: an unknown key must not carry terminal escapes or line breaks into the output.
  it('an unknown key with control characters cannot put them into the message', () => {
    const message = describeProblems(problemsOf({ ...baseDocument(), 'x\u001b[2J\r\nfake: line': 1 }));
    expect(message).not.toMatch(/[^\P{Cc}\n]/u);
    expect(message.split('\n')).toHaveLength(1);
  });

  // Without an upper bound the schedule computes dates out of range, and a started sequence fails every workflow task.
  it('an absurdly long duration is refused', () => {
    expect(parseRejectionDocument({ ...baseDocument(), policy: { grievingPeriod: '99999999999 weeks' } }).ok).toBe(false);
  });

  // A URL of megabytes would fail the start at Temporal's payload size limit.
  it('a LinkedIn URL of megabytes is refused', () => {
    const candidate = { ...(baseDocument().candidate as object), linkedinUrl: `https://www.linkedin.com/in/${'a'.repeat(3_000_000)}` };
    expect(parseRejectionDocument({ ...baseDocument(), candidate }).ok).toBe(false);
  });

  // Bidirectional overrides cannot inject a header, but can disguise how a subject or a sender name reads.
  it('bidirectional overrides are refused in names', () => {
    expect(parseRejectionDocument({ ...baseDocument(), company: 'Acme\u202Eevil' }).ok).toBe(false);
  });

  it('a rejection dated in year 9999 is refused', () => {
    expect(describeProblems(problemsOf({ ...baseDocument(), rejectedAt: '9999-01-01T00:00:00Z' }))).toBe('rejectedAt: must be between the years 2000 and 2099');
  });
});
