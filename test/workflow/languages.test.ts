import { DateTime } from 'luxon';
import { describe, expect, test } from 'vitest';
import { useTimeSkipping } from '../helpers/time-skipping';

const harness = useTimeSkipping();

const BERLIN = 'Europe/Berlin';
const MAREIKE = { name: 'Mareike Schulz', email: 'mareike@example.de', timezone: BERLIN, locale: 'de' as const };
const CAMILLE = { name: 'Camille Durand', email: 'camille@acme.example.fr', timezone: 'Europe/Paris', title: 'directrice technique', locale: 'fr' as const };
// Words that would give English away in German or French prose.
const ENGLISH = /\b(the|and|your|you|with|for)\b/;

describe('each person is written to in their own language', () => {
  test('a German candidate hears in German, with German dates; her French interviewer is written to in French', async () => {
    const { advanceTo, start } = harness();
    await advanceTo(1, '10:00', BERLIN);
    const sequence = await start({
      id: 'ts-languages',
      document: { candidate: MAREIKE, interviewers: [CAMILLE], recruiter: undefined, role: 'Data Engineer' },
      policy: { checkInCount: 1, touchpointsAfter: ['30 days'] },
    });
    expect(await sequence.handle.result()).toMatchObject({ stage: 'completed', failed: 0 });
    const mail = (step: string) => {
      const found = sequence.mail(step);
      if (!found) throw new Error(`${step} never arrived; arrived: ${sequence.mails().map((each) => each.step).join(', ')}`);
      return { subject: found.parsed.subject ?? '', text: found.parsed.text ?? '', html: String(found.parsed.html), to: found.to };
    };

    // The supportive note names the day grieving ends as a German reader writes it, in her zone.
    const status = await sequence.status();
    const endsOn = DateTime.fromISO(status.grievingEndsAt, { zone: BERLIN }).setLocale('de').toFormat('cccc, d. LLLL');
    expect(endsOn).toMatch(/^[A-Z][a-z]+tag|^Mittwoch/);
    const note = mail('supportive-note');
    expect(note.to).toEqual([MAREIKE.email]);
    expect(note.subject).toBe('Zur Stelle als Data Engineer bei Acme Analytics');
    expect(note.text).toContain('Hallo Mareike,');
    expect(note.text).toContain(`Bis ${endsOn}, passiert nichts weiter.`);
    expect(note.html).toContain(`Bis ${endsOn}, passiert nichts weiter.`);

    // To Camille, in French and formally, in the candidate's name.
    const thanks = mail('thank-you:1');
    expect(thanks.to).toEqual([CAMILLE.email]);
    expect(thanks.subject).toBe('Merci pour notre échange');
    expect(thanks.text).toContain('Bonjour Camille Durand,');
    expect(thanks.text).toContain('en tant que directrice technique');
    expect(thanks.text).toMatch(/\bvous\b/);
    const request = mail('feedback-request');
    expect(request.text).toContain("Qu'aurais-je pu faire pour que ma candidature soit plus compétitive");
    const reminder = mail('feedback-reminder');
    expect(reminder.subject).toBe(`Re: ${request.subject}`);
    expect(reminder.text).toContain('Mareike Schulz a écrit\u00a0:\n> Bonjour Camille Durand,');
    expect(mail('other-openings').subject).toBe("D'autres postes ouverts chez Acme Analytics\u202f?");
    expect(mail('touchpoint:1').subject).toBe('Quelques nouvelles');

    // To Mareike, in German: the check-in, the LinkedIn task about the interviewer, the summary.
    expect(mail('check-in:1').subject).toBe('Woche 1 von 1: eine maßgeschneiderte Bewerbung');
    expect(mail('linkedin-task').text).toContain('Camille Durand hat das Gespräch mit Ihnen für die Stelle als Data Engineer geführt.');
    expect(mail('closing-summary').subject).toMatch(/^Bilanz nach \d+ Wochen: was Sie gelernt und getan haben$/);

    for (const each of sequence.mails()) expect(each.parsed.text ?? '', each.step).not.toMatch(ENGLISH);
  });
});
