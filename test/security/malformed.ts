import fc from 'fast-check';
import { IANAZone } from 'luxon';
import { parseDuration } from '../../workflows/durations';
import { STEP_KINDS } from '../../workflows/steps';
import { rejectionDocument } from '../helpers/fixtures';

/**
 * Generators of malformed rejection documents, one per class of bad input, for the bad-input barrage
 * (bad-input.test.ts) and its CLI-level check (cli-refusals.test.ts).
 */

type Path = (string | number)[];
type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

export interface MalformedCase {
  category: string;
  /** The field the refusal must name (as describeProblems writes it), or undefined when several may be at fault. */
  field?: string;
  document: unknown;
}

// A valid document with every optional part present, so that every field can be broken.
export function baseDocument(): Record<string, unknown> {
  return structuredClone({
    ...rejectionDocument(),
    candidate: { name: 'Ada Lovelace', email: 'ada@example.com', timezone: 'Europe/London', linkedinUrl: 'https://www.linkedin.com/in/ada' },
    interviewers: [
      { name: 'Grace Hopper', email: 'grace@acme.example.com', title: 'Head of Engineering', timezone: 'America/New_York' },
      { name: 'Alan Turing', email: 'alan@acme.example.com' },
    ],
    recruiter: { name: 'Katherine Johnson', email: 'katherine@acme.example.com', timezone: 'America/Los_Angeles', linkedinUrl: 'https://linkedin.com/in/kj' },
    dreamJob: false,
    policy: {
      grievingPeriod: '2 days',
      feedbackWait: '10 days',
      checkInCount: 6,
      touchpointsAfter: ['30 days', '90 days'],
      sendWindow: { days: ['mon', 'tue'], start: '09:00', end: '17:00' },
      holidays: ['2026-12-25'],
      delivery: { 'thank-you': 'approve' },
      feedbackFrom: 'interviewer',
      approvalFallback: 'send',
      supportiveNote: true,
    },
  });
}

const fieldOf = (path: Path): string =>
  path.reduce<string>((name, part) => (typeof part === 'number' ? `${name}[${part}]` : name ? `${name}.${part}` : part), '');

/** Sets (or, with `remove`, deletes) the value at `path`, as an own property even for "__proto__". */
function withValue(document: Record<string, unknown>, path: Path, value: unknown, remove = false): Record<string, unknown> {
  let node = document as Record<string | number, unknown>;
  for (const part of path.slice(0, -1)) node = node[part] as Record<string | number, unknown>;
  const last = path[path.length - 1] as string | number;
  if (remove) delete node[last];
  else Object.defineProperty(node, last, { value, enumerable: true, configurable: true, writable: true });
  return document;
}

// ---- where the fields are, by kind ----------------------------------------------------------------------------------

const DISPLAY_TEXT: [Path, number][] = [
  [['candidate', 'name'], 120],
  [['interviewers', 0, 'name'], 120],
  [['interviewers', 1, 'name'], 120],
  [['interviewers', 0, 'title'], 160],
  [['recruiter', 'name'], 120],
  [['company'], 160],
  [['role'], 160],
];
const EMAILS: Path[] = [['candidate', 'email'], ['interviewers', 0, 'email'], ['interviewers', 1, 'email'], ['recruiter', 'email']];
const TIME_ZONES: Path[] = [['candidate', 'timezone'], ['interviewers', 0, 'timezone'], ['recruiter', 'timezone']];
const DURATIONS: Path[] = [
  ...['grievingPeriod', 'dreamJobGrievingPeriod', 'feedbackRequestDelay', 'feedbackWait', 'feedbackReminderAfter', 'checkInEvery', 'otherOpeningsDelay', 'linkedInTaskDelay', 'approvalTimeout'].map(
    (name): Path => ['policy', name],
  ),
  ['policy', 'touchpointsAfter', 0],
  ['policy', 'touchpointsAfter', 1],
];
const LINKEDIN_URLS: Path[] = [['candidate', 'linkedinUrl'], ['recruiter', 'linkedinUrl']];
const REQUIRED: Path[] = [
  ['id'],
  ['candidate'],
  ['candidate', 'name'],
  ['candidate', 'email'],
  ['candidate', 'timezone'],
  ['company'],
  ['role'],
  ['interviewers'],
  ['interviewers', 0, 'name'],
  ['interviewers', 0, 'email'],
  ['recruiter', 'name'],
  ['recruiter', 'email'],
  ['rejectedAt'],
];

