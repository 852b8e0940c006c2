// Every word the candidate reads on an action link and its page, in one module, so a locale can replace it later.
import type { LinkAction } from '../activities/unsubscribe-token';
import { DEFAULT_LOCALE, type Locale } from '../workflows/locale';

/** The choices "I need more time" offers: each is an argument of the snooze update. */
export const SNOOZE_CHOICES = [
  { value: '2 days', label: '2 more days' },
  { value: '5 days', label: '5 more days' },
  { value: '7 days', label: '7 more days' },
] as const;

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

/** The labels the pages use (in English for now). */
export const LINK_LABELS = LINK_LABELS_BY_LOCALE[DEFAULT_LOCALE];

export interface ActionPageStrings {
  /** The confirmation page (GET): its heading, a sentence, and the button that acts. */
  title: string;
  intro: string;
  button: string;
  /** The page after the action (POST) was done. */
  doneTitle: string;
  done: string;
}

export const ACTION_PAGES: Record<LinkAction, ActionPageStrings> = {
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
};

/** The labels of the progress form's fields. */
export const PROGRESS_FIELDS = { applications: 'Applications sent', interviews: 'Interviews had', note: 'A note (optional)' } as const;

export const PAGE_STRINGS = {
  refusedTitle: 'That did not work',
  nothingChanged: 'Nothing was changed.',
  brokenLinkTitle: 'This link does not work',
  notConfigured: 'action links are not configured on this server',
  noToken: 'the link has no token',
  tryAgain: 'Go back and try again',
  snoozeLegend: 'How much longer would you like?',
  snoozeChoiceMissing: 'choose one of the offered durations',
} as const;
