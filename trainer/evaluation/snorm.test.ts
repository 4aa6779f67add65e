import { describe, expect, it } from 'vitest';
import { makeRng } from '../data/rng.js';
import { cohortStats, snorm, snormPairScores } from './snorm.js';

const DIM = 6;
const rows = (n: number, seed: number) => { const rng = makeRng(seed); return Float32Array.from({ length: n * DIM }, () => rng.next() - 0.5); };
const R = (x: Float32Array, i: number, y: Float32Array, j: number) => -Array.from({ length: DIM }, (_v, t) => (x[i * DIM + t] - y[j * DIM + t]) ** 2).reduce((a, b) => a + b, 0);

/** Mean and population sd of the k highest of xs, written out. */
function topStats(xs: number[], k: number) {
  const top = [...xs].sort((a, b) => b - a).slice(0, k);
  const mean = top.reduce((a, b) => a + b, 0) / k;
  return { mean, sd: Math.sqrt(top.reduce((a, b) => a + (b - mean) ** 2, 0) / k) };
}

describe('S-norm against brute force', () => {
  const e = rows(9, 1), cohort = rows(13, 2), labels = ['a', 'a', 'b', 'c', 'c', 'c', 'd', 'e', 'e'];

  for (const k of [0, 4]) {
    it(`cohort statistics of every row (${k ? `top ${k}` : 'all'})`, () => {
      const c = cohortStats(e, cohort, DIM, k);
      for (let i = 0; i < 9; i++) {
        const want = topStats(Array.from({ length: 13 }, (_v, j) => R(e, i, cohort, j)), k || 13);
        expect(c.mean[i]).toBeCloseTo(want.mean, 9);
        expect(c.sd[i]).toBeCloseTo(want.sd, 9);
      }
    });

    it(`every pair normalised and split by identity (${k ? `top ${k}` : 'all'})`, () => {
      const c = cohortStats(e, cohort, DIM, k);
      const impostor: number[] = [], genuine: number[] = [];
      for (let i = 0; i < 9; i++)
        for (let j = i + 1; j < 9; j++) {
          const s = R(e, i, e, j);
          const z = 0.5 * ((s - c.mean[i]) / c.sd[i] + (s - c.mean[j]) / c.sd[j]);
          expect(snorm(s, j, i, c)).toBeCloseTo(z, 12);
          (labels[i] === labels[j] ? genuine : impostor).push(z);
        }
      const got = snormPairScores(e, DIM, labels, c);
      expect(Array.from(got.genuine)).toEqual(genuine.sort((a, b) => a - b).map((x) => expect.closeTo(x, 9)));
      expect(Array.from(got.impostor)).toEqual(impostor.sort((a, b) => a - b).map((x) => expect.closeTo(x, 9)));
    });
  }

  it('adaptive statistics come from the nearest cohort rows, not the farthest', () => {
    const all = cohortStats(e, cohort, DIM), top = cohortStats(e, cohort, DIM, 4);
    for (let i = 0; i < 9; i++) expect(top.mean[i]).toBeGreaterThan(all.mean[i]);
  });
});
