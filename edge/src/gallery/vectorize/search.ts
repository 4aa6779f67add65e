// identify over a Vectorize gallery: the version's recent writes first (recent.ts), then every shard
// index queried for its 100 nearest vectors (Vectorize's cap without values or metadata). An
// identity's similarity is its best row, as in the packed scan; ids the recent writes hold are taken
// from them (scored here, exactly) and ignored in the index's answer, which may predate them. With
// up to 32 rows an identity, 100 vectors hold at least the top 3 identities; the best is always found
// (to the index's recall).
import { dot } from '../../../../models/contract/distance';
import type { Candidate } from '../cache';
import { versionIndexes } from './indexes';
import { identityOf } from './layout';
import { VECTORIZE_LIMITS } from './limits';
import type { RecentEntry } from './recent-set';

/** recent: the recent writes held; recentRows: the rows scored from them. */
export interface VectorizeSearch { candidates: Candidate[]; recent: number; recentRows: number }

export async function searchVectorize(env: object, recent: () => Promise<RecentEntry[]>, version: string, query: Float32Array, k: number): Promise<VectorizeSearch> {
  const indexes = versionIndexes(env, version, query.length);
  // Recent writes before the index: an entry leaves only after the index has processed it.
  const held = await recent();
  const results = await Promise.all(indexes.map((ix) => ix.query(query, { topK: VECTORIZE_LIMITS.maxTopK })));
  const skip = new Set(held.map((e) => e.id));
  const best = new Map<string, number>();
  const offer = (id: string, s: number) => best.set(id, Math.max(best.get(id) ?? -Infinity, s));
  await Promise.all(results.map(async (r, shard) => {
    const hashed: { vid: string; score: number }[] = [];
    for (const m of r.matches) {
      const { id } = identityOf(m.id);
      if (id === null) hashed.push({ vid: m.id, score: m.score });
      else if (!skip.has(id)) offer(id, m.score);
    }
    if (!hashed.length) return;
    const named = new Map((await indexes[shard].getByIds(hashed.map((h) => h.vid))).map((v) => [v.id, v.metadata?.id]));
    for (const h of hashed) {
      const id = named.get(h.vid);
      if (typeof id === 'string' && !skip.has(id)) offer(id, h.score);
    }
  }));
  for (const e of held) for (const r of e.rows ?? []) offer(e.id, dot(r, query));
  const candidates = [...best].map(([id, similarity]) => ({ id, similarity }))
    .sort((a, b) => b.similarity - a.similarity || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))
    .slice(0, k);
  return { candidates, recent: held.length, recentRows: held.reduce((n, e) => n + (e.rows?.length ?? 0), 0) };
}
