import { existsSync } from 'node:fs';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { ImapFlow } from 'imapflow';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSmtpMailer } from '../../activities/mailer';
import { createMemorySuppressionList } from '../../activities/suppression';
import { loadTemplates } from '../../activities/templates';
import { serverExecutable } from '../../client/temporal-binaries';
import { startSequence } from '../../client/sequences';
import { imapMailboxFrom } from '../../worker/replies/imap-mailbox';
import { RECORDED_KEYWORD, startReplyWatcher, type ReplyWatcher } from '../../worker/replies/watcher';
import { createOnwardWorker, type OnwardWorker } from '../../worker/worker';
import { ONWARD_SEARCH_ATTRIBUTES, statusQuery } from '../../workflows/definitions';
import { parseRejectionDocument } from '../../workflows/input';
import type { rejectionFollowUp } from '../../workflows/rejection-follow-up';
import { DEMO_POLICY, type PolicyOverrides } from '../../workflows/policy';
import type { SequenceStatus } from '../../workflows/status';
import { DOVECOT, startDovecot, type TestImapServer } from '../helpers/dovecot';
import { rejectionDocument } from '../helpers/fixtures';
import { startSmtpServer, type ReceivedMail, type TestSmtpServer } from '../helpers/smtp';
import { registerSequence, stepOf } from '../helpers/steps';

const DOMAIN = 'onward.test';
const TASK_QUEUE = 'onward-imap';
// Seconds apart, at any hour: the feedback request, then the reminder 25 s later; other openings, then two touchpoints.
const POLICY: PolicyOverrides = {
  grievingPeriod: '1 second',
  supportiveNote: false,
  feedbackRequestDelay: '1 second',
  feedbackReminderAfter: '25 seconds',
  feedbackWait: '50 seconds',
  checkInCount: 0,
  otherOpeningsDelay: '3 seconds',
  linkedInTaskDelay: '3 seconds',
  touchpointsAfter: ['30 seconds', '40 seconds'],
  sendWindow: DEMO_POLICY.sendWindow,
  candidateSendWindow: DEMO_POLICY.candidateSendWindow,
  avoidRejectionDay: false,
};

/** A reply as a mail client writes it: new text on top, a signature, then the quoted message. */
function replyTo(original: ReceivedMail, from: string, messageId: string, text: string): string {
  const quoted = original.parsed.text ?? '';
  return [
    `From: ${from}`,
    'To: Ada Lovelace <replies@agency.test>',
    `Subject: Re: ${original.parsed.subject ?? ''}`,
    `Message-ID: ${messageId}`,
    `In-Reply-To: ${original.parsed.messageId}`,
    `References: ${original.parsed.messageId}`,
    'Date: Thu, 26 Nov 2026 10:00:00 +0000',
    'Content-Type: text/plain; charset=utf-8',
    '',
    text,
    '',
    '-- ',
    'Grace Hopper | Head of Engineering | Acme Analytics',
    '+44 20 7946 0000',
    '',
    `On Thu, 26 Nov 2026 at 09:00, Ada Lovelace <ada@example.com> wrote:`,
    ...quoted.split('\n').map((line) => `> ${line}`),
    '',
  ].join('\r\n');
}

