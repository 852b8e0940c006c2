import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { columnPath } from '../../client/import-columns';
import { ImportFileError, rowsFromCsv } from '../../client/import';
import { parseRejectionDocument } from '../../workflows/input';
import { runCli } from '../helpers/cli';

/**
 * Attacks through the CSV import (`onward import`, `POST /imports`; issue 11, findings 1, 2 and 11): a column named
 * to reach Object.prototype, an array index that makes a tiny file take minutes, and bytes that are not UTF-8.
 */
const HEADER = 'id,candidate.name,candidate.email,candidate.timezone,company,role,rejectedAt,interviewers[0].name,interviewers[0].email';
const ROW = 'csv-1,Ada Lovelace,ada@example.com,Europe/London,Acme,Engineer,2026-11-20T10:00:00Z,Grace Hopper,grace@acme.example.com';
const polluted = () => Object.keys(Object.prototype).concat(Object.getOwnPropertyNames(Object.prototype).filter((name) => name.startsWith('pwn')));

describe('CSV import: prototype pollution', () => {
  afterEach(() => {
    // Should a test ever pollute, the next ones must not inherit it.
    for (const name of polluted()) delete (Object.prototype as Record<string, unknown>)[name];
  });

  for (const column of ['policy.constructor.prototype.pwnjs', '__proto__.pwnjs', 'candidate.__proto__.pwnjs', 'constructor.prototype.pwnjs', 'interviewers[0].__proto__.pwnjs']) {
    it(`refuses the column "${column}", naming it, and Object.prototype stays clean`, () => {
      const attempt = () => rowsFromCsv(`${HEADER},${column}\n${ROW},alert(document.cookie)\n`);
      expect(attempt).toThrow(ImportFileError);
      expect(attempt).toThrow(column);
      expect(polluted()).toEqual([]);
      expect(({} as Record<string, unknown>).pwnjs).toBeUndefined();
    });
  }

  it('accepts every known field path, hyphenated policy keys included, and builds rows without a prototype', () => {
    const [row] = rowsFromCsv(`${HEADER},interviewers[1].name,interviewers[1].email,policy.delivery.thank-you,policy.grievingPeriod\n${ROW},Ken,ken@acme.example.com,approve,3 days\n`);
    expect(row?.document).toBeDefined();
    expect(Object.getPrototypeOf(row?.document)).toBeNull();
    const parsed = parseRejectionDocument(row?.document);
    expect(parsed.ok && parsed.input.policy.delivery['thank-you']).toBe('approve');
    expect(parsed.ok && parsed.input.rejection.interviewers.map((person) => person.email)).toEqual(['grace@acme.example.com', 'ken@acme.example.com']);
  });

  it('refuses a field the document does not have', () => {
    expect(() => columnPath('candidate.phone')).toThrow('"candidate.phone" is not a field of the rejection document');
    expect(() => columnPath('toString')).toThrow('is not a field');
    expect(() => columnPath('hasOwnProperty')).toThrow('is not a field');
  });

  it('`onward import` answers the polluting column with a clear error, not "Getter must be a function"', async () => {
    const directory = mkdtempSync(path.join(tmpdir(), 'onward-pollution-'));
    const file = path.join(directory, 'pwn.csv');
    writeFileSync(file, `${HEADER},policy.constructor.prototype.pwnjs\n${ROW},x\n`);
    // No server at this address: the file is refused before anything connects.
    const result = await runCli(['import', file, '--insecure-plaintext'], { TEMPORAL_ADDRESS: '127.0.0.1:1' });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('column "policy.constructor.prototype.pwnjs"');
    expect(result.stderr).not.toMatch(/Getter must be a function|^\s+at /m);
  });
});

describe('CSV import: array indexes', () => {
  it('refuses an index beyond the schema maximum at once, naming the column and the limit', () => {
    const started = performance.now();
    expect(() => rowsFromCsv(`${HEADER},interviewers[999999999].name\n${ROW},Mallory\n`)).toThrow(
      'column "interviewers[999999999].name": index 999999999 is beyond the last "interviewers" (at most 20, so [0] to [19])',
    );
    expect(() => columnPath('policy.touchpointsAfter[12]')).toThrow('at most 12');
    // The unbounded version kept a request busy for 94 s; a refusal is immediate (generous bound for a loaded machine).
    expect(performance.now() - started).toBeLessThan(1_000);
  });

  it('accepts the last allowed index', () => {
    expect(columnPath('interviewers[19].email')).toEqual(['interviewers', 19, 'email']);
    expect(() => columnPath('interviewers[20].email')).toThrow('index 20 is beyond');
  });

  it('refuses an index on a field that is not a list', () => {
    expect(() => columnPath('candidate[0].name')).toThrow('"candidate" is not a list');
  });
});

describe('CSV import: invalid UTF-8', () => {
  it('`onward import` refuses a file that is not UTF-8, saying where and what to do', async () => {
    const directory = mkdtempSync(path.join(tmpdir(), 'onward-utf8-'));
    const file = path.join(directory, 'latin1.csv');
    const text = `${HEADER}\n${ROW.replace('Ada Lovelace', 'Ada \u00e9\u00e9 Lovelace')}\n`;
    writeFileSync(file, Buffer.from(text, 'latin1'));
    const result = await runCli(['import', file, '--insecure-plaintext'], { TEMPORAL_ADDRESS: '127.0.0.1:1' });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(`${file} is not valid UTF-8 (the first bad byte is at offset ${Buffer.byteLength(HEADER) + 1 + 'csv-1,Ada '.length})`);
    expect(result.stderr).toContain('save the file as UTF-8');
  });

  it('`onward start` refuses a rejection file that is not UTF-8', async () => {
    const directory = mkdtempSync(path.join(tmpdir(), 'onward-utf8-'));
    const file = path.join(directory, 'latin1.json');
    writeFileSync(file, Buffer.concat([Buffer.from('{"id": "x", "candidate": {"name": "Ada '), Buffer.from([0xe9, 0xe9]), Buffer.from(' Lovelace"}}')]));
    const result = await runCli(['start', file, '--insecure-plaintext'], { TEMPORAL_ADDRESS: '127.0.0.1:1' });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(`${file}: is not valid UTF-8`);
  });
});
