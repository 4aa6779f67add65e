// Where the packed KV gallery stops fitting one isolate, measured inside workerd (issue 22): the
// identify scan (gallery/cache.ts searchGallery, i8 rows, one row per identity, 128-d) from 100k to
// 1M identities — first load (shards → snapshot), scan p50/max, the bytes the snapshot holds and the
// shard bytes held beside it while loading. Not a test: run alone with
//   EDGE_BENCH=1 npx vitest run --config edge/vitest.config.ts edge/test/kv-ceiling.workerd-bench.ts
// Prints one `KV_CEILING {json}` line per size. Local workerd enforces no 128 MB isolate limit, so
// the memory ceiling is computed from these bytes plus the model's (BENCHMARKS.md).
import { it } from 'vitest';
import { currentSnapshot, resetGallery, searchGallery } from '../src/gallery/cache';
import { packShards } from '../src/gallery/pack';
import { headKey, shardKey, type GalleryHead } from '../src/gallery/store';
import { rng, timeScans, unit } from './gallery-data';

const DIM = 128, CHUNK = 50_000;

function fakeKv(n: number) {
  const r = rng(n);
  const shards: ArrayBuffer[] = [];
  // Packed in chunks so the float32 entries of 1M identities never all exist at once; zero-padded
  // ids keep byte order across chunks, as a rebuild writes them.
  for (let s = 0; s < n; s += CHUNK) {
    const entries = Array.from({ length: Math.min(CHUNK, n - s) }, (_, i) => ({ id: `person-${String(s + i).padStart(7, '0')}`, updatedAt: s + i, rows: [unit(DIM, r)] }));
    shards.push(...packShards(entries, DIM, 'i8'));
  }
  const head: GalleryHead = { modelVersion: 'v', generation: 'g', dim: DIM, dtype: 'i8', shards: shards.map((_, i) => shardKey('v', 'g', i)), identities: n, rows: n, fingerprint: '', builtAt: 1 };
  const kv = new Map<string, unknown>([[headKey('v'), head], ...shards.map((b, i) => [head.shards[i], b] as [string, unknown])]);
  return { kv: { get: async (key: string) => kv.get(key) ?? null } as unknown as KVNamespace, shardBytes: shards.reduce((s, b) => s + b.byteLength, 0), shards: shards.length, clear: () => kv.clear() };
}

it('KV gallery from 100k to 1M identities inside workerd', async () => {
  for (const n of [100_000, 250_000, 500_000, 750_000, 1_000_000]) {
    resetGallery();
    const { kv, shardBytes, shards, clear } = fakeKv(n);
    const r = rng(7);
    const qs = Array.from({ length: 20 }, () => unit(DIM, r));
    const l0 = Date.now();
    await searchGallery(kv, 'v', qs[0], 5);
    const loadMs = Date.now() - l0;
    const held = (await currentSnapshot(kv, 'v')).heldBytes;
    clear();
    const { sorted: t, wallMs } = await timeScans(kv, 'v', qs);
    console.log(`KV_CEILING ${JSON.stringify({ n, shards, shardBytes, heldBytes: held, loadMs, queries: qs.length, p50: t[10], max: t[19], perQueryWallMs: wallMs / qs.length })}`);
  }
  resetGallery();
}, 600_000);
