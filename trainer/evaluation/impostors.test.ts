import { describe, expect, it } from 'vitest';
import { OperatingPointsSchema } from '../../models/contract/manifest.js';
import { makeRng } from '../data/rng.js';
import { conservativeTable, countAbove, FAR_TARGETS, impostorTable, kthLargest, topImpostors, MIN_FALSE_ACCEPTS, pairScores, perComparisonFar, thresholdAt, thresholdForFar } from './impostors.js';

/** n unit vectors of `dim` in `groups` identities, seeded; some rows repeat a group's centre closely. */
function synthetic(n: number, dim: number, groups: number, seed: number) {
  const rng = makeRng(seed);
  const centres = Array.from({ length: groups }, () => Array.from({ length: dim }, () => rng.next() - 0.5));
  const labels = Array.from({ length: n }, (_v, i) => `id${i % groups}`);
  const x = new Float32Array(n * dim);
  for (let i = 0; i < n; i++) {
    const c = centres[i % groups];
    let s = 0;
    for (let t = 0; t < dim; t++) { x[i * dim + t] = c[t] + 0.6 * (rng.next() - 0.5); s += x[i * dim + t] ** 2; }
    for (let t = 0; t < dim; t++) x[i * dim + t] /= Math.sqrt(s);
  }
  return { x, labels };
}

function bruteForce(x: Float32Array, dim: number, labels: string[]) {
  const imp: number[] = [], gen: number[] = [];
  for (let i = 0; i < labels.length; i++)
    for (let j = i + 1; j < labels.length; j++) {
      let s = 0;
      for (let t = 0; t < dim; t++) s += (x[i * dim + t] - x[j * dim + t]) ** 2;
      (labels[i] === labels[j] ? gen : imp).push(-s);
    }
  return { imp, gen };
}

