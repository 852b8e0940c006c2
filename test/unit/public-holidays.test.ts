import { describe, expect, it } from 'vitest';
import { describeProblems, parseRejectionDocument } from '../../workflows/input';
import type { RejectionDocument } from '../../workflows/rejection';
import { planFollowUps } from '../../workflows/schedule';
import { countryOfZone } from '../../workflows/public-holidays';
import { rejectionDocument } from '../helpers/fixtures';
import { wallClock } from './support';

const NEW_YORK = 'America/New_York';
const inNewYork = { timezone: NEW_YORK };

function input(overrides: Partial<RejectionDocument>) {
  const result = parseRejectionDocument(rejectionDocument(overrides));
  if (!result.ok) throw new Error(describeProblems(result.problems));
  return result.input;
}

// Everyone in New York, rejected on Monday 23 November 2026 at 14:00: grieving ends on Wednesday at 14:00, and the
// feedback request (1 day after the thank-you notes) falls on Thursday 26 November, Thanksgiving.
const people: Partial<RejectionDocument> = {
  rejectedAt: '2026-11-23T14:00:00-05:00',
  candidate: { name: 'Ada Lovelace', email: 'ada@example.com', timezone: NEW_YORK },
  interviewers: [{ name: 'Grace Hopper', email: 'grace@acme.example.com', ...inNewYork }],
  recruiter: { name: 'Katherine Johnson', email: 'katherine@acme.example.com', ...inNewYork },
};
const grievingEnds = Date.parse('2026-11-25T14:00:00-05:00');

describe('holidays: "auto" (the default)', () => {
  it("finds each person's country from their time zone", () => {
    expect([countryOfZone('Europe/London'), countryOfZone(NEW_YORK), countryOfZone('Asia/Tokyo'), countryOfZone('UTC')]).toEqual(['GB', 'US', 'JP', undefined]);
    expect(input(people).rejection.interviewers[0]?.country).toBe('US');
  });

  it('never sends the feedback request on US Thanksgiving, nor a touchpoint on Christmas Day', () => {
    const { rejection, policy } = input({ ...people, policy: { touchpointsAfter: ['30 days'] } });
    expect(policy.holidays).toBe('auto');
    expect(policy.publicHolidays?.US).toEqual(expect.arrayContaining(['2026-11-26', '2026-12-25', '2027-11-25']));
    const plan = planFollowUps(rejection, policy, grievingEnds);
    expect(wallClock(plan.feedbackRequest.at, NEW_YORK)).toBe('2026-11-27T09:00 Fri');
    // 30 days after Wednesday 25 November is Friday 25 December.
    expect(wallClock(plan.touchpoints[0]?.at ?? 0, NEW_YORK)).toBe('2026-12-28T09:00 Mon');
  });

  it("follows a person's own `country` over their time zone's", () => {
    const { rejection, policy } = input({ ...people, interviewers: [{ name: 'Grace Hopper', email: 'grace@acme.example.com', ...inNewYork, country: 'GB' }] });
    expect(wallClock(planFollowUps(rejection, policy, grievingEnds).feedbackRequest.at, NEW_YORK)).toBe('2026-11-26T14:00 Thu');
  });

  it('keeps explicit date lists working, in place of the public holidays', () => {
    const { rejection, policy } = input({ ...people, policy: { holidays: ['2026-11-30'] } });
    expect(policy.publicHolidays).toBeUndefined();
    const plan = planFollowUps(rejection, policy, grievingEnds);
    expect(wallClock(plan.feedbackRequest.at, NEW_YORK)).toBe('2026-11-26T14:00 Thu');
    expect(wallClock(plan.otherOpenings.at, NEW_YORK)).toBe('2026-12-01T09:00 Tue'); // Saturday, then the listed Monday
  });

  it('refuses a country that is not an ISO 3166 alpha-2 code, naming the field', () => {
    const result = parseRejectionDocument(rejectionDocument({ interviewers: [{ name: 'Grace Hopper', email: 'grace@acme.example.com', country: 'usa' }] }));
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.problems).toEqual([{ field: 'interviewers[0].country', problem: 'must be an ISO 3166 alpha-2 country code such as "US" or "GB"' }]);
    const holidays = parseRejectionDocument(rejectionDocument({ policy: { holidays: 'sometimes' as 'auto' } }));
    if (!holidays.ok) expect(holidays.problems).toEqual([{ field: 'policy.holidays', problem: 'must be "auto" or a list of dates "YYYY-MM-DD"' }]);
    expect(holidays.ok).toBe(false);
  });
});
