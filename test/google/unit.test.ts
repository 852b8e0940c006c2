import { ApplicationFailure } from '@temporalio/common';
import { describe, expect, it } from 'vitest';
import { classifyGoogleError, eventIdFor } from '../../activities/google';
import { stripQuotedReply, htmlToText } from '../../activities/reply-text';
import { checkInInvitation, escapeText, foldLine, vtimezone } from '../../activities/ics';
import { channelsOf, gmailOf, replyWatchHeartbeatMs, routeOf } from '../../workflows/channels';
import { describeProblems, parseRejectionDocument } from '../../workflows/input';
import { DEFAULT_POLICY, type Policy } from '../../workflows/policy';
import { rejectionDocument } from '../helpers/fixtures';

const parse = (policy: unknown) => parseRejectionDocument({ ...rejectionDocument(), policy });

describe('the policy’s channels', () => {
  it('default to SMTP, email check-ins and email tasks, with Gmail settings that apply only with the gmail channel', () => {
    expect(DEFAULT_POLICY.channels).toEqual({ email: 'smtp', checkIns: 'email', contactTasks: 'email' });
    expect(DEFAULT_POLICY.gmail).toEqual({ mode: 'send', replyDetection: false, pollEvery: '6 hours' });
    expect(DEFAULT_POLICY.googleAccount).toBeUndefined();
  });

  it('are chosen per candidate, each on its own', () => {
    const result = parse({ channels: { checkIns: 'ics' }, gmail: { replyDetection: true } });
    if (!result.ok) throw new Error(describeProblems(result.problems));
    expect(result.input.policy.channels).toEqual({ email: 'smtp', checkIns: 'ics', contactTasks: 'email' });
    expect(result.input.policy.gmail).toEqual({ mode: 'send', replyDetection: true, pollEvery: '6 hours' });
  });

  it('refuse unknown providers, bad durations and anything but a name as the Google account', () => {
    const result = parse({ channels: { email: 'outlook' }, gmail: { pollEvery: 'often' }, googleAccount: '../../etc/passwd' });
    expect(result.ok).toBe(false);
    const fields = result.ok ? [] : result.problems.map((problem) => problem.field);
    expect(fields).toEqual(['policy.channels.email', 'policy.gmail.pollEvery', 'policy.googleAccount']);
    expect(parse({ googleAccount: 'ya29.a0AfH6SM-a-token-would-never-fit' }).ok).toBe(true); // a name is only a name…
    expect(parse({ googleAccount: 'x'.repeat(65) }).ok).toBe(false); // …and a short one
    expect(parse({ refreshToken: '1//secret' }).ok).toBe(false);
  });

  it('are read with their defaults from policies recorded before they existed', () => {
    const old = Object.fromEntries(Object.entries(DEFAULT_POLICY).filter(([key]) => key !== 'channels' && key !== 'gmail')) as Policy;
    expect(channelsOf(old)).toEqual(DEFAULT_POLICY.channels);
    expect(gmailOf(old)).toEqual(DEFAULT_POLICY.gmail);
    expect(routeOf(old, { kind: 'thank-you', audience: { role: 'interviewer', index: 0 } })).toBe('smtp');
  });

  it('route each message: Gmail for what speaks for the candidate, Tasks for the LinkedIn task and touchpoints', () => {
    const policy: Policy = { ...DEFAULT_POLICY, channels: { email: 'gmail', checkIns: 'email', contactTasks: 'google-tasks' } };
    expect(routeOf(policy, { kind: 'thank-you', audience: { role: 'interviewer', index: 0 } })).toBe('gmail');
    expect(routeOf(policy, { kind: 'check-in', audience: { role: 'candidate' } })).toBe('smtp');
    expect(routeOf(policy, { kind: 'congratulations', audience: { role: 'candidate' } })).toBe('smtp');
    expect(routeOf(policy, { kind: 'linkedin-task', audience: { role: 'candidate' } })).toBe('google-tasks');
    expect(routeOf(policy, { kind: 'touchpoint', audience: { role: 'recruiter' } })).toBe('google-tasks');
    expect(routeOf({ ...policy, gmail: { ...policy.gmail, mode: 'draft' } }, { kind: 'other-openings', audience: { role: 'recruiter' } })).toBe('gmail-draft');
  });

  it('give the reply watch a heartbeat timeout that follows the poll interval, within bounds', () => {
    expect(replyWatchHeartbeatMs(2_000)).toBe(10_000);
    expect(replyWatchHeartbeatMs(60_000)).toBe(180_000);
    expect(replyWatchHeartbeatMs(6 * 3_600_000)).toBe(300_000);
  });
});

