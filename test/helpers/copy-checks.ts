import type { RenderedEmail } from '../../activities/templates';
import type { Locale } from '../../workflows/locale';

// What an editor would refuse in a rendered email, as checks that return the problems they find (empty: none).

/** The prose of an email the template wrote: quoted messages and listed feedback (someone else's words) left out. */
export function ownProse(email: RenderedEmail): { text: string; html: string } {
  const text = email.text
    .split('\n')
    .filter((line) => !line.startsWith('>') && !line.startsWith('- '))
    .join('\n');
  const html = decodeEntities(
    email.html
      .replace(/<blockquote>[\s\S]*?<\/blockquote>/g, '')
      .replace(/<li>[\s\S]*?<\/li>/g, '')
      .replace(/<br>/g, '\n')
      .replace(/<\/p>/g, '\n\n')
      .replace(/<[^>]+>/g, ''),
  );
  return { text, html };
}

function decodeEntities(html: string): string {
  return html
    .replace(/&#x27;/g, "'")
    .replace(/&#x3D;/g, '=')
    .replace(/&#x60;/g, '`')
    .replace(/&quot;/g, '"')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&');
}

/** Sentences of some prose: split at . ! ? and at paragraph breaks, spaces normalised. */
export function sentences(prose: string): string[] {
  return prose
    .split(/(?<=[.!?])\s+|\n{2,}/)
    .map((sentence) => sentence.replace(/\s+/g, ' ').trim())
    .filter(Boolean);
}

/** Tokens left unrendered, and values that were missing ("undefined", "null", "NaN", "[object Object]"). */
export function leftovers(all: string): string[] {
  return [...all.matchAll(/\{\{|\}\}|\bundefined\b|\bnull\b|\bNaN\b|\[object \w+\]/g)].map((match) => match[0]);
}

/** A word or a phrase of up to four words written twice in a row: "the the", "at Acme at Acme". */
export function doubled(prose: string): string[] {
  return [...prose.matchAll(/(?<![\p{L}\p{N}])(\p{L}+(?:[ \u00a0]+\p{L}+){0,3})[ \u00a0]+\1(?![\p{L}\p{N}])/giu)].map((match) => match[0]);
}

const NOUNS: Record<Locale, [singular: string, plural: string][]> = {
  en: [['application', 'applications'], ['interview', 'interviews'], ['week', 'weeks']],
  de: [['Bewerbung', 'Bewerbungen'], ['Vorstellungsgespräch', 'Vorstellungsgespräche'], ['Woche', 'Wochen']],
  fr: [['candidature', 'candidatures'], ['entretien', 'entretiens'], ['semaine', 'semaines']],
};

/** A count with the wrong form of its noun: "1 interviews", "3 application"; French counts 0 and 1 as singular. */
export function wrongPlurals(prose: string, locale: Locale): string[] {
  const found: string[] = [];
  for (const [singular, plural] of NOUNS[locale]) {
    for (const match of prose.matchAll(new RegExp(`(?<![\\d.,])(\\d+)[ \\u00a0](${singular}|${plural})(?!\\p{L})`, 'gu'))) {
      const amount = Number(match[1]);
      const wantsSingular = new Intl.PluralRules(locale).select(amount) === 'one';
      if ((match[2] === singular) !== wantsSingular) found.push(match[0]);
    }
  }
  return found;
}

/** English possessives of names that end in s written "s's": "Analytics's". */
export function wrongPossessives(prose: string): string[] {
  return [...prose.matchAll(/\p{L}*s's\b/gu)].map((match) => match[0]);
}

/** Sentences that name `name` twice. */
export function namedTwice(prose: string, name: string): string[] {
  return sentences(prose).filter((sentence) => sentence.split(name).length > 2);
}

/**
 * Sentences of at least `minWords` words that appear in two emails: the emails' labels and the sentence. Salutations
 * and sign-offs ("Mit freundlichen Grüßen Ada Lovelace") end without a full stop and may repeat.
 */
export function repeatedSentences(emails: { label: string; prose: string }[], minWords = 5): string[] {
  const seen = new Map<string, string>();
  const found: string[] = [];
  for (const { label, prose } of emails) {
    for (const sentence of new Set(sentences(prose))) {
      if (sentence.split(' ').length < minWords || !/[.!?:]$/.test(sentence)) continue;
      const first = seen.get(sentence);
      if (first && first !== label) found.push(`${first} and ${label}: "${sentence}"`);
      else seen.set(sentence, label);
    }
  }
  return found;
}

// Words that give English away in German or French prose, and the formal address in English.
const FOREIGN: Record<Locale, RegExp> = {
  en: /\b(Sie|Ihr|Ihnen|vous|votre|und|avec)\b/,
  de: /\b(the|and|your|you|with|for|vous|votre|avec)\b/i,
  fr: /\b(the|and|your|you|with|for|und|Sie|Ihr|mit)\b/,
};

/** Words of another language in prose of `locale`. */
export function foreignWords(prose: string, locale: Locale): string[] {
  return [...prose.matchAll(new RegExp(FOREIGN[locale].source, `g${FOREIGN[locale].flags}`))].map((match) => match[0]);
}
