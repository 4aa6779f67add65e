// Linear projections fitted on top of a fixed embedding (issue 20: dlib_resnet at low FAR), from
// labelled training rows only: x ↦ normalise(Pᵀ(x − μ)), one affine map + L2 norm (fusable into
// an ONNX graph as Sub, MatMul and the L2 norm). Kinds:
//   centre   P = I (only the training mean removed): the ablation of the others' centring
//   wccn     within-class covariance normalisation, P = S_w^{-1/2} (Hatch et al. 2006)
//   lda      Fisher LDA: S_w whitened, then the top k directions of the whitened between-class
//            scatter (Pᵀ S_w P = I, Pᵀ S_b P diagonal, descending); k = dim equals wccn up to a rotation
//   pcaw     PCA whitening: the top k directions of the total covariance, each scaled to unit variance
// S_w is regularised by shrinkage towards its mean eigenvalue: (1 − α)·S_w + α·(tr S_w / d)·I
// (α = 1: wccn is centring only). Without centring (`centred: false`) the map is linear; without the
// L2 norm (project's `normalise`) the mean cancels in every distance and wccn's squared distance is
// the Mahalanobis distance of S_w. Covariances are of float64 sums; eigenvectors by cyclic Jacobi.

export type ProjectionKind = 'centre' | 'wccn' | 'lda' | 'pcaw';

export interface Projection {
  kind: ProjectionKind;
  /** Input and output dimensions. */
  dim: number;
  k: number;
  /** Training mean, dim values. */
  mean: Float64Array;
  /** dim × k, row-major: out_j = Σ_i (x_i − mean_i)·P[i·k + j]. */
  P: Float64Array;
}

/** Eigen-decomposition of a symmetric d × d matrix (row-major): values descending, vectors as columns of V (row-major d × d). */
export function symmetricEigen(A: ArrayLike<number>, d: number, tol = 1e-14, maxSweeps = 100): { values: Float64Array; vectors: Float64Array } {
  const a = Float64Array.from(A as ArrayLike<number>);
  if (a.length !== d * d) throw new Error(`${a.length} values for a ${d} × ${d} matrix`);
  const v = new Float64Array(d * d);
  for (let i = 0; i < d; i++) v[i * d + i] = 1;
  let total = 0;
  for (let i = 0; i < d * d; i++) total += a[i] * a[i];
  for (let sweep = 0; sweep < maxSweeps; sweep++) {
    let off = 0;
    for (let p = 0; p < d; p++) for (let q = p + 1; q < d; q++) off += a[p * d + q] * a[p * d + q];
    if (off <= tol * tol * total) break;
    for (let p = 0; p < d; p++)
      for (let q = p + 1; q < d; q++) {
        const apq = a[p * d + q];
        if (apq === 0) continue;
        const theta = (a[q * d + q] - a[p * d + p]) / (2 * apq);
        const t = Math.sign(theta || 1) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
        const c = 1 / Math.sqrt(t * t + 1), s = t * c;
        // A ← Jᵀ A J with J the rotation in the (p, q) plane.
        for (let k = 0; k < d; k++) {
          const akp = a[k * d + p], akq = a[k * d + q];
          a[k * d + p] = c * akp - s * akq;
          a[k * d + q] = s * akp + c * akq;
        }
        for (let k = 0; k < d; k++) {
          const apk = a[p * d + k], aqk = a[q * d + k];
          a[p * d + k] = c * apk - s * aqk;
          a[q * d + k] = s * apk + c * aqk;
        }
        for (let k = 0; k < d; k++) {
          const vkp = v[k * d + p], vkq = v[k * d + q];
          v[k * d + p] = c * vkp - s * vkq;
          v[k * d + q] = s * vkp + c * vkq;
        }
      }
  }
  const order = Array.from({ length: d }, (_x, i) => i).sort((i, j) => a[j * d + j] - a[i * d + i]);
  const values = Float64Array.from(order, (i) => a[i * d + i]);
  const vectors = new Float64Array(d * d);
  for (let r = 0; r < d; r++) order.forEach((i, c) => { vectors[r * d + c] = v[r * d + i]; });
  return { values, vectors };
}

