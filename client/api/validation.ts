import type { z } from 'zod';
import type { FieldProblem } from '../../workflows/input';
import { badRequest } from './errors';

// The same field naming as workflows/input.ts (`interviewers[0].email`), for bodies other than the rejection document.
function fieldName(path: readonly PropertyKey[]): string {
  return path.reduce<string>(
    (name, part) => (typeof part === 'number' ? `${name}[${part}]` : name ? `${name}.${String(part)}` : String(part)),
    '',
  );
}

export function zodProblems(error: z.ZodError, root = '(body)'): FieldProblem[] {
  return error.issues.flatMap((issue): FieldProblem[] => {
    const field = fieldName(issue.path) || root;
    if (issue.code === 'unrecognized_keys') {
      return issue.keys.map((key) => ({ field: fieldName([...issue.path, key]), problem: 'is not a known field' }));
    }
    if (issue.code === 'invalid_type' && issue.input === undefined) return [{ field, problem: 'is required' }];
    return [{ field, problem: issue.message }];
  });
}

/** Parses a value with a schema, or throws a 400 naming every bad field. */
export function parseOr400<T extends z.ZodType>(schema: T, value: unknown, root = '(body)'): z.output<T> {
  const parsed = schema.safeParse(value);
  if (!parsed.success) throw badRequest(zodProblems(parsed.error, root));
  return parsed.data;
}
