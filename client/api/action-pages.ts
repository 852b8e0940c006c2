import type { Client } from '@temporalio/client';
import type { FastifyInstance, FastifyReply } from 'fastify';
import { z } from 'zod';
import { ACTION_ROUTE } from '../../activities/action-links';
import { verifyActionToken, type LinkAction, type VerifiedActionToken } from '../../activities/unsubscribe-token';
import { linkProblemOf, localeFromAcceptLanguage, PAGE_STRINGS_BY_LOCALE, SNOOZE_CHOICES, type CandidatePageStrings, type LinkProblem } from '../../common/action-strings';
import type { Locale } from '../../workflows/locale';
import { hiredUpdate, progressUpdate, readyUpdate, rejectionIdOf, snoozeUpdate } from '../../workflows/definitions';
import type { Stage } from '../../workflows/status';
import { INVALID_ARGUMENT, MAX_COUNT, MAX_TEXT } from '../../workflows/updates';
import { act, ActionRefusedError } from '../actions';
import type { SequenceTarget } from '../sequences';
import { asSentence, candidatePage, escapeHtml } from './candidate-page';

/** What the action pages need: the key that signed the links (ONWARD_UNSUBSCRIBE_SECRET, the workers'). */
export interface ActionPagesOptions {
  secret: string;
  /** The clock (tests). */
  now?: () => number;
}

/** The form a page posts: the token (in the body, never a cookie), and the action's own fields as typed. */
const formBody = z.object({
  token: z.string().default(''),
  for: z.string().optional(),
  applications: z.string().optional(),
  interviews: z.string().optional(),
  note: z.string().optional(),
});
type FormBody = z.output<typeof formBody>;

/** A number field as typed; empty or not a number is left for the update's validator to refuse, as everywhere. */
const typedCount = (value: string | undefined): number => (value?.trim() ? Number(value) : Number.NaN);

/**
 * Each action: the fields its confirmation shows, and the update it runs with the form's values. The update is the
 * one the CLI and the API run (client/actions.ts), so its validator and its refusals are the same here.
 */
const ACTIONS: Record<LinkAction, { fields(strings: CandidatePageStrings): string; run(client: Client, sequence: SequenceTarget, form: FormBody, strings: CandidatePageStrings): Promise<Stage> }> = {
  ready: { fields: () => '', run: (client, sequence) => act(client, sequence, readyUpdate) },
  snooze: {
    fields: (strings) =>
      `<fieldset><legend>${escapeHtml(strings.snoozeLegend)}</legend>` +
      SNOOZE_CHOICES.map(
        (choice, index) => `<label><input type="radio" name="for" value="${escapeHtml(choice)}"${index === 0 ? ' checked' : ''} required> ${escapeHtml(strings.snoozeChoices[choice])}</label>`,
      ).join('') +
      '</fieldset>',
    run: (client, sequence, form, strings) => {
      // Only the offered choices: a link is no way to pick any duration.
      const choice = SNOOZE_CHOICES.find((offered) => offered === form.for);
      if (!choice) return Promise.reject(new ActionRefusedError(`snooze refused: for: ${strings.snoozeChoiceMissing}`, INVALID_ARGUMENT, 'for', strings.snoozeChoiceMissing));
      return act(client, sequence, snoozeUpdate, { for: choice });
    },
  },
  progress: {
    fields: (strings) =>
      (['applications', 'interviews'] as const)
        .map((name) => `<label for="${name}">${escapeHtml(strings.progressFields[name])}</label><input id="${name}" name="${name}" type="number" inputmode="numeric" min="0" max="${MAX_COUNT}" step="1" value="0" required>`)
        .join('') + `<label for="note">${escapeHtml(strings.progressFields.note)}</label><textarea id="note" name="note" rows="4" maxlength="${MAX_TEXT}"></textarea>`,
    run: (client, sequence, form) =>
      act(client, sequence, progressUpdate, { applications: typedCount(form.applications), interviews: typedCount(form.interviews), note: form.note?.trim() ? form.note : undefined }),
  },
  hired: { fields: () => '', run: (client, sequence) => act(client, sequence, hiredUpdate, { reason: 'reported with the link in an email' }) },
};

const problemPage = (reply: FastifyReply, locale: Locale, status: number, title: string, problem: string) =>
  candidatePage(reply, status, title, `<p class="problem" role="alert">${escapeHtml(asSentence(problem))}</p><p>${escapeHtml(PAGE_STRINGS_BY_LOCALE[locale].nothingChanged)}</p>`, locale);

