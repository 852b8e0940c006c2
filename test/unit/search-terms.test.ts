import { describe, expect, it } from 'vitest';
import { queryTerms, searchPrefixes, searchWords } from '../../client/search-terms';
import { createVisibilityHashing } from '../../client/visibility-keys';
import { listQueryOf } from '../../client/api/sequence-list';

describe('search words: what part of a name or company finds a sequence', () => {
  it('lowercases, folds accents and splits on anything but letters and digits', () => {
    expect(searchWords("Zoë Ångström-O'Connor")).toEqual(['zoe', 'angstrom', 'o', 'connor']);
    expect(searchWords('Łódź Straße Søren')).toEqual(['lodz', 'strasse', 'soren']);
  });

  it('stores every prefix of two letters or more, each once, up to sixteen letters', () => {
    expect(searchPrefixes('Ada Adams')).toEqual(['ad', 'ada', 'adam', 'adams']);
    const long = searchPrefixes('Supercalifragilistic');
    expect(long.at(-1)).toBe('supercalifragili');
    expect(long).toHaveLength(15);
  });

  it('asks for each word of a query of two letters or more, cut to the longest stored prefix', () => {
    expect(queryTerms("  O'Conn  ")).toEqual(['conn']);
    expect(queryTerms('x')).toEqual([]);
    expect(queryTerms('Supercalifragilisticexpialidocious')).toEqual(['supercalifragili']);
    // Whatever a query asks for is among what the name stored.
    for (const term of queryTerms('zoe ÅNGST')) expect(searchPrefixes('Zoë Ångström')).toContain(term);
  });
});

describe('the list query', () => {
  const hashing = createVisibilityHashing({ activeKeyId: 'new', keys: new Map([['old', Buffer.alloc(32, 1)], ['new', Buffer.alloc(32, 2)]]) });

  it('matches keyed hashes under every key, never the words themselves', () => {
    const query = listQueryOf("o'hara", { q: 'Grace', coach: 'Priya' }, hashing);
    expect(query).toContain("OnwardTenant = 'o\\'hara'");
    expect(query).not.toMatch(/grace|priya/i);
    for (const hash of [...hashing.hashes('term', 'grace'), ...hashing.hashes('coach', 'Priya')]) expect(query).toContain(`'${hash}'`);
    expect(hashing.hashes('term', 'grace')).toHaveLength(2);
    expect(hashing.hash('term', 'grace')).toBe(hashing.hashes('term', 'grace')[0]);
  });

  it('turns a date range into whole UTC days, both included', () => {
    const query = listQueryOf('acme', { from: '2026-11-01', to: '2026-11-30' }, hashing);
    expect(query).toContain("OnwardRejectedAt >= '2026-11-01T00:00:00.000Z'");
    expect(query).toContain("OnwardRejectedAt < '2026-12-01T00:00:00.000Z'");
  });
});
