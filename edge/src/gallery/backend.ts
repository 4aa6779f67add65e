// The gallery seam: where identify searches and where identity writes are carried, chosen by
// GALLERY_BACKEND. "kv" (the default): the packed int8 snapshot scanned in the isolate, exact, rebuilt
// from the identity records by the cron (gallery/cache.ts, rebuild.ts); up to ~100k identities
// (BENCHMARKS.md). "vectorize": one set of Vectorize indexes per model version, written by each
// identity's writer through its outbox, with recent writes held for read-your-writes
// (gallery/vectorize/). Both answer the same question the same way: each identity's best row.
import { keyring } from '../crypto/keyring';
import { ApiError } from '../http/errors';
import { type Candidate, searchGallery } from './cache';
import { versionIndexes } from './vectorize/indexes';
import { recentWrites } from './vectorize/recent';
import { searchVectorize } from './vectorize/search';
import { type GalleryWrite, syncVectorize } from './vectorize/sync';

export type GalleryBackend = 'kv' | 'vectorize';

export function galleryBackend(env: object): GalleryBackend {
  const v = (env as { GALLERY_BACKEND?: string }).GALLERY_BACKEND ?? 'kv';
  if (v !== 'kv' && v !== 'vectorize') throw new ApiError('internal_error', `GALLERY_BACKEND must be "kv" or "vectorize", not "${v}"`);
  return v;
}

export interface GallerySearch {
  candidates: Candidate[];
  /**
   * Identities compared (kv); for vectorize, the vectors its indexes hold (describe()) plus the
   * recent writes: at least the identities, so a threshold set per N identities (IDENTIFY_FPIR) is
   * never looser than meant.
   */
  identities: number;
  /** Rows compared (an identity's every enrolled image): the N of a per-comparison false accept rate. */
  comparisons: number;
  generation: string | null;
  builtAt: number | null;
}

export async function searchIdentities(env: Env, version: string, query: Float32Array, k: number): Promise<GallerySearch> {
  if (galleryBackend(env) === 'kv') {
    const { candidates, snapshot, searched, comparisons } = await searchGallery(env.GALLERY, version, query, k, await keyring(env));
    return { candidates, identities: searched, comparisons, generation: snapshot.head?.generation ?? null, builtAt: snapshot.head?.builtAt ?? null };
  }
  const [{ candidates, recent, recentRows }, vectors] = await Promise.all([
    searchVectorize(env, () => recentWrites(env, version).list(), version, query, k),
    indexedVectors(env, version, query.length),
  ]);
  // The index's vectors (rows) may still include those of recent ids: both counts err high, never low.
  return { candidates, identities: vectors + recent, comparisons: vectors + recentRows, generation: null, builtAt: null };
}

/** Vectors held by the version's indexes, read from each index per search (not cached: a cached count
 *  could miss writes that have since left the recent set). */
async function indexedVectors(env: Env, version: string, dim: number): Promise<number> {
  const infos = await Promise.all(versionIndexes(env, version, dim).map((ix) => ix.describe()));
  return infos.reduce((s, x) => s + x.vectorCount, 0);
}

/**
 * Carries one identity write into the gallery backend (nothing for kv, whose cron rebuild reads the
 * records); `noted` runs once identify can see the write, before Vectorize has it.
 */
export async function syncGallery(env: Env, w: GalleryWrite, noted?: () => void): Promise<void> {
  if (galleryBackend(env) === 'vectorize') await syncVectorize(env, (v) => recentWrites(env, v), w, noted);
  else noted?.();
}