const refusedPage = (reply: FastifyReply, locale: Locale, status: number, problem: string) => problemPage(reply, locale, status, PAGE_STRINGS_BY_LOCALE[locale].refusedTitle, problem);
const brokenLinkPage = (reply: FastifyReply, locale: Locale, problem: LinkProblem) => {
  const strings = PAGE_STRINGS_BY_LOCALE[locale];
  return problemPage(reply, locale, 400, strings.brokenLinkTitle, strings.linkProblems[problem]);
};

/** How a refusal reads on the page: the update's own words (English, as in the CLI and API), after the progress field's label when it is about one. */
const refusalText = (error: ActionRefusedError, strings: CandidatePageStrings): string => {
  const label = (strings.progressFields as Record<string, string>)[error.field];
  return label ? `${label}: ${error.problem}` : error.problem;
};

type PageToken = VerifiedActionToken | { ok: false; problem: LinkProblem };

/**
 * The candidate's action links, outside API-key authentication: the signed token names the sequence and the action.
 * `GET /act?token=` only shows the confirmation (link scanners and prefetchers fetch links); its form POSTs the token
 * in the body to `POST /act`, which runs the action's update and shows the outcome or the update's refusal.
 */
export function registerActionPages(app: FastifyInstance, client: Client, options: ActionPagesOptions | undefined): void {
  const now = options?.now ?? Date.now;
  const verify = (token: unknown): PageToken => {
    if (!options) return { ok: false, problem: 'notConfigured' };
    if (typeof token !== 'string' || !token) return { ok: false, problem: 'noToken' };
    return verifyActionToken(token, options.secret, now());
  };
  // A link that names no language (or none that verifies) is answered in the browser's.
  const brokenLink = (reply: FastifyReply, verified: Exclude<PageToken, { ok: true }>, acceptLanguage: string | undefined) =>
    brokenLinkPage(reply, localeFromAcceptLanguage(acceptLanguage), 'problem' in verified ? verified.problem : linkProblemOf(verified.reason));

  app.register((scope, _options, done) => {
    // The page's form, urlencoded; a note may be long (MAX_TEXT characters, up to 9 bytes each once encoded).
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string', bodyLimit: 16 * 1024 + 9 * MAX_TEXT }, (_request, body, parsed) =>
      parsed(null, Object.fromEntries(new URLSearchParams(body as string))),
    );

    scope.get(`/${ACTION_ROUTE}`, (request, reply) => {
      const token = (request.query as { token?: unknown } | undefined)?.token;
      const verified = verify(token);
      if (!verified.ok) return brokenLink(reply, verified, request.headers['accept-language']);
      const strings = PAGE_STRINGS_BY_LOCALE[verified.locale];
      const page = strings.actions[verified.action];
      return candidatePage(
        reply,
        200,
        page.title,
        `<p>${escapeHtml(page.intro)}</p><form method="post" action="${ACTION_ROUTE}">` +
          `<input type="hidden" name="token" value="${escapeHtml(token as string)}">${ACTIONS[verified.action].fields(strings)}` +
          `<button type="submit">${escapeHtml(page.button)}</button></form>`,
        verified.locale,
      );
    });

    scope.post(`/${ACTION_ROUTE}`, async (request, reply) => {
      const form = formBody.safeParse(request.body ?? {});
      const acceptLanguage = request.headers['accept-language'];
      if (!form.success) return brokenLinkPage(reply, localeFromAcceptLanguage(acceptLanguage), 'noToken');
      const verified = verify(form.data.token);
      if (!verified.ok) return brokenLink(reply, verified, acceptLanguage);
      const { locale } = verified;
      const strings = PAGE_STRINGS_BY_LOCALE[locale];
      const sequence = { workflowId: verified.sequenceId, rejectionId: rejectionIdOf(verified.sequenceId) };
      try {
        await ACTIONS[verified.action].run(client, sequence, form.data, strings);
      } catch (error) {
        if (error instanceof ActionRefusedError) return refusedPage(reply, locale, error.type === INVALID_ARGUMENT ? 400 : 409, refusalText(error, strings));
        throw error;
      }
      const page = strings.actions[verified.action];
      return candidatePage(reply, 200, page.doneTitle, `<p role="status">${escapeHtml(page.done)}</p>`, locale);
    });
    done();
  });
}
