// Identification scan over N synthetic enrolled identities (one unit vector each, 128-d), timed
// through the Worker's own code: edge/src/gallery/cache.ts searchGallery over a snapshot packed by
// gallery/pack.ts and read through an in-memory KV stand-in (the snapshot is loaded once, then
// cached, as in an isolate). Gallery bytes: the packed shards (what KV stores and the isolate
// holds while loading), the bytes the snapshot holds (Snapshot.heldBytes: its scan memory and id
// arrays, counted exactly), and the JS heap + external (ArrayBuffer, Wasm memory) growth after it is
// loaded (after a GC; a cross-check, noisy). Ids are zero-padded so that they come in byte order,
// as a rebuild writes them (KV lists keys sorted); unsorted ids cost the snapshot 4 bytes more each. The Worker imports edge/src/gallery/scan.wasm as a compiled module; here a module
// hook (wasm-hooks.mjs) does the same, so gallery/cache.ts is loaded dynamically after registering it.
import { register } from 'node:module';
import { packShards, type Dtype } from '../../edge/src/gallery/pack.js';
import { headKey, shardKey, type GalleryHead } from '../../edge/src/gallery/store.js';
import { gc, pct, rng, unitVector } from './util.js';

register('./wasm-hooks.mjs', import.meta.url);
const { currentSnapshot, resetGallery, searchGallery } = await import('../../edge/src/gallery/cache.js');

export interface ScanRow { n: number; dtype: Dtype; shards: number; shardBytes: number; heldBytes: number; heapBytes: number; kernel: string; p50: number; p95: number; queries: number }

async function settle() {
  gc();
  await new Promise((r) => setTimeout(r, 20));
  gc();
}

function fakeKv(entries: Map<string, ArrayBuffer | string>): KVNamespace {
  return {
    get: async (key: string, o?: unknown) => {
      const v = entries.get(key);
      if (v === undefined) return null;
      const type = typeof o === 'string' ? o : (o as { type?: string } | undefined)?.type;
      return type === 'json' ? JSON.parse(v as string) : v;
    },
  } as unknown as KVNamespace;
}

export async function benchScan(n: number, dtype: Dtype, queries = 50, dim = 128): Promise<ScanRow> {
  const r = rng(n + (dtype === 'i8' ? 1 : 0));
  const version = 'bench';
  resetGallery();
  await settle();
  const m0 = process.memoryUsage();
  let shardBufs: ArrayBuffer[] | null = packShards(Array.from({ length: n }, (_, i) => ({ id: `person-${String(i).padStart(6, '0')}`, updatedAt: i, rows: [unitVector(dim, r)] })), dim, dtype);
  const head: GalleryHead = { modelVersion: version, generation: 'g', dim, dtype, shards: shardBufs.map((_, i) => shardKey(version, 'g', i)), identities: n, rows: n, fingerprint: '', builtAt: Date.now() };
  const kv = new Map<string, ArrayBuffer | string>([[headKey(version), JSON.stringify(head)], ...shardBufs.map((b, i) => [head.shards[i], b] as [string, ArrayBuffer])]);
  const shardBytes = shardBufs.reduce((s, b) => s + b.byteLength, 0);
  const shards = shardBufs.length;
  shardBufs = null;
  const store = fakeKv(kv);
  const qs = Array.from({ length: queries }, () => unitVector(dim, r));
  await searchGallery(store, version, qs[0], 5); // loads and caches the snapshot
  kv.clear(); // the KV stand-in's copies go; the snapshot's own arrays stay
  const snap = await currentSnapshot(store, version);
  await settle();
  const m1 = process.memoryUsage();
  const heapBytes = m1.heapUsed + m1.external - m0.heapUsed - m0.external; // external includes ArrayBuffers and Wasm memories
  for (let i = 0; i < 3; i++) await searchGallery(store, version, qs[i], 5);
  const t: number[] = [];
  for (const q of qs) {
    const t0 = performance.now();
    await searchGallery(store, version, q, 5);
    t.push(performance.now() - t0);
  }
  resetGallery();
  return { n, dtype, shards, shardBytes, heldBytes: snap.heldBytes, heapBytes, kernel: snap.kernelKind, p50: pct(t, 0.5), p95: pct(t, 0.95), queries };
}
