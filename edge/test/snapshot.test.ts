// The snapshot's scan kernels (edge/src/gallery/scan.wasm, SIMD; JS fallback) against plain loops on random
// data, id lookup, and searchGallery's top k against a full sort. Runs in workerd, where the kernel
// is imported as a compiled module. The 100k scan is timed by `npm run bench` (scan-timing.workerd-bench.ts).
import { describe, expect, it } from 'vitest';
import { packShards, unpackShard, type Dtype, type GalleryEntry } from '../src/gallery/pack';
import { resetGallery, searchGallery } from '../src/gallery/cache';
import { Snapshot } from '../src/gallery/snapshot';
import { fakeKv, I8_SIMILARITY_ERROR, rng, unit } from './gallery-data';
const plainDot = (a: ArrayLike<number>, b: ArrayLike<number>) => {
  let s = 0;
  for (let j = 0; j < a.length; j++) s += a[j] * b[j];
  return s;
};
/** The reference: what the shard stores, dequantised, dotted with the query in float64. */
const stored = (row: Float32Array, dtype: Dtype) => {
  if (dtype === 'f32') return row;
  const m = Math.ceil(Math.max(...row.map(Math.abs)) * 65535 - 0.01), s = m / (65535 * 127);
  return Float64Array.from(row, (x) => Math.max(-127, Math.min(127, Math.round(x / s))) * s);
};

const byteOrder = (a: string, b: string) => {
  const x = new TextEncoder().encode(a), y = new TextEncoder().encode(b);
  for (let i = 0; i < x.length && i < y.length; i++) if (x[i] !== y[i]) return x[i] - y[i];
  return x.length - y.length;
};

function snapshotOf(entries: GalleryEntry[], dim: number, dtype: Dtype, maxBytes?: number) {
  return new Snapshot('v', null, packShards(entries, dim, dtype, maxBytes).map(unpackShard));
}

describe('snapshot scan kernels', () => {
  for (const dtype of ['f32', 'i8'] as const)
    for (const dim of [128, 64, 48]) // 48: not a multiple of 32, so the JS fallback scores it
      it(`${dtype} rows, dim ${dim}: best per identity = the plain loop over the stored rows`, () => {
        const r = rng(dim * 7 + (dtype === 'i8' ? 1 : 0));
        // 1–4 rows per identity, over several shards; ids deliberately out of byte order.
        const entries: GalleryEntry[] = Array.from({ length: 300 }, (_, i) => ({
          id: `p${(i * 7919) % 300}-${'é✓'.repeat(i % 3)}`, updatedAt: 1e12 + i, rows: Array.from({ length: 1 + (i % 4) }, () => unit(dim, r)),
        }));
        const snap = snapshotOf(entries, dim, dtype, dim * 4 * 50);
        expect(snap.kernelKind).toBe(dim % 32 === 0 ? 'wasm' : 'js');
        expect(snap.size).toBe(300);
        for (let t = 0; t < 5; t++) {
          const q = unit(dim, r);
          const best = new Float32Array(snap.size).fill(-Infinity);
          snap.scoreInto(q, best);
          entries.forEach((e, i) => {
            const want = Math.max(...e.rows.map((row) => plainDot(stored(row, dtype), q)));
            // f32: float32 SIMD sums vs float64; i8: the int16 query adds ≤ ½/32767 per component.
            expect(Math.abs(best[i] - want)).toBeLessThan(dtype === 'f32' ? 2e-6 : 2e-4);
          });
        }
      });

  it('keeps a higher best already in the output and leaves other widths unscored', () => {
    const r = rng(5);
    const snap = snapshotOf([{ id: 'a', updatedAt: 1, rows: [unit(128, r)] }, { id: 'b', updatedAt: 2, rows: [unit(128, r)] }], 128, 'f32');
    const best = Float32Array.of(5, -Infinity);
    snap.scoreInto(unit(128, r), best);
    expect(best[0]).toBe(5);
    expect(best[1]).toBeGreaterThan(-1);
    const untouched = Float32Array.of(-Infinity, -Infinity);
    snap.scoreInto(unit(64, r), untouched);
    expect([...untouched]).toEqual([-Infinity, -Infinity]);
  });

  it('finds ids (sorted or not, non-ASCII), their update times and rows', () => {
    const r = rng(9);
    const ids = ['zoë', 'alice', 'Ωmega', 'bob', '😀x', 'bo', 'bobby'];
    const entries = ids.map((id, i) => ({ id, updatedAt: 1_700_000_000_000 + i, rows: Array.from({ length: i % 3 }, () => unit(128, r)) }));
    for (const list of [entries, [...entries].sort((a, b) => byteOrder(a.id, b.id))]) {
      const snap = snapshotOf(list, 128, 'f32');
      list.forEach((e, i) => {
        expect(snap.idAt(i)).toBe(e.id);
        expect(snap.indexOf(e.id)).toBe(i);
        expect(snap.updated[snap.indexOf(e.id)!]).toBe(e.updatedAt);
        expect(snap.rowsOf(e.id).map((x) => [...x])).toEqual(e.rows.map((x) => [...x]));
      });
      for (const missing of ['', 'b', 'bobb', 'zoe', 'alice ']) expect(snap.indexOf(missing)).toBeUndefined();
    }
  });

  it('an empty snapshot scores nothing', () => {
    const snap = new Snapshot('v', null, []);
    expect([snap.size, snap.indexOf('x')]).toEqual([0, undefined]);
    snap.scoreInto(new Float32Array(128), new Float32Array(0));
  });
});

