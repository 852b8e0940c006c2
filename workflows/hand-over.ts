import { patched, proxyActivities, workflowInfo } from '@temporalio/workflow';
import type { createActivities } from '../activities';
import { HAND_OVER } from './activity-options';
import { CHECK_IN_MINUTES, channelsOf, localDate, routeOf } from './channels';
import { sendQueueOf } from './definitions';
import type { EmailRequest } from './email-request';
import type { GoogleTarget, Handover } from './google';
import { LegacyLocalSends } from './legacy-local-send';
import type { PlannedMessage } from './schedule';
import { iso, type SequenceState } from './state';

type Activities = ReturnType<typeof createActivities>;

/** Sends go out as regular activities on a task queue of their own, whose rate limit governs every worker. */
export const TASK_QUEUE_SENDS_PATCH = 'wf-task-queue-sends';

export const googleTargetOf = (state: SequenceState): GoogleTarget => ({ account: state.policy.googleAccount, mailbox: state.rejection.candidate.email });

/** The activities that hand a message over, retried by Temporal: an SMTP send, and the Google channels. */
type Channels = Pick<Activities, 'sendEmail' | 'sendWithGmail' | 'draftInGmail' | 'createGoogleTask'>;

/** Hands one message over on the channel the policy chose for it: one activity call. */
export class HandOver {
  private readonly channels: Channels;
  /** Only for sequences started before TASK_QUEUE_SENDS_PATCH: decided once, at start, for the whole sequence. */
  private readonly legacy?: LegacyLocalSends;

  constructor(private readonly state: SequenceState) {
    // The Google channels, called only when a policy chooses them: retried like an SMTP send (429 and rate limits back
    // off here, in Temporal, never inside the client library); bad credentials and bad requests are permanent.
    if (patched(TASK_QUEUE_SENDS_PATCH)) {
      this.channels = proxyActivities<Activities>({ ...HAND_OVER, taskQueue: sendQueueOf(workflowInfo().taskQueue) });
    } else {
      this.channels = proxyActivities<Activities>(HAND_OVER);
      this.legacy = new LegacyLocalSends((event) => state.note(event));
    }
  }

  private sendBySmtp(request: EmailRequest): Promise<Handover> {
    return this.legacy ? this.legacy.send(request) : this.channels.sendEmail(request);
  }

  send(message: PlannedMessage, request: EmailRequest): Promise<Handover> {
    const route = routeOf(this.state.policy, message);
    switch (route) {
      case 'gmail':
      case 'gmail-draft': {
        const threadId = request.inReplyTo ? this.state.threadOf(request.inReplyTo) : undefined;
        const gmailRequest = { ...request, google: googleTargetOf(this.state), ...(threadId ? { threadId } : {}) };
        return route === 'gmail' ? this.channels.sendWithGmail(gmailRequest) : this.channels.draftInGmail(gmailRequest);
      }
      case 'google-tasks':
        return this.channels.createGoogleTask({ ...request, google: googleTargetOf(this.state), due: localDate(Date.now(), this.state.rejection.candidate.timezone) });
      case 'smtp':
        if (message.kind === 'check-in' && channelsOf(this.state.policy).checkIns === 'ics') {
          // At its planned time; held back past its end (paused, awaiting approval), from the next minute.
          const late = Date.now() >= message.at + CHECK_IN_MINUTES * 60_000;
          const startsAt = iso(late ? Math.ceil(Date.now() / 60_000) * 60_000 : message.at);
          return this.sendBySmtp({ ...request, invite: { startsAt, minutes: CHECK_IN_MINUTES, timezone: this.state.rejection.candidate.timezone } });
        }
        return this.sendBySmtp(request);
    }
  }
}
