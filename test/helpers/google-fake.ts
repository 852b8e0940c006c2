import { createHash, createVerify, randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { DateTime, IANAZone } from 'luxon';
import { simpleParser, type ParsedMail } from 'mailparser';
import { createCredentialsDirectory, SCOPES } from '../../activities/google';
import type { GoogleDependencies } from '../../activities/google/clients';
import { stepOf } from './steps';

/**
 * A local HTTP fake of the Google endpoints Onward uses: the OAuth token endpoint (refresh tokens, authorisation codes
 * with PKCE, service-account JWT assertions), Gmail (send, drafts, search by rfc822msgid, threads), Calendar (events
 * insert/delete) and Tasks (list/insert). The clients reach it through their `rootUrl` option; nothing leaves the
 * machine. It checks what the real APIs require of a request and notes every violation in `problems` (answering 400),
 * so a test asserts `problems` is empty. Faults (429, 401, a response lost after the work was done) are injected.
 */

export const GOOGLE_TOKEN_AUDIENCE = 'https://oauth2.googleapis.com/token';
const ALL_SCOPES = Object.values(SCOPES);

export interface GmailMessage {
  id: string;
  threadId: string;
  user: string;
  labelIds: string[];
  /** The raw RFC 822 message as sent (decoded from base64url); absent for injected replies. */
  raw?: string;
  parsed?: ParsedMail;
  messageId?: string;
  step?: string;
  subject: string;
  from: string;
  to: string;
  inReplyTo?: string;
  references?: string;
  text: string;
  html?: string;
  /** The threadId the client asked for, if any. */
  requestedThreadId?: string;
}

export interface GmailDraft {
  id: string;
  user: string;
  message: GmailMessage;
}

export interface CalendarEvent {
  id: string;
  user: string;
  calendarId: string;
  status: 'confirmed' | 'cancelled';
  body: Record<string, unknown>;
  /** Start and end as instants, computed from dateTime + timeZone. */
  start: DateTime;
  end: DateTime;
  timeZone: string;
}

export interface GoogleTask {
  id: string;
  user: string;
  tasklist: string;
  title: string;
  notes?: string;
  due?: string;
  status: string;
}

export interface RecordedRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  body: unknown;
  user?: string;
  /** The HTTP status answered; -1 when the connection was dropped instead. */
  status: number;
  /** Gmail sends and drafts: the Message-ID of the message in the request. */
  messageId?: string;
}

export interface FaultSpec {
  method?: string;
  /** Matched against the path (without the query), e.g. /messages\/send$/. */
  path: RegExp;
  /** Answer this status instead of doing the work (429, 401, 500, 403 with `reason`...). */
  status?: number;
  reason?: string;
  /** Do the work, then drop the connection: the client never hears that it succeeded. */
  dropResponse?: boolean;
  /** How many matching requests it applies to (1 by default). */
  count?: number;
  /** Let this many matching requests through first (0 by default). */
  after?: number;
  /** Only for this user's requests. */
  user?: string;
}

export interface GoogleFake {
  /** The root URL to give the clients (`rootUrl`), with a trailing slash. */
  rootUrl: string;
  tokenUrl: string;
  authUrl: string;
  requests: RecordedRequest[];
  /** Requests that the real APIs would refuse, and why. */
  problems: string[];
  messages: GmailMessage[];
  drafts: GmailDraft[];
  events: CalendarEvent[];
  tasks: GoogleTask[];
  /** A user who connected Onward with a refresh token (granted `scopes`, every Onward scope by default). */
  addUser(email: string, refreshToken: string, scopes?: readonly string[]): void;
  /** A service account trusted for domain-wide delegation, with the public key of its private key. */
  addServiceAccount(clientEmail: string, publicKeyPem: string): void;
  /** Who consents on the authorisation page (the `onward google auth` flow). */
  consentAs(email: string, scopes?: readonly string[]): void;
  /** The refresh token is revoked: refreshing it answers 400 invalid_grant. */
  revoke(refreshToken: string): void;
  /** Every API call of this user answers 401, even with a freshly refreshed token. */
  rejectAccessTokensOf(email: string): void;
  fault(spec: FaultSpec): void;
  /** Called for every message sent with messages.send (after it is stored). */
  onSent(listener: (message: GmailMessage) => void): void;
  /** A reply arrives in a thread of `user`'s mailbox. */
  reply(options: { user: string; threadId: string; from: { name: string; email: string }; text: string; quoted?: string }): GmailMessage;
  sent(user?: string): GmailMessage[];
  /** Token requests, by grant type. */
  tokenRequests: { grantType: string; refreshToken?: string; subject?: string; scope?: string; status: number }[];
  /** The GoogleDependencies for a worker: credentials from `directory`, the APIs and the token endpoint here. */
  dependencies(directory: string, defaultAccount?: string): GoogleDependencies;
  close(): Promise<void>;
}

