// Verify score normalisation against a fixed cohort (S-norm, as speaker verification does): each
// embedding's scores R = −‖x − c‖² against a cohort of impostor embeddings (training identities)
// give a mean and standard deviation, of all of them (symmetric S-norm) or of its k highest
// (adaptive S-norm); a pair's score s becomes ½((s − μa)/σa + (s − μb)/σb).
import type { PairScores } from './impostors.js';

/** Per-embedding cohort statistics: mean and standard deviation of its (top-k) cohort scores. */
export interface CohortStats { mean: Float64Array; sd: Float64Array }

const r = (x: Float32Array, i: number, y: Float32Array, j: number, dim: number) => {
  let s = 0;
  for (let t = 0; t < dim; t++) { const d = x[i * dim + t] - y[j * dim + t]; s += d * d; }
  return -s;
};

/** Statistics of each of n rows against the cohort's rows (`topK` 0: all of them, else the k highest). */
export function cohortStats(embeddings: Float32Array, cohort: Float32Array, dim: number, topK = 0): CohortStats {
  const n = embeddings.length / dim, m = cohort.length / dim;
  if (!Number.isInteger(n) || !Number.isInteger(m)) throw new Error(`rows of ${dim} values expected`);
  const k = topK > 0 ? Math.min(topK, m) : m;
  if (k < 2) throw new Error('a cohort of at least two rows is needed');
  const mean = new Float64Array(n), sd = new Float64Array(n), scores = new Float64Array(m);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < m; j++) scores[j] = r(embeddings, i, cohort, j, dim);
    if (k < m) scores.sort();
    let sum = 0, sum2 = 0;
    for (let j = m - k; j < m; j++) { sum += scores[j]; sum2 += scores[j] * scores[j]; }
    mean[i] = sum / k;
    sd[i] = Math.sqrt(Math.max(sum2 / k - mean[i] * mean[i], 1e-12));
  }
  return { mean, sd };
}

/** The S-norm of a score s between rows i and j. */
export const snorm = (s: number, i: number, j: number, c: CohortStats) => 0.5 * ((s - c.mean[i]) / c.sd[i] + (s - c.mean[j]) / c.sd[j]);

/** pairScores (all pairs i < j, impostor / genuine, each ascending) with every score S-normed. */
export function snormPairScores(embeddings: Float32Array, dim: number, labels: ArrayLike<string | number>, c: CohortStats): PairScores {
  const n = labels.length;
  if (embeddings.length !== n * dim || c.mean.length !== n) throw new Error(`${embeddings.length} values and ${c.mean.length} statistics for ${n} rows of ${dim}`);
  let same = 0;
  for (let i = 0; i < n; i++) for (let j = i + 1; j < n; j++) if (labels[i] === labels[j]) same++;
  const impostor = new Float64Array((n * (n - 1)) / 2 - same), genuine = new Float64Array(same);
  let ii = 0, gi = 0;
  for (let i = 0; i < n; i++)
    for (let j = i + 1; j < n; j++) {
      const s = snorm(r(embeddings, i, embeddings, j, dim), i, j, c);
      if (labels[i] === labels[j]) genuine[gi++] = s; else impostor[ii++] = s;
    }
  return { impostor: impostor.sort(), genuine: genuine.sort() };
}
