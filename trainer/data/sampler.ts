// Triplet sampling for an epoch. Every anchor-eligible row (its identity has ≥ 2 rows) is an anchor
// exactly once per epoch, in shuffled order; the positive is another row of the same identity, the
// negative a row of another identity (one-photo identities appear only as negatives).
// Adaptive mode replaces a fraction of the random triplets with hard ones drawn from the current
// embeddings: far positives and near negatives, sampled from a softmax over distances (temperature τ)
// rather than taken by argmax, so that noisy labels and outliers do not dominate. With semiHard,
// negatives nearer than the positive are skipped: pulling those apart first collapses the embedding.
import { groupByLabel } from './dataset.js';
import { knn } from './knn.js';
import { drawWeighted, shuffle, type Rng } from './rng.js';
import { squaredDistance } from '../../models/contract/distance.js';

export interface Triplets { a: Int32Array; p: Int32Array; n: Int32Array }

export interface HardOptions {
  /** Share of anchors that get a hard triplet (the rest stay random), 0..1. */
  hardFraction: number;
  /** Softmax temperature on squared distances (unit embeddings: d² ∈ [0, 4]). */
  temperature: number;
  /** Nearest other-identity neighbours a hard negative is drawn from. */
  neighbours: number;
  /** Only negatives farther than the chosen positive (FaceNet's semi-hard rule; avoids collapse). */
  semiHard: boolean;
}

export function anchorRows(labels: Int32Array): Int32Array {
  const groups = groupByLabel(labels);
  return Int32Array.from(labels.keys()).filter((i) => groups[labels[i]].length >= 2);
}

function randomPositive(groups: number[][], labels: Int32Array, a: number, rng: Rng): number {
  const g = groups[labels[a]];
  const k = rng.int(g.length - 1);
  return g[k] >= a ? g[k + 1] : g[k]; // g is ascending: skip the anchor itself
}

function randomNegative(labels: Int32Array, a: number, rng: Rng): number {
  for (;;) {
    const n = rng.int(labels.length);
    if (labels[n] !== labels[a]) return n;
  }
}

export function randomTriplets(labels: Int32Array, rng: Rng): Triplets {
  const groups = groupByLabel(labels);
  if (groups.filter(Boolean).length < 2) throw new Error('triplets need at least two identities');
  const a = shuffle(anchorRows(labels), rng);
  const p = a.map((i) => randomPositive(groups, labels, i, rng));
  const n = a.map((i) => randomNegative(labels, i, rng));
  return { a, p, n };
}

const softmaxWeights = (logits: number[]) => {
  const m = Math.max(...logits);
  return logits.map((l) => Math.exp(l - m));
};

/** Random triplets, then for a `hardFraction` of anchors a hard positive and hard negative. */
export function adaptiveTriplets(labels: Int32Array, emb: Float32Array, dim: number, rng: Rng, opts: HardOptions): Triplets {
  const t = randomTriplets(labels, rng);
  const hard = Array.from(t.a.keys()).filter(() => rng.next() < opts.hardFraction);
  if (!hard.length) return t;
  const row = (i: number) => emb.subarray(i * dim, (i + 1) * dim);
  const groups = groupByLabel(labels);
  const nb = knn(emb, dim, opts.neighbours, { queries: hard.map((k) => t.a[k]), labels });
  hard.forEach((k, qi) => {
    const a = t.a[k];
    const same = groups[labels[a]].filter((i) => i !== a);
    const dp = same.map((i) => squaredDistance(row(a), row(i)));
    const pi = drawWeighted(softmaxWeights(dp.map((d) => d / opts.temperature)), rng);
    t.p[k] = same[pi];
    const cand: number[] = [];
    const logits: number[] = [];
    for (let j = 0; j < nb.k && nb.index[qi * nb.k + j] >= 0; j++) {
      const d = nb.d2[qi * nb.k + j];
      if (opts.semiHard && d <= dp[pi]) continue;
      cand.push(nb.index[qi * nb.k + j]);
      logits.push(-d / opts.temperature);
    }
    if (cand.length) t.n[k] = cand[drawWeighted(softmaxWeights(logits), rng)];
  });
  return t;
}
