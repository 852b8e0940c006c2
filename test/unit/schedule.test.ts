import { describe, expect, it } from 'vitest';
import { DateTime } from 'luxon';
import { DEFAULT_POLICY, type Policy, type PolicyOverrides } from '../../workflows/policy';
import { recipientOf } from '../../workflows/recipients';
import type { RejectionDocument } from '../../workflows/rejection';
import { planFeedbackWait, planFollowUps, planGrieving, previewSequence, type PlannedMessage } from '../../workflows/schedule';
import { isInsideSendWindow, sendRulesFor } from '../../workflows/send-window';
import { local, sequenceInput, utc, wallClock } from './support';

const DAY = 86_400_000;
const LONDON = 'Europe/London';

// The fixture: rejected on Tuesday 2026-11-24 at 15:30 London time (GMT in November), everyone in London.
const fixture = sequenceInput();
const { rejection } = fixture;
const rejectedAt = utc('2026-11-24T15:30:00Z');

const at = (message: PlannedMessage | undefined, zone = LONDON) => (message ? wallClock(message.at, zone) : undefined);

describe('planGrieving', () => {
  it('waits 2 days, and 5 days for a dream job', () => {
    expect(planGrieving(rejection, DEFAULT_POLICY).endsAt).toBe(rejectedAt + 2 * DAY);
    expect(planGrieving({ ...rejection, dreamJob: true }, DEFAULT_POLICY).endsAt).toBe(rejectedAt + 5 * DAY);
  });

  it('sends the supportive note to the candidate the morning after the rejection', () => {
    const { supportiveNote } = planGrieving(rejection, DEFAULT_POLICY);
    expect(supportiveNote).toMatchObject({ kind: 'supportive-note', audience: { role: 'candidate' }, mode: 'send' });
    expect(at(supportiveNote)).toBe('2026-11-25T09:00 Wed');
  });

  it('keeps the supportive note after a Friday-afternoon rejection: the candidate has a window every day', () => {
    // Rejected on a Friday afternoon: the weekday window would open on Monday, after the 2 days are over.
    const friday = sequenceInput({ rejectedAt: '2026-11-27T15:30:00Z' });
    const plan = planGrieving(friday.rejection, friday.policy);
    expect(plan.endsAt).toBe(utc('2026-11-29T15:30:00Z'));
    expect(at(plan.supportiveNote)).toBe('2026-11-28T09:00 Sat');
    // The interviewers' weekday window still governs everyone else.
    expect(at(planFollowUps(friday.rejection, friday.policy, plan.endsAt).thankYous[0])).toBe('2026-11-30T09:00 Mon');
  });

  it("follows the candidate's window as the policy sets it, and drops the note when no window comes before grieving ends", () => {
    const weekdaysOnly = sequenceInput({ rejectedAt: '2026-11-27T15:30:00Z', policy: { candidateSendWindow: { days: ['mon', 'tue', 'wed', 'thu', 'fri'] } } });
    expect(weekdaysOnly.policy.candidateSendWindow).toEqual({ days: ['mon', 'tue', 'wed', 'thu', 'fri'], start: '09:00', end: '19:00' });
    const plan = planGrieving(weekdaysOnly.rejection, weekdaysOnly.policy);
    expect(plan.supportiveNote).toBeUndefined();
    expect(plan.dropped?.reason).toBe("no time in the candidate's send window before grieving ends");
    // Same with a grieving period that ends overnight.
    const short = sequenceInput({ policy: { grievingPeriod: '12 hours' } });
    expect(planGrieving(short.rejection, short.policy).supportiveNote).toBeUndefined();
  });

  it('keeps the weekday window for the candidate in policies recorded before the candidate had one', () => {
    const friday = sequenceInput({ rejectedAt: '2026-11-27T15:30:00Z' });
    const { candidateSendWindow, ...recorded } = friday.policy;
    expect(candidateSendWindow.days).toHaveLength(7);
    expect(planGrieving(friday.rejection, recorded as Policy).supportiveNote).toBeUndefined();
  });

  it('sends no supportive note when the policy turns it off', () => {
    const quiet = sequenceInput({ policy: { supportiveNote: false } });
    const plan = planGrieving(quiet.rejection, quiet.policy);
    expect(plan).toMatchObject({ endsAt: rejectedAt + 2 * DAY, dropped: { reason: 'turned off by the policy (supportiveNote: false)' } });
    expect(plan.supportiveNote).toBeUndefined();
  });
});

