import { DateTime } from 'luxon';
import { describe, expect, test } from 'vitest';
import type { PolicyOverrides } from '../../workflows/policy';
import { previewSequence } from '../../workflows/schedule';
import { FROM_ADDRESS, useTimeSkipping } from '../helpers/time-skipping';
import { DOCUMENT } from './support';

const harness = useTimeSkipping();

/** Unfolds an iCalendar text (RFC 5545 3.1) into content lines: name, parameters, value. */
function contentLines(ics: string): { name: string; params: Record<string, string>; value: string }[] {
  return ics
    .replace(/\r\n[ \t]/g, '')
    .split(/\r\n/)
    .filter(Boolean)
    .map((line) => {
      const colon = line.search(/:(?=(?:[^"]*"[^"]*")*[^"]*$)/);
      const [name = '', ...params] = line.slice(0, colon).split(';');
      return { name, params: Object.fromEntries(params.map((param) => param.split('=') as [string, string])), value: line.slice(colon + 1) };
    });
}

/** The components of a calendar as nested blocks of content lines. */
function component(lines: ReturnType<typeof contentLines>, name: string, from = 0): { lines: ReturnType<typeof contentLines>; end: number } | undefined {
  const start = lines.findIndex((line, index) => index >= from && line.name === 'BEGIN' && line.value === name);
  if (start < 0) return undefined;
  const end = lines.findIndex((line, index) => index > start && line.name === 'END' && line.value === name);
  return { lines: lines.slice(start + 1, end), end };
}

const NEW_YORK = { ...DOCUMENT.candidate, timezone: 'America/New_York' };
const POLICY: PolicyOverrides = { channels: { checkIns: 'ics' }, checkInCount: 6, touchpointsAfter: [] };

describe('the ics channel: check-in emails carry a calendar invitation', () => {
  test('each check-in has a valid VEVENT at its time in the candidate’s zone (across a DST change), 30 minutes, a reminder', async () => {
    const { advanceUntil, now, start } = harness();
    // Rejected on a Monday two weeks before New York's next change of UTC offset: the check-ins straddle it.
    let day = DateTime.fromMillis(await now(), { zone: 'America/New_York' }).startOf('day').plus({ days: 21 });
    while (day.offset === day.plus({ days: 1 }).offset) day = day.plus({ days: 1 });
    let monday = day.minus({ days: 14 }).set({ hour: 14 });
    while (monday.weekday !== 1) monday = monday.minus({ days: 1 });
    await advanceUntil(monday.toMillis());
    const sequence = await start({ id: 'g-ics', document: { ...DOCUMENT, candidate: NEW_YORK }, policy: POLICY });
    const planned = new Map(previewSequence(sequence.input.rejection, sequence.input.policy).map((entry) => [entry.key, entry.at]));
    expect(await sequence.handle.result()).toMatchObject({ stage: 'completed', failed: 0 });

    const uids = new Set<string>();
    const offsets = new Set<string>();
    for (let week = 1; week <= 6; week++) {
      const step = `check-in:${week}`;
      const mail = sequence.mail(step);
      const invitation = mail?.parsed.attachments.find((attachment) => attachment.contentType === 'text/calendar' || attachment.contentType === 'application/ics');
      const ics = invitation ? invitation.content.toString('utf8') : '';
      expect(ics, step).toContain('BEGIN:VCALENDAR');
      expect(ics.split('\r\n').every((line) => Buffer.byteLength(line) <= 75), `${step}: folded lines`).toBe(true);
      const lines = contentLines(ics);
      expect(lines.find((line) => line.name === 'METHOD')?.value).toBe('REQUEST');
      expect(lines.find((line) => line.name === 'VERSION')?.value).toBe('2.0');

      const event = component(lines, 'VEVENT');
      const get = (name: string) => event?.lines.find((line) => line.name === name);
      const dtstart = get('DTSTART');
      const dtend = get('DTEND');
      expect(dtstart?.params.TZID, step).toBe('America/New_York');
      expect(dtend?.params.TZID, step).toBe('America/New_York');
      // The local wall-clock time in the zone is the check-in's planned instant.
      const startsAt = DateTime.fromFormat(dtstart?.value ?? '', "yyyyLLdd'T'HHmmss", { zone: 'America/New_York' });
      const endsAt = DateTime.fromFormat(dtend?.value ?? '', "yyyyLLdd'T'HHmmss", { zone: 'America/New_York' });
      expect(startsAt.toMillis(), step).toBe(planned.get(step));
      expect(endsAt.diff(startsAt, 'minutes').minutes).toBe(30);
      expect(get('SUMMARY')?.value).toMatch(new RegExp(`^Week ${week} of 6: \\w`));
      expect(get('DESCRIPTION')?.value).toContain('Hi Ada');
      expect(get('ORGANIZER')?.value).toBe(`mailto:${FROM_ADDRESS}`);
      expect(get('ATTENDEE')?.value).toBe(`mailto:${NEW_YORK.email}`);
      expect(get('DTSTAMP')?.value).toMatch(/^\d{8}T\d{6}Z$/);
      uids.add(get('UID')?.value ?? '');
      const alarm = component(event?.lines ?? [], 'VALARM');
      expect(alarm?.lines.find((line) => line.name === 'TRIGGER')?.value).toBe('-PT10M');
      expect(alarm?.lines.find((line) => line.name === 'ACTION')?.value).toBe('DISPLAY');

      // The VTIMEZONE defines the TZID: the observance in force at the event gives the same instant.
      const zone = component(lines, 'VTIMEZONE');
      expect(zone?.lines.find((line) => line.name === 'TZID')?.value).toBe('America/New_York');
      const observances: { start: DateTime; to: string }[] = [];
      for (let at = 0, found = component(zone?.lines ?? [], 'STANDARD'); found; found = component(zone?.lines ?? [], 'STANDARD', at)) {
        observances.push({ start: DateTime.fromFormat(found.lines.find((line) => line.name === 'DTSTART')?.value ?? '', "yyyyLLdd'T'HHmmss", { zone: 'utc' }), to: found.lines.find((line) => line.name === 'TZOFFSETTO')?.value ?? '' });
        at = found.end + 1;
      }
      for (let at = 0, found = component(zone?.lines ?? [], 'DAYLIGHT'); found; found = component(zone?.lines ?? [], 'DAYLIGHT', at)) {
        observances.push({ start: DateTime.fromFormat(found.lines.find((line) => line.name === 'DTSTART')?.value ?? '', "yyyyLLdd'T'HHmmss", { zone: 'utc' }), to: found.lines.find((line) => line.name === 'TZOFFSETTO')?.value ?? '' });
        at = found.end + 1;
      }
      const local = DateTime.fromFormat(dtstart?.value ?? '', "yyyyLLdd'T'HHmmss", { zone: 'utc' });
      const inForce = observances.filter((observance) => observance.start <= local).sort((a, b) => b.start.toMillis() - a.start.toMillis())[0];
      const [sign, hours, minutes] = /^([+-])(\d\d)(\d\d)$/.exec(inForce?.to ?? '')?.slice(1) ?? [];
      const offset = (sign === '-' ? -1 : 1) * (Number(hours) * 60 + Number(minutes));
      expect(local.minus({ minutes: offset }).toMillis(), `${step}: VTIMEZONE offset`).toBe(planned.get(step));
      offsets.add(inForce?.to ?? '');
    }
    // One event per check-in, and the check-ins did cross the DST change.
    expect(uids.size).toBe(6);
    expect([...offsets].sort()).toEqual(['-0400', '-0500']);
  });
});
