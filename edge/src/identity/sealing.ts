// An identity record's embeddings at rest: sealed (crypto/envelope.ts) under the current key, with the
// identity's id as context, in KV and in its writer's storage alike (the same sealed record). The
// record's other fields stay readable (listings, admin views, the rebuild's change detection). A
// record written before encryption holds plain base64: it is read as it is, and sealed by its next
// write or by the background re-encryption (identity/reseal.ts).
import type { Keyring } from '../crypto/keyring';
import { openText, sealText, textKid } from '../crypto/envelope';
import { decodeBase64, encodeBase64 } from '../http/base64';
import { decodeRows, type IdentityRecord } from './store';

const context = (id: string) => `identity:${id}`;

/** The key id the record's embeddings are sealed under; null when they are plaintext. */
export const recordKid = (rec: IdentityRecord) => textKid(rec.embeddings);

/** The record with its (plaintext) embeddings sealed under the current key. */
export async function sealRecord(rec: IdentityRecord, ring: Keyring): Promise<IdentityRecord> {
  return { ...rec, embeddings: await sealText(ring, decodeBase64(rec.embeddings, 'embeddings'), context(rec.id)) };
}

/** The record with plaintext embeddings (as stored, if they were never sealed). */
export async function openRecord(rec: IdentityRecord, ring: Keyring): Promise<IdentityRecord> {
  if (recordKid(rec) === null) return rec;
  return { ...rec, embeddings: encodeBase64(await openText(ring, rec.embeddings, context(rec.id))) };
}

/** The record's embedding rows, opened. */
export const recordRows = async (rec: IdentityRecord, ring: Keyring) => decodeRows(await openRecord(rec, ring));
