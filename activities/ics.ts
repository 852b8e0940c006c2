import { createHash } from 'node:crypto';
import { DateTime, IANAZone } from 'luxon';

/**
 * A calendar invitation (iCalendar, RFC 5545) for one check-in: a VEVENT in the candidate's time zone, with the
 * VTIMEZONE that defines it (its offsets and daylight-saving changes around the event), and a reminder. Mail clients
 * without Google (Outlook, Apple Mail, Thunderbird) offer to add it to the calendar.
 */
export interface CheckInInvitation {
  uid: string;
  /** ISO 8601 instant. */
  startsAt: string;
  minutes: number;
  timezone: string;
  summary: string;
  description: string;
  organizer: { name: string; email: string };
  attendee: { name: string; email: string };
  /** Minutes before the start when the reminder goes off. */
  reminderMinutes?: number;
  /** When the invitation was made; now by default. */
  stamp?: Date;
}

/** A stable identifier for the event of one step of one sequence (the same on every retry). */
export function invitationUid(sequenceId: string, stepKey: string, domain: string): string {
  return `${createHash('sha256').update(`${sequenceId}\n${stepKey}`).digest('hex').slice(0, 32)}@${domain}`;
}

/** Text values escape backslashes, semicolons, commas and line breaks (RFC 5545 3.3.11). */
export function escapeText(text: string): string {
  return text.replace(/\\/g, '\\\\').replace(/;/g, '\\;').replace(/,/g, '\\,').replace(/\r?\n/g, '\\n');
}

/** Lines longer than 75 octets are folded: CRLF and a space, never inside a UTF-8 character (RFC 5545 3.1). */
export function foldLine(line: string): string {
  const parts: string[] = [];
  let current = '';
  let octets = 0;
  for (const char of line) {
    const size = Buffer.byteLength(char, 'utf8');
    const limit = parts.length === 0 ? 75 : 74; // continuation lines start with a space
    if (octets + size > limit) {
      parts.push(current);
      current = '';
      octets = 0;
    }
    current += char;
    octets += size;
  }
  parts.push(current);
  return parts.join('\r\n ');
}

const utcStamp = (instant: DateTime) => instant.toUTC().toFormat("yyyyLLdd'T'HHmmss'Z'");
const localStamp = (instant: DateTime) => instant.toFormat("yyyyLLdd'T'HHmmss");

function offsetText(minutes: number): string {
  const sign = minutes < 0 ? '-' : '+';
  const absolute = Math.abs(minutes);
  return `${sign}${String(Math.floor(absolute / 60)).padStart(2, '0')}${String(absolute % 60).padStart(2, '0')}`;
}

interface Transition {
  at: number;
  from: number;
  to: number;
}

/** The instants a zone changes its UTC offset between `start` and `end` (to the minute). */
function transitions(zone: IANAZone, start: number, end: number): Transition[] {
  const found: Transition[] = [];
  const DAY = 86_400_000;
  for (let at = start; at < end; at += DAY) {
    const before = zone.offset(at);
    const after = zone.offset(at + DAY);
    if (before === after) continue;
    let low = at;
    let high = at + DAY;
    while (high - low > 60_000) {
      const middle = low + Math.floor((high - low) / 120_000) * 60_000;
      if (zone.offset(middle) === before) low = middle;
      else high = middle;
    }
    found.push({ at: high, from: before, to: after });
  }
  return found;
}

/**
 * The VTIMEZONE of `timezone`, with every offset change in the year around `instant` (one observance each, in the
 * offset in force before it, as RFC 5545 requires), or a single STANDARD observance for a zone without changes.
 */
export function vtimezone(timezone: string, instant: number): string[] {
  const zone = IANAZone.create(timezone);
  if (!zone.isValid) throw new RangeError(`not an IANA time zone: ${timezone}`);
  const YEAR = 366 * 86_400_000;
  const changes = transitions(zone, instant - YEAR, instant + YEAR);
  const lines = ['BEGIN:VTIMEZONE', `TZID:${timezone}`];
  if (changes.length === 0) {
    const offset = offsetText(zone.offset(instant));
    const name = zone.offsetName(instant, { format: 'short', locale: 'en-US' }) ?? offset;
    lines.push('BEGIN:STANDARD', 'DTSTART:19700101T000000', `TZOFFSETFROM:${offset}`, `TZOFFSETTO:${offset}`, `TZNAME:${name}`, 'END:STANDARD');
  }
  for (const change of changes) {
    const kind = change.to > change.from ? 'DAYLIGHT' : 'STANDARD';
    const onset = DateTime.fromMillis(change.at, { zone: 'utc' }).plus({ minutes: change.from });
    const name = zone.offsetName(change.at, { format: 'short', locale: 'en-US' }) ?? offsetText(change.to);
    lines.push(
      `BEGIN:${kind}`,
      `DTSTART:${localStamp(onset)}`,
      `TZOFFSETFROM:${offsetText(change.from)}`,
      `TZOFFSETTO:${offsetText(change.to)}`,
      `TZNAME:${name}`,
      `END:${kind}`,
    );
  }
  lines.push('END:VTIMEZONE');
  return lines;
}

/** The whole VCALENDAR (METHOD:REQUEST), CRLF line endings, lines folded. */
export function checkInInvitation(invitation: CheckInInvitation): string {
  const start = DateTime.fromISO(invitation.startsAt, { zone: invitation.timezone });
  if (!start.isValid) throw new RangeError(`not an instant: ${invitation.startsAt}`);
  const end = start.plus({ minutes: invitation.minutes });
  const reminder = invitation.reminderMinutes ?? 10;
  const lines = [
    'BEGIN:VCALENDAR',
    'VERSION:2.0',
    'PRODID:-//Onward//Check-ins//EN',
    'CALSCALE:GREGORIAN',
    'METHOD:REQUEST',
    ...vtimezone(invitation.timezone, start.toMillis()),
    'BEGIN:VEVENT',
    `UID:${invitation.uid}`,
    `DTSTAMP:${utcStamp(DateTime.fromJSDate(invitation.stamp ?? new Date()))}`,
    `DTSTART;TZID=${invitation.timezone}:${localStamp(start)}`,
    `DTEND;TZID=${invitation.timezone}:${localStamp(end)}`,
    'SEQUENCE:0',
    'STATUS:CONFIRMED',
    'TRANSP:OPAQUE',
    `SUMMARY:${escapeText(invitation.summary)}`,
    `DESCRIPTION:${escapeText(invitation.description)}`,
    `ORGANIZER;CN=${quoteParameter(invitation.organizer.name)}:mailto:${invitation.organizer.email}`,
    `ATTENDEE;CN=${quoteParameter(invitation.attendee.name)};ROLE=REQ-PARTICIPANT;PARTSTAT=NEEDS-ACTION;RSVP=FALSE:mailto:${invitation.attendee.email}`,
    'BEGIN:VALARM',
    'ACTION:DISPLAY',
    `DESCRIPTION:${escapeText(invitation.summary)}`,
    `TRIGGER:-PT${reminder}M`,
    'END:VALARM',
    'END:VEVENT',
    'END:VCALENDAR',
  ];
  return lines.map(foldLine).join('\r\n') + '\r\n';
}

/** A parameter value in double quotes (names may hold commas or colons); quotes themselves are not allowed. */
function quoteParameter(value: string): string {
  return `"${value.replace(/["\p{Cc}]/gu, '')}"`;
}
