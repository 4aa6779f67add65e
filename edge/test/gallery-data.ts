// Synthetic galleries for the scan tests and the workerd scan timing: seeded unit vectors packed
// into shards behind an in-memory KV stand-in holding one snapshot ('v', generation 'g').
import { searchGallery } from '../src/gallery/cache';
import { packShards, type Dtype } from '../src/gallery/pack';
import { headKey, shardKey, type GalleryHead } from '../src/gallery/store';

/** How far int8 rows (the production GALLERY_DTYPE) may move a similarity from float32: measured at
 *  most 0.0018 on the 800 test-CSV comparisons (scripts/experiments/gallery-rows.ts, edge/README.md). */
export const I8_SIMILARITY_ERROR = 0.003;

export function rng(seed: number) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), a | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function unit(dim: number, r: () => number) {
  const v = Float32Array.from({ length: dim }, () => r() * 2 - 1);
  const n = Math.hypot(...v);
  return v.map((x) => x / n);
}

/** n identities of one row each, ids in byte order (as a rebuild writes them). */
export function fakeKv(n: number, dim: number, dtype: Dtype, seed: number) {
  const r = rng(seed);
  const entries = Array.from({ length: n }, (_, i) => ({ id: `person-${String(i).padStart(6, '0')}`, updatedAt: i, rows: [unit(dim, r)] }));
  const shards = packShards(entries, dim, dtype);
  const head: GalleryHead = { modelVersion: 'v', generation: 'g', dim, dtype, shards: shards.map((_, i) => shardKey('v', 'g', i)), identities: n, rows: n, fingerprint: '', builtAt: 1 };
  const kv = new Map<string, unknown>([[headKey('v'), head], ...shards.map((b, i) => [head.shards[i], b] as [string, unknown])]);
  return { entries, kv: { get: async (key: string) => kv.get(key) ?? null } as unknown as KVNamespace };
}

/** Times one identify scan per query (top 5) against a loaded gallery: per-query ms sorted ascending, and the wall time of the loop. */
export async function timeScans(kv: KVNamespace, version: string, queries: Float32Array[]): Promise<{ sorted: number[]; wallMs: number }> {
  const t: number[] = [];
  const d0 = Date.now();
  for (const q of queries) {
    const t0 = performance.now();
    await searchGallery(kv, version, q, 5);
    t.push(performance.now() - t0);
  }
  return { sorted: t.sort((a, b) => a - b), wallMs: Date.now() - d0 };
}
