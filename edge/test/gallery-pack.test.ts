// Shard packing: round trips, the size cap, and int8 quantisation error.
import { describe, expect, it } from 'vitest';
import { packShards, unpackShard } from '../src/gallery-pack';
import { Snapshot } from '../src/snapshot';

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

  it('int8 keeps dot products within 0.01 and takes a quarter of the space', () => {
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
    a.forEach((x, i) => expect(Math.abs(x - b[i])).toBeLessThan(0.01));
  });

  it('rejects foreign bytes', () => {
    expect(() => unpackShard(new ArrayBuffer(16))).toThrow(/not a gallery shard/);
  });
});
