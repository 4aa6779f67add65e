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

export function l2Normalize(v: Float32Array): Float32Array {
  const n = Math.sqrt(dot(v, v)) || 1;
  return v.map((x) => x / n);
}

/** The seed's score convention: higher is more alike, 0 is identical. */
export const scoreFromDistance = (d2: number) => -d2;
export const similarityFromDistance = (d2: number) => 1 - d2 / 2;
export const distanceFromSimilarity = (sim: number) => 2 - 2 * sim;

/** Same person iff R > T, i.e. −‖a − b‖² > threshold (threshold is in the R convention, e.g. −0.8). */
export function isMatch(d2: number, threshold: number): boolean {
  return scoreFromDistance(d2) > threshold;
}
