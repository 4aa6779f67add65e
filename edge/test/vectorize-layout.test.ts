// Where identities live in Vectorize (src/gallery/vectorize/layout.ts): the shard hash, shard counts,
// index names and vector ids, as pure functions.
import { describe, expect, it } from 'vitest';
import { identityOf, indexName, shardOf, shardsFor, vectorId } from '../src/gallery/vectorize/layout';
import { utf8Bytes } from '../src/gallery/vectorize/limits';

describe('shards', () => {
  it('shardOf is 32-bit FNV-1a of the UTF-8 bytes (published test vectors), mod shards', () => {
    expect(shardOf('a', 2 ** 32)).toBe(0xe40c292c);
    expect(shardOf('foobar', 2 ** 32)).toBe(0xbf9cf968);
    // Pinned: a changed hash would move identities to indexes that do not hold them.
    expect(['alice', 'Colin_Powell', 'person-000001', 'é'].map((s) => shardOf(s, 7))).toEqual([6, 6, 3, 2]);
    expect(shardOf('anyone', 1)).toBe(0);
    expect(() => shardOf('x', 0)).toThrow(RangeError);
  });

  it('spreads 100k ids over 8 shards within 2% of even', () => {
    const counts = new Array(8).fill(0);
    for (let i = 0; i < 100_000; i++) counts[shardOf(`person-${i}`, 8)]++;
    for (const c of counts) expect(Math.abs(c - 12_500) / 12_500).toBeLessThan(0.02);
  });

  it('shardsFor: one index up to 80% of 20M vectors, then more', () => {
    expect(shardsFor(0)).toBe(1);
    expect(shardsFor(1_000_000)).toBe(1);
    expect(shardsFor(16_000_000)).toBe(1);
    expect(shardsFor(16_000_001)).toBe(2);
    expect(shardsFor(100_000_000)).toBe(7);
    expect(shardsFor(10_000_000, 5_000_000)).toBe(3);
  });
});

describe('names and ids', () => {
  it('index names: <worker>-<modelVersion>-<shard>, lower case, ≤ 64 bytes', () => {
    expect(indexName('edge-face', 'face-embed-01c392fa98b7', 0)).toBe('edge-face-face-embed-01c392fa98b7-0');
    expect(indexName('Edge_Face', 'v1.2', 3)).toBe('edge-face-v1-2-3');
    expect(() => indexName('w'.repeat(40), 'face-embed-01c392fa98b7', 0)).toThrow(/over 64 bytes/);
  });

  it('vector ids carry short identity ids and hash long ones to ≤ 64 bytes', async () => {
    expect(await vectorId('alice', 0)).toBe('0:alice');
    expect(identityOf(await vectorId('a:b:c', 31))).toEqual({ row: 31, id: 'a:b:c' });
    const long = 'x'.repeat(128), wide = 'é'.repeat(40); // 40 characters, 80 bytes
    for (const id of [long, wide, 'y'.repeat(62)]) {
      const v = await vectorId(id, 31);
      expect(utf8Bytes(v)).toBeLessThanOrEqual(64);
      expect(identityOf(v)).toEqual({ row: 31, id: null });
    }
    expect(await vectorId('y'.repeat(62), 0)).toBe(`0:${'y'.repeat(62)}`);
    expect(await vectorId(long, 0)).not.toBe(await vectorId(`${long.slice(1)}z`, 0));
    expect(() => identityOf('alice')).toThrow(/not a gallery vector id/);
  });
});
