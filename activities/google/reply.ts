/**
 * The new part of an email reply: the quoted history ("On ... wrote:", "> " lines, Outlook's "From: ... Sent: ..."
 * block or "-----Original Message-----"), and the signature after "-- ", are left out.
 */
export function stripQuotedReply(text: string): string {
  const lines = text.replace(/\r\n?/g, '\n').split('\n');
  const kept: string[] = [];
  for (let index = 0; index < lines.length; index++) {
    const line = lines[index] ?? '';
    const next = lines[index + 1] ?? '';
    const trimmed = line.trim();
    // Gmail, Apple Mail, Thunderbird: "On Tue, 1 Dec 2026 at 10:00, Grace Hopper <grace@...> wrote:", often wrapped.
    if (/^On\b.*\bwrote:\s*$/i.test(trimmed) || (/^On\b/i.test(trimmed) && /\bwrote:\s*$/i.test(next.trim()))) break;
    if (/^-{2,}\s*Original Message\s*-{2,}$/i.test(trimmed) || /^_{10,}$/.test(trimmed)) break;
    if (/^From:\s/i.test(trimmed) && lines.slice(index + 1, index + 5).some((candidate) => /^(Sent|Date):\s/i.test(candidate.trim()))) break;
    if (line === '-- ' || trimmed === '--') break;
    if (/^>/.test(trimmed)) continue;
    kept.push(line);
  }
  return kept.join('\n').trim();
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
