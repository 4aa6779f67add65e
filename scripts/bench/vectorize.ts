// The Vectorize gallery without an account (issue 22): identify's search path
// (edge/src/gallery/vectorize/search.ts) over the exact in-memory stand-in holding N synthetic 128-d
// identities, in Node — what the stand-in costs a test, not what Vectorize's approximate index costs
// (that latency, and its recall, need a real index) — and the monthly price of identifies from
// Vectorize's published rates.
import { searchVectorize } from '../../edge/src/gallery/vectorize/search.js';
import { resetStandIns, standInIndex } from '../../edge/src/gallery/vectorize/standin.js';
import { VECTORIZE_LIMITS } from '../../edge/src/gallery/vectorize/limits.js';
import { shardsFor } from '../../edge/src/gallery/vectorize/layout.js';
import { gc, pct, rng, unitVector } from './util.js';

export interface StandInRow { n: number; loadS: number; heapMiB: number; queries: number; p50: number; p95: number; recent: number }

export async function benchStandIn(n: number, queries = 20, dim = 128, recentEntries = 100): Promise<StandInRow> {
  resetStandIns();
  gc();
  const m0 = process.memoryUsage();
  const r = rng(n);
  const version = 'bench';
  const ix = standInIndex(`standin-${version}-0`, { dimensions: dim, metric: 'cosine' });
  const t0 = performance.now();
  for (let s = 0; s < n; s += VECTORIZE_LIMITS.maxBatch)
    await ix.upsert(Array.from({ length: Math.min(VECTORIZE_LIMITS.maxBatch, n - s) }, (_, i) => ({ id: `0:person-${s + i}`, values: unitVector(dim, r) })));
  ix.process();
  const loadS = (performance.now() - t0) / 1000;
  gc();
  const m1 = process.memoryUsage();
  const recent = Array.from({ length: recentEntries }, (_, i) => ({ id: `recent-${i}`, updatedAt: i, rows: [[...unitVector(dim, r)]], shard: 0, mutation: null }));
  const env = { GALLERY_VECTORIZE_STANDIN: 'true' };
  const qs = Array.from({ length: queries + 2 }, () => unitVector(dim, r));
  const t: number[] = [];
  for (const [i, q] of qs.entries()) {
    const a = performance.now();
    await searchVectorize(env, async () => recent, version, q, 5);
    if (i >= 2) t.push(performance.now() - a);
  }
  resetStandIns();
  return { n, loadS, heapMiB: (m1.heapUsed + m1.external - m0.heapUsed - m0.external) / 2 ** 20, queries, p50: pct(t, 0.5), p95: pct(t, 0.95), recent: recentEntries };
}

/**
 * Vectorize on Workers Paid (developers.cloudflare.com/vectorize/platform/pricing/, read 2026-12-05):
 * queried dimensions = (queries + stored vectors) × dimensions per index per month, first 50M
 * included, then $0.01 per million; stored dimensions, first 10M included, then $0.05 per 100M.
 */
export const PRICES = { queriedIncluded: 50e6, queriedPerMillion: 0.01, storedIncluded: 10e6, storedPer100M: 0.05 };

export interface CostRow { identities: number; vectors: number; shards: number; queries: number; queriedDims: number; storedDims: number; queried: number; stored: number; total: number }

/** One month with `queries` identifies (each querying every shard) over `identities` of `rowsEach` rows. */
export function vectorizeCost(identities: number, queries: number, dim = 128, rowsEach = 1): CostRow {
  const vectors = identities * rowsEach, shards = shardsFor(vectors);
  const queriedDims = (queries * shards + vectors) * dim, storedDims = vectors * dim;
  const queried = (Math.max(0, queriedDims - PRICES.queriedIncluded) / 1e6) * PRICES.queriedPerMillion;
  const stored = (Math.max(0, storedDims - PRICES.storedIncluded) / 1e8) * PRICES.storedPer100M;
  return { identities, vectors, shards, queries, queriedDims, storedDims, queried, stored, total: queried + stored };
}
