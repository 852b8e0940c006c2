import { Client, Connection } from '@temporalio/client';
import Fastify, { type FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMemorySuppressionList } from '../../activities/suppression';
import { LINK_ACTIONS, signActionToken, signUnsubscribeToken } from '../../activities/unsubscribe-token';
import { registerActionPages } from '../../client/api/action-pages';
import { escapeHtml as escape } from '../../client/api/candidate-page';
import { registerUnsubscribe } from '../../client/api/unsubscribe';
import { localeFromAcceptLanguage, PAGE_STRINGS_BY_LOCALE, type CandidatePageStrings } from '../../common/action-strings';
import { LOCALES } from '../../workflows/locale';

const SECRET = 'a-test-secret-of-at-least-32-characters';
const NOW = Date.parse('2026-11-25T12:00:00Z');
const SEQUENCE = 'rejection-acme-eng-4711';

/** Every string of one locale's pages, with where it is. */
function stringsOf(strings: CandidatePageStrings, prefix = ''): [string, string][] {
  return Object.entries(strings).flatMap(([key, value]): [string, string][] =>
    typeof value === 'string' ? [[`${prefix}${key}`, value]] : stringsOf(value as CandidatePageStrings, `${prefix}${key}.`),
  );
}

describe('the candidate pages in the candidate\'s language', () => {
  it('have every string in every language, none left in English', () => {
    const english = new Map(stringsOf(PAGE_STRINGS_BY_LOCALE.en));
    for (const locale of LOCALES) {
      const strings = stringsOf(PAGE_STRINGS_BY_LOCALE[locale]);
      expect(strings.map(([key]) => key), locale).toEqual([...english.keys()]);
      for (const [key, text] of strings) {
        // The question and the done sentence surround the address: one half may be punctuation only.
        if (!/\.(question|done)\.1$/.test(key)) expect(text.trim(), `${locale} ${key}`).not.toBe('');
        if (locale !== 'en' && !/\.(question|done)\.1$/.test(key)) expect(text, `${locale} ${key} is still English`).not.toBe(english.get(key));
      }
    }
  });

  it('address the candidate formally: Sie in German, vous in French, with French spacing before ? ! :', () => {
    const german = stringsOf(PAGE_STRINGS_BY_LOCALE.de).map(([, text]) => text).join('\n');
    expect(german).not.toMatch(/\b(du|dich|dir|dein\w*)\b/i);
    expect(german).toMatch(/\bSie\b/);
    const french = stringsOf(PAGE_STRINGS_BY_LOCALE.fr).map(([, text]) => text).join('\n');
    expect(french).not.toMatch(/\b(tu|toi|ton|ta|tes)\b/i);
    expect(french).not.toMatch(/\b(prêt|prête|désabonné|désabonnée|inscrit|inscrite)\b/i);
    expect(french).not.toMatch(/[^\u202f][?!:]/);
    expect(french).not.toMatch(/'/);
  });

  it('pick the browser\'s first supported language for a link that names none', () => {
    expect(localeFromAcceptLanguage('de-DE,de;q=0.9,en;q=0.8')).toBe('de');
    expect(localeFromAcceptLanguage('es-ES, fr;q=0.5, en;q=0.7')).toBe('en');
    expect(localeFromAcceptLanguage('es, fr-CA;q=0.8')).toBe('fr');
    expect(localeFromAcceptLanguage('fr;q=0, de;q=0.1')).toBe('de');
    expect(localeFromAcceptLanguage(undefined)).toBe('en');
    expect(localeFromAcceptLanguage('*')).toBe('en');
  });
});

// The confirmation pages (GET) and broken links: served by the API's own routes, with no Temporal needed (a GET
// changes nothing, so the lazy client is never used).
describe('the action and unsubscribe pages, as served', () => {
  let app: FastifyInstance;
  beforeAll(async () => {
    app = Fastify();
    const client = new Client({ connection: Connection.lazy({ address: '127.0.0.1:1' }) });
    const suppressions = createMemorySuppressionList();
    registerActionPages(app, client, { secret: SECRET, now: () => NOW });
    registerUnsubscribe(app, client, { secret: SECRET, suppressions, now: () => NOW });
    await app.ready();
  });
  afterAll(() => app.close());

  const get = (url: string, headers: Record<string, string> = {}) => app.inject({ method: 'GET', url, headers });

  it('show each action\'s confirmation in the token\'s language, with <html lang>', async () => {
    for (const locale of LOCALES) {
      for (const action of LINK_ACTIONS) {
        const token = signActionToken({ sequenceId: SEQUENCE, action, locale }, SECRET, NOW);
        // The browser's language does not override the candidate's.
        const page = await get(`/act?token=${token}`, { 'accept-language': locale === 'de' ? 'fr' : 'de' });
        const strings = PAGE_STRINGS_BY_LOCALE[locale];
        expect(page.statusCode).toBe(200);
        expect(page.body).toContain(`<html lang="${locale}">`);
        expect(page.headers['content-language']).toBe(locale);
        expect(page.body).toContain(`<h1>${escape(strings.actions[action].title)}</h1>`);
        expect(page.body).toContain(`>${escape(strings.actions[action].button)}</button>`);
        if (action === 'snooze') expect(page.body).toContain(` ${escape(strings.snoozeChoices['5 days'])}</label>`);
        if (action === 'progress') expect(page.body).toContain(`>${escape(strings.progressFields.interviews)}</label>`);
      }
    }
  });

  it('answer a link sent before the locale was carried in English', async () => {
    const page = await get(`/act?token=${signActionToken({ sequenceId: SEQUENCE, action: 'ready' }, SECRET, NOW)}`, { 'accept-language': 'de' });
    expect(page.body).toContain('<html lang="en">');
    expect(page.body).toContain('<h1>Ready to start?</h1>');
  });

  it('explain a broken or expired link in the browser\'s language, saying nothing was changed', async () => {
    const expired = signActionToken({ sequenceId: SEQUENCE, action: 'ready', locale: 'de' }, SECRET, NOW - 61 * 24 * 3_600_000);
    const german = await get(`/act?token=${expired}`, { 'accept-language': 'de-AT,de;q=0.9' });
    expect(german.statusCode).toBe(400);
    expect(german.body).toContain('<html lang="de">');
    expect(german.body).toContain('<h1>Dieser Link funktioniert nicht</h1>');
    expect(german.body).toContain('Der Link ist abgelaufen.');
    expect(german.body).toContain('Es wurde nichts geändert.');
    const french = await get('/act?token=u2.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA', { 'accept-language': 'fr-FR' });
    expect(french.body).toContain('<html lang="fr">');
    expect(french.body).toContain(escape('Le lien n’est pas valide (signature incorrecte).'));
    expect(french.body).toContain(escape('Rien n’a été modifié.'));
    const noToken = await get('/act');
    expect(noToken.body).toContain('<html lang="en">');
    expect(noToken.body).toContain('The link has no token.');
  });

  it('frame a refusal in the candidate\'s language: what went wrong, and that nothing was changed', async () => {
    const token = signActionToken({ sequenceId: SEQUENCE, action: 'snooze', locale: 'de' }, SECRET, NOW);
    // A duration the page does not offer is refused by the page itself, before any update runs.
    const refused = await app.inject({ method: 'POST', url: '/act', headers: { 'content-type': 'application/x-www-form-urlencoded' }, payload: new URLSearchParams({ token, for: '99 days' }).toString() });
    expect(refused.statusCode).toBe(400);
    expect(refused.body).toContain('<html lang="de">');
    expect(refused.body).toContain('<h1>Das hat nicht geklappt</h1>');
    expect(refused.body).toContain('<p class="problem" role="alert">Wählen Sie eine der angebotenen Zeitspannen.</p><p>Es wurde nichts geändert.</p>');
  });

  it('ask before unsubscribing in the candidate\'s language', async () => {
    const token = signUnsubscribeToken({ email: 'ada@example.com', sequenceId: SEQUENCE, locale: 'fr' }, SECRET, NOW);
    const page = await get(`/unsubscribe?token=${token}`);
    expect(page.body).toContain('<html lang="fr">');
    expect(page.body).toContain(`<h1>Se désabonner</h1>`);
    expect(page.body).toContain(escape('Ne plus recevoir aucun e-mail d’Onward à l’adresse ') + '<strong>ada@example.com</strong>');
    expect(page.body).toContain('>Me désabonner</button>');
    const broken = await get('/unsubscribe?token=nope', { 'accept-language': 'de' });
    expect(broken.body).toContain('<h1>Dieser Abmeldelink funktioniert nicht</h1>');
    expect(broken.body).toContain('Es wurde nichts geändert.');
  });
});
