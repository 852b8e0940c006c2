import EmailReplyParser from 'email-reply-parser';

/**
 * The new part of an email reply, as Gmail reply detection and the IMAP watcher (worker/replies) record it: the quoted
 * history ("On ... wrote:", "> " lines, Outlook's headers) and the signature are stripped by email-reply-parser.
 */
export function stripQuotedReply(text: string): string {
  // The parser spots Outlook's divider only as a block of its own: a divider right under the answer gets a blank line.
  const normalised = text.replace(/\r\n?/g, '\n').replace(/\n(-{2,}\s*Original Message\s*-{2,})/gi, '\n\n$1');
  return new EmailReplyParser().read(normalised).getVisibleText().trim();
}

/** Text from HTML, for replies without a plain-text part. */
export function htmlToText(html: string): string {
  return html
    .replace(/<(script|style)[\s\S]*?<\/\1>/gi, '')
    .replace(/<blockquote[\s\S]*?<\/blockquote>/gi, '')
    .replace(/<br\s*\/?>/gi, '\n')
    .replace(/<\/(p|div|li|h\d)>/gi, '\n')
    .replace(/<[^>]+>/g, '')
    .replace(/&nbsp;/g, ' ')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&amp;/g, '&')
    .replace(/\n{3,}/g, '\n\n');
}
