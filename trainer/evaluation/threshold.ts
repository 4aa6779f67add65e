// The decision threshold T, picked by k-fold cross-validation: for each fold choose the
// best-accuracy T on the other folds and score it on the held fold; report mean ± std of those
// accuracies, and the final T chosen on all the data. Scores follow the contract (distance.ts):
// R = −‖a − b‖², a match iff R > T. Feed it training-side pairs only, never the test set.
import { makeRng, shuffle } from '../data/rng.js';

export interface Scored { score: number; same: boolean }
export interface FoldResult { threshold: number; accuracy: number; n: number }
export interface CvResult { folds: FoldResult[]; mean: number; std: number; threshold: number }

export function accuracyAt(items: Scored[], threshold: number): number {
  let ok = 0;
  for (const it of items) if (it.score > threshold === it.same) ok++;
  return items.length ? ok / items.length : 0;
}

/** The threshold with the best accuracy (midway between neighbouring scores; lowest T on ties). */
export function bestThreshold(items: Scored[]): { threshold: number; accuracy: number } {
  if (!items.length) throw new Error('bestThreshold: no scores');
  const s = [...items].sort((a, b) => a.score - b.score);
  // T below every score: everything is called "same".
  let correct = s.filter((x) => x.same).length;
  let best = correct, bestT = s[0].score - 1e-6;
  for (let i = 0; i < s.length; i++) {
    correct += s[i].same ? -1 : 1; // s[i] now falls at or below T
    if (i + 1 < s.length && s[i + 1].score === s[i].score) continue;
    if (correct > best) {
      best = correct;
      bestT = i + 1 < s.length ? (s[i].score + s[i + 1].score) / 2 : s[i].score;
    }
  }
  return { threshold: bestT, accuracy: best / s.length };
}

/** Fold numbers 0..k−1 for n items, seeded and balanced within same and different pairs. */
export function assignFolds(items: Scored[], k: number, seed: number): number[] {
  const rng = makeRng(seed);
  const folds = new Array<number>(items.length);
  let at = 0;
  for (const same of [true, false]) {
    const idx = shuffle(items.flatMap((it, i) => (it.same === same ? [i] : [])), rng);
    for (const i of idx) folds[i] = at++ % k;
  }
  return folds;
}

export function meanStd(xs: number[]): { mean: number; std: number } {
  const mean = xs.reduce((a, b) => a + b, 0) / xs.length;
  const v = xs.length > 1 ? xs.reduce((a, b) => a + (b - mean) ** 2, 0) / (xs.length - 1) : 0;
  return { mean, std: Math.sqrt(v) };
}

/** Cross-validates T over the given fold numbers (e.g. LFW View 2 folds, or assignFolds). */
export function crossValidate(items: Scored[], folds: number[]): CvResult {
  const ks = [...new Set(folds)].sort((a, b) => a - b);
  const results = ks.map((k) => {
    const held = items.filter((_, i) => folds[i] === k);
    const { threshold } = bestThreshold(items.filter((_, i) => folds[i] !== k));
    return { threshold, accuracy: accuracyAt(held, threshold), n: held.length };
  });
  return { folds: results, ...meanStd(results.map((r) => r.accuracy)), threshold: bestThreshold(items).threshold };
}

export function kFoldThreshold(items: Scored[], k = 10, seed = 1): CvResult {
  return crossValidate(items, assignFolds(items, k, seed));
}
