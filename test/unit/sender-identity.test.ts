import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, test } from 'vitest';
import { readSenderDirectory, tenantOfSequence } from '../../activities/sender-identity';
import { readWorkerConfig } from '../../worker/config';
import { problemsOf, useWorkerConfigScratch } from '../helpers/worker-config';

const { scratch, base } = useWorkerConfigScratch('onward-senders-');

/** A senders file in the scratch directory. */
function sendersFile(name: string, content: unknown): string {
  const file = path.join(scratch, name);
  writeFileSync(file, typeof content === 'string' ? content : JSON.stringify(content));
  return file;
}

describe('sender identities: one per tenant, resolved from the workflow id', () => {
  test('the tenant is the prefix of `<tenant>:rejection-<id>`; the CLI’s `rejection-<id>` has none', () => {
    expect(tenantOfSequence('acme:rejection-4711')).toBe('acme');
    expect(tenantOfSequence('rejection-4711')).toBeUndefined();
    expect(tenantOfSequence('acme:other-4711')).toBeUndefined();
  });

  test('a file of tenants, with the single-user variables as the default for everyone else', () => {
    const file = sendersFile('good.json', { acme: { name: 'Acme Careers', replyTo: 'coach@acme.example', accentColor: '#112233' } });
    const { ONWARD_SENDERS_FILE, senders } = readWorkerConfig({ ...base, ONWARD_SENDERS_FILE: file, ONWARD_SENDER_NAME: 'Sam Coach', ONWARD_SENDER_SIGNATURE: 'Coach\\nSam & Co' });
    expect(ONWARD_SENDERS_FILE).toBe(file);
    expect(senders?.identityFor('acme:rejection-1')).toEqual({ name: 'Acme Careers', replyTo: 'coach@acme.example', accentColor: '#112233' });
    // A tenant the file does not list, and a sequence without a tenant: the default identity.
    expect(senders?.identityFor('globex:rejection-1')).toEqual({ name: 'Sam Coach', signature: 'Coach\nSam & Co' });
    expect(senders?.identityFor('rejection-1')).toEqual({ name: 'Sam Coach', signature: 'Coach\nSam & Co' });
  });

  test('nothing configured: Onward, as before', () => {
    expect(readWorkerConfig(base).senders?.identityFor('acme:rejection-1')).toEqual({ name: 'Onward' });
  });

  test('a bad file stops the worker, naming the tenant and the field of each problem', () => {
    const file = sendersFile('bad.json', {
      acme: { name: '', logoUrl: 'http://acme.example/logo.png', accentColor: 'red' },
      globex: { name: 'Globex', replyTo: 'not-an-address', colour: '#123456' },
      'bad tenant': { name: 'X' },
    });
    const message = problemsOf({ ...base, ONWARD_SENDERS_FILE: file });
    expect(message).toContain(`ONWARD_SENDERS_FILE: ${file}: acme.name: must not be empty`);
    expect(message).toContain('acme.logoUrl: must be an https:// URL');
    expect(message).toContain('acme.accentColor: must be a colour written #rrggbb');
    expect(message).toContain('globex.replyTo: must be an email address');
    expect(message).toContain('globex: has unknown field(s) colour');
    expect(message).toContain('bad tenant: must be a tenant name');
  });

  test('a missing file, a file that is not JSON, and one that is not an object of tenants', () => {
    expect(problemsOf({ ...base, ONWARD_SENDERS_FILE: path.join(scratch, 'absent.json') })).toMatch(/ONWARD_SENDERS_FILE: .*absent\.json does not exist or cannot be read/);
    expect(problemsOf({ ...base, ONWARD_SENDERS_FILE: sendersFile('broken.json', '{ "acme": ') })).toMatch(/broken\.json is not valid JSON/);
    expect(problemsOf({ ...base, ONWARD_SENDERS_FILE: sendersFile('list.json', [{ name: 'Acme' }]) })).toMatch(/list\.json: must be an object of tenants/);
  });

  test('the single-user variables are checked like the file’s fields', () => {
    const message = problemsOf({ ...base, ONWARD_SENDER_REPLY_TO: 'coach', ONWARD_SENDER_LOGO_URL: 'http://x.example/l.png', ONWARD_SENDER_ACCENT_COLOR: '#12345' });
    expect(message).toContain('ONWARD_SENDER_REPLY_TO: must be an email address');
    expect(message).toContain('ONWARD_SENDER_LOGO_URL: must be an https:// URL');
    expect(message).toContain('ONWARD_SENDER_ACCENT_COLOR: must be a colour written #rrggbb');
  });

  test('the file is read as is: its other content is never quoted in a problem', () => {
    const file = sendersFile('secretish.json', { acme: { name: 'Acme', replyTo: 'private-coach-address' } });
    const { problems } = readSenderDirectory({ ONWARD_SENDERS_FILE: file });
    expect(problems.map((problem) => problem.problem).join('\n')).not.toContain('private-coach-address');
  });
});
