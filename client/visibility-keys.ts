import type { SearchAttributePair } from '@temporalio/common';
import type { CodecKeyring } from '../common/codec';
import { resolveClientKeyring } from '../common/codec-keys';
import { readClientConfig } from '../common/connection';
import { createSealing } from '../common/database/sealing';
import { COACH_ATTRIBUTE, COMPANY_ATTRIBUTE, REJECTED_AT_ATTRIBUTE, SEARCH_TERMS_ATTRIBUTE, STAGE_ATTRIBUTE, TENANT_ATTRIBUTE } from '../workflows/definitions';
import type { Rejection } from '../workflows/rejection';
import { searchPrefixes } from './search-terms';

/** 128 bits of the HMAC: plenty to tell values apart, and a quarter of the visibility store's space. */
const HASH_HEX_LENGTH = 32;

/**
 * Keyed hashes for search attributes, under the payload codec's keys (as the database's address hashes:
 * common/database/sealing.ts): the visibility store can match a coach, a company or a word prefix without holding
 * any of them. Values are hashed apart from the database's by a prefix of their own.
 */
export interface VisibilityHashing {
  /** The value's hash under the active key: what a new sequence stores. */
  hash(kind: 'company' | 'coach' | 'term', value: string): string;
  /** Its hash under every key (the active one first): what a query matches, so sequences started under a retired key are found. */
  hashes(kind: 'company' | 'coach' | 'term', value: string): string[];
}

export function createVisibilityHashing(keyring: CodecKeyring | undefined): VisibilityHashing {
  const sealing = createSealing(keyring);
  const hashes = (kind: string, value: string) => sealing.hashes(`search-attribute ${kind} ${value}`).map((entry) => entry.hash.slice(0, HASH_HEX_LENGTH));
  return { hash: (kind, value) => hashes(kind, value)[0] as string, hashes };
}

let fromEnvironment: VisibilityHashing | undefined;

/** The hashing of this process's Temporal client: the keys it encrypts payloads with (common/codec-keys.ts). */
export function clientVisibilityHashing(): VisibilityHashing {
  fromEnvironment ??= createVisibilityHashing(resolveClientKeyring(process.env, readClientConfig().TEMPORAL_ADDRESS).keyring);
  return fromEnvironment;
}

/** The search attributes a new sequence starts with: its tenant, its stage, its rejection date and keyed hashes only. */
export function startAttributes(rejection: Rejection, tenant: string | undefined, hashing: VisibilityHashing): SearchAttributePair[] {
  return [
    { key: STAGE_ATTRIBUTE, value: 'grieving' },
    ...(tenant === undefined ? [] : [{ key: TENANT_ATTRIBUTE, value: tenant }]),
    { key: COMPANY_ATTRIBUTE, value: hashing.hash('company', rejection.company) },
    ...(rejection.coach === undefined ? [] : [{ key: COACH_ATTRIBUTE, value: hashing.hash('coach', rejection.coach) }]),
    { key: SEARCH_TERMS_ATTRIBUTE, value: searchPrefixes(rejection.candidate.name, rejection.company).map((term) => hashing.hash('term', term)) },
    { key: REJECTED_AT_ATTRIBUTE, value: new Date(rejection.rejectedAt) },
  ];
}