type Kind = 'string' | 'boolean' | 'number' | 'array' | 'object';
const TYPED: [Path, Kind][] = [
  ...(['id', 'company', 'role', 'rejectedAt'] as const).map((name): [Path, Kind] => [[name], 'string']),
  ...DISPLAY_TEXT.map(([path]): [Path, Kind] => [path, 'string']),
  ...EMAILS.map((path): [Path, Kind] => [path, 'string']),
  ...TIME_ZONES.map((path): [Path, Kind] => [path, 'string']),
  ...DURATIONS.map((path): [Path, Kind] => [path, 'string']),
  ...LINKEDIN_URLS.map((path): [Path, Kind] => [path, 'string']),
  [['policy', 'sendWindow', 'start'], 'string'],
  [['policy', 'sendWindow', 'end'], 'string'],
  [['policy', 'sendWindow', 'days', 0], 'string'],
  [['policy', 'holidays', 0], 'string'],
  [['policy', 'delivery', 'thank-you'], 'string'],
  [['policy', 'feedbackFrom'], 'string'],
  [['policy', 'approvalFallback'], 'string'],
  [['dreamJob'], 'boolean'],
  [['policy', 'supportiveNote'], 'boolean'],
  [['policy', 'feedbackReminder'], 'boolean'],
  [['policy', 'avoidRejectionDay'], 'boolean'],
  [['policy', 'checkInCount'], 'number'],
  [['interviewers'], 'array'],
  [['policy', 'touchpointsAfter'], 'array'],
  [['policy', 'holidays'], 'array'],
  [['policy', 'sendWindow', 'days'], 'array'],
  [['candidate'], 'object'],
  [['interviewers', 0], 'object'],
  [['recruiter'], 'object'],
  [['policy'], 'object'],
  [['policy', 'sendWindow'], 'object'],
  [['policy', 'delivery'], 'object'],
];
const OBJECTS: [Path, string[]][] = [
  [[], Object.keys(baseDocument()).concat('$schema')],
  [['candidate'], ['name', 'email', 'timezone', 'linkedinUrl']],
  [['interviewers', 0], ['name', 'email', 'title', 'timezone']],
  [['recruiter'], ['name', 'email', 'timezone', 'linkedinUrl']],
  [
    ['policy'],
    [
      'supportiveNote',
      'grievingPeriod',
      'dreamJobGrievingPeriod',
      'feedbackRequestDelay',
      'feedbackFrom',
      'feedbackWait',
      'feedbackReminder',
      'feedbackReminderAfter',
      'checkInEvery',
      'checkInCount',
      'otherOpeningsDelay',
      'linkedInTaskDelay',
      'touchpointsAfter',
      'sendWindow',
      'holidays',
      'avoidRejectionDay',
      'delivery',
      'approvalTimeout',
      'approvalFallback',
    ],
  ],
  [['policy', 'sendWindow'], ['days', 'start', 'end']],
  [['policy', 'delivery'], [...STEP_KINDS]],
];

const kindOf = (value: unknown): Kind | 'null' | 'other' =>
  value === null ? 'null' : Array.isArray(value) ? 'array' : typeof value === 'object' ? 'object' : (['string', 'boolean', 'number'] as const).find((kind) => typeof value === kind) ?? 'other';

// ---- the generators, one per class of bad input --------------------------------------------------------------------

