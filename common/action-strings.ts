// Every word the candidate reads on an action link and on the pages it opens, in one module, per locale.
import type { LinkAction } from '../activities/unsubscribe-token';
import { DEFAULT_LOCALE, LOCALES, type Locale } from '../workflows/locale';

/** The durations "I need more time" offers: each is an argument of the snooze update. */
export const SNOOZE_CHOICES = ['2 days', '5 days', '7 days'] as const;
export type SnoozeChoice = (typeof SNOOZE_CHOICES)[number];

/** The label of each link in an email to the candidate, in her language; `stop` is the unsubscribe link. */
export const LINK_LABELS_BY_LOCALE: Record<Locale, Record<LinkAction | 'stop', string>> = {
  en: {
    ready: "I'm ready",
    snooze: 'I need more time',
    progress: 'Report progress',
    hired: 'I got a job',
    stop: 'Stop these emails',
  },
  de: {
    ready: 'Ich bin so weit',
    snooze: 'Ich brauche mehr Zeit',
    progress: 'Fortschritt melden',
    hired: 'Ich habe eine Stelle',
    stop: 'Keine E-Mails mehr',
  },
  fr: {
    ready: 'Je veux commencer',
    snooze: 'J’ai besoin de plus de temps',
    progress: 'Indiquer mes avancées',
    hired: 'J’ai trouvé un poste',
    stop: 'Ne plus recevoir ces e-mails',
  },
};

export interface ActionPageStrings {
  /** The confirmation page (GET): its heading, a sentence, and the button that acts. */
  title: string;
  intro: string;
  button: string;
  /** The page after the action (POST) was done. */
  doneTitle: string;
  done: string;
}

/** Why a link opens no page (activities/unsubscribe-token.ts says which, in English, for logs). */
export type LinkProblem = 'notConfigured' | 'noToken' | 'malformed' | 'badSignature' | 'expired';

/** Every string of the candidate's pages (action links and unsubscribe) in one language. */
export interface CandidatePageStrings {
  actions: Record<LinkAction, ActionPageStrings>;
  /** The progress form's fields. */
  progressFields: { applications: string; interviews: string; note: string };
  snoozeLegend: string;
  snoozeChoices: Record<SnoozeChoice, string>;
  snoozeChoiceMissing: string;
  refusedTitle: string;
  /** Under every refusal and broken link: the candidate's click did nothing. */
  nothingChanged: string;
  brokenLinkTitle: string;
  linkProblems: Record<LinkProblem, string>;
  unsubscribe: {
    title: string;
    brokenLinkTitle: string;
    notConfigured: string;
    /** Around the address, which the page shows in bold. */
    question: [before: string, after: string];
    button: string;
    doneTitle: string;
    done: [before: string, after: string];
  };
}