const base64url = (text: string | Buffer) => Buffer.from(text).toString('base64url');
const BASE64URL = /^[A-Za-z0-9_-]+={0,2}$/;
const BASE32HEX_ID = /^[a-v0-9]{5,1024}$/;
const RFC3339 = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)$/;
const WALL_CLOCK = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?$/;

class Reply {
  constructor(
    readonly status: number,
    readonly body?: unknown,
  ) {}
}

function apiError(status: number, message: string, reason: string, statusText?: string) {
  return new Reply(status, { error: { code: status, message, errors: [{ domain: 'global', reason, message }], ...(statusText ? { status: statusText } : {}) } });
}

/** Scopes that allow each kind of call (any one of them is enough). */
const NEEDS: { path: RegExp; method?: string; scopes: string[] }[] = [
  { path: /^gmail\/v1\/users\/[^/]+\/messages\/send$/, scopes: [SCOPES.gmailSend, SCOPES.gmailCompose, 'https://mail.google.com/'] },
  { path: /^gmail\/v1\/users\/[^/]+\/drafts$/, method: 'POST', scopes: [SCOPES.gmailCompose, 'https://mail.google.com/'] },
  { path: /^gmail\/v1\/users\/[^/]+\/drafts$/, method: 'GET', scopes: [SCOPES.gmailCompose, SCOPES.gmailReadonly, 'https://mail.google.com/'] },
  { path: /^gmail\/v1\/users\/[^/]+\/(messages|threads)/, scopes: [SCOPES.gmailReadonly, 'https://www.googleapis.com/auth/gmail.modify', 'https://mail.google.com/'] },
  { path: /^calendar\/v3\//, scopes: [SCOPES.calendarEvents, 'https://www.googleapis.com/auth/calendar'] },
  { path: /^tasks\/v1\//, scopes: [SCOPES.tasks] },
];

export async function startGoogleFake(): Promise<GoogleFake> {
  const users = new Map<string, { scopes: Set<string> }>();
  const refreshTokens = new Map<string, string>(); // token -> user
  const revoked = new Set<string>();
  const rejected = new Set<string>();
  const accessTokens = new Map<string, { user: string; scopes: Set<string> }>();
  const serviceAccounts = new Map<string, string>(); // client email -> public key
  const authCodes = new Map<string, { user: string; scopes: string[]; challenge: string; redirectUri: string; clientId: string }>();
  let consent: { email: string; scopes?: readonly string[] } | undefined;
  const faults: (FaultSpec & { remaining: number; skip: number })[] = [];
  const listeners: ((message: GmailMessage) => void)[] = [];
  let counter = 0;
  const nextId = (prefix: string) => `${prefix}${(++counter).toString(16).padStart(6, '0')}${randomBytes(3).toString('hex')}`;

  const fake = {
    rootUrl: '',
    tokenUrl: '',
    authUrl: '',
    requests: [] as RecordedRequest[],
    problems: [] as string[],
    messages: [] as GmailMessage[],
    drafts: [] as GmailDraft[],
    events: [] as CalendarEvent[],
    tasks: [] as GoogleTask[],
    tokenRequests: [] as GoogleFake['tokenRequests'],
  };

  const problem = (text: string) => {
    fake.problems.push(text);
    return apiError(400, text, 'invalid', 'INVALID_ARGUMENT');
  };

  // ---- OAuth ---------------------------------------------------------------------------------------

  function issueToken(user: string, scopes: Iterable<string>) {
    const token = `ya29.fake-${randomBytes(12).toString('hex')}`;
    const granted = new Set(scopes);
    accessTokens.set(token, { user, scopes: granted });
    return { access_token: token, expires_in: 3599, token_type: 'Bearer', scope: [...granted].join(' ') };
  }

  function token(form: URLSearchParams): Reply {
    const grantType = form.get('grant_type') ?? '';
    const record = (status: number, extra: Partial<GoogleFake['tokenRequests'][number]> = {}) => fake.tokenRequests.push({ grantType, status, ...extra });
    if (grantType === 'refresh_token') {
      const refreshToken = form.get('refresh_token') ?? '';
      if (!form.get('client_id') || !form.get('client_secret')) {
        record(401, { refreshToken });
        return new Reply(401, { error: 'invalid_client', error_description: 'The OAuth client was not found.' });
      }
      const user = refreshTokens.get(refreshToken);
      if (!user || revoked.has(refreshToken)) {
        record(400, { refreshToken });
        return new Reply(400, { error: 'invalid_grant', error_description: 'Token has been expired or revoked.' });
      }
      record(200, { refreshToken });
      return new Reply(200, issueToken(user, users.get(user)?.scopes ?? []));
    }
    if (grantType === 'authorization_code') {
      const code = authCodes.get(form.get('code') ?? '');
      const verifier = form.get('code_verifier') ?? '';
      if (!code) {
        record(400);
        return new Reply(400, { error: 'invalid_grant', error_description: 'Malformed auth code.' });
      }
      authCodes.delete(form.get('code') ?? '');
      if (base64url(createHash('sha256').update(verifier).digest()) !== code.challenge) {
        record(400);
        fake.problems.push('token: the PKCE code_verifier does not match the code_challenge');
        return new Reply(400, { error: 'invalid_grant', error_description: 'Invalid code verifier.' });
      }
      if (form.get('redirect_uri') !== code.redirectUri || form.get('client_id') !== code.clientId) {
        record(400);
        fake.problems.push('token: redirect_uri or client_id differ from the authorisation request');
        return new Reply(400, { error: 'redirect_uri_mismatch' });
      }
      const refreshToken = `1//fake-${randomBytes(12).toString('hex')}`;
      refreshTokens.set(refreshToken, code.user);
      users.set(code.user, { scopes: new Set(code.scopes) });
      record(200);
      return new Reply(200, { ...issueToken(code.user, code.scopes), refresh_token: refreshToken });
    }
    if (grantType === 'urn:ietf:params:oauth:grant-type:jwt-bearer') {
      const [header, payload, signature] = (form.get('assertion') ?? '').split('.');
      let claims: { iss?: string; sub?: string; scope?: string; aud?: string; exp?: number } = {};
      try {
        claims = JSON.parse(Buffer.from(payload ?? '', 'base64url').toString('utf8')) as typeof claims;
      } catch {
        record(400);
        return problem('token: the JWT assertion is not JSON');
      }
      const key = claims.iss ? serviceAccounts.get(claims.iss) : undefined;
      const valid = key !== undefined && createVerify('RSA-SHA256').update(`${header}.${payload}`).verify(key, signature ?? '', 'base64url');
      record(valid ? 200 : 400, { subject: claims.sub, scope: claims.scope });
      if (!valid) return new Reply(400, { error: 'invalid_grant', error_description: 'Invalid JWT Signature.' });
      if (claims.aud !== GOOGLE_TOKEN_AUDIENCE) fake.problems.push(`token: JWT audience ${String(claims.aud)}`);
      if (!claims.sub) return new Reply(400, { error: 'invalid_grant', error_description: 'No subject: domain-wide delegation needs one.' });
      if (!claims.scope) return new Reply(400, { error: 'invalid_scope', error_description: 'No scope.' });
      return new Reply(200, issueToken(claims.sub, claims.scope.split(' ')));
    }
    record(400);
    return new Reply(400, { error: 'unsupported_grant_type' });
  }

  function authorise(query: URLSearchParams): Reply {
    const redirectUri = query.get('redirect_uri') ?? '';
    for (const required of ['client_id', 'redirect_uri', 'response_type', 'scope', 'state', 'code_challenge']) {
      if (!query.get(required)) fake.problems.push(`auth: missing ${required}`);
    }
    if (query.get('response_type') !== 'code') fake.problems.push('auth: response_type must be "code"');
    if (query.get('code_challenge_method') !== 'S256') fake.problems.push('auth: code_challenge_method must be S256');
    if (query.get('access_type') !== 'offline') fake.problems.push('auth: access_type must be "offline" to get a refresh token');
    if (!/^http:\/\/(127\.0\.0\.1|\[::1\]|localhost):\d+/.test(redirectUri)) fake.problems.push(`auth: ${redirectUri} is not a loopback redirect`);
    if (!consent) return new Reply(400, { error: 'nobody consents in this test' });
    const requested = (query.get('scope') ?? '').split(' ');
    const granted = consent.scopes ? requested.filter((scope) => consent?.scopes?.includes(scope)) : requested;
    const code = `4/fake-${randomBytes(8).toString('hex')}`;
    authCodes.set(code, { user: consent.email, scopes: granted, challenge: query.get('code_challenge') ?? '', redirectUri, clientId: query.get('client_id') ?? '' });
    const location = new URL(redirectUri);
    location.searchParams.set('code', code);
    location.searchParams.set('state', query.get('state') ?? '');
    location.searchParams.set('scope', granted.join(' '));
    return new Reply(302, location.href);
  }

  // ---- Gmail ---------------------------------------------------------------------------------------

  const threadsOf = (user: string) => new Set(fake.messages.filter((message) => message.user === user).map((message) => message.threadId));
  const headerText = (parsed: ParsedMail, name: string) => {
    const value = parsed.headers.get(name);
    return typeof value === 'string' ? value : undefined;
  };

  async function parseRaw(user: string, raw: unknown, where: string): Promise<{ parsed: ParsedMail; text: string } | Reply> {
    if (typeof raw !== 'string' || !raw) return problem(`${where}: raw is required`);
    if (!BASE64URL.test(raw)) return problem(`${where}: raw must be base64url (no "+", "/" or line breaks)`);
    const text = Buffer.from(raw, 'base64url').toString('utf8');
    if (!/\r\n\r\n/.test(text)) return problem(`${where}: raw is not an RFC 822 message (no CRLF CRLF between headers and body)`);
    const parsed = await simpleParser(text);
    const from = parsed.from?.value[0]?.address;
    for (const name of ['from', 'to', 'subject', 'message-id', 'date', 'mime-version']) {
      if (!parsed.headers.has(name)) return problem(`${where}: the message has no ${name} header`);
    }
    if (from?.toLowerCase() !== user.toLowerCase()) return problem(`${where}: From ${String(from)} is not the mailbox ${user}`);
    if (!/^<[^<>@\s]+@[^<>@\s]+>$/.test(headerText(parsed, 'message-id') ?? '')) return problem(`${where}: Message-ID ${String(headerText(parsed, 'message-id'))} is malformed`);
    return { parsed, text };
  }

  function storeMessage(user: string, parsed: ParsedMail, text: string, labelIds: string[], requestedThreadId: string | undefined, where: string): GmailMessage | Reply {
    const inReplyTo = headerText(parsed, 'in-reply-to');
    const references = headerText(parsed, 'references') ?? (Array.isArray(parsed.references) ? parsed.references.join(' ') : undefined);
    const subject = parsed.subject ?? '';
    if (requestedThreadId !== undefined) {
      const thread = fake.messages.filter((message) => message.user === user && message.threadId === requestedThreadId);
      if (thread.length === 0 && !fake.drafts.some((draft) => draft.user === user && draft.message.threadId === requestedThreadId)) {
        return apiError(404, `Requested entity was not found (thread ${requestedThreadId}).`, 'notFound', 'NOT_FOUND');
      }
      // Gmail threads a message only with the threading headers and a matching subject.
      if (!inReplyTo || !references?.includes(inReplyTo)) return problem(`${where}: a message in thread ${requestedThreadId} needs In-Reply-To and References`);
      const original = thread[0] ?? fake.drafts.find((draft) => draft.message.threadId === requestedThreadId)?.message;
      if (original && subject.replace(/^(re:\s*)+/i, '') !== original.subject.replace(/^(re:\s*)+/i, '')) {
        return problem(`${where}: subject "${subject}" does not match the thread's "${original.subject}"`);
      }
    } else if (inReplyTo && fake.messages.some((message) => message.user === user && message.messageId === inReplyTo)) {
      fake.problems.push(`${where}: a follow-up of ${inReplyTo} without its threadId lands in a new thread`);
    }
    const step = stepOf(headerText(parsed, 'message-id'));
    const message: GmailMessage = {
      id: nextId('m'),
      threadId: requestedThreadId ?? nextId('t'),
      user,
      labelIds,
      raw: text,
      parsed,
      messageId: headerText(parsed, 'message-id'),
      ...(step ? { step } : {}),
      subject,
      from: parsed.from?.text ?? '',
      to: parsed.to ? (Array.isArray(parsed.to) ? parsed.to.map((entry) => entry.text).join(', ') : parsed.to.text) : '',
      ...(inReplyTo ? { inReplyTo } : {}),
      ...(references ? { references } : {}),
      text: parsed.text ?? '',
      ...(typeof parsed.html === 'string' ? { html: parsed.html } : {}),
      ...(requestedThreadId ? { requestedThreadId } : {}),
    };
    return message;
  }

  const apiMessage = (message: GmailMessage) => ({
    id: message.id,
    threadId: message.threadId,
    labelIds: message.labelIds,
    snippet: message.text.slice(0, 100),
    payload: {
      partId: '',
      mimeType: 'multipart/alternative',
      filename: '',
      headers: [
        { name: 'From', value: message.from },
        { name: 'To', value: message.to },
        { name: 'Subject', value: message.subject },
        ...(message.messageId ? [{ name: 'Message-ID', value: message.messageId }] : []),
        ...(message.inReplyTo ? [{ name: 'In-Reply-To', value: message.inReplyTo }] : []),
      ],
      body: { size: 0 },
      parts: [
        { partId: '0', mimeType: 'text/plain', filename: '', headers: [], body: { size: message.text.length, data: base64url(message.text) } },
        ...(message.html ? [{ partId: '1', mimeType: 'text/html', filename: '', headers: [], body: { size: message.html.length, data: base64url(message.html) } }] : []),
      ],
    },
  });

  const bareId = (id: string | undefined) => (id ?? '').replace(/^<|>$/g, '');
  const searchMessageId = (query: URLSearchParams): string | Reply => {
    const q = query.get('q') ?? '';
    const match = /^rfc822msgid:(\S+)$/.exec(q);
    return match?.[1] ? bareId(match[1]) : problem(`gmail search: only rfc822msgid: queries are expected here, got "${q}"`);
  };

  async function gmail(method: string, parts: string[], query: URLSearchParams, body: unknown, user: string, recorded: RecordedRequest): Promise<Reply> {
    const [userId, resource, id] = parts;
    if (userId !== 'me' && userId !== user) return apiError(403, 'Delegation denied', 'forbidden', 'PERMISSION_DENIED');
    if (resource === 'messages' && id === 'send' && method === 'POST') {
      const request = body as { raw?: unknown; threadId?: unknown } | undefined;
      const raw = await parseRaw(user, request?.raw, 'messages.send');
      if (raw instanceof Reply) return raw;
      const threadId = typeof request?.threadId === 'string' ? request.threadId : undefined;
      const message = storeMessage(user, raw.parsed, raw.text, ['SENT'], threadId, 'messages.send');
      if (message instanceof Reply) return message;
      if (message.messageId) recorded.messageId = message.messageId;
      fake.messages.push(message);
      for (const listener of listeners) listener(message);
      return new Reply(200, { id: message.id, threadId: message.threadId, labelIds: message.labelIds });
    }
    if (resource === 'messages' && id === undefined && method === 'GET') {
      const wanted = searchMessageId(query);
      if (wanted instanceof Reply) return wanted;
      const found = fake.messages.filter((message) => message.user === user && bareId(message.messageId) === wanted);
      return new Reply(200, found.length ? { messages: found.map(({ id: messageId, threadId }) => ({ id: messageId, threadId })), resultSizeEstimate: found.length } : { resultSizeEstimate: 0 });
    }
    if (resource === 'drafts' && id === undefined && method === 'POST') {
      const request = body as { message?: { raw?: unknown; threadId?: unknown } } | undefined;
      if (!request?.message) return problem('drafts.create: the body must be { message: { raw } }');
      const raw = await parseRaw(user, request.message.raw, 'drafts.create');
      if (raw instanceof Reply) return raw;
      const threadId = typeof request.message.threadId === 'string' ? request.message.threadId : undefined;
      const message = storeMessage(user, raw.parsed, raw.text, ['DRAFT'], threadId, 'drafts.create');
      if (message instanceof Reply) return message;
      const draft: GmailDraft = { id: nextId('r'), user, message };
      fake.drafts.push(draft);
      return new Reply(200, { id: draft.id, message: { id: message.id, threadId: message.threadId, labelIds: message.labelIds } });
    }
    if (resource === 'drafts' && id === undefined && method === 'GET') {
      const wanted = searchMessageId(query);
      if (wanted instanceof Reply) return wanted;
      const found = fake.drafts.filter((draft) => draft.user === user && bareId(draft.message.messageId) === wanted);
      return new Reply(200, found.length ? { drafts: found.map((draft) => ({ id: draft.id, message: { id: draft.message.id, threadId: draft.message.threadId } })), resultSizeEstimate: found.length } : { resultSizeEstimate: 0 });
    }
    if (resource === 'threads' && id && method === 'GET') {
      if (!threadsOf(user).has(id) && !fake.drafts.some((draft) => draft.user === user && draft.message.threadId === id)) {
        return apiError(404, 'Requested entity was not found.', 'notFound', 'NOT_FOUND');
      }
      const format = query.get('format') ?? 'full';
      if (format !== 'full') fake.problems.push(`threads.get: format ${format} has no bodies`);
      const inThread = [...fake.messages.filter((message) => message.user === user && message.threadId === id), ...fake.drafts.filter((draft) => draft.user === user && draft.message.threadId === id).map((draft) => draft.message)];
      return new Reply(200, { id, historyId: String(counter), messages: inThread.map(apiMessage) });
    }
    return apiError(404, `no such Gmail call: ${method} ${parts.join('/')}`, 'notFound');
  }

  // ---- Calendar -----------------------------------------------------------------------------------

  function eventTime(value: unknown, field: string): { instant: DateTime; zone: string } | Reply {
    const time = value as { dateTime?: unknown; timeZone?: unknown } | undefined;
    if (typeof time?.dateTime !== 'string') return problem(`events.insert: ${field}.dateTime is required`);
    const zone = typeof time.timeZone === 'string' ? time.timeZone : undefined;
    if (zone !== undefined && !IANAZone.isValidZone(zone)) return problem(`events.insert: ${field}.timeZone ${zone} is not an IANA zone`);
    if (WALL_CLOCK.test(time.dateTime)) {
      if (!zone) return problem(`events.insert: ${field}.dateTime without an offset needs a timeZone`);
      return { instant: DateTime.fromISO(time.dateTime, { zone }), zone };
    }
    if (!RFC3339.test(time.dateTime)) return problem(`events.insert: ${field}.dateTime ${time.dateTime} is not RFC 3339`);
    return { instant: DateTime.fromISO(time.dateTime, { setZone: true }), zone: zone ?? 'UTC' };
  }

  function calendar(method: string, parts: string[], body: unknown, user: string): Reply {
    const [calendars, calendarId, events, eventId] = parts;
    if (calendars !== 'calendars' || events !== 'events' || !calendarId) return apiError(404, `no such Calendar call: ${parts.join('/')}`, 'notFound');
    if (method === 'POST' && eventId === undefined) {
      const event = (body ?? {}) as Record<string, unknown>;
      if (typeof event.id !== 'string' || !BASE32HEX_ID.test(event.id)) {
        return problem(`events.insert: id ${JSON.stringify(event.id)} must be 5-1024 characters of base32hex (a-v, 0-9)`);
      }
      if (typeof event.summary !== 'string' || !event.summary) return problem('events.insert: summary is required');
      const start = eventTime(event.start, 'start');
      if (start instanceof Reply) return start;
      const end = eventTime(event.end, 'end');
      if (end instanceof Reply) return end;
      if (end.instant <= start.instant) return problem('events.insert: end must be after start');
      const reminders = event.reminders as { useDefault?: unknown; overrides?: { method?: unknown; minutes?: unknown }[] } | undefined;
      for (const override of reminders?.overrides ?? []) {
        if (override.method !== 'popup' && override.method !== 'email') return problem(`events.insert: reminder method ${String(override.method)}`);
        if (typeof override.minutes !== 'number' || override.minutes < 0 || override.minutes > 40320) return problem('events.insert: reminder minutes must be 0-40320');
      }
      if (reminders?.overrides?.length && reminders.useDefault !== false) return problem('events.insert: overrides need useDefault: false');
      if (fake.events.some((existing) => existing.user === user && existing.calendarId === calendarId && existing.id === event.id)) {
        return apiError(409, 'The requested identifier already exists.', 'duplicate', 'ALREADY_EXISTS');
      }
      const stored: CalendarEvent = { id: event.id, user, calendarId, status: 'confirmed', body: event, start: start.instant, end: end.instant, timeZone: start.zone };
      fake.events.push(stored);
      return new Reply(200, { kind: 'calendar#event', ...event, status: 'confirmed', htmlLink: `https://calendar.google.com/event?eid=${event.id}` });
    }
    if (method === 'DELETE' && eventId) {
      const stored = fake.events.find((existing) => existing.user === user && existing.calendarId === calendarId && existing.id === eventId);
      if (!stored) return apiError(404, 'Not Found', 'notFound', 'NOT_FOUND');
      if (stored.status === 'cancelled') return apiError(410, 'Resource has been deleted', 'deleted');
      stored.status = 'cancelled';
      return new Reply(204);
    }
    return apiError(404, `no such Calendar call: ${method} ${parts.join('/')}`, 'notFound');
  }

  // ---- Tasks --------------------------------------------------------------------------------------

  function tasksApi(method: string, parts: string[], query: URLSearchParams, body: unknown, user: string): Reply {
    const [lists, tasklist, tasksPart] = parts;
    if (lists !== 'lists' || tasksPart !== 'tasks' || !tasklist) return apiError(404, `no such Tasks call: ${parts.join('/')}`, 'notFound');
    if (method === 'GET') {
      for (const field of ['dueMin', 'dueMax']) {
        const value = query.get(field);
        if (value !== null && !RFC3339.test(value)) return problem(`tasks.list: ${field} ${value} is not RFC 3339`);
      }
      const maxResults = Number(query.get('maxResults') ?? 20);
      if (maxResults > 100) return problem('tasks.list: maxResults is at most 100');
      const dueMin = query.get('dueMin') ? Date.parse(query.get('dueMin') ?? '') : -Infinity;
      const dueMax = query.get('dueMax') ? Date.parse(query.get('dueMax') ?? '') : Infinity;
      const showCompleted = query.get('showCompleted') !== 'false';
      const items = fake.tasks.filter(
        (task) =>
          task.user === user &&
          task.tasklist === tasklist &&
          (showCompleted || task.status !== 'completed') &&
          (!query.get('dueMin') && !query.get('dueMax') ? true : task.due !== undefined && Date.parse(task.due) >= dueMin && Date.parse(task.due) < dueMax),
      );
      return new Reply(200, { kind: 'tasks#tasks', items: items.slice(0, maxResults).map(visibleTask) });
    }
    if (method === 'POST') {
      const task = (body ?? {}) as { title?: unknown; notes?: unknown; due?: unknown; status?: unknown };
      if (typeof task.title !== 'string' || !task.title.trim()) return problem('tasks.insert: title is required');
      if (task.title.length > 1024) return problem('tasks.insert: title is at most 1024 characters');
      if (task.notes !== undefined && (typeof task.notes !== 'string' || task.notes.length > 8192)) return problem('tasks.insert: notes are at most 8192 characters');
      if (task.due !== undefined && (typeof task.due !== 'string' || !RFC3339.test(task.due))) return problem(`tasks.insert: due ${JSON.stringify(task.due)} is not RFC 3339`);
      // Tasks keeps the date only.
      const due = typeof task.due === 'string' ? `${DateTime.fromISO(task.due, { zone: 'utc' }).toISODate() ?? ''}T00:00:00.000Z` : undefined;
      const stored: GoogleTask = { id: nextId('k'), user, tasklist, title: task.title, status: 'needsAction', ...(typeof task.notes === 'string' ? { notes: task.notes } : {}), ...(due ? { due } : {}) };
      fake.tasks.push(stored);
      return new Reply(200, visibleTask(stored));
    }
    return apiError(404, `no such Tasks call: ${method}`, 'notFound');
  }

  /** A task as the API shows it. */
  function visibleTask(task: GoogleTask) {
    return { kind: 'tasks#task', id: task.id, title: task.title, status: task.status, ...(task.notes !== undefined ? { notes: task.notes } : {}), ...(task.due ? { due: task.due } : {}) };
  }

  // ---- HTTP ---------------------------------------------------------------------------------------

  async function readBody(request: IncomingMessage): Promise<string> {
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    return Buffer.concat(chunks).toString('utf8');
  }

  function send(response: ServerResponse, reply: Reply) {
    if (reply.status === 302) {
      response.writeHead(302, { location: String(reply.body) });
      response.end();
      return;
    }
    if (reply.body === undefined) {
      response.writeHead(reply.status);
      response.end();
      return;
    }
    response.writeHead(reply.status, { 'content-type': 'application/json; charset=UTF-8' });
    response.end(JSON.stringify(reply.body));
  }

  async function handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const url = new URL(request.url ?? '/', 'http://fake.invalid');
    const method = request.method ?? 'GET';
    const text = await readBody(request);
    const pathName = url.pathname.replace(/^\/+/, '');
    if (pathName === 'token' && method === 'POST') return send(response, token(new URLSearchParams(text)));
    if (pathName === 'o/oauth2/v2/auth' && method === 'GET') return send(response, authorise(url.searchParams));

    let body: unknown;
    if (text) {
      try {
        body = JSON.parse(text);
      } catch {
        return send(response, problem(`${method} ${pathName}: the body is not JSON`));
      }
    }
    const recorded: RecordedRequest = { method, path: decodeURIComponent(pathName), query: url.searchParams, body, status: 0 };
    fake.requests.push(recorded);
    const finish = (reply: Reply) => {
      recorded.status = reply.status;
      send(response, reply);
    };

    const bearer = /^Bearer (.+)$/.exec(request.headers.authorization ?? '')?.[1];
    const grant = bearer ? accessTokens.get(bearer) : undefined;
    if (!grant || rejected.has(grant.user)) {
      return finish(apiError(401, 'Request had invalid authentication credentials. Expected OAuth 2 access token.', 'authError', 'UNAUTHENTICATED'));
    }
    recorded.user = grant.user;
    const needs = NEEDS.find((need) => need.path.test(pathName) && (!need.method || need.method === method));
    if (needs && !needs.scopes.some((scope) => grant.scopes.has(scope))) {
      return finish(apiError(403, 'Request had insufficient authentication scopes.', 'insufficientPermissions', 'PERMISSION_DENIED'));
    }

    let fault = faults.find((candidate) => candidate.remaining > 0 && candidate.path.test(pathName) && (!candidate.method || candidate.method === method) && (!candidate.user || candidate.user === grant.user));
    if (fault && fault.skip > 0) {
      fault.skip -= 1;
      fault = undefined;
    }
    if (fault) fault.remaining -= 1;
    if (fault && !fault.dropResponse) {
      const status = fault.status ?? 500;
      return finish(apiError(status, status === 429 ? 'Too many requests' : `injected ${status}`, fault.reason ?? (status === 429 ? 'rateLimitExceeded' : 'backendError'), status === 429 ? 'RESOURCE_EXHAUSTED' : undefined));
    }

    const segments = pathName.split('/').map(decodeURIComponent);
    let reply: Reply;
    if (segments[0] === 'gmail' && segments[1] === 'v1' && segments[2] === 'users') reply = await gmail(method, segments.slice(3), url.searchParams, body, grant.user, recorded);
    else if (segments[0] === 'calendar' && segments[1] === 'v3') reply = calendar(method, segments.slice(2), body, grant.user);
    else if (segments[0] === 'tasks' && segments[1] === 'v1') reply = tasksApi(method, segments.slice(2), url.searchParams, body, grant.user);
    else reply = apiError(404, `no such API: ${pathName}`, 'notFound');

    if (fault?.dropResponse) {
      recorded.status = -1;
      response.socket?.destroy();
      return;
    }
    finish(reply);
  }

  const server = createServer((request, response) => {
    handle(request, response).catch((error: unknown) => {
      fake.problems.push(`the fake failed: ${(error as Error).stack ?? String(error)}`);
      if (!response.headersSent) send(response, new Reply(500, { error: { code: 500, message: 'fake failure' } }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const root = `http://127.0.0.1:${port}/`;

  return Object.assign(fake, {
    rootUrl: root,
    tokenUrl: `${root}token`,
    authUrl: `${root}o/oauth2/v2/auth`,
    addUser(email: string, refreshToken: string, scopes: readonly string[] = ALL_SCOPES) {
      users.set(email, { scopes: new Set(scopes) });
      refreshTokens.set(refreshToken, email);
    },
    addServiceAccount(clientEmail: string, publicKeyPem: string) {
      serviceAccounts.set(clientEmail, publicKeyPem);
    },
    consentAs(email: string, scopes?: readonly string[]) {
      consent = { email, ...(scopes ? { scopes } : {}) };
    },
    revoke(refreshToken: string) {
      revoked.add(refreshToken);
    },
    rejectAccessTokensOf(email: string) {
      rejected.add(email);
    },
    fault(spec: FaultSpec) {
      faults.push({ ...spec, remaining: spec.count ?? 1, skip: spec.after ?? 0 });
    },
    onSent(listener: (message: GmailMessage) => void) {
      listeners.push(listener);
    },
    reply({ user, threadId, from, text, quoted }: { user: string; threadId: string; from: { name: string; email: string }; text: string; quoted?: string }) {
      const original = fake.messages.find((message) => message.user === user && message.threadId === threadId);
      const body = quoted ? `${text}\n\nOn Thu, 3 Dec 2026 at 10:15, ${original?.from ?? user} wrote:\n${quoted.split('\n').map((line) => `> ${line}`).join('\n')}\n` : text;
      const message: GmailMessage = {
        id: nextId('m'),
        threadId,
        user,
        labelIds: ['INBOX', 'UNREAD'],
        messageId: `<reply-${randomBytes(6).toString('hex')}@acme.example.com>`,
        subject: `Re: ${original?.subject ?? ''}`,
        from: `${from.name} <${from.email}>`,
        to: user,
        ...(original?.messageId ? { inReplyTo: original.messageId } : {}),
        text: body,
      };
      fake.messages.push(message);
      return message;
    },
    sent(user?: string) {
      return fake.messages.filter((message) => message.labelIds.includes('SENT') && (!user || message.user === user));
    },
    dependencies(directory: string, defaultAccount?: string): GoogleDependencies {
      return { accounts: createCredentialsDirectory({ directory, ...(defaultAccount ? { defaultAccount } : {}), tokenUrl: `${root}token` }), rootUrl: root };
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  });
}

/** Writes a user's refresh-token credentials, as `onward google auth` does. */
export function writeUserCredentials(directory: string, name: string, refreshToken: string): string {
  mkdirSync(directory, { recursive: true, mode: 0o700 });
  const file = path.join(directory, `${name}.json`);
  writeFileSync(file, JSON.stringify({ type: 'authorized_user', client_id: 'onward-test.apps.googleusercontent.com', client_secret: 'test-secret', refresh_token: refreshToken }), { mode: 0o600 });
  return file;
}

/** Writes a service account key file (as Google issues them), optionally with a fixed subject. */
export function writeServiceAccount(directory: string, name: string, key: { clientEmail: string; privateKeyPem: string; subject?: string }): string {
  mkdirSync(directory, { recursive: true, mode: 0o700 });
  const file = path.join(directory, `${name}.json`);
  writeFileSync(
    file,
    JSON.stringify({
      type: 'service_account',
      project_id: 'onward-test',
      private_key_id: 'k1',
      private_key: key.privateKeyPem,
      client_email: key.clientEmail,
      client_id: '1234567890',
      token_uri: GOOGLE_TOKEN_AUDIENCE,
      ...(key.subject ? { subject: key.subject } : {}),
    }),
    { mode: 0o600 },
  );
  return file;
}