describe('planGrieving for a rejection entered late', () => {
  it('counts grieving from the rejection, and sends the note from now while grieving lasts', () => {
    const now = rejectedAt + DAY + 2 * 3_600_000; // Wednesday 17:30, a day and two hours later
    const plan = planGrieving(rejection, DEFAULT_POLICY, now);
    expect(plan.endsAt).toBe(rejectedAt + 2 * DAY);
    expect(plan.supportiveNote?.at).toBe(now); // inside the candidate's 09:00-19:00 window
  });

  it('drops the note once its moment has passed', () => {
    const sixDaysLater = rejectedAt + 6 * DAY;
    const plan = planGrieving(rejection, DEFAULT_POLICY, sixDaysLater);
    expect(plan.supportiveNote).toBeUndefined();
    expect(plan.dropped?.reason).toBe('its moment has passed: grieving was over before the sequence started');
    // At the very end of grieving too, even though the window is open.
    expect(planGrieving(rejection, DEFAULT_POLICY, rejectedAt + 2 * DAY).supportiveNote).toBeUndefined();
  });
});

describe('planFollowUps with the default policy', () => {
  const grievingEndedAt = rejectedAt + 2 * DAY; // Thursday 15:30, inside the window
  const plan = planFollowUps(rejection, DEFAULT_POLICY, grievingEndedAt);

  it('thanks each interviewer as soon as grieving ends', () => {
    expect(plan.thankYous.map((message) => [message.key, message.audience, at(message)])).toEqual([
      ['thank-you:1', { role: 'interviewer', index: 0 }, '2026-11-26T15:30 Thu'],
      ['thank-you:2', { role: 'interviewer', index: 1 }, '2026-11-26T15:30 Thu'],
    ]);
  });

  it('asks the first interviewer for feedback 1 day after the thank-you notes', () => {
    expect(plan.feedbackRequest.audience).toEqual({ role: 'interviewer', index: 0 });
    expect(at(plan.feedbackRequest)).toBe('2026-11-27T15:30 Fri');
  });

  it('asks the recruiter for feedback when the policy says so', () => {
    const viaRecruiter = sequenceInput({ policy: { feedbackFrom: 'recruiter' } });
    expect(planFollowUps(viaRecruiter.rejection, viaRecruiter.policy, grievingEndedAt).feedbackRequest.audience).toEqual({ role: 'recruiter' });
  });

  it('asks the recruiter about other openings 3 days after, moved off the weekend', () => {
    expect(plan.otherOpenings.audience).toEqual({ role: 'recruiter' });
    expect(at(plan.otherOpenings)).toBe('2026-11-30T09:00 Mon'); // Sunday 15:30 is not a working day
  });

  it('gives the candidate the LinkedIn task', () => {
    expect(plan.linkedInTask.audience).toEqual({ role: 'candidate' });
    expect(at(plan.linkedInTask)).toBe('2026-11-30T15:30 Mon');
  });

  it('checks in with the candidate every week, 6 times', () => {
    expect(plan.checkIns.map((message) => [message.key, at(message)])).toEqual([
      ['check-in:1', '2026-12-03T15:30 Thu'],
      ['check-in:2', '2026-12-10T15:30 Thu'],
      ['check-in:3', '2026-12-17T15:30 Thu'],
      ['check-in:4', '2026-12-24T15:30 Thu'],
      ['check-in:5', '2026-12-31T15:30 Thu'],
      ['check-in:6', '2027-01-07T15:30 Thu'],
    ]);
    expect(plan.checkIns.every((message) => message.audience.role === 'candidate')).toBe(true);
  });

  it('keeps in touch with the recruiter 30 and 90 days later', () => {
    expect(plan.touchpoints.map((message) => [message.key, message.audience, at(message)])).toEqual([
      ['touchpoint:1', { role: 'recruiter' }, '2026-12-28T09:00 Mon'], // +30 days is Saturday 26 December
      ['touchpoint:2', { role: 'recruiter' }, '2027-02-24T15:30 Wed'],
    ]);
  });

  it('falls back to the first interviewer when there is no recruiter', () => {
    const withoutRecruiter = sequenceInput({ recruiter: undefined }).rejection;
    expect(withoutRecruiter.recruiter).toBeUndefined();
    const alone = planFollowUps(withoutRecruiter, DEFAULT_POLICY, grievingEndedAt);
    const first = { role: 'interviewer', index: 0 };
    expect(alone.otherOpenings.audience).toEqual(first);
    expect(alone.touchpoints.map((message) => message.audience)).toEqual([first, first]);
  });
});

