import { describe, expect, test } from 'vitest';
import type { PolicyOverrides } from '../../workflows/policy';
import { previewSequence } from '../../workflows/schedule';
import type { SequenceStatus } from '../../workflows/status';
import { eventually } from '../helpers/eventually';
import { writeUserCredentials } from '../helpers/google-fake';
import type { StartedSequence } from '../helpers/time-skipping';
import { DOCUMENT, useGoogleHarness } from './support';

const { harness, google, credentialsDir } = useGoogleHarness();

/** Runs the clock to an hour after `key` was due, and waits until the sequence has recorded it as failed. */
async function failedAnHourAfter(sequence: StartedSequence, key: string): Promise<SequenceStatus> {
  const dueAt = previewSequence(sequence.input.rejection, sequence.input.policy).find((entry) => entry.key === key)?.at ?? 0;
  await harness().advanceUntil(dueAt + 60 * 60_000);
  return eventually(async () => {
    const current = await sequence.status();
    expect(sequence.entry(current, key).status).toBe('failed');
    return current;
  }, 30_000);
}

describe('Google credentials that no longer work are permanent failures, recorded with what to fix', () => {
  test('a revoked refresh token (invalid_grant): the thank-you notes fail once, not retried, and the sequence goes on', async () => {
    const { advanceTo, start } = harness();
    const fake = google();
    // Bea connected her account, then revoked Onward's access in her Google account settings.
    writeUserCredentials(credentialsDir(), 'bea', '1//bea-revoked');
    fake.addUser('bea@example.com', '1//bea-revoked');
    fake.revoke('1//bea-revoked');
    await advanceTo(1, '14:00', 'Europe/London');
    const policy: PolicyOverrides = { channels: { email: 'gmail' }, googleAccount: 'bea', checkInCount: 1, touchpointsAfter: [] };
    const sequence = await start({ id: 'g-invalid-grant', document: { ...DOCUMENT, candidate: { ...DOCUMENT.candidate, name: 'Bea Smith', email: 'bea@example.com' } }, policy });
    const status = await failedAnHourAfter(sequence, 'thank-you:1');
    const entry = sequence.entry(status, 'thank-you:1');
    expect(entry.error).toContain('Google account "bea"');
    expect(entry.error).toContain('invalid_grant');
    expect(entry.error).toContain('`onward google auth bea`');
    expect(entry.error).not.toContain('1//bea');
    expect(status.log.map((line) => line.event).join('\n')).toContain('thank-you:1 failed: Google account "bea"');
    // Not retried (a retry would have come within the hour): one refresh at most per thank-you note (concurrent
    // refreshes of one client are shared), and no API call at all.
    const refreshes = fake.tokenRequests.filter((request) => request.refreshToken === '1//bea-revoked');
    expect(refreshes.length).toBeGreaterThanOrEqual(1);
    expect(refreshes.length).toBeLessThanOrEqual(2);
    expect(refreshes.every((request) => request.status === 400)).toBe(true);
    expect(sequence.entry(status, 'thank-you:2').status).toBe('failed');
    expect(fake.requests.filter((request) => request.path.startsWith('gmail/'))).toEqual([]);
    // The candidate's own messages (SMTP) still go out.
    expect(await sequence.handle.result()).toMatchObject({ stage: 'completed', failed: 4 });
    expect(sequence.mail('check-in:1')).toBeDefined();
  });

  test('401 even after refreshing the token: permanent, with the account to reconnect', async () => {
    const { advanceTo, start } = harness();
    const fake = google();
    writeUserCredentials(credentialsDir(), 'cy', '1//cy-token');
    fake.addUser('cy@example.com', '1//cy-token');
    fake.rejectAccessTokensOf('cy@example.com');
    await advanceTo(1, '14:00', 'Europe/London');
    const policy: PolicyOverrides = { channels: { email: 'gmail' }, googleAccount: 'cy', checkInCount: 0, touchpointsAfter: [] };
    const sequence = await start({ id: 'g-401', document: { ...DOCUMENT, candidate: { ...DOCUMENT.candidate, name: 'Cy Young', email: 'cy@example.com' } }, policy });
    const status = await failedAnHourAfter(sequence, 'thank-you:1');
    expect(sequence.entry(status, 'thank-you:1').error).toMatch(/Google account "cy".*401.*`onward google auth cy`/);
    // The client refreshed the token and tried again (two 401s per note), then gave up for good: no Temporal retry.
    const sends = fake.requests.filter((request) => request.path.endsWith('/messages/send'));
    expect(sends.length).toBe(4);
    expect(sends.every((request) => request.status === 401)).toBe(true);
    expect(fake.tokenRequests.filter((request) => request.refreshToken === '1//cy-token').every((request) => request.status === 200)).toBe(true);
  });

  test('no credentials by that name on the worker: permanent, naming the command that creates them', async () => {
    const { advanceTo, start } = harness();
    await advanceTo(1, '14:00', 'Europe/London');
    const policy: PolicyOverrides = { channels: { contactTasks: 'google-tasks' }, googleAccount: 'nobody', checkInCount: 0, touchpointsAfter: [] };
    const sequence = await start({ id: 'g-no-credentials', document: DOCUMENT, policy });
    const status = await failedAnHourAfter(sequence, 'linkedin-task');
    expect(sequence.entry(status, 'linkedin-task').error).toContain('No Google credentials "nobody" on this worker');
    expect(sequence.entry(status, 'linkedin-task').error).toContain('`onward google auth nobody`');
  });
});
