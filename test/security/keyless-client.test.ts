import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli';
import { ROOT } from '../helpers/processes';

/**
 * A client without payload keys (no ONWARD_CODEC_KEYS, no `onward dev` key for this server) wrote a sequence's personal
 * data in clear, exited 0 and said nothing (issue 11). `onward start` and `onward import` now refuse before they
 * connect, unless told --insecure-plaintext. No server listens at the address: a refusal that comes first never
 * reaches "Cannot reach the Temporal server".
 */
const NO_KEYS = { TEMPORAL_ADDRESS: '127.0.0.1:1', ONWARD_CODEC_KEYS: '', ONWARD_CODEC_ACTIVE_KEY: '' };
const rejection = path.join(ROOT, 'examples', 'rejection.json');

describe('a client without payload keys', () => {
  it('`onward start` refuses to write in clear, naming ONWARD_CODEC_KEYS and the flag', async () => {
    const result = await runCli(['start', rejection], NO_KEYS);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('ONWARD_CODEC_KEYS is not set');
    expect(result.stderr).toContain('--insecure-plaintext');
    expect(result.stderr).not.toContain('Cannot reach');
  });

  it('`onward import` refuses too', async () => {
    const csv = path.join(mkdtempSync(path.join(tmpdir(), 'onward-keyless-')), 'rejections.csv');
    writeFileSync(csv, 'id,candidate.name,candidate.email,candidate.timezone,company,role,rejectedAt,interviewers[0].name,interviewers[0].email\n' +
      'keyless-1,Ada Lovelace,ada@example.com,UTC,Acme,Engineer,2026-11-20T10:00:00Z,Grace Hopper,grace@acme.example.com\n');
    const result = await runCli(['import', csv], NO_KEYS);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('ONWARD_CODEC_KEYS is not set');
  });

  it('goes on with --insecure-plaintext, and warns', async () => {
    const result = await runCli(['start', rejection, '--insecure-plaintext'], NO_KEYS);
    expect(result.stderr).toContain('warning: --insecure-plaintext: payloads are written in clear');
    expect(result.stderr).toContain('Cannot reach the Temporal server at 127.0.0.1:1');
  });

  it('with keys, needs no flag', async () => {
    const result = await runCli(['start', rejection], { ...NO_KEYS, ONWARD_CODEC_KEYS: `k1:${Buffer.alloc(32, 3).toString('base64')}` });
    expect(result.stderr).not.toContain('ONWARD_CODEC_KEYS is not set');
    expect(result.stderr).toContain('Cannot reach the Temporal server');
  });
});
