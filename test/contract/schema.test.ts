import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseRejectionDocument, rejectionJsonSchema } from '../../workflows/input';

describe('the published JSON Schema', () => {
  it('is the schema the validation uses (regenerate with `npx onward schema > schema/rejection.schema.json`)', () => {
    const published: unknown = JSON.parse(readFileSync(path.resolve(__dirname, '..', '..', 'schema', 'rejection.schema.json'), 'utf8'));
    expect(published).toEqual(rejectionJsonSchema());
  });

  it('is what the example points editors at, and the example is valid', () => {
    const example = JSON.parse(readFileSync(path.resolve(__dirname, '..', '..', 'examples', 'rejection.json'), 'utf8')) as { $schema: string };
    expect(example.$schema).toBe('../schema/rejection.schema.json');
    expect(parseRejectionDocument(example).ok).toBe(true);
  });
});
