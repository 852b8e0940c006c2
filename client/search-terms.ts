/** Words shorter than this are not searchable: a one-letter prefix would match nearly everything. */
export const MIN_PREFIX_LENGTH = 2;
/** Longer prefixes add nothing a user types: they keep the attribute small for long names. */
export const MAX_PREFIX_LENGTH = 16;

/** Lowercased, accents folded (Zoë → zoe, Łódź → lodz), split into words of letters and digits. */
export function searchWords(text: string): string[] {
  const folded = text
    .normalize('NFKD')
    .replace(/\p{M}/gu, '')
    .replace(/ł/giu, 'l')
    .replace(/ß/gu, 'ss')
    .replace(/ø/giu, 'o')
    .toLowerCase();
  return folded.split(/[^\p{L}\p{N}]+/u).filter((word) => word.length > 0);
}

/** Every prefix of every word that search can ask for: "Grace Hopper" gives gr, gra, grac, grace, ho, hop, ... */
export function searchPrefixes(...texts: string[]): string[] {
  const prefixes = new Set<string>();
  for (const word of texts.flatMap(searchWords)) {
    const letters = [...word];
    for (let length = MIN_PREFIX_LENGTH; length <= Math.min(letters.length, MAX_PREFIX_LENGTH); length++) prefixes.add(letters.slice(0, length).join(''));
  }
  return [...prefixes];
}

/**
 * What a search for `query` asks for: each of its words as a prefix (longer words cut to the longest stored prefix);
 * none when the query has no word of two letters or more.
 */
export function queryTerms(query: string): string[] {
  const words = searchWords(query).filter((word) => [...word].length >= MIN_PREFIX_LENGTH);
  return [...new Set(words.map((word) => [...word].slice(0, MAX_PREFIX_LENGTH).join('')))];
}
