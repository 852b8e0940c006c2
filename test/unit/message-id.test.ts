import { describe, expect, it } from 'vitest';
import { messageIdFor } from '../../activities/message-id';

const DOMAIN = 'mail.onward.example';
// RFC 5322 msg-id: "<" dot-atom-text "@" dot-atom-text ">" (no spaces, colons, leading/trailing or double dots).
const ATEXT = "[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+";
const DOT_ATOM = `${ATEXT}(?:\\.${ATEXT})*`;
const MESSAGE_ID = new RegExp(`^<(${DOT_ATOM})@(${DOT_ATOM})>$`);

describe('messageIdFor', () => {
  it('is the same on every call for the same step of the same sequence', () => {
    expect(messageIdFor('rejection-acme-eng-4711', 'thank-you:1', DOMAIN)).toBe(messageIdFor('rejection-acme-eng-4711', 'thank-you:1', DOMAIN));
  });

  it('differs per step and per sequence', () => {
    const ids = new Set<string>();
    for (const sequence of ['rejection-acme-eng-4711', 'rejection-acme-eng-4712', 'rejection-globex-1']) {
      for (const step of ['supportive-note', 'thank-you:1', 'thank-you:2', 'feedback-request', 'feedback-reminder', 'check-in:1', 'check-in:10']) {
        ids.add(messageIdFor(sequence, step, DOMAIN));
      }
    }
    expect(ids.size).toBe(21);
  });

  it('differs for ids that only differ in punctuation', () => {
    expect(messageIdFor('rejection-acme:1', 'thank-you:1', DOMAIN)).not.toBe(messageIdFor('rejection-acme.1', 'thank-you:1', DOMAIN));
    expect(messageIdFor('rejection-acme-1', 'check-in:1', DOMAIN)).not.toBe(messageIdFor('rejection-acme-1', 'check-in.1', DOMAIN));
    expect(messageIdFor('a', 'b:c', DOMAIN)).not.toBe(messageIdFor('a:b', 'c', DOMAIN));
  });

  it('names neither the step nor the sequence: opaque, so a message in the candidate\'s name does not give the automation away', () => {
    const id = messageIdFor('rejection-acme-eng-4711', 'feedback-request', DOMAIN);
    expect(id).toMatch(new RegExp(`^<[0-9a-f]{32}@${DOMAIN.replace(/\./g, '\\.')}>$`));
    for (const giveaway of ['rejection', 'acme', '4711', 'feedback', 'request']) expect(id).not.toContain(giveaway);
  });

  it('ends with the sending domain', () => {
    expect(messageIdFor('rejection-acme-eng-4711', 'thank-you:1', DOMAIN).endsWith(`@${DOMAIN}>`)).toBe(true);
  });

  it.each([
    ['rejection-acme-eng-4711', 'thank-you:1'],
    ['rejection-ats:42:7', 'check-in:12'],
    ['rejection-a_b.c', 'feedback-request'],
    // Rejection ids may end with ".", "_", ":" or "-".
    ['rejection-acme.', 'touchpoint:2'],
    ['rejection-acme:', 'touchpoint:2'],
    ['rejection-acme_', 'touchpoint:2'],
    ['rejection-acme-', 'touchpoint:2'],
  ])('is a valid Message-ID for sequence %j and step %j', (sequence, step) => {
    const id = messageIdFor(sequence, step, DOMAIN);
    const match = MESSAGE_ID.exec(id);
    expect(match, id).not.toBeNull();
    expect(match?.[1]).not.toMatch(/[\s:]/);
  });
});
