import type { TemplateVars } from '../workflows/email-request';
import type { Locale } from '../workflows/locale';

// Pure helpers the templates call ({{possessive company}}, {{count n "interview|interviews"}}, ...), each in the
// reader's language. Registered per locale by ./templates.

/** "Acme's", "Analytics'" in English; "Annas", "Klaus'" in German. French has no such form: the name is left as is. */
export function possessive(name: string, locale: Locale): string {
  if (locale === 'en') return /s$/i.test(name) ? `${name}'` : `${name}'s`;
  if (locale === 'de') return /(s|ß|x|z|ce)$/i.test(name) ? `${name}'` : `${name}s`;
  return name;
}

/** French "de" before a name, elided before a vowel: "d'Analytics", "de Data Engineer" (an h stays: "de Head of Data"). */
export function frenchOf(name: string): string {
  return /^[aeiouàâäéèêëîïôöûü]/i.test(name) ? `d'${name}` : `de ${name}`;
}

/** `forms` is "singular|plural": "1 interview", "3 interviews"; French counts 0 and 1 as singular. */
export function count(amount: number, forms: string, locale: Locale): string {
  const [singular = '', plural = singular] = forms.split('|');
  const form = new Intl.PluralRules(locale).select(amount) === 'one' ? singular : plural;
  return `${new Intl.NumberFormat(locale).format(amount)} ${form}`;
}

/** The non-zero counts of `pairs` (amount, "singular|plural", ...) as one list: "3 applications and 1 interview". */
export function counts(pairs: readonly unknown[], locale: Locale): string {
  const parts: string[] = [];
  for (let index = 0; index + 1 < pairs.length; index += 2) {
    const amount = Number(pairs[index]);
    if (amount > 0) parts.push(count(amount, String(pairs[index + 1]), locale));
  }
  return new Intl.ListFormat(locale, { type: 'conjunction' }).format(parts);
}

/** The day of an ISO instant in a zone, as a reader of `locale` writes it: "Sunday 29 November", "Sonntag, 29. November". */
export function localDay(instant: string, zone: string, locale: Locale): string {
  const time = Date.parse(instant);
  if (Number.isNaN(time)) return '';
  try {
    const tag = locale === 'en' ? 'en-GB' : locale;
    return new Intl.DateTimeFormat(tag, { weekday: 'long', day: 'numeric', month: 'long', timeZone: zone }).format(time);
  } catch {
    return ''; // an unknown zone: the template's sentence still reads, without the day
  }
}

/** Every line of `text` prefixed with "> " (an empty line with ">"), trimmed of blank lines around it. */
export function quoteLines(text: string): string {
  return text
    .trim()
    .split('\n')
    .map((line) => (line.trim() ? `> ${line}` : '>'))
    .join('\n');
}

// Rejections this old get a thank-you and a feedback request that own up to the delay.
const BELATED_AFTER_DAYS = 14;
// The check-ins' texts are kept per week in the templates: six, then they start over.
const CHECK_IN_WEEKS = 6;

/** What templates may add to the vars the workflow passes: facts derived from them, so the workflow passes no more. */
export interface DerivedVars {
  /** Progress was reported: a tally worth a sentence. */
  progressReported: boolean;
  /** The week's text, 1 to 6. */
  checkInWeek?: number;
  /** Who the relationship contact is; both false in sequences from before the role was passed. */
  contactInterviewed: boolean;
  contactRecruits: boolean;
  /** The rejection is weeks old: the message goes late, and says so. */
  belated: boolean;
}

export function derivedVars(vars: TemplateVars): DerivedVars {
  const checkIn = vars.checkIn;
  return {
    progressReported: vars.progress.applications + vars.progress.interviews > 0,
    ...(checkIn ? { checkInWeek: ((checkIn.number - 1) % CHECK_IN_WEEKS) + 1 } : {}),
    contactInterviewed: vars.contact.role === 'interviewer',
    contactRecruits: vars.contact.role === 'recruiter',
    belated: (vars.daysSinceRejection ?? 0) >= BELATED_AFTER_DAYS,
  };
}
