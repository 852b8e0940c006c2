import { describe, expect, test } from 'vitest';
import type { PolicyOverrides } from '../../workflows/policy';
import { previewSequence } from '../../workflows/schedule';
import { eventually } from '../helpers/eventually';
import { ADA, ADA_ACCOUNT, DOCUMENT, useGoogleHarness } from './support';

const { harness, google } = useGoogleHarness();

const POLICY: PolicyOverrides = { channels: { email: 'gmail' }, googleAccount: ADA_ACCOUNT, checkInCount: 0, touchpointsAfter: [] };

describe('a Gmail send retried after a crash between sending and completing', () => {
  test('Gmail took the message but the answer was lost: the retry finds it by rfc822msgid and sends nothing', async () => {
    const { advanceTo, advanceUntil, start } = harness();
    const fake = google();
    await advanceTo(1, '14:00', 'Europe/London');
    const sequence = await start({ id: 'g-crash-send', document: DOCUMENT, policy: POLICY });
    // The first thank-you is sent, then the connection drops before the answer: the activity fails after the send.
    fake.fault({ method: 'POST', path: /^gmail\/v1\/users\/me\/messages\/send$/, dropResponse: true });
    const thankYouAt = previewSequence(sequence.input.rejection, sequence.input.policy).find((entry) => entry.key === 'thank-you:1')?.at ?? 0;
    await advanceUntil(thankYouAt + 5 * 60_000);

    const status = await eventually(async () => {
      const current = await sequence.status();
      expect(sequence.entry(current, 'thank-you:1').status).toBe('sent');
      expect(sequence.entry(current, 'thank-you:2').status).toBe('sent');
      return current;
    }, 60_000);
    // One of the two thank-you notes lost its answer; the other went through at once.
    const sends = fake.requests.filter((request) => request.path.endsWith('/messages/send'));
    expect(sends.map((request) => request.status).sort()).toEqual([-1, 200]);
    const lost = sends.find((request) => request.status === -1);
    const step = lost?.messageId === sequence.messageIdOf('thank-you:1') ? 'thank-you:1' : 'thank-you:2';
    const messageId = sequence.messageIdOf(step);
    expect(lost?.messageId).toBe(messageId);
    // Exactly one message with that Message-ID in Ada's mailbox, though its send was attempted, then retried.
    const inMailbox = fake.sent(ADA.email).filter((message) => message.messageId === messageId);
    expect(inMailbox).toHaveLength(1);
    // The retry looked the message up by its Message-ID first, found it, and sent nothing.
    const searches = fake.requests.filter((request) => request.path === 'gmail/v1/users/me/messages');
    expect(searches.map((request) => [request.query.get('q'), request.status])).toEqual([[`rfc822msgid:${messageId.slice(1, -1)}`, 200]]);
    // The timeline has the thread of the message that went out the first time.
    expect(sequence.entry(status, step)).toMatchObject({ status: 'sent', messageId, threadId: inMailbox[0]?.threadId });
    expect(fake.problems).toEqual([]);
  });
});