const site = <T>(list: readonly T[]) => fc.constantFrom(...list);
const CONTROL = [...Array.from({ length: 32 }, (_, code) => String.fromCharCode(code)), '\u007f', '\u0085', '\u009b', '\u2028', '\u2029'];
const INJECTIONS = ['\r\nBcc: victim@evil.example', '\nBcc: victim@evil.example', '\rBcc: victim@evil.example', '\r\n\r\n<script>alert(1)</script>', '\u2028Bcc: victim@evil.example', '\u0085Bcc: x@y.z', '\r\nContent-Type: text/html', '\u0000\r\nTo: x@y.z'];
const json: fc.Arbitrary<Json> = fc.jsonValue({ maxDepth: 3 }) as fc.Arbitrary<Json>;
const otherThan = (kind: Kind) => fc.oneof(fc.integer(), fc.double({ noNaN: true }), fc.boolean(), fc.constant(null), fc.string(), fc.array(json, { maxLength: 3 }), fc.dictionary(fc.string(), json, { maxKeys: 3 })).filter((value) => kindOf(value) !== kind);
const insertInMiddle = (text: string, piece: string, at: number) => {
  const cut = 1 + (at % Math.max(1, text.length - 1));
  return text.slice(0, cut) + piece + text.slice(cut);
};

