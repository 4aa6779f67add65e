// Score fusion of two backbones' embeddings of the same images: each comparison's R = −‖a − b‖² per
// backbone, standardised by that backbone's impostor mean and standard deviation (fitted on other
// identities), then weighted: fused = w·z₁ + (1 − w)·z₂. All pairs i < j, split by label as
// impostors.ts pairScores does, so thresholds and TAR at a FAR come from the same code.
import type { PairScores } from './impostors.js';

export interface Embeddings { values: Float32Array; dim: number }
export interface Standardise { mean: number; std: number }

const r = (e: Embeddings, i: number, j: number) => {
  let s = 0;
  for (let t = 0, a = i * e.dim, b = j * e.dim; t < e.dim; t++) { const d = e.values[a + t] - e.values[b + t]; s += d * d; }
  return -s;
};

/** Mean and standard deviation of one backbone's different-person scores. */
export function impostorMoments(e: Embeddings, labels: ArrayLike<string>): Standardise {
  let n = 0, s1 = 0, s2 = 0;
  for (let i = 0; i < labels.length; i++)
    for (let j = i + 1; j < labels.length; j++) {
      if (labels[i] === labels[j]) continue;
      const v = r(e, i, j);
      n++, (s1 += v), (s2 += v * v);
    }
  const mean = s1 / n;
  return { mean, std: Math.sqrt(Math.max(1e-24, s2 / n - mean * mean)) };
}

/** Every pair's fused score for each weight, impostors and genuine pairs apart, each ascending. */
export function fusedPairScores(a: Embeddings, b: Embeddings, za: Standardise, zb: Standardise, labels: ArrayLike<string>, weights: readonly number[]): PairScores[] {
  const n = labels.length;
  let genuine = 0;
  for (let i = 0; i < n; i++) for (let j = i + 1; j < n; j++) if (labels[i] === labels[j]) genuine++;
  const total = (n * (n - 1)) / 2;
  const out = weights.map(() => ({ impostor: new Float64Array(total - genuine), genuine: new Float64Array(genuine) }));
  let gi = 0, ii = 0;
  for (let i = 0; i < n; i++)
    for (let j = i + 1; j < n; j++) {
      const x = (r(a, i, j) - za.mean) / za.std, y = (r(b, i, j) - zb.mean) / zb.std;
      const same = labels[i] === labels[j];
      weights.forEach((w, k) => { (same ? out[k].genuine : out[k].impostor)[same ? gi : ii] = w * x + (1 - w) * y; });
      if (same) gi++; else ii++;
    }
  for (const s of out) s.impostor.sort(), s.genuine.sort();
  return out;
}
