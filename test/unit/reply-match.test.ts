import { describe, expect, it } from 'vitest';
import { messageIdFor } from '../../activities/message-id';
import { imapMailboxFrom } from '../../worker/replies/imap-mailbox';
import { MessageIdIndex, referencedIds } from '../../worker/replies/match';
import { useWorkerConfigScratch, problemsOf } from '../helpers/worker-config';
import { readWorkerConfig } from '../../worker/config';

describe('replies are matched to the message they answer', () => {
  const index = new MessageIdIndex('onward.test');
  index.add(['rejection-a', 'acme:rejection-b']);

  it('finds the sequence and step of a Message-ID Onward gave, with no lookup store', () => {
    expect(index.find([messageIdFor('rejection-a', 'feedback-request', 'onward.test')])).toEqual({ workflowId: 'rejection-a', step: 'feedback-request' });
    expect(index.find([messageIdFor('acme:rejection-b', 'touchpoint:2', 'onward.test')])).toEqual({ workflowId: 'acme:rejection-b', step: 'touchpoint:2' });
  });

  it('ignores messages of other steps, other domains and unknown sequences', () => {
    expect(index.find([messageIdFor('rejection-a', 'thank-you:1', 'onward.test')])).toBeUndefined();
    expect(index.find([messageIdFor('rejection-a', 'feedback-request', 'elsewhere.test')])).toBeUndefined();
    expect(index.find([messageIdFor('rejection-c', 'feedback-request', 'onward.test')])).toBeUndefined();
  });

  it('prefers In-Reply-To, then the thread newest first', () => {
    const request = messageIdFor('rejection-a', 'feedback-request', 'onward.test');
    const reminder = messageIdFor('rejection-a', 'feedback-reminder', 'onward.test');
    expect(referencedIds(undefined, `${request} ${reminder}`)).toEqual([reminder, request]);
    expect(referencedIds('<theirs@acme.example.com>', [request, reminder])).toEqual(['<theirs@acme.example.com>', reminder, request]);
    expect(index.find(referencedIds('<theirs@acme.example.com>', [request, reminder]))?.step).toBe('feedback-reminder');
    expect(referencedIds(undefined, undefined)).toEqual([]);
  });
});

describe('ONWARD_IMAP_URL', () => {
  const { base } = useWorkerConfigScratch('onward-imap-config-');

  it('names the mailbox, its TLS and its folder', () => {
    const config = readWorkerConfig({ ...base, ONWARD_IMAP_URL: 'imaps://replies%40agency.com:app%2Fpass@imap.gmail.com/INBOX' });
    expect(imapMailboxFrom(config.ONWARD_IMAP_URL as string)).toEqual({
      host: 'imap.gmail.com',
      port: 993,
      secure: true,
      user: 'replies@agency.com',
      password: 'app/pass',
      folder: 'INBOX',
      description: 'imaps://replies%40agency.com:***@imap.gmail.com/INBOX',
    });
    expect(imapMailboxFrom('imap://u:p@mail.example.com').folder).toBe('INBOX');
    expect(imapMailboxFrom('imap://u:p@mail.example.com').port).toBe(143);
  });

  it('refuses a URL that is not IMAP, has no password, or has an unencoded "@", without echoing it', () => {
    expect(problemsOf({ ...base, ONWARD_IMAP_URL: 'https://imap.example.com' })).toContain('ONWARD_IMAP_URL: must be an imap:// or imaps:// URL');
    expect(problemsOf({ ...base, ONWARD_IMAP_URL: 'imaps://replies@imap.example.com' })).toContain('ONWARD_IMAP_URL: needs a user name and a password');
    const leaked = problemsOf({ ...base, ONWARD_IMAP_URL: 'imaps://replies@agency.com:S3cretPass@imap.example.com' });
    expect(leaked).toContain('ONWARD_IMAP_URL: has an "@" or "/" in its user name or password');
    expect(leaked).not.toContain('S3cretPass');
  });
});