describe('replies: the quoted history is stripped', () => {
  it.each([
    ['Gmail', 'Work on system design.\n\nOn Thu, 3 Dec 2026 at 10:15, Ada Lovelace <ada@example.com> wrote:\n> Dear Grace,\n> What could I have done?'],
    ['a wrapped attribution', 'Work on system design.\n\nOn Thu, 3 Dec 2026 at 10:15, Ada Lovelace\n<ada@example.com> wrote:\n> Dear Grace,'],
    ['Outlook', 'Work on system design.\r\n\r\nFrom: Ada Lovelace <ada@example.com>\r\nSent: Thursday, December 3, 2026 10:15\r\nTo: Grace\r\nSubject: A quick question'],
    ['an original-message divider', 'Work on system design.\n-----Original Message-----\nFrom: Ada'],
    ['a signature', 'Work on system design.\n-- \nGrace Hopper\nHead of Engineering'],
    ['interleaved quotes', '> What could I have done?\nWork on system design.'],
  ])('%s', (_name, reply) => {
    expect(stripQuotedReply(reply)).toBe('Work on system design.');
  });

  it('keeps a multi-paragraph answer whole, and reads HTML-only replies', () => {
    expect(stripQuotedReply('First, depth.\n\nSecond, numbers.\n')).toBe('First, depth.\n\nSecond, numbers.');
    expect(stripQuotedReply(htmlToText('<div>Work on <b>design</b> &amp; impact.</div><blockquote>Dear Grace</blockquote>'))).toBe('Work on design & impact.');
  });
});

describe('iCalendar invitations', () => {
  it('fold long lines at 75 octets without splitting a character, and escape text', () => {
    const folded = foldLine(`DESCRIPTION:${'é'.repeat(60)}`);
    for (const line of folded.split('\r\n')) expect(Buffer.byteLength(line)).toBeLessThanOrEqual(75);
    expect(folded.replace(/\r\n /g, '')).toBe(`DESCRIPTION:${'é'.repeat(60)}`);
    expect(escapeText('a, b; c\\d\ne')).toBe('a\\, b\\; c\\\\d\\ne');
  });

  it('define zones without daylight saving with one observance, and zones with it by their changes', () => {
    const tokyo = vtimezone('Asia/Tokyo', Date.parse('2026-12-07T05:00:00Z'));
    expect(tokyo).toEqual(['BEGIN:VTIMEZONE', 'TZID:Asia/Tokyo', 'BEGIN:STANDARD', 'DTSTART:19700101T000000', 'TZOFFSETFROM:+0900', 'TZOFFSETTO:+0900', 'TZNAME:GMT+9', 'END:STANDARD', 'END:VTIMEZONE']);
    const london = vtimezone('Europe/London', Date.parse('2026-12-07T14:00:00Z')).join('\n');
    // The end of BST on 25 October 2026 at 02:00 local (01:00 UTC), and its start on 28 March 2027 at 01:00 local.
    expect(london).toContain('BEGIN:STANDARD\nDTSTART:20261025T020000\nTZOFFSETFROM:+0100\nTZOFFSETTO:+0000');
    expect(london).toContain('BEGIN:DAYLIGHT\nDTSTART:20270328T010000\nTZOFFSETFROM:+0000\nTZOFFSETTO:+0100');
  });

  it('put the event at its wall-clock time in the candidate’s zone', () => {
    const ics = checkInInvitation({
      uid: 'u@onward.test',
      startsAt: '2026-12-07T19:00:00.000Z',
      minutes: 30,
      timezone: 'America/New_York',
      summary: 'Week 1 of 6: your next step',
      description: 'Send out one more tailored resume this week.',
      organizer: { name: 'Onward', email: 'onward@onward.test' },
      attendee: { name: 'Ada Lovelace', email: 'ada@example.com' },
      stamp: new Date('2026-12-01T00:00:00Z'),
    });
    expect(ics).toContain('\r\nDTSTART;TZID=America/New_York:20261207T140000\r\n');
    expect(ics).toContain('\r\nDTEND;TZID=America/New_York:20261207T143000\r\n');
    expect(ics).toContain('\r\nDTSTAMP:20261201T000000Z\r\n');
    expect(ics.endsWith('END:VCALENDAR\r\n')).toBe(true);
  });
});

