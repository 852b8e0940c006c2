import { describe, expect, test } from 'vitest';
import { eventIdFor } from '../../activities/google';
import { hiredUpdate, optOutUpdate } from '../../workflows/definitions';
import type { PolicyOverrides } from '../../workflows/policy';
import { previewSequence } from '../../workflows/schedule';
import { eventually } from '../helpers/eventually';
import { ADA, ADA_ACCOUNT, DOCUMENT, useGoogleHarness } from './support';

const { harness, google } = useGoogleHarness();

const POLICY: PolicyOverrides = { channels: { checkIns: 'google-calendar' }, googleAccount: ADA_ACCOUNT };

describe('check-ins in Google Calendar when the sequence ends early', () => {
  test('hired after the second check-in: the four remaining events are deleted, the past ones stay', async () => {
    const { advanceTo, advanceUntil, start } = harness();
    const fake = google();
    await advanceTo(1, '14:00', 'Europe/London');
    const sequence = await start({ id: 'g-cal-hired', document: DOCUMENT, policy: POLICY });
    const planned = new Map(previewSequence(sequence.input.rejection, sequence.input.policy).map((entry) => [entry.key, entry.at]));
    const idOf = (week: number) => eventIdFor(sequence.workflowId, `check-in:${week}`);

    await advanceUntil((planned.get('check-in:2') ?? 0) + 60 * 60_000);
    await eventually(() => expect(sequence.mail('check-in:2')).toBeDefined());
    expect(fake.events.filter((event) => event.user === ADA.email && event.status === 'confirmed').map((event) => event.id).sort()).toEqual(
      [1, 2, 3, 4, 5, 6].map(idOf).sort(),
    );

    await sequence.handle.executeUpdate(hiredUpdate, { args: [{ reason: 'an offer from Initech' }] });
    expect(await sequence.handle.result()).toMatchObject({ stage: 'hired' });

    const state = (week: number) => fake.events.find((event) => event.id === idOf(week))?.status;
    expect([1, 2, 3, 4, 5, 6].map(state)).toEqual(['confirmed', 'confirmed', 'cancelled', 'cancelled', 'cancelled', 'cancelled']);
    const deletes = fake.requests.filter((request) => request.method === 'DELETE');
    expect(deletes.map((request) => request.path).sort()).toEqual([3, 4, 5, 6].map((week) => `calendar/v3/calendars/primary/events/${idOf(week)}`).sort());
    expect(deletes.every((request) => request.status === 204 && request.query.get('sendUpdates') === 'none')).toBe(true);
    const status = await sequence.status();
    expect(status.log.map((line) => line.event)).toContain("check-ins: 4 remaining events removed from the candidate's Google Calendar");
    expect(sequence.mail('congratulations')).toBeDefined();
    expect(fake.problems).toEqual([]);
  });

  test('opted out before step 4 began: no event was ever created, none to delete', async () => {
    const { advanceTo, start } = harness();
    const fake = google();
    await advanceTo(1, '14:00', 'Europe/London');
    const before = fake.events.length;
    const sequence = await start({ id: 'g-cal-optout', document: DOCUMENT, policy: POLICY });
    await sequence.handle.executeUpdate(optOutUpdate, { args: [{}] });
    expect(await sequence.handle.result()).toMatchObject({ stage: 'opted-out' });
    expect(fake.events.length).toBe(before);
    const activities = ((await sequence.handle.fetchHistory()).events ?? []).flatMap((event) => event.activityTaskScheduledEventAttributes?.activityType?.name ?? []);
    expect(activities).not.toContain('addCheckInsToCalendar');
    expect(activities).not.toContain('removeCheckInsFromCalendar');
  });
});
