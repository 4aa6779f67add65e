// Background re-encryption: after the current key changes (EMBEDDING_KEYS, a new entry first), every
// record sealed under another key, or written before encryption, is sealed again by its own writer
// (IdentityWriter.reseal: the record in its storage and in KV, any outbox entry), so it never races an
// enrolment. The KV listing's metadata names each record's key id, so finding them costs no reads.
// Driven by the gallery's maintenance run (the cron every minute, POST /admin/gallery/rebuild), at most
// RESEAL_PER_RUN a run, within a Worker invocation's subrequest budget beside the rebuild's own reads;
// each run reports what is left, so an operator knows when the old key can go (SECURITY.md).
import type { Keyring } from '../crypto/keyring';
import type { IdentityMeta } from './store';
import { identityWriter } from './writer';

export const RESEAL_PER_RUN = 100;
const PARALLEL = 25;

export interface EncryptionReport {
  /** The current key id (null: none configured). */
  kid: string | null;
  /** Records sealed again under it by this run. */
  resealed: number;
  /** Records not (yet) under it after this run, as the listing shows them. */
  remaining: number;
}

/** What a writer's reseal did: sealed again, already current, left to its alarm (a write pending), or failed. */
export type ResealOutcome = 'resealed' | 'current' | 'pending' | 'failed';

export async function resealStale(env: Env, listing: { id: string; meta: IdentityMeta }[], ring: Keyring): Promise<EncryptionReport> {
  const kid = ring.current?.kid ?? null;
  if (!kid) return { kid, resealed: 0, remaining: listing.length };
  const stale = listing.filter((e) => e.meta.k !== kid);
  const batch = stale.slice(0, RESEAL_PER_RUN);
  const outcomes: ResealOutcome[] = [];
  for (let i = 0; i < batch.length; i += PARALLEL)
    outcomes.push(...(await Promise.all(batch.slice(i, i + PARALLEL).map((e) => identityWriter(env, e.id).reseal(e.id).catch((): ResealOutcome => 'failed')))));
  const resealed = outcomes.filter((o) => o === 'resealed').length, current = outcomes.filter((o) => o === 'current').length;
  return { kid, resealed, remaining: stale.length - resealed - current };
}
