import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ApplicationFailure } from '@temporalio/common';
import { MockActivityEnvironment } from '@temporalio/testing';
import { DefaultLogger } from '@temporalio/worker';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createActivities, createOutcomesStore, loadTemplates, type Mailer } from '../../activities';
import { createLedgerReports } from '../../client/api/outcomes-report';
import { openDatabase } from '../../common/database/open';
import { createSealing } from '../../common/database/sealing';
import { SCOPES } from '../../activities/google';
import { PERMANENT_FAILURE } from '../../workflows/failures';
import type { GmailRequest, TaskRequest } from '../../workflows/google';
import { buildEmailRequest } from '../../workflows/email-request';
import { parseRejectionDocument } from '../../workflows/input';
import { startGoogleFake, writeServiceAccount, writeUserCredentials, type GoogleFake } from '../helpers/google-fake';
import { rejectionDocument } from '../helpers/fixtures';

/** The Google activities on their own (in Temporal's mock activity context), against the local fake. */

let fake: GoogleFake;
let directory: string;
const notices: unknown[] = [];
const mailer: Mailer = {
  send: (mail) => {
    notices.push(mail);
    return Promise.resolve({ accepted: [String((mail.to as { address: string }).address)], rejected: [], response: '250 OK' });
  },
  close: () => undefined,
};
let activities: ReturnType<typeof createActivities>;

