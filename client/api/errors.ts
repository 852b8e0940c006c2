import type { FieldProblem } from '../../workflows/input';

/**
 * An HTTP error with its problems, answered as `{ "errors": [{ "field": ..., "problem": ... }] }`.
 * Fields name the JSON path of the bad value (`candidate.email`), a header (`authorization`), or, in
 * parentheses, something that is not a field: `(document)`, `(body)`, `(sequence)`, `(request)`.
 */
export class ApiError extends Error {
  override name = 'ApiError';
  constructor(
    readonly statusCode: number,
    readonly problems: FieldProblem[],
  ) {
    super(problems.map(({ field, problem }) => `${field}: ${problem}`).join('; '));
  }
}

export const badRequest = (problems: FieldProblem[]) => new ApiError(400, problems);
export const unauthorized = (problem: string) => new ApiError(401, [{ field: 'authorization', problem }]);
export const forbidden = (field: string, problem: string) => new ApiError(403, [{ field, problem }]);
export const notFound = (field: string, problem: string) => new ApiError(404, [{ field, problem }]);
export const conflict = (field: string, problem: string) => new ApiError(409, [{ field, problem }]);

/** The JSON body of every error answer. */
export interface ErrorBody {
  errors: FieldProblem[];
}