describe("planFollowUps in each recipient's own time zone", () => {
  const document: Partial<RejectionDocument> = {
    interviewers: [
      { name: 'Grace Hopper', email: 'grace@acme.example.com' },
      { name: 'Alan Turing', email: 'alan@acme.example.com', timezone: 'Asia/Tokyo' },
    ],
    recruiter: { name: 'Katherine Johnson', email: 'katherine@acme.example.com', timezone: 'America/New_York' },
  };
  const { rejection: spread } = sequenceInput(document);
  const plan = planFollowUps(spread, DEFAULT_POLICY, rejectedAt + 2 * DAY);

  it('thanks an interviewer abroad during their working hours', () => {
    // Thursday 15:30 in London is past midnight in Tokyo: Friday 09:00 there.
    expect(at(plan.thankYous[1], 'Asia/Tokyo')).toBe('2026-11-27T09:00 Fri');
    expect(at(plan.thankYous[0], LONDON)).toBe('2026-11-26T15:30 Thu');
  });

  it("writes to the recruiter in the recruiter's zone", () => {
    expect(at(plan.otherOpenings, 'America/New_York')).toBe('2026-11-30T09:00 Mon');
    expect(at(plan.touchpoints[1], 'America/New_York')).toBe('2027-02-24T10:30 Wed');
  });

  it('counts the follow-ups from the first thank-you note', () => {
    expect(plan.feedbackRequest.at).toBe(local('2026-11-27T15:30', LONDON));
  });
});

describe('planFeedbackWait', () => {
  const requestedAt = local('2026-11-27T15:30', LONDON); // Friday

  it('reminds once, 5 days later, before the 10-day deadline', () => {
    const wait = planFeedbackWait(rejection, DEFAULT_POLICY, requestedAt);
    expect(wait.deadline).toBe(requestedAt + 10 * DAY);
    expect(wait.reminder).toMatchObject({ key: 'feedback-reminder', kind: 'feedback-reminder', audience: { role: 'interviewer', index: 0 } });
    expect(at(wait.reminder)).toBe('2026-12-02T15:30 Wed');
  });

  it('sends no reminder when the policy turns it off', () => {
    const noReminder = sequenceInput({ policy: { feedbackReminder: false } });
    expect(planFeedbackWait(noReminder.rejection, noReminder.policy, requestedAt).reminder).toBeUndefined();
  });

  it('sends no reminder at or after the deadline', () => {
    const atDeadline = sequenceInput({ policy: { feedbackWait: '5 days' } });
    expect(planFeedbackWait(atDeadline.rejection, atDeadline.policy, requestedAt).reminder).toBeUndefined();
    // 8 days after Friday is a Saturday; the next window (Monday 09:00) is after a 9-day deadline (Sunday).
    const pushedPast = sequenceInput({ policy: { feedbackReminderAfter: '8 days', feedbackWait: '9 days' } });
    expect(planFeedbackWait(pushedPast.rejection, pushedPast.policy, requestedAt).reminder).toBeUndefined();
  });
});