describe('impostor tables', () => {
  const dim = 6;
  const { x, labels } = synthetic(120, dim, 17, 3);
  const scores = pairScores(x, dim, labels);
  const brute = bruteForce(x, dim, labels);

  it('scores every different-person and same-person pair once', () => {
    expect(scores.impostor.length).toBe(brute.imp.length);
    expect(scores.genuine.length).toBe(brute.gen.length);
    expect(Array.from(scores.impostor)).toEqual([...brute.imp].sort((a, b) => a - b));
    expect(Array.from(scores.genuine)).toEqual([...brute.gen].sort((a, b) => a - b));
  });

  it('takes at each resolved FAR the loosest threshold that keeps false accepts within far·n (brute force)', () => {
    const n = brute.imp.length;
    for (const far of [0.3, 0.1, 0.03, 0.01, 3e-3, 1e-3]) {
      const p = thresholdAt(scores, far);
      if (far * n < MIN_FALSE_ACCEPTS) { expect(p).toBeUndefined(); continue; }
      const k = Math.floor(far * n);
      const above = brute.imp.filter((s) => s > p!.score).length;
      expect(p!.falseAccepts).toBe(above);
      expect(above).toBeLessThanOrEqual(k);
      // Any lower threshold would let more than k through: the score itself is an impostor score and ≥ k + 1 are at or above it.
      expect(brute.imp.filter((s) => s >= p!.score).length).toBeGreaterThan(k);
      expect(p!.far).toBeCloseTo(above / n, 12);
      expect(p!.tar).toBeCloseTo(brute.gen.filter((s) => s > p!.score).length / brute.gen.length, 12);
    }
  });

  it('keeps only the targets the pairs resolve, far descending, scores ascending, valid for the manifest', () => {
    const t = impostorTable(scores, { source: 'synthetic', identities: 17, images: 120 });
    const n = t.impostorPairs;
    expect(t.points.length).toBe(FAR_TARGETS.filter((f) => f * n >= MIN_FALSE_ACCEPTS).length);
    for (let i = 1; i < t.points.length; i++) {
      expect(t.points[i].far).toBeLessThan(t.points[i - 1].far);
      expect(t.points[i].score).toBeGreaterThan(t.points[i - 1].score);
    }
    expect(() => OperatingPointsSchema.parse({ served: 'a', tables: { a: t } })).not.toThrow();
  });

  it('lists the highest different-person pairs', () => {
    const top = topImpostors(x, dim, labels, scores, 4);
    expect(top.map((t) => t.score)).toEqual(Array.from(scores.impostor.slice(-4)).reverse());
    for (const t of top) expect(labels[t.i]).not.toBe(labels[t.j]);
  });

  it('counts strictly above with ties', () => {
    const s = Float64Array.from([-3, -2, -2, -2, -1]);
    expect(countAbove(s, -2)).toBe(1);
    expect(countAbove(s, -2.5)).toBe(4);
    expect(countAbove(s, 0)).toBe(0);
    expect(countAbove(s, -4)).toBe(5);
    // Ties at the order statistic are rejected, so fewer false accepts than allowed.
    const tied = { impostor: Float64Array.from([-4, -3, -1, -1, -1, -1, -1, -1, -1]), genuine: Float64Array.from([0]) };
    const p = thresholdAt(tied, 5 / 9)!;
    expect(p.score).toBe(-1);
    expect(p.falseAccepts).toBe(0);
  });

  it('combines sources conservatively: the highest resolving threshold, counts pooled', () => {
    const other = synthetic(80, dim, 9, 11);
    const s2 = pairScores(other.x, dim, other.labels);
    const b2 = bruteForce(other.x, dim, other.labels);
    // A small source of look-alikes: too few pairs to resolve low FARs, but all above the others' thresholds.
    const small = { impostor: Float64Array.from({ length: 60 }, (_v, i) => -0.01 - i * 1e-4).sort(), genuine: Float64Array.from([-0.005]) };
    const sources = [
      { id: 'a', scores, table: impostorTable(scores, { source: 'a', identities: 17, images: 120 }) },
      { id: 'b', scores: s2, table: impostorTable(s2, { source: 'b', identities: 9, images: 80 }) },
      { id: 'c', scores: small, table: impostorTable(small, { source: 'c', identities: 12, images: 12 }) },
    ];
    const c = conservativeTable(sources);
    b2.imp.push(...small.impostor);
    b2.gen.push(...small.genuine);
    expect(c.impostorPairs).toBe(brute.imp.length + b2.imp.length);
    const pooled = [...brute.imp, ...b2.imp].sort((a, b) => b - a);
    let poolBinds = 0;
    for (const far of FAR_TARGETS) {
      const ts = [thresholdAt(scores, far), thresholdAt(s2, far), thresholdAt(small, far)].filter((p) => p).map((p) => p!.score);
      if (!ts.length) continue;
      const poolT = far * pooled.length >= MIN_FALSE_ACCEPTS ? pooled[Math.floor(far * pooled.length)] : -Infinity;
      if (poolT > Math.max(...ts)) poolBinds++;
      const score = Math.max(...ts, poolT);
      const p = c.points.find((q) => q.score === score)!;
      expect(p).toBeDefined();
      const fa = [...brute.imp, ...b2.imp].filter((s) => s > score).length;
      expect(p.falseAccepts).toBe(fa);
      expect(p.tar).toBeCloseTo([...brute.gen, ...b2.gen].filter((s) => s > score).length / (brute.gen.length + b2.gen.length), 12);
      expect(p.far).toBeLessThanOrEqual(far);
    }
    // The data makes the pooled order statistic the strictest at some target, so that rule is exercised.
    expect(poolBinds).toBeGreaterThan(0);
  });

  it('finds the k-th largest over several sorted arrays', () => {
    const a = Float64Array.from([1, 4, 9]), b = Float64Array.from([2, 3, 10]), c = Float64Array.from([]);
    expect([0, 1, 2, 3, 4, 5].map((k) => kthLargest([a, b, c], k))).toEqual([10, 9, 4, 3, 2, 1]);
    expect(() => kthLargest([a, b, c], 6)).toThrow();
  });

  it('maps a target FAR to the loosest point within it, and clamps below the lowest point', () => {
    const t = impostorTable(scores, { source: 'synthetic', identities: 17, images: 120 });
    const lowest = t.points[t.points.length - 1];
    const r = thresholdForFar(t, 0.05);
    expect(r.clamped).toBe(false);
    expect(r.point.far).toBeLessThanOrEqual(0.05);
    expect(t.points.filter((p) => p.far <= 0.05 && p.score < r.point.score)).toEqual([]);
    const c = thresholdForFar(t, lowest.far / 10);
    expect(c.clamped).toBe(true);
    expect(c.point).toEqual(lowest);
  });

  it('turns an FPIR for N identities into a per-comparison FAR', () => {
    for (const n of [1, 100, 1000]) {
      const far = perComparisonFar(0.01, n);
      expect(1 - (1 - far) ** n).toBeCloseTo(0.01, 12);
    }
    expect(perComparisonFar(0.01, 1000)).toBeCloseTo(1.005e-5, 8);
  });
});
