import { describe, expect, it } from 'vitest';
import { count, counts, derivedVars, frenchOf, localDay, possessive, quoteLines } from '../../activities/template-helpers';
import type { TemplateVars } from '../../workflows/email-request';

describe('possessive', () => {
  it.each([
    ['Acme', 'en', "Acme's"],
    ['Acme Analytics', 'en', "Acme Analytics'"],
    ['Dynamics', 'en', "Dynamics'"],
    ['Anna', 'de', 'Annas'],
    ['Klaus', 'de', "Klaus'"],
    ['Max', 'de', "Max'"],
    ['Initech', 'fr', 'Initech'],
  ] as const)('%s in %s: %s', (name, locale, expected) => {
    expect(possessive(name, locale)).toBe(expected);
  });
});

describe('count and counts', () => {
  it('agree the noun with the number, the way each language counts', () => {
    expect(count(1, 'interview|interviews', 'en')).toBe('1 interview');
    expect(count(0, 'interview|interviews', 'en')).toBe('0 interviews');
    expect(count(3, 'Bewerbung|Bewerbungen', 'de')).toBe('3 Bewerbungen');
    expect(count(0, 'candidature|candidatures', 'fr')).toBe('0 candidature');
    expect(count(2, 'candidature|candidatures', 'fr')).toBe('2 candidatures');
    expect(count(1200, 'application|applications', 'de')).toBe('1.200 applications');
  });

  it('list only what is not zero, joined as the language joins', () => {
    expect(counts([3, 'application|applications', 1, 'interview|interviews'], 'en')).toBe('3 applications and 1 interview');
    expect(counts([0, 'application|applications', 2, 'interview|interviews'], 'en')).toBe('2 interviews');
    expect(counts([1, 'Bewerbung|Bewerbungen', 2, 'Vorstellungsgespräch|Vorstellungsgespräche'], 'de')).toBe('1 Bewerbung und 2 Vorstellungsgespräche');
    expect(counts([2, 'candidature|candidatures', 1, 'entretien|entretiens'], 'fr')).toBe('2 candidatures et 1 entretien');
    expect(counts([0, 'a|as', 0, 'b|bs'], 'en')).toBe('');
  });
});

describe('localDay', () => {
  it("writes the day in the reader's zone and language", () => {
    // 23:30 UTC on Saturday is already Sunday in Berlin.
    expect(localDay('2026-11-28T23:30:00Z', 'Europe/Berlin', 'en')).toBe('Sunday 29 November');
    expect(localDay('2026-11-28T23:30:00Z', 'Europe/Berlin', 'de')).toBe('Sonntag, 29. November');
    expect(localDay('2026-11-28T23:30:00Z', 'Europe/Paris', 'fr')).toBe('dimanche 29 novembre');
    expect(localDay('2026-11-28T23:30:00Z', 'America/New_York', 'en')).toBe('Saturday 28 November');
  });

  it('writes nothing for an instant or a zone it cannot read', () => {
    expect(localDay('soon', 'Europe/Berlin', 'en')).toBe('');
    expect(localDay('2026-11-28T23:30:00Z', 'Mars/Olympus', 'en')).toBe('');
  });
});

describe('frenchOf', () => {
  it('elides before a vowel, not before a consonant or an h', () => {
    expect(frenchOf('Account Manager')).toBe("d'Account Manager");
    expect(frenchOf('Écrivain')).toBe("d'Écrivain");
    expect(frenchOf('Data Engineer')).toBe('de Data Engineer');
    expect(frenchOf('Head of Data')).toBe('de Head of Data');
  });
});

describe('quoteLines', () => {
  it('quotes every line, blank lines with a bare ">"', () => {
    expect(quoteLines('\nDear Grace,\n\nThanks.\n')).toBe('> Dear Grace,\n>\n> Thanks.');
  });
});

describe('derivedVars', () => {
  const vars = (overrides: Partial<TemplateVars> = {}): TemplateVars => ({
    candidate: { name: 'Ada Lovelace', firstName: 'Ada' },
    recipient: { name: 'Ada Lovelace', firstName: 'Ada' },
    contact: { name: 'Katherine Johnson', firstName: 'Katherine' },
    company: 'Acme',
    role: 'Engineer',
    dreamJob: false,
    feedback: [],
    progress: { applications: 0, interviews: 0 },
    ...overrides,
  });

  it('progress counts as reported once there is any', () => {
    expect(derivedVars(vars()).progressReported).toBe(false);
    expect(derivedVars(vars({ progress: { applications: 0, interviews: 1 } })).progressReported).toBe(true);
  });

  it("picks the week's text, starting over after six", () => {
    expect(derivedVars(vars({ checkIn: { number: 2, count: 6, nextAction: '' } })).checkInWeek).toBe(2);
    expect(derivedVars(vars({ checkIn: { number: 8, count: 10, nextAction: '' } })).checkInWeek).toBe(2);
    expect(derivedVars(vars()).checkInWeek).toBeUndefined();
  });

  it("knows the contact's role only when the sequence passed it", () => {
    expect(derivedVars(vars({ contact: { name: 'K', firstName: 'K', role: 'recruiter' } }))).toMatchObject({ contactRecruits: true, contactInterviewed: false });
    expect(derivedVars(vars({ contact: { name: 'G', firstName: 'G', role: 'interviewer' } }))).toMatchObject({ contactRecruits: false, contactInterviewed: true });
    expect(derivedVars(vars())).toMatchObject({ contactRecruits: false, contactInterviewed: false });
  });

  it('a rejection two weeks old or more is belated', () => {
    expect(derivedVars(vars({ daysSinceRejection: 13 })).belated).toBe(false);
    expect(derivedVars(vars({ daysSinceRejection: 14 })).belated).toBe(true);
    expect(derivedVars(vars()).belated).toBe(false);
  });
});