const { publicKey, privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const AGENCY_SA = 'onward@agency-project.iam.gserviceaccount.com';

beforeAll(async () => {
  fake = await startGoogleFake();
  directory = mkdtempSync(path.join(tmpdir(), 'onward-google-activities-'));
  writeUserCredentials(directory, 'ada', '1//ada');
  fake.addUser('ada@example.com', '1//ada');
  // Dan granted sending only (no gmail.readonly): a retried send cannot look itself up.
  writeUserCredentials(directory, 'dan', '1//dan');
  fake.addUser('dan@example.com', '1//dan', [SCOPES.gmailSend]);
  // An agency's service account with domain-wide delegation: it acts for each candidate of its Workspace domain.
  writeServiceAccount(directory, 'agency', { clientEmail: AGENCY_SA, privateKeyPem: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString() });
  fake.addServiceAccount(AGENCY_SA, publicKey.export({ type: 'spki', format: 'pem' }).toString());
  activities = createActivities({ mailer, templates: loadTemplates(), fromAddress: 'onward@onward.test', google: fake.dependencies(directory, 'ada') });
});
afterAll(async () => {
  await fake.close();
  rmSync(directory, { recursive: true, force: true });
});

function requestFor(id: string, key: string, candidateEmail = 'ada@example.com', account?: string): GmailRequest {
  const parsed = parseRejectionDocument(rejectionDocument({ id, candidate: { name: 'Ada Lovelace', email: candidateEmail, timezone: 'Europe/London' } }));
  if (!parsed.ok) throw new Error('bad fixture');
  const kind = key.startsWith('thank-you') ? 'thank-you' : key === 'linkedin-task' ? 'linkedin-task' : 'other-openings';
  const audience = kind === 'thank-you' ? ({ role: 'interviewer', index: 0 } as const) : kind === 'linkedin-task' ? ({ role: 'candidate' } as const) : ({ role: 'recruiter' } as const);
  const request = buildEmailRequest({ rejection: parsed.input.rejection, feedback: [], progress: [], checkInCount: 6 }, { sequenceId: `rejection-${id}`, key, kind, audience });
  return { ...request, google: { ...(account ? { account } : {}), mailbox: candidateEmail } };
}

/** Runs `work` as attempt `attempt` of an activity. */
const run = <R>(attempt: number, work: () => Promise<R>): Promise<R> => new MockActivityEnvironment({ attempt }, { logger: new DefaultLogger('ERROR') }).run(work);

describe('the Gmail activities', () => {
  test('a worker that crashes after Gmail took the message: the retry finds it by Message-ID and does not send again', async () => {
    const request = requestFor('act-crash', 'thank-you:1');
    // A fault-injecting wrapper: the send happens, then the attempt dies before it can report it.
    const crashingAfterSend = async (input: GmailRequest) => {
      await activities.sendWithGmail(input);
      throw new Error('worker lost before completing the activity');
    };
    await expect(run(1, () => crashingAfterSend(request))).rejects.toThrow('worker lost');
    const retried = await run(2, () => activities.sendWithGmail(request));
    const copies = fake.sent('ada@example.com').filter((message) => message.messageId === retried.messageId);
    expect(copies).toHaveLength(1);
    expect(retried.threadId).toBe(copies[0]?.threadId);
  });

  test('keeps the text of each message sent with Gmail in the outcomes ledger, also when a retry finds it already sent', async () => {
    const database = await openDatabase({ kind: 'embedded' });
    try {
      const sealing = createSealing(undefined);
      const outcomes = createOutcomesStore(database.db, sealing);
      const withLedger = createActivities({ mailer, templates: loadTemplates(), fromAddress: 'onward@onward.test', google: fake.dependencies(directory, 'ada'), outcomes });
      const sent = requestFor('act-ledger', 'thank-you:1');
      // An attempt that sent the message but died before keeping its text (a worker without the ledger stands for it).
      const lost = requestFor('act-ledger', 'thank-you:2');
      await outcomes.recordSequence({ workflowId: sent.sequenceId, tenant: 'acme', rejectionId: 'act-ledger', rejectedAt: new Date().toISOString(), candidate: 'Ada Lovelace', company: 'Acme Analytics' });

      const first = await run(1, () => withLedger.sendWithGmail(sent));
      await run(1, () => activities.sendWithGmail(lost));
      await run(2, () => withLedger.sendWithGmail(lost));

      const kept = await createLedgerReports(database.db, sealing).messages('acme', 'act-ledger');
      expect(kept?.map((message) => message.key).sort()).toEqual(['thank-you:1', 'thank-you:2']);
      const copy = fake.sent('ada@example.com').find((message) => message.messageId === first.messageId);
      expect(kept?.find((message) => message.key === 'thank-you:1')).toMatchObject({ kind: 'thank-you', recipientRole: 'interviewer', subject: copy?.parsed?.subject });
      expect(kept?.find((message) => message.key === 'thank-you:1')?.text).toContain('Grace');
    } finally {
      await database.close();
    }
  });

  test('without gmail.readonly a retry cannot look the message up: it says so and sends (at least once)', async () => {
    const request = requestFor('act-dan', 'thank-you:1', 'dan@example.com', 'dan');
    await run(2, () => activities.sendWithGmail(request));
    const search = fake.requests.filter((call) => call.user === 'dan@example.com' && call.path === 'gmail/v1/users/me/messages');
    // Refused (403), refreshed once and refused again (a 401 or 403 gets one refresh): then the send goes ahead.
    expect(search.map((call) => call.status)).toEqual([403, 403]);
    expect(fake.sent('dan@example.com')).toHaveLength(1);
  });

  test('a service account with domain-wide delegation acts for the candidate (JWT subject), with only the scope it needs', async () => {
    const request = requestFor('act-sa', 'thank-you:1', 'erin@agency-candidates.example', 'agency');
    const sent = await run(1, () => activities.sendWithGmail(request));
    const message = fake.sent('erin@agency-candidates.example').find((candidate) => candidate.messageId === sent.messageId);
    expect(message?.parsed?.from?.value[0]).toEqual({ name: 'Ada Lovelace', address: 'erin@agency-candidates.example' });
    const exchange = fake.tokenRequests.find((call) => call.subject === 'erin@agency-candidates.example');
    expect(exchange).toMatchObject({ grantType: 'urn:ietf:params:oauth:grant-type:jwt-bearer', status: 200, scope: SCOPES.gmailSend });
  });

  test('a draft is created once, whatever the retries, and the candidate is told once per attempt that made it', async () => {
    const request = requestFor('act-draft', 'other-openings');
    const first = await run(1, () => activities.draftInGmail(request));
    const again = await run(2, () => activities.draftInGmail(request));
    expect(again.draftId).toBe(first.draftId);
    expect(fake.drafts.filter((draft) => draft.message.messageId === first.messageId)).toHaveLength(1);
    expect(fake.sent('ada@example.com').filter((message) => message.messageId === first.messageId)).toEqual([]);
  });

  test('rate limits are retried by Temporal (plain errors); a 400 is permanent and says what went wrong', async () => {
    // (twice: the client library refreshes the token once on a 403 and tries again)
    fake.fault({ path: /messages\/send$/, status: 403, reason: 'userRateLimitExceeded', count: 2 });
    const limited = await run(1, () => activities.sendWithGmail(requestFor('act-403', 'thank-you:1'))).catch((error: unknown) => error);
    expect(limited).toBeInstanceOf(Error);
    expect(limited).not.toBeInstanceOf(ApplicationFailure);
    expect((limited as Error).message).toContain('403 userRateLimitExceeded');

    fake.fault({ path: /messages\/send$/, status: 429 });
    const busy = await run(1, () => activities.sendWithGmail(requestFor('act-429', 'thank-you:1'))).catch((error: unknown) => error);
    expect(busy).not.toBeInstanceOf(ApplicationFailure);
    expect((busy as Error).message).toContain('429');

    fake.fault({ path: /messages\/send$/, status: 400 });
    const invalid = await run(1, () => activities.sendWithGmail(requestFor('act-400', 'thank-you:1'))).catch((error: unknown) => error);
    expect(invalid).toBeInstanceOf(ApplicationFailure);
    expect((invalid as ApplicationFailure).nonRetryable).toBe(true);
    expect((invalid as ApplicationFailure).type).toBe(PERMANENT_FAILURE);
    expect((invalid as Error).message).toMatch(/^Google refused the request as invalid \(400/);
  });
});

describe('the Tasks and Calendar activities', () => {
  test('a task is inserted once: a retry finds it by the marker in its notes', async () => {
    const request: TaskRequest = { ...requestFor('act-task', 'linkedin-task'), due: '2026-12-03' };
    const first = await run(1, () => activities.createGoogleTask(request));
    const second = await run(2, () => activities.createGoogleTask(request));
    expect(second.taskId).toBe(first.taskId);
    const tasks = fake.tasks.filter((task) => task.notes?.includes('[onward rejection-act-task linkedin-task]'));
    expect(tasks).toHaveLength(1);
    expect(tasks[0]?.due).toBe('2026-12-03T00:00:00.000Z');
    const lookups = fake.requests.filter((call) => call.method === 'GET' && call.path === 'tasks/v1/lists/@default/tasks').slice(-2);
    expect(lookups.map((call) => [call.query.get('dueMin'), call.query.get('dueMax')])).toEqual([
      ['2026-12-03T00:00:00.000Z', '2026-12-04T00:00:00.000Z'],
      ['2026-12-03T00:00:00.000Z', '2026-12-04T00:00:00.000Z'],
    ]);
  });

  test('removing events that are already gone (404, 410) counts as done', async () => {
    await expect(run(1, () => activities.removeCheckInsFromCalendar({ sequenceId: 'rejection-nothing', google: { mailbox: 'ada@example.com' }, keys: ['check-in:1'] }))).resolves.toBeUndefined();
  });

  test('a worker without Google settings refuses at once, saying which settings are missing', async () => {
    const bare = createActivities({ mailer, templates: loadTemplates(), fromAddress: 'onward@onward.test' });
    const error = await run(1, () => bare.sendWithGmail(requestFor('act-none', 'thank-you:1'))).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ApplicationFailure);
    expect((error as Error).message).toContain('ONWARD_GOOGLE_CREDENTIALS_DIR');
  });
});
