import { describe, expect, it } from 'vitest';
import { drawWeighted, makeRng, shuffle, subSeed } from './rng.js';

describe('rng', () => {
  it('repeats for a seed and differs across seeds', () => {
    const a = makeRng(7), b = makeRng(7), c = makeRng(8);
    const xs = Array.from({ length: 5 }, () => a.next());
    expect(Array.from({ length: 5 }, () => b.next())).toEqual(xs);
    expect(Array.from({ length: 5 }, () => c.next())).not.toEqual(xs);
    expect(subSeed(1, 2)).not.toBe(subSeed(1, 3));
  });
  it('int stays in range and covers it', () => {
    const r = makeRng(1);
    const seen = new Set(Array.from({ length: 200 }, () => r.int(5)));
    expect([...seen].sort()).toEqual([0, 1, 2, 3, 4]);
  });
  it('shuffle is a permutation', () => {
    const a = shuffle(Array.from({ length: 50 }, (_, i) => i), makeRng(3));
    expect([...a].sort((x, y) => x - y)).toEqual(Array.from({ length: 50 }, (_, i) => i));
    expect(a).not.toEqual(Array.from({ length: 50 }, (_, i) => i));
  });
  it('drawWeighted follows the weights and never picks a zero weight', () => {
    const r = makeRng(5);
    const counts = [0, 0, 0];
    for (let i = 0; i < 4000; i++) counts[drawWeighted([1, 0, 3], r)]++;
    expect(counts[1]).toBe(0);
    expect(counts[2] / counts[0]).toBeGreaterThan(2.5);
    expect(counts[2] / counts[0]).toBeLessThan(3.5);
  });
});
