import { WorkflowNotFoundError } from '@temporalio/common';
import { describe, expect, test } from 'vitest';
import { createMemorySuppressionList } from '../../activities/suppression';
import { verifyUnsubscribeToken } from '../../activities/unsubscribe-token';
import { CandidateSuppressedError, startSequence } from '../../client/sequences';
import { optOutUpdate, workflowIdFor } from '../../workflows/definitions';
import { parseRejectionDocument } from '../../workflows/input';
import { rejectionDocument } from '../helpers/fixtures';
import { useTimeSkipping, type Delivered, type WorkerLogEntry } from '../helpers/time-skipping';

const SECRET = 'workflow-test-unsubscribe-secret-0123456789';
const PUBLIC_URL = 'https://onward.example.com';
const suppressions = createMemorySuppressionList();
const workerLog: WorkerLogEntry[] = [];
const harness = useTimeSkipping({
  dependencies: () => ({ suppressions, unsubscribe: { secret: SECRET, publicUrl: PUBLIC_URL } }),
  onLog: (entry) => workerLog.push(entry),
});

/** A header as the message carried it (unfolded), from the raw message. */
function header(mail: Delivered, name: string): string | undefined {
  const head = mail.raw.split(/\r?\n\r?\n/)[0]?.replace(/\r?\n[ \t]+/g, ' ') ?? '';
  const line = head.split(/\r?\n/).find((candidate) => candidate.toLowerCase().startsWith(`${name.toLowerCase()}:`));
  return line?.slice(name.length + 1).trim();
}