describe('previewSequence', () => {
  it('closes the check-ins with a summary one period after the last, unless turned off or without check-ins', () => {
    const policy = { ...DEFAULT_POLICY, checkInEvery: '1 week' };
    const plan = planFollowUps(rejection, policy, Date.parse('2026-11-26T15:30:00Z'));
    const last = plan.checkIns.at(-1)?.at ?? 0;
    expect(plan.closingSummary?.audience).toEqual({ role: 'candidate' });
    expect((plan.closingSummary?.at ?? 0) - last).toBe(7 * 24 * 60 * 60 * 1000);
    expect(planFollowUps(rejection, { ...policy, closingSummary: false }, Date.parse('2026-11-26T15:30:00Z')).closingSummary).toBeUndefined();
    expect(planFollowUps(rejection, { ...policy, checkInCount: 0 }, Date.parse('2026-11-26T15:30:00Z')).closingSummary).toBeUndefined();
  });

  it('lists the whole default sequence in time order', () => {
    const preview = previewSequence(rejection, DEFAULT_POLICY);
    expect(preview.map((entry) => entry.key)).toEqual([
      'supportive-note',
      'grieving-ends',
      'thank-you:1',
      'thank-you:2',
      'feedback-request',
      'other-openings',
      'linkedin-task',
      'feedback-reminder',
      'check-in:1',
      'feedback-deadline',
      'check-in:2',
      'check-in:3',
      'check-in:4',
      'touchpoint:1',
      'check-in:5',
      'check-in:6',
      'closing-summary',
      'touchpoint:2',
    ]);
    const times = preview.map((entry) => entry.at);
    expect(times).toEqual([...times].sort((a, b) => a - b));
  });

  it.each<[string, PolicyOverrides, (keys: string[]) => void]>([
    ['checkInCount 0 plans no check-ins', { checkInCount: 0 }, (keys) => expect(keys.filter((key) => key.startsWith('check-in'))).toEqual([])],
    ['feedbackReminder false plans no reminder', { feedbackReminder: false }, (keys) => expect(keys).not.toContain('feedback-reminder')],
    ['touchpointsAfter [] plans no touchpoints', { touchpointsAfter: [] }, (keys) => expect(keys.filter((key) => key.startsWith('touchpoint'))).toEqual([])],
  ])('%s', (_label, policy, check) => {
    const input = sequenceInput({ policy });
    const keys = previewSequence(input.rejection, input.policy).map((entry) => entry.key);
    check(keys);
    expect(keys).toContain('thank-you:1');
  });

  it('shows mode "approve" for the steps that need approval, "send" for the others', () => {
    const input = sequenceInput({ policy: { delivery: { 'thank-you': 'approve', 'feedback-request': 'approve' } } });
    const modes = previewSequence(input.rejection, input.policy)
      .filter((entry) => entry.mode)
      .map((entry) => [entry.key, entry.mode]);
    expect(modes.filter(([, mode]) => mode === 'approve').map(([key]) => key)).toEqual(['thank-you:1', 'thank-you:2', 'feedback-request']);
    expect(modes.length).toBeGreaterThan(3);
  });
});

describe('every planned message is inside its recipient’s send window', () => {
  const zones: Partial<RejectionDocument>[] = [
    {},
    {
      candidate: { name: 'Ada Lovelace', email: 'ada@example.com', timezone: 'Pacific/Auckland' },
      interviewers: [
        { name: 'Grace Hopper', email: 'grace@acme.example.com', timezone: 'America/Los_Angeles' },
        { name: 'Alan Turing', email: 'alan@acme.example.com', timezone: 'Asia/Kolkata' },
      ],
      recruiter: { name: 'Katherine Johnson', email: 'katherine@acme.example.com', timezone: 'America/New_York' },
    },
  ];
  const policies: PolicyOverrides[] = [{}, { holidays: ['2026-03-30', '2026-03-31', '2026-04-03', '2026-04-06'], feedbackFrom: 'recruiter' }];

  it('for rejections at many hours around a DST change, in several zones', () => {
    let checked = 0;
    for (const people of zones) {
      for (const policy of policies) {
        for (const dreamJob of [false, true]) {
          // Every 9 hours for 2 weeks from 2026-03-20, across both European and US clock changes.
          for (let hours = 0; hours < 14 * 24; hours += 9) {
            const rejectedIso = new Date(utc('2026-03-20T00:00:00Z') + hours * 3_600_000).toISOString();
            const input = sequenceInput({ ...people, policy, dreamJob, rejectedAt: rejectedIso });
            const rejected = Date.parse(rejectedIso);
            for (const entry of previewSequence(input.rejection, input.policy)) {
              if (!entry.audience) continue;
              const zone = recipientOf(input.rejection, entry.audience).timezone;
              const where = `${entry.key} at ${wallClock(entry.at, zone)} in ${zone}, rejected ${rejectedIso}`;
              expect(isInsideSendWindow(entry.at, zone, sendRulesFor(input.policy, entry.audience, input.rejection), rejected), where).toBe(true);
              const day = DateTime.fromMillis(entry.at, { zone });
              const toCandidate = entry.audience.role === 'candidate';
              if (!toCandidate) expect(day.weekday, where).toBeLessThanOrEqual(5);
              expect(day.hour, where).toBeGreaterThanOrEqual(9);
              expect(day.hour, where).toBeLessThan(toCandidate ? 19 : 17);
              expect(sendRulesFor(input.policy, entry.audience, input.rejection).holidays, where).not.toContain(day.toISODate());
              expect(day.toISODate(), where).not.toBe(DateTime.fromMillis(rejected, { zone }).toISODate());
              checked++;
            }
          }
        }
      }
    }
    expect(checked).toBeGreaterThan(1000);
  });
});