describe('Google errors', () => {
  const context = { account: 'ada', mailbox: 'ada@example.com', action: 'sending thank-you:1 with Gmail' };
  const gaxios = (status: number, data: unknown) => Object.assign(new Error(`Request failed with status ${status}`), { status, response: { status, data } });
  const apiError = (status: number, reason: string) => gaxios(status, { error: { code: status, message: reason, errors: [{ reason }] } });

  it.each([
    ['429', gaxios(429, { error: { code: 429, message: 'Too many requests', status: 'RESOURCE_EXHAUSTED' } })],
    ['403 rateLimitExceeded', apiError(403, 'rateLimitExceeded')],
    ['403 userRateLimitExceeded', apiError(403, 'userRateLimitExceeded')],
    ['500', apiError(500, 'backendError')],
    ['a reset connection', Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' })],
  ])('%s is retried by Temporal', (_name, error) => {
    const classified = classifyGoogleError(error, context);
    expect(classified).not.toBeInstanceOf(ApplicationFailure);
    expect(classified.message).toContain('retrying later');
  });

  it.each([
    ['invalid_grant', gaxios(400, { error: 'invalid_grant', error_description: 'Token has been expired or revoked.' }), /refresh token was revoked or has expired \(invalid_grant\).*`onward google auth ada`/],
    ['401', apiError(401, 'authError'), /refused the credentials even after refreshing them \(401\).*`onward google auth ada`/],
    ['400', apiError(400, 'invalid'), /refused the request as invalid \(400: invalid\)/],
    ['403 insufficientPermissions', apiError(403, 'insufficientPermissions'), /not allowed to do this \(403 insufficientPermissions.*grant the scopes/],
  ])('%s is permanent, with what to fix', (_name, error, message) => {
    const classified = classifyGoogleError(error, context);
    expect(classified).toBeInstanceOf(ApplicationFailure);
    expect((classified as ApplicationFailure).nonRetryable).toBe(true);
    expect(classified.message).toMatch(message);
  });

  it('for a service account, invalid_grant points at domain-wide delegation', () => {
    const classified = classifyGoogleError(gaxios(400, { error: 'invalid_grant', error_description: 'Not a valid email.' }), { ...context, account: 'agency', serviceAccount: true });
    expect(classified.message).toMatch(/cannot act for this user.*domain-wide delegation/);
  });
});

describe('calendar event ids', () => {
  it('are base32hex (a-v, 0-9), 5-1024 characters, the same on every retry and distinct per step', () => {
    const id = eventIdFor('rejection-acme-eng-4711', 'check-in:1');
    expect(id).toMatch(/^[a-v0-9]{5,1024}$/);
    expect(eventIdFor('rejection-acme-eng-4711', 'check-in:1')).toBe(id);
    expect(eventIdFor('rejection-acme-eng-4711', 'check-in:2')).not.toBe(id);
  });
});