export const PAGE_STRINGS_BY_LOCALE: Record<Locale, CandidatePageStrings> = {
  en: {
    actions: {
      ready: {
        title: 'Ready to start?',
        intro: 'Your break ends now, and your follow-up steps begin.',
        button: "I'm ready",
        doneTitle: "You're all set",
        done: 'Your follow-up has started. Good luck!',
      },
      snooze: {
        title: 'Take more time',
        intro: 'Nothing goes out until your break is over.',
        button: 'Take more time',
        doneTitle: 'Take the time you need',
        done: 'Your break is longer now. Nothing goes out before it ends.',
      },
      progress: {
        title: 'Report your progress',
        intro: 'What have you done since your last report? Your coach sees these numbers.',
        button: 'Save my progress',
        doneTitle: 'Progress saved',
        done: 'Thank you. Every application counts.',
      },
      hired: {
        title: 'You got a job?',
        intro: 'Confirm, and every follow-up stops: no more check-ins.',
        button: 'Yes, I got a job',
        doneTitle: 'Congratulations!',
        done: 'All follow-ups have stopped. We wish you every success in the new role.',
      },
    },
    progressFields: { applications: 'Applications sent', interviews: 'Interviews had', note: 'A note (optional)' },
    snoozeLegend: 'How much longer would you like?',
    snoozeChoices: { '2 days': '2 more days', '5 days': '5 more days', '7 days': '7 more days' },
    snoozeChoiceMissing: 'choose one of the offered durations',
    refusedTitle: 'That did not work',
    nothingChanged: 'Nothing was changed.',
    brokenLinkTitle: 'This link does not work',
    linkProblems: {
      notConfigured: 'action links are not configured on this server',
      noToken: 'the link has no token',
      malformed: 'the link is malformed',
      badSignature: 'the link is not valid (bad signature)',
      expired: 'the link has expired',
    },
    unsubscribe: {
      title: 'Unsubscribe',
      brokenLinkTitle: 'This unsubscribe link does not work',
      notConfigured: 'unsubscribe links are not configured on this server',
      question: ['Stop all emails from Onward to ', '?'],
      button: 'Unsubscribe',
      doneTitle: 'You are unsubscribed',
      done: ['Onward will not email ', ' again.'],
    },
  },
  de: {
    actions: {
      ready: {
        title: 'Bereit für die nächsten Schritte?',
        intro: 'Ihre Pause endet jetzt, und Ihre nächsten Schritte beginnen.',
        button: 'Ich bin so weit',
        doneTitle: 'Alles bereit',
        done: 'Ihre Begleitung hat begonnen. Viel Erfolg!',
      },
      snooze: {
        title: 'Mehr Zeit nehmen',
        intro: 'Bis Ihre Pause vorbei ist, erhalten Sie nichts von uns.',
        button: 'Mehr Zeit nehmen',
        doneTitle: 'Nehmen Sie sich die Zeit, die Sie brauchen',
        done: 'Ihre Pause ist jetzt länger. Vor ihrem Ende erhalten Sie nichts von uns.',
      },
      progress: {
        title: 'Fortschritt melden',
        intro: 'Was haben Sie seit Ihrer letzten Meldung unternommen? Ihr Coach sieht diese Zahlen.',
        button: 'Fortschritt speichern',
        doneTitle: 'Fortschritt gespeichert',
        done: 'Vielen Dank. Jede Bewerbung zählt.',
      },
      hired: {
        title: 'Sie haben eine Stelle gefunden?',
        intro: 'Wenn Sie bestätigen, endet Ihre Begleitung: Sie erhalten keine weiteren Check-ins.',
        button: 'Ja, ich habe eine Stelle',
        doneTitle: 'Herzlichen Glückwunsch!',
        done: 'Ihre Begleitung ist beendet. Wir wünschen Ihnen viel Erfolg in der neuen Position.',
      },
    },
    progressFields: { applications: 'Versandte Bewerbungen', interviews: 'Geführte Vorstellungsgespräche', note: 'Eine Notiz (optional)' },
    snoozeLegend: 'Wie viel mehr Zeit möchten Sie?',
    snoozeChoices: { '2 days': 'Noch 2 Tage', '5 days': 'Noch 5 Tage', '7 days': 'Noch 7 Tage' },
    snoozeChoiceMissing: 'wählen Sie eine der angebotenen Zeitspannen',
    refusedTitle: 'Das hat nicht geklappt',
    nothingChanged: 'Es wurde nichts geändert.',
    brokenLinkTitle: 'Dieser Link funktioniert nicht',
    linkProblems: {
      notConfigured: 'Aktionslinks sind auf diesem Server nicht eingerichtet',
      noToken: 'der Link ist unvollständig',
      malformed: 'der Link ist fehlerhaft',
      badSignature: 'der Link ist ungültig (falsche Signatur)',
      expired: 'der Link ist abgelaufen',
    },
    unsubscribe: {
      title: 'Abmelden',
      brokenLinkTitle: 'Dieser Abmeldelink funktioniert nicht',
      notConfigured: 'Abmeldelinks sind auf diesem Server nicht eingerichtet',
      question: ['Möchten Sie keine E-Mails mehr von Onward an ', ' erhalten?'],
      button: 'Abmelden',
      doneTitle: 'Sie sind abgemeldet',
      done: ['Onward sendet keine E-Mails mehr an ', '.'],
    },
  },
  fr: {
    actions: {
      ready: {
        title: 'Voulez-vous commencer ?',
        intro: 'Votre pause se termine maintenant, et les prochaines étapes de votre accompagnement commencent.',
        button: 'Je veux commencer',
        doneTitle: 'C’est parti',
        done: 'Votre accompagnement a commencé. Bonne chance !',
      },
      snooze: {
        title: 'Prendre plus de temps',
        intro: 'Vous ne recevrez rien avant la fin de votre pause.',
        button: 'Prendre plus de temps',
        doneTitle: 'Prenez le temps qu’il vous faut',
        done: 'Votre pause est prolongée. Vous ne recevrez rien avant qu’elle se termine.',
      },
      progress: {
        title: 'Indiquer vos avancées',
        intro: 'Qu’avez-vous fait depuis votre dernier point ? Votre coach voit ces chiffres.',
        button: 'Enregistrer mes avancées',
        doneTitle: 'Avancées enregistrées',
        done: 'Merci. Chaque candidature compte.',
      },
      hired: {
        title: 'Vous avez trouvé un poste ?',
        intro: 'Si vous confirmez, tout le suivi s’arrête : plus aucun point d’étape.',
        button: 'Oui, j’ai trouvé un poste',
        doneTitle: 'Félicitations !',
        done: 'Tout le suivi est arrêté. Nous vous souhaitons pleine réussite dans ce nouveau poste.',
      },
    },
    progressFields: { applications: 'Candidatures envoyées', interviews: 'Entretiens passés', note: 'Une note (facultatif)' },
    snoozeLegend: 'De combien de temps de plus avez-vous besoin ?',
    snoozeChoices: { '2 days': '2 jours de plus', '5 days': '5 jours de plus', '7 days': '7 jours de plus' },
    snoozeChoiceMissing: 'choisissez l’une des durées proposées',
    refusedTitle: 'Cela n’a pas fonctionné',
    nothingChanged: 'Rien n’a été modifié.',
    brokenLinkTitle: 'Ce lien ne fonctionne pas',
    linkProblems: {
      notConfigured: 'les liens d’action ne sont pas configurés sur ce serveur',
      noToken: 'le lien est incomplet',
      malformed: 'le lien est mal formé',
      badSignature: 'le lien n’est pas valide (signature incorrecte)',
      expired: 'le lien a expiré',
    },
    unsubscribe: {
      title: 'Se désabonner',
      brokenLinkTitle: 'Ce lien de désabonnement ne fonctionne pas',
      notConfigured: 'les liens de désabonnement ne sont pas configurés sur ce serveur',
      question: ['Ne plus recevoir aucun e-mail d’Onward à l’adresse ', ' ?'],
      button: 'Me désabonner',
      doneTitle: 'Votre désabonnement est confirmé',
      done: ['Onward n’écrira plus à l’adresse ', '.'],
    },
  },
};

