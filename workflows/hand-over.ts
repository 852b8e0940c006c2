import { proxyActivities } from '@temporalio/workflow';
import type { createActivities } from '../activities';
import { HAND_OVER } from './activity-options';
import { CHECK_IN_MINUTES, channelsOf, localDate, routeOf } from './channels';
import type { EmailRequest } from './email-request';
import type { GoogleTarget, Handover } from './google';
import { LegacyLocalSends } from './legacy-local-send';
import type { PlannedMessage } from './schedule';
import { iso, type SequenceState } from './state';

type Activities = ReturnType<typeof createActivities>;

// The Google channels, called only when a policy chooses them: retried like an SMTP send (429 and rate limits back
// off here, in Temporal, never inside the client library); bad credentials and bad requests are permanent.
const google = proxyActivities<Activities>(HAND_OVER);

export const googleTargetOf = (state: SequenceState): GoogleTarget => ({ account: state.policy.googleAccount, mailbox: state.rejection.candidate.email });

/** Hands one message over on the channel the policy chose for it: one activity call. */
export class HandOver {
  private readonly legacy: LegacyLocalSends;

  constructor(private readonly state: SequenceState) {
    this.legacy = new LegacyLocalSends((event) => state.note(event));
  }

  send(message: PlannedMessage, request: EmailRequest): Promise<Handover> {
    const route = routeOf(this.state.policy, message);
    switch (route) {
      case 'gmail':
      case 'gmail-draft': {
        const threadId = request.inReplyTo ? this.state.threadOf(request.inReplyTo) : undefined;
        const gmailRequest = { ...request, google: googleTargetOf(this.state), ...(threadId ? { threadId } : {}) };
        return route === 'gmail' ? google.sendWithGmail(gmailRequest) : google.draftInGmail(gmailRequest);
      }
      case 'google-tasks':
        return google.createGoogleTask({ ...request, google: googleTargetOf(this.state), due: localDate(Date.now(), this.state.rejection.candidate.timezone) });
      case 'smtp':
        if (message.kind === 'check-in' && channelsOf(this.state.policy).checkIns === 'ics') {
          // At its planned time; held back past its end (paused, awaiting approval), from the next minute.
          const late = Date.now() >= message.at + CHECK_IN_MINUTES * 60_000;
          const startsAt = iso(late ? Math.ceil(Date.now() / 60_000) * 60_000 : message.at);
          return this.legacy.send({ ...request, invite: { startsAt, minutes: CHECK_IN_MINUTES, timezone: this.state.rejection.candidate.timezone } });
        }
        return this.legacy.send(request);
    }
  }
}
