import { readFileSync } from 'node:fs';
import { decodeUtf8, InvalidUtf8Error } from './utf8';
import { describeProblems, parseRejectionDocument, type SequenceInput } from '../workflows/input';

export class InvalidRejectionError extends Error {
  override name = 'InvalidRejectionError';
}

/** Reads and validates a rejection file; every problem is named by its field before anything starts. */
export function readRejectionFile(file: string): SequenceInput {
  let bytes: Buffer;
  try {
    bytes = readFileSync(file);
  } catch (error) {
    throw new InvalidRejectionError(`${file}: cannot be read (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`);
  }
  let text: string;
  try {
    text = decodeUtf8(bytes);
  } catch (error) {
    if (error instanceof InvalidUtf8Error) throw new InvalidRejectionError(`${file}: ${error.message}`);
    throw error;
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