export const arbitraries: Record<string, fc.Arbitrary<MalformedCase>> = {
  'wrong type': site(TYPED).chain(([path, kind]) =>
    otherThan(kind).map((value) => ({ category: 'wrong type', field: fieldOf(path), document: withValue(baseDocument(), path, value) })),
  ),
  'missing required field': site(REQUIRED).map((path) => ({ category: 'missing required field', field: fieldOf(path), document: withValue(baseDocument(), path, undefined, true) })),
  'huge string': fc.tuple(site([...DISPLAY_TEXT, [['id'], 128] as [Path, number], ...EMAILS.map((path): [Path, number] => [path, 254])]), fc.integer({ min: 1, max: 2_000_000 }), fc.constantFrom('x', 'é', '😀', ' a')).map(
    ([[path, max], extra, unit]) => {
      const isEmail = path[path.length - 1] === 'email';
      const length = max + 1 + (extra % 200_000);
      // Over the limit however it is counted (UTF-16 units, code points or graphemes).
      const value = isEmail ? `${'a'.repeat(length)}@example.com` : `A${unit.repeat(length)}`;
      return { category: 'huge string', field: fieldOf(path), document: withValue(baseDocument(), path, value) };
    },
  ),
  'control characters': fc.tuple(site([...DISPLAY_TEXT.map(([path]) => path), ...EMAILS]), site(CONTROL), fc.nat()).map(([path, character, at]) => {
    const document = baseDocument();
    const current = fieldOf(path) ? (path.reduce<unknown>((node, part) => (node as Record<string | number, unknown>)[part], document) as string) : '';
    return { category: 'control characters', field: fieldOf(path), document: withValue(document, path, insertInMiddle(current, character, at)) };
  }),
  'header injection': fc.tuple(site([...DISPLAY_TEXT.map(([path]) => path), ...EMAILS, ...TIME_ZONES, ['id'] as Path]), site(INJECTIONS), fc.boolean(), fc.nat()).map(([path, injection, append, at]) => {
    const document = baseDocument();
    const current = path.reduce<unknown>((node, part) => (node as Record<string | number, unknown>)[part], document) as string;
    return { category: 'header injection', field: fieldOf(path), document: withValue(document, path, append ? current + injection : insertInMiddle(current, injection, at)) };
  }),
  'bad time zone': fc
    .tuple(
      site(TIME_ZONES),
      fc.oneof(
        fc.constantFrom('Mars/Olympus_Mons', 'GMT+25', 'Etc/GMT+15', 'Europe/Londn', 'UTC+99:00', '', ' ', 'America/New York', '../../etc/passwd', 'Z', '+05:30', 'Local', 'Europe/London\r\nBcc: x@y.z'),
        fc.string({ maxLength: 40 }),
      ),
    )
    .filter(([, zone]) => !IANAZone.isValidZone(zone))
    .map(([path, zone]) => ({ category: 'bad time zone', field: fieldOf(path), document: withValue(baseDocument(), path, zone) })),
  'bad duration': fc
    .tuple(
      site(DURATIONS),
      fc.oneof(
        fc.constantFrom('10', '-1 day', '2 fortnights', '', 'soon', '0 days', '0 seconds', 'NaN hours', '1e3 days', '1,5 days', 'P2D', 'Infinity days', `${'9'.repeat(400)} days`, '2 days\r\nBcc: x@y.z', '2 days 3 hours', 'two days', '-0 s'),
        fc.string({ maxLength: 30 }),
      ),
    )
    .filter(([, text]) => parseDuration(text) === undefined)
    .map(([path, text]) => ({ category: 'bad duration', field: fieldOf(path), document: withValue(baseDocument(), path, text) })),
  'unknown key': fc
    .tuple(
      site(OBJECTS),
      fc.oneof(
        fc.constantFrom('__proto__', 'constructor', 'prototype', 'toString', 'hasOwnProperty', 'Id', 'ID', 'policy ', 'bcc', 'cc', 'headers', 'html', 'salary', '$ref', 'Candidate'),
        fc.string({ minLength: 1, maxLength: 20 }),
      ),
      json,
    )
    // Keys made of control characters are the subject of a known gap below; a key that happens to be known is not unknown.
    .filter(([[, known], key]) => !known.includes(key) && !/[\p{Cc}\p{Zl}\p{Zp}]/u.test(key))
    .map(([[path, ], key, value]) => ({ category: 'unknown key', field: fieldOf([...path, key]), document: withValue(baseDocument(), [...path, key], value) })),
  'bad email address': fc
    .tuple(
      site(EMAILS),
      fc.oneof(
        fc.constantFrom('plainaddress', '@no-local.example', 'a@', 'a@b', 'a b@c.com', 'a@b..com', '"quoted"@x.com', 'a@b.com,c@d.com', 'a@b.com;c@d.com', '<a@b.com>', 'Ada <a@b.com>', 'a@[127.0.0.1]', 'a@localhost', '.a@b.com'),
        fc.string({ maxLength: 40 }).filter((text) => !text.includes('@')),
      ),
    )
    .map(([path, email]) => ({ category: 'bad email address', field: fieldOf(path), document: withValue(baseDocument(), path, email) })),
  'bad date-time': fc
    .oneof(
      fc.constantFrom('2026-11-24T15:30:00', '2026-11-24', '24/11/2026', '2026-13-01T00:00:00Z', '2026-02-30T10:00:00Z', '2026-11-24T25:00:00Z', '2026-11-24T15:30:00+25:00', '2026-11-24 15:30:00Z', 'yesterday', ''),
      // Random text, minus the (vanishingly rare) string that is a date-time with a zone.
      fc.string({ maxLength: 30 }).filter((text) => !/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}/.test(text)),
      // Real instants written without their zone.
      fc.date({ noInvalidDate: true }).map((date) => date.toISOString().replace('Z', '')),
    )
    .map((text) => ({ category: 'bad date-time', field: 'rejectedAt', document: withValue(baseDocument(), ['rejectedAt'], text) })),
  'bad policy value': fc
    .constantFrom<[Path, unknown]>(
      [['policy', 'checkInCount'], -1],
      [['policy', 'checkInCount'], 53],
      [['policy', 'checkInCount'], 1.5],
      [['policy', 'checkInCount'], 1e12],
      [['policy', 'sendWindow', 'start'], '25:00'],
      [['policy', 'sendWindow', 'start'], '9:00'],
      [['policy', 'sendWindow', 'end'], 'noon'],
      [['policy', 'sendWindow', 'end'], '08:00'],
      [['policy', 'sendWindow', 'days'], []],
      [['policy', 'sendWindow', 'days', 0], 'someday'],
      [['policy', 'holidays', 0], '2026-13-01'],
      [['policy', 'holidays', 0], '2026/12/25'],
      [['policy', 'holidays'], Array.from({ length: 367 }, () => '2026-12-25')],
      [['policy', 'touchpointsAfter'], Array.from({ length: 13 }, () => '1 day')],
      [['policy', 'delivery', 'thank-you'], 'maybe'],
      [['policy', 'delivery', 'no-such-step'], 'send'],
      [['policy', 'feedbackFrom'], 'ceo'],
      [['policy', 'approvalFallback'], 'retry'],
      [['interviewers'], []],
      [['interviewers'], Array.from({ length: 21 }, (_, index) => ({ name: `I ${index}`, email: `i${index}@acme.example.com` }))],
      [['id'], '../etc/passwd'],
      [['id'], '-leading-dash'],
      [['id'], ''],
      [['company'], '   '],
      [['candidate', 'name'], ''],
    )
    .map(([path, value]) => ({ category: 'bad policy value', field: fieldOf(path), document: withValue(baseDocument(), path, structuredClone(value)) })),
  'bad LinkedIn URL': fc
    .tuple(
      site(LINKEDIN_URLS),
      fc.constantFrom(
        'http://www.linkedin.com/in/ada',
        'javascript:alert(1)',
        'https://linkedin.com.evil.example/in/ada',
        'https://evil.example/linkedin.com',
        'data:text/html,<script>alert(1)</script>',
        'https://www.linkedin.com@evil.example/in/ada',
        'linkedin.com/in/ada',
        'https://',
        '',
      ),
    )
    .map(([path, url]) => ({ category: 'bad LinkedIn URL', field: fieldOf(path), document: withValue(baseDocument(), path, url) })),
  'not a document': fc
    .oneof(fc.constantFrom<unknown>(null, undefined, [], 42, 'rejection', true, 0, ''), fc.array(json, { maxLength: 3 }), fc.string(), fc.integer())
    .map((document) => ({ category: 'not a document', field: '(document)', document })),
  // What an in-process caller (the API) could hand over that JSON cannot express.
  // (Objects such as a Map or a Date where an object is expected read as an empty object: left out, JSON has none.)
  'values JSON cannot express': site(TYPED).chain(([path, kind]) =>
    fc
      .constantFrom<unknown>(10n, Symbol('x'), () => 'x', Number.NaN, Number.POSITIVE_INFINITY, ...(kind === 'object' ? [] : [new Date(), new Map([['a', 1]]), new Set([1]), new Uint8Array(3), /regex/]))
      .map((value) => ({ category: 'values JSON cannot express', field: fieldOf(path), document: withValue(baseDocument(), path, value) })),
  ),
};

/** Several of the above at once: refused, and every problem still names a field. */
export const combined: fc.Arbitrary<MalformedCase> = fc.array(fc.oneof(...Object.values(arbitraries).slice(0, 11)), { minLength: 2, maxLength: 5 }).map((cases) => {
  const merged = baseDocument();
  for (const { document } of cases) {
    if (typeof document !== 'object' || document === null) continue;
    for (const key of Object.keys(baseDocument())) if (!(key in document)) delete merged[key];
    for (const key of Object.keys(document)) {
      const value = (document as Record<string, unknown>)[key];
      if (JSON.stringify(value) !== JSON.stringify((baseDocument())[key])) withValue(merged, [key], value);
    }
  }
  return { category: 'several at once', document: merged };
});

/** Generated cases of one class (deterministic for a seed), for the CLI check. */
export function sampleCases(category: string, count: number, seed = 4711): MalformedCase[] {
  const arbitrary = arbitraries[category];
  if (!arbitrary) throw new Error(`no category ${category}`);
  return fc.sample(arbitrary, { numRuns: count, seed });
}