/** The token module's English reasons (for logs and the JSON answer), as the pages name them. */
export function linkProblemOf(reason: string): LinkProblem {
  const english = PAGE_STRINGS_BY_LOCALE[DEFAULT_LOCALE].linkProblems;
  const found = (Object.keys(english) as LinkProblem[]).find((problem) => english[problem] === reason);
  return found ?? 'malformed';
}

/**
 * The language of a page whose link names none (a broken or unsigned link): the browser's first supported choice in
 * Accept-Language (RFC 9110 section 12.5.4, by weight), else English.
 */
export function localeFromAcceptLanguage(header: string | undefined): Locale {
  const ranked = (header ?? '')
    .split(',')
    .map((part, index) => {
      const [range = '', ...parameters] = part.trim().split(';');
      const weight = parameters.map((parameter) => /^\s*q=([\d.]+)\s*$/i.exec(parameter)?.[1]).find(Boolean);
      return { language: range.trim().toLowerCase().split('-')[0] ?? '', weight: weight === undefined ? 1 : Number(weight), index };
    })
    .filter(({ weight }) => weight > 0)
    .sort((a, b) => b.weight - a.weight || a.index - b.index);
  const supported = ranked.find(({ language }) => (LOCALES as readonly string[]).includes(language));
  return supported ? (supported.language as Locale) : DEFAULT_LOCALE;
}
