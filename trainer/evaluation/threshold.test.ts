import { describe, expect, it } from 'vitest';
import { accuracyAt, assignFolds, bestThreshold, crossValidate, kFoldThreshold, meanStd, type Scored } from './threshold.js';
import { makeRng } from '../data/rng.js';

const item = (score: number, same: boolean): Scored => ({ score, same });

describe('threshold', () => {
  it('finds the separating threshold midway between classes', () => {
    const items = [item(-0.2, true), item(-0.3, true), item(-1.5, false), item(-1.1, false)];
    const b = bestThreshold(items);
    expect(b.accuracy).toBe(1);
    expect(b.threshold).toBeCloseTo(-0.7, 10);
    expect(accuracyAt(items, b.threshold)).toBe(1);
  });
  it('picks the best of overlapping classes and handles tied scores', () => {
    const items = [item(-0.1, true), item(-0.5, true), item(-0.5, false), item(-0.9, true), item(-1.2, false), item(-1.3, false)];
    const b = bestThreshold(items);
    expect(b.accuracy).toBeCloseTo(5 / 6, 10);
    expect(b.threshold).toBeCloseTo(-1.05, 10);
    expect(accuracyAt(items, b.threshold)).toBeCloseTo(b.accuracy, 10);
    // No threshold does better (exhaustive over candidates).
    for (const t of [-2, -1.25, -1.05, -0.7, -0.3, 0]) expect(accuracyAt(items, t)).toBeLessThanOrEqual(b.accuracy);
  });
  it('assigns balanced seeded folds', () => {
    const items = Array.from({ length: 100 }, (_, i) => item(i, i < 50));
    const f = assignFolds(items, 10, 1);
    for (let k = 0; k < 10; k++) {
      expect(f.filter((x, i) => x === k && items[i].same).length).toBe(5);
      expect(f.filter((x, i) => x === k && !items[i].same).length).toBe(5);
    }
    expect(assignFolds(items, 10, 2)).not.toEqual(f);
  });
  it('cross-validates: held-out accuracy near the true rate on noisy data, T from all data', () => {
    const r = makeRng(3);
    // same: score ~ U(-1.5, 0.5), diff: U(-2.5, -0.5) → overlap; Bayes accuracy 0.75.
    const items = Array.from({ length: 2000 }, (_, i) => item((i % 2 ? -1.5 : -0.5) + 2 * (r.next() - 0.5), i % 2 === 0));
    const cv = kFoldThreshold(items, 10, 1);
    expect(cv.folds).toHaveLength(10);
    expect(cv.mean).toBeGreaterThan(0.7);
    expect(cv.mean).toBeLessThan(0.8);
    expect(cv.std).toBeGreaterThan(0);
    expect(cv.threshold).toBeCloseTo(-1, 0);
    expect(cv.threshold).toBe(bestThreshold(items).threshold);
  });
  it('never picks the held fold threshold from the held fold', () => {
    // Fold 1 alone would want T ≈ +0.5; the other fold says T ≈ −0.5, so fold 1 scores 50%.
    const items = [item(0, true), item(-1, false), item(1, true), item(0, false)];
    const cv = crossValidate(items, [0, 0, 1, 1]);
    expect(cv.folds[1].accuracy).toBe(0.5);
    expect(cv.folds[1].threshold).toBeCloseTo(-0.5, 10);
  });
  it('meanStd uses the sample standard deviation', () => {
    expect(meanStd([1, 2, 3])).toEqual({ mean: 2, std: 1 });
  });
});