export interface Scatter {
  dim: number;
  mean: Float64Array;
  /** Within-class covariance: Σ_c Σ_{i∈c} (x_i − μ_c)(x_i − μ_c)ᵀ / (n − classes). */
  within: Float64Array;
  /** Between-class covariance: Σ_c n_c (μ_c − μ)(μ_c − μ)ᵀ / n. */
  between: Float64Array;
  /** Total covariance: Σ_i (x_i − μ)(x_i − μ)ᵀ / n. */
  total: Float64Array;
  rows: number;
  classes: number;
}

/** Class means and the within, between and total covariances of n rows of `dim` values. */
export function scatter(x: Float32Array | Float64Array, dim: number, labels: ArrayLike<string | number>): Scatter {
  const n = labels.length;
  if (x.length !== n * dim) throw new Error(`${x.length} values for ${n} rows of ${dim}`);
  const byClass = new Map<string | number, number[]>();
  for (let i = 0; i < n; i++) { const a = byClass.get(labels[i]); if (a) a.push(i); else byClass.set(labels[i], [i]); }
  const mean = new Float64Array(dim);
  for (let i = 0; i < n; i++) for (let t = 0; t < dim; t++) mean[t] += x[i * dim + t] / n;
  const within = new Float64Array(dim * dim), between = new Float64Array(dim * dim), total = new Float64Array(dim * dim);
  const mu = new Float64Array(dim), dv = new Float64Array(dim);
  const addOuter = (m: Float64Array, u: Float64Array, w: number) => {
    for (let a = 0; a < dim; a++) { const ua = u[a] * w; if (ua === 0) continue; for (let b = 0; b < dim; b++) m[a * dim + b] += ua * u[b]; }
  };
  for (const rows of byClass.values()) {
    mu.fill(0);
    for (const i of rows) for (let t = 0; t < dim; t++) mu[t] += x[i * dim + t] / rows.length;
    for (const i of rows) {
      for (let t = 0; t < dim; t++) dv[t] = x[i * dim + t] - mu[t];
      addOuter(within, dv, 1);
      for (let t = 0; t < dim; t++) dv[t] = x[i * dim + t] - mean[t];
      addOuter(total, dv, 1 / n);
    }
    for (let t = 0; t < dim; t++) dv[t] = mu[t] - mean[t];
    addOuter(between, dv, rows.length / n);
  }
  const dof = n - byClass.size;
  if (dof <= 0) throw new Error('no class with two rows: the within-class covariance is undefined');
  for (let i = 0; i < within.length; i++) within[i] /= dof;
  return { dim, mean, within, between, total, rows: n, classes: byClass.size };
}

/** (1 − α)·S + α·(tr S / d)·I. */
export function shrink(S: Float64Array, dim: number, alpha: number): Float64Array {
  let tr = 0;
  for (let i = 0; i < dim; i++) tr += S[i * dim + i];
  const out = Float64Array.from(S, (v) => (1 - alpha) * v);
  for (let i = 0; i < dim; i++) out[i * dim + i] += (alpha * tr) / dim;
  return out;
}

/** C = A (m × n) · B (n × p), row-major. */
export function matmul(A: Float64Array, B: Float64Array, m: number, n: number, p: number): Float64Array {
  const C = new Float64Array(m * p);
  for (let i = 0; i < m; i++) for (let k = 0; k < n; k++) { const a = A[i * n + k]; if (a === 0) continue; for (let j = 0; j < p; j++) C[i * p + j] += a * B[k * p + j]; }
  return C;
}

export const transpose = (A: Float64Array, m: number, n: number) => { const T = new Float64Array(m * n); for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) T[j * m + i] = A[i * n + j]; return T; };

/** S^{-1/2} of a symmetric positive definite matrix (the symmetric root: V Λ^{-1/2} Vᵀ). */
export function inverseSqrt(S: Float64Array, dim: number): Float64Array {
  const { values, vectors } = symmetricEigen(S, dim);
  if (values[dim - 1] <= 0) throw new Error(`not positive definite (smallest eigenvalue ${values[dim - 1]})`);
  const scaled = Float64Array.from(vectors, (v, i) => v / Math.sqrt(values[i % dim]));
  return matmul(scaled, transpose(vectors, dim, dim), dim, dim, dim);
}

