import Holidays from 'date-holidays';
import type { Policy } from './policy';
import type { Rejection } from './rejection';

/**
 * `holidays: "auto"`: the public holidays of each recipient's country, resolved once when a sequence starts (by
 * parseRejectionDocument, the one path every start and `onward preview` take) and carried in its input. Never imported
 * by workflow code: date-holidays and its data stay out of the workflow bundle, and the workflow reads plain dates.
 */

/** How many calendar years from the rejection's are resolved: a sequence with the longest settings ends within them. */
const YEARS = 3;

let zoneCountries: Map<string, string> | undefined;

/** The country of an IANA time zone, from date-holidays' own zone lists (undefined for "UTC" and the like). */
export function countryOfZone(zone: string): string | undefined {
  if (!zoneCountries) {
    zoneCountries = new Map();
    for (const country of Object.keys(new Holidays().getCountries()).sort()) {
      for (const countryZone of new Holidays(country).getTimezones()) if (!zoneCountries.has(countryZone)) zoneCountries.set(countryZone, country);
    }
  }
  return zoneCountries.get(zone);
}

/** True when date-holidays knows the country (ISO 3166 alpha-2). */
export function isKnownCountry(country: string): boolean {
  return Object.hasOwn(new Holidays().getCountries(), country);
}

/** The public holidays ("YYYY-MM-DD") of a country, in the years given. */
export function publicHolidaysOf(country: string, years: number[]): string[] {
  const calendar = new Holidays(country);
  return years.flatMap((year) => (calendar.getHolidays(year) || []).filter((day) => day.type === 'public').map((day) => day.date.slice(0, 10)));
}

/** Everyone's country: the one given, else the one of their time zone (the candidate's when they have none). */
export function withCountries(rejection: Rejection): Rejection {
  const fill = <Person extends { country?: string; timezone?: string }>(person: Person): Person => {
    const country = person.country ?? countryOfZone(person.timezone ?? rejection.candidate.timezone);
    return country ? { ...person, country } : person;
  };
  return {
    ...rejection,
    candidate: fill(rejection.candidate),
    interviewers: rejection.interviewers.map(fill),
    ...(rejection.recruiter ? { recruiter: fill(rejection.recruiter) } : {}),
  };
}

/** The public holidays of every country among the people, for the years a sequence can span, when the policy asks. */
export function resolvePublicHolidays(rejection: Rejection, policy: Policy): Record<string, string[]> | undefined {
  if (policy.holidays !== 'auto') return undefined;
  const first = new Date(rejection.rejectedAt).getUTCFullYear();
  const years = Array.from({ length: YEARS }, (_, index) => first + index);
  const people = [rejection.candidate, ...rejection.interviewers, ...(rejection.recruiter ? [rejection.recruiter] : [])];
  const countries = [...new Set(people.flatMap((person) => (person.country ? [person.country] : [])))].sort();
  return Object.fromEntries(countries.map((country) => [country, publicHolidaysOf(country, years)]));
}
