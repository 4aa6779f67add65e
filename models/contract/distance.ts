// Distance, score and threshold rules shared by trainer and edge.
// Embeddings are unit vectors; R(a, b) = -‖a − b‖² and cosine similarity = 1 − ‖a − b‖²/2.

export function squaredDistance(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) {
    const d = a[i] - b[i];
    s += d * d;
  }
  return s;
}

export function dot(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * b[i];
  return s;
}

/** The one L2 normaliser (trainer, Node and Worker alike): a copy of v with each `dim`-long row scaled
 *  to unit length, x / √max(‖x‖², eps) (eps 1e-12 mirrors the head's graph op); an all-zero row stays zero. */
export function l2Normalize(v: Float32Array, dim = v.length, eps = 0): Float32Array {
  const out = new Float32Array(v.length);
  for (let o = 0; o < v.length; o += dim) {
    let s = 0;
    for (let t = o; t < o + dim; t++) s += v[t] * v[t];
    const n = Math.sqrt(Math.max(s, eps)) || 1;
    for (let t = o; t < o + dim; t++) out[t] = v[t] / n;
  }
  return out;
}

/** The seed's score convention: higher is more alike, 0 is identical. */
export const scoreFromDistance = (d2: number) => -d2;
export const similarityFromDistance = (d2: number) => 1 - d2 / 2;
export const distanceFromSimilarity = (sim: number) => 2 - 2 * sim;

/** Same person iff R > T, i.e. −‖a − b‖² > threshold (threshold is in the R convention, e.g. −0.8). */
export function isMatch(d2: number, threshold: number): boolean {
  return scoreFromDistance(d2) > threshold;
}