export interface FitOptions {
  kind: ProjectionKind;
  /** Output dimensions (lda, pcaw; wccn and centre keep dim). */
  k?: number;
  /** Shrinkage of S_w (wccn, lda) or of the total covariance (pcaw). */
  alpha?: number;
  /** Subtract the training mean before the map (default true); false: a purely linear map. */
  centred?: boolean;
}

/** A projection fitted on labelled rows (the training identities). */
export function fitProjection(s: Scatter, o: FitOptions): Projection {
  const p = fitMap(s, o);
  return o.centred === false ? { ...p, mean: new Float64Array(s.dim) } : p;
}

function fitMap(s: Scatter, o: FitOptions): Projection {
  const d = s.dim, alpha = o.alpha ?? 0;
  if (o.kind === 'centre') {
    const P = new Float64Array(d * d);
    for (let i = 0; i < d; i++) P[i * d + i] = 1;
    return { kind: o.kind, dim: d, k: d, mean: s.mean, P };
  }
  if (o.kind === 'wccn') return { kind: o.kind, dim: d, k: d, mean: s.mean, P: inverseSqrt(shrink(s.within, d, alpha), d) };
  const k = Math.min(d, o.k ?? d);
  if (o.kind === 'pcaw') {
    const { values, vectors } = symmetricEigen(shrink(s.total, d, alpha), d);
    const P = new Float64Array(d * k);
    for (let r = 0; r < d; r++) for (let c = 0; c < k; c++) P[r * k + c] = vectors[r * d + c] / Math.sqrt(values[c]);
    return { kind: o.kind, dim: d, k, mean: s.mean, P };
  }
  // lda: W = S_w^{-1/2} whitens the within-class scatter; the eigenvectors U of Wᵀ S_b W rotate it; P = W U_k.
  const W = inverseSqrt(shrink(s.within, d, alpha), d);
  const { vectors: U } = symmetricEigen(matmul(matmul(transpose(W, d, d), s.between, d, d, d), W, d, d, d), d);
  const Uk = new Float64Array(d * k);
  for (let r = 0; r < d; r++) for (let c = 0; c < k; c++) Uk[r * k + c] = U[r * d + c];
  return { kind: o.kind, dim: d, k, mean: s.mean, P: matmul(W, Uk, d, d, k) };
}

/** Rows projected and L2-normalised: n × p.k float32 values. */
export function project(p: Projection, x: Float32Array, normalise = true): Float32Array {
  const n = x.length / p.dim, out = new Float32Array(n * p.k), c = new Float64Array(p.dim), y = new Float64Array(p.k);
  for (let i = 0; i < n; i++) {
    for (let t = 0; t < p.dim; t++) c[t] = x[i * p.dim + t] - p.mean[t];
    y.fill(0);
    for (let t = 0; t < p.dim; t++) { const ct = c[t]; for (let j = 0; j < p.k; j++) y[j] += ct * p.P[t * p.k + j]; }
    let norm = 0;
    for (let j = 0; j < p.k; j++) norm += y[j] * y[j];
    const f = normalise && norm > 0 ? 1 / Math.sqrt(norm) : 1;
    for (let j = 0; j < p.k; j++) out[i * p.k + j] = y[j] * f;
  }
  return out;
}

/** Row-wise mean of two equally shaped row sets (an image and its mirror), L2-normalised. */
export function averageRows(a: Float32Array, b: Float32Array, dim: number): Float32Array {
  if (a.length !== b.length) throw new Error(`${a.length} vs ${b.length} values`);
  const out = new Float32Array(a.length);
  for (let i = 0; i < a.length; i += dim) {
    let norm = 0;
    for (let t = 0; t < dim; t++) { const v = a[i + t] + b[i + t]; out[i + t] = v; norm += v * v; }
    const f = norm > 0 ? 1 / Math.sqrt(norm) : 0;
    for (let t = 0; t < dim; t++) out[i + t] *= f;
  }
  return out;
}
