import { isCancellation, proxyActivities, workflowInfo } from '@temporalio/workflow';
import type { createActivities } from '../activities';
import { HAND_OVER } from './activity-options';
import { CHECK_IN_MINUTES, channelsOf } from './channels';
import { requestFor } from './delivery';
import type { EmailRequest } from './email-request';
import { messageOf } from './failures';
import { googleTargetOf } from './hand-over';
import type { PlannedMessage } from './schedule';
import { iso, type SequenceState } from './state';

type Activities = ReturnType<typeof createActivities>;
const google = proxyActivities<Activities>(HAND_OVER);

/** The check-in events of step 4 in the candidate's calendar: the remaining ones go when the sequence ends early. */
export interface CheckInCalendar {
  /** Removes the events of `checkIns[index]` onwards that have not started yet. */
  removeFrom(index: number): Promise<void>;
}
const NO_CALENDAR: CheckInCalendar = { removeFrom: () => Promise.resolve() };

/**
 * Step 4 with google-calendar: the check-ins become events in the candidate's calendar (their zone, 30 minutes,
 * a reminder) as the step starts; the emails still bring each week's content. A no-op with the other channels.
 */
export function addToCalendar(state: SequenceState, checkIns: PlannedMessage[]): CheckInCalendar {
  if (channelsOf(state.policy).checkIns !== 'google-calendar' || checkIns.length === 0 || state.ending) return NO_CALENDAR;
  const sequenceId = workflowInfo().workflowId;
  const requests = checkIns.map((checkIn) => requestFor(state, checkIn));
  const vars = { ...(requests[0] as EmailRequest).vars, checkIn: undefined };
  const created = google
    .addCheckInsToCalendar({
      sequenceId,
      google: googleTargetOf(state),
      timezone: state.rejection.candidate.timezone,
      minutes: CHECK_IN_MINUTES,
      vars,
      checkIns: checkIns.map((checkIn, index) => ({
        key: checkIn.key,
        startsAt: iso(checkIn.at),
        checkIn: requests[index]?.vars.checkIn ?? { number: index + 1, count: checkIns.length, nextAction: '' },
      })),
    })
    .then(
      ({ keys }) => {
        state.note(`check-ins: ${keys.length} events in the candidate's Google Calendar`);
        return keys;
      },
      (error: unknown) => {
        if (!isCancellation(error)) state.note(`check-ins: the Google Calendar events failed: ${messageOf(error)}`);
        return [] as string[];
      },
    );
  return {
    removeFrom: async (index) => {
      const inCalendar = new Set(await created);
      const keys = checkIns
        .slice(index)
        .filter((checkIn) => inCalendar.has(checkIn.key) && checkIn.at > Date.now())
        .map((checkIn) => checkIn.key);
      if (keys.length === 0) return;
      try {
        await google.removeCheckInsFromCalendar({ sequenceId, google: googleTargetOf(state), keys });
        state.note(`check-ins: ${keys.length} remaining events removed from the candidate's Google Calendar`);
      } catch (error) {
        if (isCancellation(error)) throw error;
        state.note(`check-ins: removing the Google Calendar events failed: ${messageOf(error)}`);
      }
    },
  };
}
