// What encrypting the gallery at rest costs, inside workerd: a snapshot of 10k and 100k identities
// (i8 rows, one per identity, 128-d, as a rebuild packs them) loaded from plaintext shards and from
// sealed ones (AES-256-GCM, crypto/envelope.ts), the decryption alone, the sealing a rebuild adds,
// and identify's scan after the load, which no longer touches the shards. Not a test: run alone with
//   EDGE_BENCH=1 npx vitest run --config edge/vitest.config.ts edge/test/seal-timing.workerd-bench.ts
// Prints one `SEAL_TIMING {json}` line per size: [min, median] of ROUNDS, in ms. workerd's clock moves only
// across I/O, so each timing starts and ends with a KV read, and the median of those reads alone
// (ioMs) is subtracted.
import { env } from 'cloudflare:workers';
import { it } from 'vitest';
import { open, seal } from '../src/crypto/envelope';
import { keyring } from '../src/crypto/keyring';
import { currentSnapshot, resetGallery } from '../src/gallery/cache';
import { packShards } from '../src/gallery/pack';
import { headKey, shardKey, type GalleryHead } from '../src/gallery/store';
import { rng, timeScans, unit } from './gallery-data';

const DIM = 128, ROUNDS = 15;
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
/** [min, median]: on a shared machine the minimum is the cost, the median what a busy moment adds. */
const spread = (xs: number[]) => [Math.min(...xs), median(xs)];

function kvOf(head: GalleryHead, shards: ArrayBuffer[]) {
  const m = new Map<string, unknown>([[headKey('v'), head], ...shards.map((b, i) => [head.shards[i], b] as [string, unknown])]);
  return { get: async (key: string) => m.get(key) ?? null } as unknown as KVNamespace;
}

const io = () => env.GALLERY.get('seal-timing-clock');

async function rawTimed(fn: () => Promise<unknown>): Promise<number> {
  await io();
  const t0 = Date.now();
  await fn();
  await io();
  return Date.now() - t0;
}

it('times opening sealed snapshots inside workerd', async () => {
  const ring = await keyring(env);
  const ioAlone: number[] = [];
  for (let k = 0; k < 50; k++) ioAlone.push(await rawTimed(async () => {}));
  const ioMs = median(ioAlone);
  const timed = async (fn: () => Promise<unknown>) => (await rawTimed(fn)) - ioMs;
  for (const n of [10_000, 100_000]) {
    const r = rng(n);
    const entries = Array.from({ length: n }, (_, i) => ({ id: `person-${String(i).padStart(7, '0')}`, updatedAt: i, rows: [unit(DIM, r)] }));
    const plain = packShards(entries, DIM, 'i8');
    const head: GalleryHead = { modelVersion: 'v', generation: 'g', dim: DIM, dtype: 'i8', shards: plain.map((_, i) => shardKey('v', 'g', i)), identities: n, rows: n, fingerprint: '', builtAt: 1 };
    let sealed: ArrayBuffer[] = [];
    const sealMs: number[] = [], openMs: number[] = [], loadPlain: number[] = [], loadSealed: number[] = [];
    for (let k = 0; k < ROUNDS; k++) {
      sealMs.push(await timed(async () => {
        sealed = (await Promise.all(plain.map((s, i) => seal(ring, new Uint8Array(s), head.shards[i])))).map((b) => b.buffer as ArrayBuffer);
      }));
      openMs.push(await timed(() => Promise.all(sealed.map((s, i) => open(ring, new Uint8Array(s), head.shards[i])))));
      resetGallery();
      loadPlain.push(await timed(() => currentSnapshot(kvOf(head, plain), 'v')));
      resetGallery();
      loadSealed.push(await timed(() => currentSnapshot(kvOf(head, sealed), 'v', ring)));
    }
    // Decryption alone, 20 in a row per timing: below the clock's 1 ms step one open would read as 0.
    const openEach: number[] = [];
    for (let k = 0; k < 5; k++)
      openEach.push((await timed(async () => {
        for (let j = 0; j < 20; j++) await Promise.all(sealed.map((s, i) => open(ring, new Uint8Array(s), head.shards[i])));
      })) / 20);
    const qs = Array.from({ length: 20 }, () => unit(DIM, r));
    const scan = await timeScans(kvOf(head, sealed), 'v', qs);
    const bytes = plain.reduce((s, b) => s + b.byteLength, 0);
    console.log(`SEAL_TIMING ${JSON.stringify({
      n, ioMs, shards: plain.length, shardBytes: bytes, sealedBytes: sealed.reduce((s, b) => s + b.byteLength, 0), rounds: ROUNDS,
      sealMs: spread(sealMs), openMs: spread(openMs), openOf20Ms: spread(openEach), loadPlainMs: spread(loadPlain), loadSealedMs: spread(loadSealed),
      scanP50AfterLoadMs: scan.sorted[10], scanMaxAfterLoadMs: scan.sorted[19],
    })}`);
  }
  resetGallery();
}, 600_000);
