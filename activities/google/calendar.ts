import { createHash } from 'node:crypto';
import { DateTime } from 'luxon';
import type { CalendarEventsRemoval, CheckInEvents } from '../../workflows/google';
import type { Templates } from '../templates';
import { SCOPES } from './accounts';
import { calendarFor, failure, requireGoogle, type GoogleDependencies } from './clients';
import { statusOf } from './errors';

export interface CalendarDependencies {
  google?: GoogleDependencies;
  templates: Templates;
}

/**
 * The event id of one check-in of one sequence: the same on every retry, so that inserting it again answers 409
 * (already there). Calendar ids are base32hex (a-v, 0-9), 5 to 1024 characters: a hex digest is one.
 */
export function eventIdFor(sequenceId: string, stepKey: string): string {
  return createHash('sha256').update(`onward\n${sequenceId}\n${stepKey}`).digest('hex');
}

/** A wall-clock time in a zone, as the Calendar API takes it with `timeZone` beside it. */
const wallClock = (instant: DateTime) => instant.toFormat("yyyy-LL-dd'T'HH:mm:ss");

export const CHECK_IN_REMINDER_MINUTES = 10;

export function createCalendarActivities({ google, templates }: CalendarDependencies) {
  return {
    /** Step 4: one event per check-in in the candidate's primary calendar; a retry's 409s count as done. */
    async addCheckInsToCalendar(input: CheckInEvents): Promise<{ keys: string[] }> {
      const dependencies = requireGoogle(google);
      const account = dependencies.accounts.account(input.google.account, input.google.mailbox, [SCOPES.calendarEvents]);
      const api = calendarFor(account, dependencies.rootUrl);
      for (const checkIn of input.checkIns) {
        const rendered = templates.render('check-in', { ...input.vars, checkIn: checkIn.checkIn });
        const start = DateTime.fromISO(checkIn.startsAt, { zone: input.timezone });
        const end = start.plus({ minutes: input.minutes });
        try {
          await api.events.insert({
            calendarId: 'primary',
            sendUpdates: 'none',
            requestBody: {
              id: eventIdFor(input.sequenceId, checkIn.key),
              summary: rendered.subject,
              description: rendered.text,
              start: { dateTime: wallClock(start), timeZone: input.timezone },
              end: { dateTime: wallClock(end), timeZone: input.timezone },
              reminders: { useDefault: false, overrides: [{ method: 'popup', minutes: CHECK_IN_REMINDER_MINUTES }] },
              extendedProperties: { private: { onwardSequence: input.sequenceId, onwardStep: checkIn.key } },
            },
          });
        } catch (error) {
          if (statusOf(error) === 409) continue; // created by an earlier attempt
          throw failure(account, `adding ${checkIn.key} to Google Calendar`, error);
        }
      }
      return { keys: input.checkIns.map((checkIn) => checkIn.key) };
    },

    /** The sequence ended early: the check-ins still to come leave the calendar (already gone counts as done). */
    async removeCheckInsFromCalendar(input: CalendarEventsRemoval): Promise<void> {
      const dependencies = requireGoogle(google);
      const account = dependencies.accounts.account(input.google.account, input.google.mailbox, [SCOPES.calendarEvents]);
      const api = calendarFor(account, dependencies.rootUrl);
      for (const key of input.keys) {
        try {
          await api.events.delete({ calendarId: 'primary', eventId: eventIdFor(input.sequenceId, key), sendUpdates: 'none' });
        } catch (error) {
          const status = statusOf(error);
          if (status === 404 || status === 410) continue;
          throw failure(account, `removing ${key} from Google Calendar`, error);
        }
      }
    },
  };
}