describe('searchGallery', () => {
  it('returns the same top k as a full sort of the plain scores', async () => {
    for (const dtype of ['f32', 'i8'] as const) {
      resetGallery();
      const { entries, kv } = fakeKv(2000, 128, dtype, dtype === 'f32' ? 1 : 2);
      const r = rng(77);
      for (let t = 0; t < 5; t++) {
        const q = unit(128, r);
        const { candidates, searched } = await searchGallery(kv, 'v', q, 10);
        const want = entries.map((e) => ({ id: e.id, s: plainDot(stored(e.rows[0], dtype), q) })).sort((a, b) => b.s - a.s || (a.id < b.id ? -1 : 1)).slice(0, 10);
        expect(searched).toBe(2000);
        if (dtype === 'f32') expect(candidates.map((c) => c.id)).toEqual(want.map((w) => w.id));
        candidates.forEach((c, i) => expect(Math.abs(c.similarity - want[i].s)).toBeLessThan(dtype === 'f32' ? 2e-6 : 2e-4));
      }
    }
    resetGallery();
  });
});

describe('int8 scan at wide embeddings (issue 24: 32-bit sums overflowed past 516 dimensions)', () => {
  /** The worst case for the sums: every component at the row's full scale. */
  const flat = (dim: number) => Float32Array.from({ length: dim }, (_, j) => (j % 3 ? 1 : -1) / Math.sqrt(dim));
  for (const kernel of ['wasm', 'js'] as const)
    for (const dim of [128, 512, 1024])
      it(`${kernel} kernel, dim ${dim}: a row scores ≈ 1 against itself and as the plain loop against others`, () => {
        const r = rng(dim + (kernel === 'js' ? 1 : 0));
        const rows = [flat(dim), unit(dim, r), unit(dim, r)];
        const entries = rows.map((row, i) => ({ id: `p${i}`, updatedAt: i, rows: [row] }));
        const snap = new Snapshot('v', null, packShards(entries, dim, 'i8').map(unpackShard), kernel);
        expect(snap.kernelKind).toBe(kernel);
        rows.forEach((q) => {
          const best = new Float32Array(rows.length).fill(-Infinity);
          snap.scoreInto(q, best);
          rows.forEach((row, i) => {
            const want = plainDot(stored(row, 'i8'), q);
            expect(Math.abs(best[i] - want)).toBeLessThan(2e-4);
            if (row === q) expect(Math.abs(best[i] - 1)).toBeLessThan(I8_SIMILARITY_ERROR);
          });
        });
      });
});
