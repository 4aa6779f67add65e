import { describe, expect, it } from 'vitest';
import { knn } from './knn.js';
import { makeRng } from './rng.js';
import { squaredDistance } from '../../models/contract/distance.js';

describe('knn', () => {
  const r = makeRng(2);
  const dim = 5, n = 60;
  const pts = Float32Array.from({ length: n * dim }, () => r.next() - 0.5);
  const row = (i: number) => pts.subarray(i * dim, (i + 1) * dim);

  it('matches a sort of all distances, excluding the query itself', () => {
    const nb = knn(pts, dim, 4, { queries: [3, 17] });
    [3, 17].forEach((q, qi) => {
      const want = Array.from({ length: n }, (_, j) => j).filter((j) => j !== q)
        .sort((a, b) => squaredDistance(row(q), row(a)) - squaredDistance(row(q), row(b))).slice(0, 4);
      expect(Array.from(nb.index.subarray(qi * 4, qi * 4 + 4))).toEqual(want);
      want.forEach((j, t) => expect(nb.d2[qi * 4 + t]).toBeCloseTo(squaredDistance(row(q), row(j)), 5));
    });
  });
  it('skips rows of the same label when labels are given', () => {
    const labels = Int32Array.from({ length: n }, (_, i) => i % 3);
    const nb = knn(pts, dim, 5, { labels });
    for (let q = 0; q < n; q++) for (let t = 0; t < 5; t++) expect(labels[nb.index[q * 5 + t]]).not.toBe(labels[q]);
  });
  it('pads with -1 when fewer than k candidates exist', () => {
    const nb = knn(pts.subarray(0, 3 * dim), dim, 4);
    expect(Array.from(nb.index.subarray(0, 4)).slice(2)).toEqual([-1, -1]);
    expect(nb.d2[3]).toBe(Infinity);
  });
});
