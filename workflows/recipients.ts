import type { Locale } from './locale';
import type { Policy } from './policy';
import type { Rejection } from './rejection';

/** Who a message is for, by role; resolved against the rejection when it is sent. */
export type Audience = { role: 'candidate' } | { role: 'interviewer'; index: number } | { role: 'recruiter' };

export interface Recipient {
  name: string;
  email: string;
  timezone: string;
  title?: string;
  /** ISO 3166 alpha-2, for public holidays (filled from the time zone at start when not given). */
  country?: string;
  /** The language to write to them in; English when absent. */
  locale?: Locale;
}

export function recipientOf(rejection: Rejection, audience: Audience): Recipient {
  const fallbackZone = rejection.candidate.timezone;
  switch (audience.role) {
    case 'candidate':
      return { name: rejection.candidate.name, email: rejection.candidate.email, timezone: fallbackZone, country: rejection.candidate.country, locale: rejection.candidate.locale };
    case 'interviewer': {
      const interviewer = rejection.interviewers[audience.index];
      if (!interviewer) throw new RangeError(`no interviewer #${audience.index}`);
      return { ...interviewer, timezone: interviewer.timezone ?? fallbackZone };
    }
    case 'recruiter': {
      const recruiter = rejection.recruiter;
      if (!recruiter) throw new RangeError('no recruiter');
      return { name: recruiter.name, email: recruiter.email, timezone: recruiter.timezone ?? fallbackZone, country: recruiter.country, locale: recruiter.locale };
    }
  }
}

const FIRST_INTERVIEWER: Audience = { role: 'interviewer', index: 0 };

/** The recruiter when there is one, else the first interviewer: asked about openings and kept in touch with. */
export function relationshipContact(rejection: Rejection): Audience {
  return rejection.recruiter ? { role: 'recruiter' } : FIRST_INTERVIEWER;
}

/** Who is asked for feedback, per the policy. */
export function feedbackContact(rejection: Rejection, policy: Policy): Audience {
  return policy.feedbackFrom === 'recruiter' ? relationshipContact(rejection) : FIRST_INTERVIEWER;
}

export function firstName(fullName: string): string {
  return fullName.trim().split(/\s+/)[0] ?? fullName;
}
