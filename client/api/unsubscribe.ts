import { WorkflowUpdateFailedError, type Client } from '@temporalio/client';
import { WorkflowNotFoundError } from '@temporalio/common';
import type { FastifyInstance } from 'fastify';
import type { SuppressionList } from '../../activities/suppression';
import { verifyUnsubscribeToken, type VerifiedToken } from '../../activities/unsubscribe-token';
import { optOutUpdate } from '../../workflows/definitions';
import { linkProblemOf, localeFromAcceptLanguage, PAGE_STRINGS_BY_LOCALE } from '../../common/action-strings';
import { asSentence, candidatePage as page, escapeHtml } from './candidate-page';

/** What the unsubscribe endpoint needs: the key that signed the links, and the list it adds addresses to. */
export interface UnsubscribeOptions {
  /** ONWARD_UNSUBSCRIBE_SECRET, the same as the workers'. */
  secret: string;
  /** The same list the workers check (a shared file or database). */
  suppressions: SuppressionList;
  /** The clock (tests). */
  now?: () => number;
}

/** Opts the sequence out; one that already ended (or is gone) needs nothing more: the address is suppressed anyway. */
async function optOut(client: Client, sequenceId: string): Promise<void> {
  try {
    await client.workflow.getHandle(sequenceId).executeUpdate(optOutUpdate, { args: [{ reason: 'unsubscribed with the link in an email' }] });
  } catch (error) {
    if (error instanceof WorkflowUpdateFailedError || error instanceof WorkflowNotFoundError) return;
    if (error instanceof Error && /not found|already completed/i.test(error.message)) return;
    throw error;
  }
}

const tokenOf = (query: unknown): string => {
  const token = (query as { token?: unknown } | undefined)?.token;
  return typeof token === 'string' ? token : '';
};

/**
 * RFC 8058 one-click unsubscribe, outside API-key authentication: the signed token is the authority.
 * `GET /unsubscribe?token=` shows a confirmation page (link scanners fetch links: a GET changes nothing);
 * `POST /unsubscribe?token=` (body `List-Unsubscribe=One-Click`, from the mail client or the page's button) suppresses
 * the address and opts the sequence out. Idempotent: a second POST answers the same 200.
 */
export function registerUnsubscribe(app: FastifyInstance, client: Client, options: UnsubscribeOptions | undefined): void {
  const now = options?.now ?? Date.now;
  const verify = (query: unknown): VerifiedToken => {
    if (!options) return { ok: false, reason: 'unsubscribe links are not configured on this server' };
    const token = tokenOf(query);
    if (!token) return { ok: false, reason: 'the link has no token' };
    return verifyUnsubscribeToken(token, options.secret, now());
  };

  app.register((scope, _options, done) => {
    // Mail clients post `List-Unsubscribe=One-Click` as a form (urlencoded or multipart): the body is not needed.
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser('*', { parseAs: 'string', bodyLimit: 4096 }, (_request, body, parsed) => parsed(null, body));

    scope.get('/unsubscribe', (request, reply) => {
      const verified = verify(request.query);
      if (!verified.ok) {
        // A link that does not verify names no language: the browser's is used.
        const locale = localeFromAcceptLanguage(request.headers['accept-language']);
        const strings = PAGE_STRINGS_BY_LOCALE[locale];
        const problem = options ? strings.linkProblems[linkProblemOf(verified.reason)] : strings.unsubscribe.notConfigured;
        return page(reply, 400, strings.unsubscribe.brokenLinkTitle, `<p>${escapeHtml(asSentence(problem))}</p><p>${escapeHtml(strings.nothingChanged)}</p>`, locale);
      }
      const strings = PAGE_STRINGS_BY_LOCALE[verified.locale].unsubscribe;
      return page(
        reply,
        200,
        strings.title,
        `<p>${escapeHtml(strings.question[0])}<strong>${escapeHtml(verified.email)}</strong>${escapeHtml(strings.question[1])}</p>` +
          `<form method="post" action="?token=${encodeURIComponent(tokenOf(request.query))}">` +
          `<input type="hidden" name="List-Unsubscribe" value="One-Click"><button type="submit">${escapeHtml(strings.button)}</button></form>`,
        verified.locale,
      );
    });

    scope.post('/unsubscribe', async (request, reply) => {
      const verified = verify(request.query);
      if (!verified.ok) return reply.code(400).send({ errors: [{ field: 'token', problem: verified.reason }] });
      await options?.suppressions.suppress(verified.email, `unsubscribe link (${verified.sequenceId})`);
      await optOut(client, verified.sequenceId);
      if (request.headers.accept?.includes('text/html')) {
        const strings = PAGE_STRINGS_BY_LOCALE[verified.locale].unsubscribe;
        return page(reply, 200, strings.doneTitle, `<p>${escapeHtml(strings.done[0])}<strong>${escapeHtml(verified.email)}</strong>${escapeHtml(strings.done[1])}</p>`, verified.locale);
      }
      return reply.code(200).send({ unsubscribed: true, email: verified.email });
    });
    done();
  });
}
