import { readFileSync } from 'node:fs';
import { describeProblems, parseRejectionDocument, type SequenceInput } from '../workflows/input';

export class InvalidRejectionError extends Error {
  override name = 'InvalidRejectionError';
}

/** Reads and validates a rejection file; every problem is named by its field before anything starts. */
export function readRejectionFile(file: string): SequenceInput {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new InvalidRejectionError(`${file}: cannot be read (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`);
  }
  let document: unknown;
  try {
    document = JSON.parse(text);
  } catch (error) {
    throw new InvalidRejectionError(`${file}: is not valid JSON (${(error as Error).message})`);
  }
  const result = parseRejectionDocument(document);
  if (!result.ok) throw new InvalidRejectionError(`${file} is not a valid rejection:\n${describeProblems(result.problems).replace(/^/gm, '  ')}`);
  return result.input;
}
