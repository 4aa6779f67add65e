// The gallery seam: where identify searches and where identity writes are carried, chosen by
// GALLERY_BACKEND. "kv" (the default): the packed int8 snapshot scanned in the isolate, exact, rebuilt
// from the identity records by the cron (gallery/cache.ts, rebuild.ts); up to ~100k identities
// (BENCHMARKS.md). "vectorize": one set of Vectorize indexes per model version, written by each
// identity's writer through its outbox, with recent writes held for read-your-writes
// (gallery/vectorize/). Both answer the same question the same way: each identity's best row.
import { ApiError } from '../http/errors';
import { type Candidate, searchGallery } from './cache';
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
  /** Identities compared (kv); null where the index does not say (vectorize). */
  identities: number | null;
  generation: string | null;
  builtAt: number | null;
}

export async function searchIdentities(env: Env, version: string, query: Float32Array, k: number): Promise<GallerySearch> {
  if (galleryBackend(env) === 'kv') {
    const { candidates, snapshot, searched } = await searchGallery(env.GALLERY, version, query, k);
    return { candidates, identities: searched, generation: snapshot.head?.generation ?? null, builtAt: snapshot.head?.builtAt ?? null };
  }
  const { candidates } = await searchVectorize(env, () => recentWrites(env, version).list(), version, query, k);
  return { candidates, identities: null, generation: null, builtAt: null };
}

/** Carries one identity write into the gallery backend (a no-op for kv, whose cron rebuild reads the records). */
export async function syncGallery(env: Env, w: GalleryWrite): Promise<void> {
  if (galleryBackend(env) === 'vectorize') await syncVectorize(env, (v) => recentWrites(env, v), w);
}
