// Shard packing: round trips, the size cap, int8 quantisation error, rebuild stability, the older int8 format.
import { describe, expect, it } from 'vitest';
import { galleryDtype, packShards, unpackShard } from '../src/gallery/pack';
import { Snapshot } from '../src/gallery/snapshot';
import { I8_SIMILARITY_ERROR } from './gallery-data';

const unit = (seed: number, dim = 128) => {
  const v = Float32Array.from({ length: dim }, (_, i) => Math.sin(seed * 12.9898 + i * 78.233));
  const n = Math.hypot(...v);
  return v.map((x) => x / n);
};
const entries = (n: number, rows = 2) => Array.from({ length: n }, (_, i) => ({ id: `id-${i}`, updatedAt: 1000 + i, rows: Array.from({ length: rows }, (_, r) => unit(i * 10 + r)) }));

describe('gallery shards', () => {
  it('round-trips float32 exactly', () => {
    const [buf] = packShards(entries(3), 128, 'f32');
    const s = unpackShard(buf);
    expect(s.header).toMatchObject({ dim: 128, dtype: 'f32', ids: ['id-0', 'id-1', 'id-2'], updated: [1000, 1001, 1002], counts: [2, 2, 2] });
    expect([...new Snapshot('v', null, [s]).rowsOf('id-1')[1]]).toEqual([...unit(11)]);
  });

  it('splits at the byte cap without splitting an identity', () => {
    const shards = packShards(entries(10, 3), 128, 'f32', 4 * 128 * 7); // room for 7 rows → 2 identities
    expect(shards).toHaveLength(5);
    expect(shards.map((b) => unpackShard(b).header.ids.length)).toEqual([2, 2, 2, 2, 2]);
  });

  it('int8 (per-row scale) keeps dot products within the int8 error bound and takes about a quarter of the space', () => {
    const e = entries(20, 1);
    const [f32] = packShards(e, 128, 'f32'), [i8] = packShards(e, 128, 'i8');
    expect(i8.byteLength).toBeLessThan(f32.byteLength / 3);
    const snap = (b: ArrayBuffer) => new Snapshot('v', null, [unpackShard(b)]);
    const q = unit(999);
    const [a, b] = [snap(f32), snap(i8)].map((s) => {
      const best = new Float32Array(20).fill(-Infinity);
      s.scoreInto(q, best);
      return best;
    });
    a.forEach((x, i) => expect(Math.abs(x - b[i])).toBeLessThan(I8_SIMILARITY_ERROR));
  });

  it('int8 rows use the full int8 range per row and survive a rebuild unchanged', () => {
    // A short row (max |x| small) still gets ±127 at its largest component.
    const small = { id: 'small', updatedAt: 1, rows: [unit(3).map((x) => x * 0.1)] };
    const [buf] = packShards([small, ...entries(3)], 128, 'i8');
    const s = unpackShard(buf);
    expect(s.header.rowScale).toBe('u16');
    for (let r = 0; r < 7; r++) expect(Math.max(...s.data.subarray(r * 128, (r + 1) * 128).map(Math.abs))).toBe(127);
    // A rebuild reuses dequantised rows (Snapshot.rowsOf) and must write the same bytes again.
    const snap = new Snapshot('v', null, [s]);
    const again = packShards(['small', 'id-0', 'id-1', 'id-2'].map((id, i) => ({ id, updatedAt: i ? 999 + i : 1, rows: snap.rowsOf(id) })), 128, 'i8');
    expect(new Uint8Array(again[0])).toEqual(new Uint8Array(buf));
  });

  it('reads int8 shards of the older format (one scale, 1/127, no row scales)', () => {
    const row = unit(5);
    const header = JSON.stringify({ dim: 128, dtype: 'i8', ids: ['old'], updated: [7], counts: [1] });
    const json = new TextEncoder().encode(header), start = (8 + json.length + 3) & ~3;
    const buf = new ArrayBuffer(start + 128);
    new DataView(buf).setUint32(0, 0x31534746, true);
    new DataView(buf).setUint32(4, json.length, true);
    new Uint8Array(buf, 8).set(json);
    new Int8Array(buf, start).set(row.map((x) => Math.round(x * 127)));
    const snap = new Snapshot('v', null, [unpackShard(buf)]);
    const best = Float32Array.of(-Infinity);
    snap.scoreInto(row, best);
    expect(Math.abs(best[0] - 1)).toBeLessThan(0.01);
    snap.rowsOf('old')[0].forEach((x, j) => expect(x).toBeCloseTo(Math.round(row[j] * 127) / 127, 6));
  });

  it('rejects foreign bytes', () => {
    expect(() => unpackShard(new ArrayBuffer(16))).toThrow(/not a gallery shard/);
  });

  it('GALLERY_DTYPE: "i8" (also when unset) or "f32"; anything else is an error, not f32', () => {
    expect([galleryDtype({ GALLERY_DTYPE: 'i8' }), galleryDtype({ GALLERY_DTYPE: 'f32' }), galleryDtype({})]).toEqual(['i8', 'f32', 'i8']);
    for (const typo of ['int8', 'I8', 'f16', '']) expect(() => galleryDtype({ GALLERY_DTYPE: typo })).toThrow(/GALLERY_DTYPE must be "i8" or "f32"/);
  });
});