describe('the suppression list and List-Unsubscribe', () => {
  test('a suppressed interviewer gets nothing (skipped: opted out), the rest goes on; the candidate can unsubscribe in one click', async () => {
    const { advanceTo, attempts, start } = harness();
    await advanceTo(1, '14:00', 'Europe/London');
    const optedOut = 'alan.opted-out@acme.example.com';
    await suppressions.suppress('Alan.Opted-Out@ACME.example.com', 'asked by email');
    const sequence = await start({
      id: 'ts-suppressed-interviewer',
      document: {
        interviewers: [
          { name: 'Grace Hopper', email: 'grace@acme.example.com', title: 'Head of Engineering' },
          { name: 'Alan Turing', email: optedOut },
        ],
      },
      policy: { checkInCount: 2, touchpointsAfter: ['30 days'] },
    });

    const outcome = await sequence.handle.result();
    expect(outcome).toEqual({ stage: 'completed', sent: 10, failed: 0, skipped: 1 });

    const status = await sequence.status();
    const skipped = sequence.entry(status, 'thank-you:2');
    expect(skipped).toMatchObject({ status: 'skipped', to: optedOut, note: 'the recipient opted out' });
    expect(skipped.error).toBeUndefined();
    expect(status.log.map((line) => line.event)).toContain('thank-you:2 skipped: the recipient opted out');
    // Refused before the mailer: never handed to SMTP, and not retried.
    expect(attempts(sequence.messageIdOf('thank-you:2'))).toBe(0);
    expect(sequence.mails().filter((mail) => mail.to.includes(optedOut))).toEqual([]);
    expect(status.timeline.filter((entry) => entry.key !== 'thank-you:2').every((entry) => entry.status === 'sent')).toBe(true);

    // Every email to the candidate carries a one-click unsubscribe link for this address and this sequence ...
    const candidate = sequence.input.rejection.candidate.email;
    const toCandidate = sequence.mails().filter((mail) => mail.to.includes(candidate));
    expect(toCandidate.map((mail) => mail.step)).toContain('supportive-note');
    for (const mail of toCandidate) {
      expect(header(mail, 'List-Unsubscribe-Post'), mail.step).toBe('List-Unsubscribe=One-Click');
      const link = /^<(https:\/\/[^>]+)>$/.exec(header(mail, 'List-Unsubscribe') ?? '')?.[1];
      expect(link, mail.step).toBeDefined();
      const url = new URL(link ?? '');
      expect(`${url.origin}${url.pathname}`).toBe(`${PUBLIC_URL}/unsubscribe`);
      const token = verifyUnsubscribeToken(url.searchParams.get('token') ?? '', SECRET, Date.now());
      expect(token).toMatchObject({ ok: true, email: candidate.toLowerCase(), sequenceId: sequence.workflowId });
      if (token.ok) expect(token.expiresAt - Date.now()).toBeGreaterThan(179 * 24 * 3_600_000);
      // The same link is visible in both parts, beside the step's action links (docs/candidate-links.md).
      expect(mail.parsed.text, mail.step).toContain(`Stop these emails: ${link}`);
      expect(String(mail.parsed.html), mail.step).toContain('>Stop these emails</a>');
    }
    expect(toCandidate.find((mail) => mail.step === 'supportive-note')?.parsed.text).toMatch(new RegExp(`I'm ready: ${PUBLIC_URL}/act\\?token=u2\\.`));
    // ... and messages sent on the candidate's behalf (to interviewers and the recruiter) carry none, nor any action link.
    const toOthers = sequence.mails().filter((mail) => !mail.to.includes(candidate));
    expect(toOthers.length).toBeGreaterThan(0);
    for (const mail of toOthers) {
      expect(header(mail, 'List-Unsubscribe'), mail.step).toBeUndefined();
      expect(`${mail.parsed.text} ${String(mail.parsed.html)}`, mail.step).not.toContain('token');
    }
  });

  test('an opt-out holds for every sequence: the candidate is put on the suppression list, and her other running sequence sends nothing', async () => {
    const { advanceTo, start } = harness();
    await advanceTo(1, '14:00', 'Europe/London');
    const candidate = { name: 'Mary Jackson', email: 'mary@example.com', timezone: 'Europe/London' };
    const first = await start({ id: 'ts-opt-out-first', document: { candidate } });
    // Another rejection of the same candidate, already running when she opts out of the first.
    const second = await start({ id: 'ts-opt-out-second', document: { candidate }, policy: { checkInCount: 1, touchpointsAfter: [] } });
    expect(await suppressions.isSuppressed(candidate.email)).toBe(false);
    await first.handle.executeUpdate(optOutUpdate, { args: [{ reason: 'asked to stop' }] });
    expect((await first.handle.result()).stage).toBe('opted-out');
    expect(await suppressions.isSuppressed(candidate.email)).toBe(true);
    expect((await first.status()).log.map((line) => line.event)).toContain("the candidate's address is on the suppression list");

    // The second sequence sends her nothing, and nothing in her name to the interviewers or the recruiter either.
    await second.handle.result();
    const status = await second.status();
    const toHer = status.timeline.filter((entry) => entry.to === candidate.email);
    expect(toHer.length).toBeGreaterThan(0);
    for (const entry of toHer) expect([entry.key, entry.status, entry.note]).toEqual([entry.key, 'skipped', 'the recipient opted out']);
    const inHerName = status.timeline.filter((entry) => entry.to !== candidate.email);
    expect(inHerName.length).toBeGreaterThan(0);
    for (const entry of inHerName) expect([entry.key, entry.status, entry.note]).toEqual([entry.key, 'skipped', 'the candidate opted out: nothing goes out in her name']);
    expect(second.mails()).toEqual([]);
  });

  test("nothing goes out in an opted-out candidate's name: her thank-you notes, feedback request and touchpoints are skipped", async () => {
    const { advanceTo, attempts, start } = harness();
    await advanceTo(1, '14:00', 'Europe/London');
    const candidate = { name: 'Dorothy Vaughan', email: 'dorothy@example.com', timezone: 'Europe/London' };
    const sequence = await start({ id: 'ts-candidate-suppressed-midway', document: { candidate }, policy: { checkInCount: 1, touchpointsAfter: ['30 days'] } });
    // She opts out elsewhere (another sequence, or `onward suppression add`) while this one is grieving.
    await suppressions.suppress(candidate.email, 'opted out of another sequence');
    const outcome = await sequence.handle.result();
    expect(outcome.sent).toBe(0);

    const status = await sequence.status();
    const inHerName = ['thank-you:1', 'thank-you:2', 'feedback-request', 'other-openings', 'touchpoint:1'];
    for (const key of inHerName) {
      expect(sequence.entry(status, key), key).toMatchObject({ status: 'skipped', note: 'the candidate opted out: nothing goes out in her name' });
      expect(attempts(sequence.messageIdOf(key)), key).toBe(0);
    }
    for (const entry of status.timeline.filter((line) => line.to === candidate.email)) {
      expect([entry.key, entry.status, entry.note]).toEqual([entry.key, 'skipped', 'the recipient opted out']);
    }
    expect(sequence.mails()).toEqual([]);

    // Each refusal is one line in the worker's log, never a warning with a stack trace.
    const aboutThankYou = workerLog.filter((entry) => entry.message.includes('thank-you:1') || JSON.stringify(entry.meta ?? {}).includes('thank-you:1'));
    expect(aboutThankYou.map((entry) => [entry.level, entry.message])).toContainEqual(['INFO', 'thank-you:1 not sent: the candidate opted out: nothing goes out in her name (suppression list)']);
    const warnings = workerLog.filter((entry) => (entry.level === 'WARN' || entry.level === 'ERROR') && entry.meta?.workflowId === sequence.workflowId);
    expect(warnings).toEqual([]);
  });

  test('a new sequence for a suppressed candidate is refused at start, with the reason, and nothing is started', async () => {
    const { env, taskQueue } = harness();
    const list = createMemorySuppressionList();
    await list.suppress('katherine@example.com', 'asked to stop');
    const parsed = parseRejectionDocument(
      rejectionDocument({ id: 'ts-refused-at-start', candidate: { name: 'Katherine Johnson', email: 'Katherine@Example.com', timezone: 'Europe/London' } }),
    );
    if (!parsed.ok) throw new Error('fixture is invalid');
    const refusal = await startSequence(env.client, taskQueue, parsed.input, { suppressions: list }).catch((error: unknown) => error);
    expect(refusal).toBeInstanceOf(CandidateSuppressedError);
    expect((refusal as Error).message).toBe('candidate.email: is on the suppression list (the candidate opted out): no sequence is started for this address');
    await expect(env.client.workflow.getHandle(workflowIdFor('ts-refused-at-start')).describe()).rejects.toBeInstanceOf(WorkflowNotFoundError);
  });
});