describe.skipIf(!existsSync(DOVECOT))('IMAP reply capture against dovecot, a Temporal dev server and a real SMTP server', () => {
  let env: TestWorkflowEnvironment;
  let smtp: TestSmtpServer;
  let imapServer: TestImapServer;
  let worker: OnwardWorker;
  let running: Promise<void>;
  let watcher: ReplyWatcher;
  const watcherLog: string[] = [];
  let imap: ImapFlow;
  let workflowId: string;

  const mailOf = (step: string) => smtp.received.filter((mail) => stepOf(mail.parsed.messageId) === step);
  const status = () => env.client.workflow.getHandle(workflowId).query(statusQuery);
  const entry = (current: SequenceStatus, key: string) => current.timeline.find((line) => line.key === key);
  const flagsOf = async (messageId: string): Promise<string[]> => {
    const lock = await imap.getMailboxLock('INBOX');
    try {
      const uids = (await imap.search({ header: { 'message-id': messageId } }, { uid: true })) || [];
      const flags: string[] = [];
      for (const uid of uids) {
        const message = await imap.fetchOne(String(uid), { flags: true }, { uid: true });
        if (message && message.flags) flags.push(...message.flags);
      }
      return flags;
    } finally {
      lock.release();
    }
  };

  beforeAll(async () => {
    smtp = await startSmtpServer();
    imapServer = await startDovecot();
    env = await TestWorkflowEnvironment.createLocal({ server: { executable: serverExecutable('temporal'), searchAttributes: [...ONWARD_SEARCH_ATTRIBUTES] } });
    worker = await createOnwardWorker({
      connection: env.nativeConnection,
      namespace: 'default',
      taskQueue: TASK_QUEUE,
      dependencies: { mailer: createSmtpMailer(smtp.url), templates: loadTemplates(), fromAddress: `onward@${DOMAIN}` },
    });
    running = worker.run();
    watcher = startReplyWatcher({
      mailbox: imapMailboxFrom(imapServer.url),
      client: env.client,
      domain: DOMAIN,
      log: (line) => watcherLog.push(line),
      checkEveryMs: 2_000,
    });
    imap = new ImapFlow({ host: imapServer.host, port: imapServer.port, secure: false, auth: { user: imapServer.user, pass: imapServer.password }, logger: false });
    await imap.connect();

    const parsed = parseRejectionDocument(rejectionDocument({ id: 'imap-replies-1', rejectedAt: new Date().toISOString(), policy: POLICY }));
    if (!parsed.ok) throw new Error(JSON.stringify(parsed.problems));
    const suppressions = createMemorySuppressionList();
    ({ workflowId } = await startSequence(env.client, TASK_QUEUE, parsed.input, { suppressions }));
    registerSequence(workflowId, DOMAIN);
  }, 120_000);

  afterAll(async () => {
    await imap?.logout();
    await watcher?.stop();
    worker?.shutdown();
    await running;
    await env?.teardown();
    await imapServer?.close();
    await smtp?.close();
  });

  it('records a reply to the feedback request as the feedback, its quoted history and signature left out, once however often it is seen; the reminder is not sent', async () => {
    await expect.poll(() => mailOf('feedback-request').length, { timeout: 30_000, interval: 200 }).toBe(1);
    const [request] = mailOf('feedback-request') as [ReceivedMail];
    const answer = 'Your system design answer was strong.\n\nPractise estimating load out loud; that is what the other candidate did better.\n\nBest,\nGrace';
    const reply = replyTo(request, 'Grace Hopper <grace@acme.example.com>', '<feedback-reply-1@acme.example.com>', answer);
    // The same reply lands twice (e.g. copied by a mail rule): it is recorded once.
    await imap.append('INBOX', reply);
    await imap.append('INBOX', reply);

    await expect.poll(async () => (await status()).feedback.received.length, { timeout: 20_000, interval: 300 }).toBe(1);
    await new Promise((resolve) => setTimeout(resolve, 3_000)); // a second look at the mailbox changes nothing
    const recorded = await status();
    expect(recorded.feedback.received).toEqual([expect.objectContaining({ text: answer, from: 'grace@acme.example.com' })]);
    expect(recorded.feedback.state).toBe('received');
    expect(await flagsOf('<feedback-reply-1@acme.example.com>')).toEqual(expect.arrayContaining([RECORDED_KEYWORD]));

    // The reminder's time comes and goes: it is skipped, and no reminder reaches Grace.
    await expect.poll(async () => entry(await status(), 'feedback-reminder')?.status, { timeout: 40_000, interval: 500 }).toBe('skipped');
    expect(entry(await status(), 'feedback-reminder')?.note).toBe('feedback already received');
    expect(mailOf('feedback-reminder')).toHaveLength(0);
  }, 90_000);

  it('records the recruiter\'s reply to "other openings" on the timeline and ends the touchpoints of that thread', async () => {
    await expect.poll(() => mailOf('other-openings').length, { timeout: 30_000, interval: 200 }).toBe(1);
    const [question] = mailOf('other-openings') as [ReceivedMail];
    const answer = 'Thanks Ada, we are opening a Staff Data Engineer role in January. I will send you the link.';
    await imap.append('INBOX', replyTo(question, 'Katherine Johnson <katherine@acme.example.com>', '<openings-reply-1@acme.example.com>', answer));

    await expect.poll(async () => entry(await status(), 'other-openings')?.reply?.text, { timeout: 20_000, interval: 300 }).toBe(answer);
    expect(entry(await status(), 'other-openings')?.reply?.from).toBe('katherine@acme.example.com');

    const outcome = await env.client.workflow.getHandle<typeof rejectionFollowUp>(workflowId).result();
    expect(outcome.stage).toBe('completed');
    const finished = await env.client.workflow.getHandle(workflowId).query(statusQuery);
    for (const key of ['touchpoint:1', 'touchpoint:2']) {
      expect(entry(finished, key)).toEqual(expect.objectContaining({ status: 'skipped', note: 'the recruiter replied to other-openings' }));
    }
    expect(smtp.received.filter((mail) => stepOf(mail.parsed.messageId).startsWith('touchpoint'))).toHaveLength(0);
  }, 120_000);

  it('leaves alone, unflagged, a reply to a sequence that has ended and a reply to a message that is not Onward\'s', async () => {
    const [request] = mailOf('feedback-request') as [ReceivedMail];
    await imap.append('INBOX', replyTo(request, 'Grace Hopper <grace@acme.example.com>', '<late-reply@acme.example.com>', 'One more thought, after all.'));
    const stranger = { ...request, parsed: { ...request.parsed, messageId: `<not-onwards-message@${DOMAIN}>` } } as ReceivedMail;
    await imap.append('INBOX', replyTo(stranger, 'Someone <someone@example.org>', '<stranger-reply@example.org>', 'Hello there.'));

    const leftAlone = () => watcherLog.filter((line) => line.includes('left alone'));
    await expect.poll(() => leftAlone().length, { timeout: 20_000, interval: 300 }).toBe(2);
    expect(leftAlone()).toEqual([
      expect.stringContaining('reply refused: no running sequence for rejection "imap-replies-1"'),
      expect.stringContaining('it answers no message of a running sequence'),
    ]);
    expect(await flagsOf('<late-reply@acme.example.com>')).not.toContain(RECORDED_KEYWORD);
    expect(await flagsOf('<stranger-reply@example.org>')).not.toContain(RECORDED_KEYWORD);
    const finished = await env.client.workflow.getHandle(workflowId).query(statusQuery);
    expect(finished.feedback.received).toHaveLength(1);
  }, 60_000);
});
