/** The languages Onward writes in; a person without a `locale` is written to in English. */
export const LOCALES = ['en', 'de', 'fr'] as const;

export type Locale = (typeof LOCALES)[number];

export const DEFAULT_LOCALE: Locale = 'en';
