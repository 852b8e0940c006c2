import { z } from 'zod';
import type { ResolvedPolicy } from './policy';
import { POLICY_DEFAULTS } from './policy-defaults';
import { resolvePublicHolidays, withCountries } from './public-holidays';
import { rejectionSchema, type Rejection } from './rejection';

/** What a sequence workflow starts with: the validated rejection and the policy resolved at start. */
export interface SequenceInput {
  rejection: Rejection;
  policy: ResolvedPolicy;
}

/** A field that failed validation, and why. */
export interface FieldProblem {
  field: string;
  problem: string;
}

export type ParseResult = { ok: true; input: SequenceInput } | { ok: false; problems: FieldProblem[] };

// An unknown key can be anything, "" or control characters included: such a key is quoted, its oddities escaped.
const PLAIN_KEY = /^[A-Za-z_$][\w$-]*$/;
const quoteKey = (key: string) =>
  `[${JSON.stringify(key).replace(/[\p{C}\p{Z}]/gu, (char) => (char === ' ' ? ' ' : `\\u${char.codePointAt(0)?.toString(16).padStart(4, '0')}`))}]`;

function fieldName(path: readonly PropertyKey[]): string {
  return path.reduce<string>((name, part) => {
    if (typeof part === 'number') return `${name}[${part}]`;
    const key = String(part);
    if (!PLAIN_KEY.test(key)) return `${name}${quoteKey(key)}`;
    return name ? `${name}.${key}` : key;
  }, '');
}

const TYPE_NAMES: Record<string, string> = { string: 'text', number: 'a number', boolean: 'true or false', array: 'a list', object: 'an object' };

function problemsOf(issues: readonly z.core.$ZodIssue[]): FieldProblem[] {
  return issues.flatMap((issue): FieldProblem[] => {
    const field = fieldName(issue.path) || '(document)';
    if (issue.code === 'invalid_union') {
      // "auto" or a list: when the value is a list, name the bad entry (`policy.holidays[0]`), not the whole field.
      const inside = issue.errors.find((option) => option.length > 0 && option.every((inner) => inner.path.length > 0));
      if (inside) return problemsOf(inside.map((inner) => ({ ...inner, path: [...issue.path, ...inner.path] })));
      return [{ field, problem: issue.message }];
    }
    if (issue.code === 'unrecognized_keys') {
      return issue.keys.map((key) => ({ field: fieldName([...issue.path, key]), problem: 'is not a known field' }));
    }
    if (issue.code === 'invalid_type') {
      if (issue.input === undefined) return [{ field, problem: 'is required' }];
      return [{ field, problem: `must be ${TYPE_NAMES[issue.expected] ?? issue.expected}` }];
    }
    return [{ field, problem: issue.message }];
  });
}

/** Validates a rejection document (from a file, the API or an ATS) and resolves its policy against the defaults. */
export function parseRejectionDocument(document: unknown): ParseResult {
  const parsed = rejectionSchema.safeParse(document, { reportInput: true });
  if (!parsed.success) return { ok: false, problems: problemsOf(parsed.error.issues) };
  // eslint-disable-next-line @typescript-eslint/no-unused-vars -- `$schema` is for editors only
  const { policy: given, $schema, ...validated } = parsed.data;
  const policy = given ?? structuredClone(POLICY_DEFAULTS);
  // Public holidays are resolved here, at start, into plain dates: the workflow never loads date-holidays.
  const rejection = withCountries(validated);
  const publicHolidays = resolvePublicHolidays(rejection, policy);
  return { ok: true, input: { rejection, policy: publicHolidays ? { ...policy, publicHolidays } : policy } };
}

/** One line per problem, e.g. `candidate.email: must be a valid email address`. */
export function describeProblems(problems: FieldProblem[]): string {
  return problems.map(({ field, problem }) => `${field}: ${problem}`).join('\n');
}

/** The rejection document's JSON Schema, for editors and other languages. */
export function rejectionJsonSchema(): Record<string, unknown> {
  return z.toJSONSchema(rejectionSchema, { io: 'input', unrepresentable: 'any' });
}
