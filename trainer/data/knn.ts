// Brute-force k-nearest neighbours by squared Euclidean distance over rows of a matrix: exact and
// fast enough for ~10k embeddings of 128-d. Used for hard-negative mining between epochs.

export interface Neighbours {
  k: number;
  /** queries × k row indices, nearest first; -1 where fewer than k candidates exist. */
  index: Int32Array;
  /** queries × k squared distances matching `index` (Infinity where index is -1). */
  d2: Float32Array;
}

export interface KnnOptions {
  /** Rows to query (default all). */
  queries?: ArrayLike<number>;
  /** When given, neighbours must have a different label from the query (nearest other identities). */
  labels?: Int32Array;
}

export function knn(points: Float32Array, dim: number, k: number, opts: KnnOptions = {}): Neighbours {
  const n = points.length / dim;
  const queries = opts.queries ?? Array.from({ length: n }, (_, i) => i);
  const labels = opts.labels;
  const norms = new Float64Array(n);
  for (let j = 0; j < n; j++) {
    let s = 0;
    for (let t = j * dim; t < (j + 1) * dim; t++) s += points[t] * points[t];
    norms[j] = s;
  }
  const index = new Int32Array(queries.length * k).fill(-1);
  const d2 = new Float32Array(queries.length * k).fill(Infinity);
  for (let qi = 0; qi < queries.length; qi++) {
    const q = queries[qi];
    const qo = q * dim;
    const base = qi * k;
    let worst = Infinity;
    for (let j = 0; j < n; j++) {
      if (j === q || (labels && labels[j] === labels[q])) continue;
      let dotv = 0;
      for (let t = 0, jo = j * dim; t < dim; t++) dotv += points[qo + t] * points[jo + t];
      const d = Math.max(0, norms[q] + norms[j] - 2 * dotv);
      if (d >= worst) continue;
      // Insert into this query's sorted top-k.
      let p = k - 1;
      while (p > 0 && d2[base + p - 1] > d) {
        d2[base + p] = d2[base + p - 1];
        index[base + p] = index[base + p - 1];
        p--;
      }
      d2[base + p] = d;
      index[base + p] = j;
      worst = d2[base + k - 1];
    }
  }
  return { k, index, d2 };
}
