import { describe, expect, it } from 'vitest';
import { makeRng } from '../data/rng.js';
import { averageRows, fitProjection, inverseSqrt, matmul, project, scatter, symmetricEigen, transpose } from './projection.js';

const gauss = (rng: ReturnType<typeof makeRng>) => Math.sqrt(-2 * Math.log(1 - rng.next())) * Math.cos(2 * Math.PI * rng.next());

function randomSymmetric(d: number, seed: number) {
  const rng = makeRng(seed), A = new Float64Array(d * d);
  for (let i = 0; i < d; i++) for (let j = i; j < d; j++) A[i * d + j] = A[j * d + i] = gauss(rng);
  return A;
}

/** Labelled rows: class means spread along the first axes, anisotropic within-class noise. */
function labelled(n: number, classes: number, dim: number, seed: number) {
  const rng = makeRng(seed), x = new Float32Array(n * dim), labels: number[] = [];
  const means = Array.from({ length: classes }, () => Array.from({ length: dim }, (_v, t) => gauss(rng) * (t < 2 ? 3 : 0.3)));
  for (let i = 0; i < n; i++) {
    const c = i % classes;
    labels.push(c);
    for (let t = 0; t < dim; t++) x[i * dim + t] = means[c][t] + gauss(rng) * (1 + t) * 0.5 + (t > 0 ? 0.4 * x[i * dim] : 0);
  }
  return { x, labels };
}

const close = (a: ArrayLike<number>, b: ArrayLike<number>, eps: number) => {
  expect(a.length).toBe(b.length);
  for (let i = 0; i < a.length; i++) expect(Math.abs(a[i] - b[i])).toBeLessThan(eps);
};
const identity = (d: number) => { const I = new Float64Array(d * d); for (let i = 0; i < d; i++) I[i * d + i] = 1; return I; };

describe('symmetricEigen', () => {
  it('matches the closed form of a 2 × 2 matrix', () => {
    const [a, b, c] = [2, 1.5, -1];
    const { values, vectors } = symmetricEigen([a, b, b, c], 2);
    const m = (a + c) / 2, r = Math.hypot((a - c) / 2, b);
    close(values, [m + r, m - r], 1e-12);
    // (A − λI)v = 0 for the first column.
    expect(Math.abs((a - values[0]) * vectors[0] + b * vectors[2])).toBeLessThan(1e-12);
  });

  it('A V = V Λ with V orthonormal, values descending, on a random 40 × 40 matrix', () => {
    const d = 40, A = randomSymmetric(d, 7);
    const { values, vectors: V } = symmetricEigen(A, d);
    const L = new Float64Array(d * d);
    values.forEach((v, i) => { L[i * d + i] = v; });
    close(matmul(A, V, d, d, d), matmul(V, L, d, d, d), 1e-9);
    close(matmul(transpose(V, d, d), V, d, d, d), identity(d), 1e-10);
    for (let i = 1; i < d; i++) expect(values[i]).toBeLessThanOrEqual(values[i - 1]);
    // The trace is the sum of the eigenvalues.
    let tr = 0;
    for (let i = 0; i < d; i++) tr += A[i * d + i];
    expect(Math.abs(values.reduce((s, v) => s + v, 0) - tr)).toBeLessThan(1e-9);
  });
});

describe('scatter and projections', () => {
  const dim = 6, { x, labels } = labelled(600, 20, dim, 3);
  const s = scatter(x, dim, labels);

  it('the covariances agree with their definitions computed pair by pair (S_t = S_b + S_w·(n − C)/n)', () => {
    // Total covariance by brute force.
    const n = labels.length, St = new Float64Array(dim * dim);
    for (let i = 0; i < n; i++) for (let a = 0; a < dim; a++) for (let b = 0; b < dim; b++) St[a * dim + b] += ((x[i * dim + a] - s.mean[a]) * (x[i * dim + b] - s.mean[b])) / n;
    close(s.total, St, 1e-9);
    close(s.total, Array.from(s.between, (v, i) => v + (s.within[i] * (n - s.classes)) / n), 1e-9);
  });

  it('inverseSqrt: (S^{-1/2})² S = I', () => {
    const W = inverseSqrt(s.within, dim);
    close(matmul(matmul(W, W, dim, dim, dim), s.within, dim, dim, dim), identity(dim), 1e-9);
  });

  it('wccn and lda whiten the within-class covariance; lda diagonalises the between-class one, descending', () => {
    for (const p of [fitProjection(s, { kind: 'wccn' }), fitProjection(s, { kind: 'lda', k: 4 })]) {
      const Pt = transpose(p.P, dim, p.k);
      close(matmul(matmul(Pt, s.within, p.k, dim, dim), p.P, p.k, dim, p.k), identity(p.k), 1e-9);
      if (p.kind === 'lda') {
        const B = matmul(matmul(Pt, s.between, p.k, dim, dim), p.P, p.k, dim, p.k);
        for (let i = 0; i < p.k; i++) for (let j = 0; j < p.k; j++) if (i !== j) expect(Math.abs(B[i * p.k + j])).toBeLessThan(1e-9);
        for (let i = 1; i < p.k; i++) expect(B[i * p.k + i]).toBeLessThanOrEqual(B[(i - 1) * p.k + i - 1] + 1e-12);
      }
    }
  });

  it('two-class lda finds Fisher\'s direction S_w^{-1}(μ₁ − μ₀)', () => {
    const two = labelled(400, 2, 3, 11), t = scatter(two.x, 3, two.labels);
    const mu = [0, 1].map((c) => { const m = [0, 0, 0]; let n = 0; two.labels.forEach((l, i) => { if (l === c) { n++; for (let k = 0; k < 3; k++) m[k] += two.x[i * 3 + k]; } }); return m.map((v) => v / n); });
    // Solve S_w w = μ₁ − μ₀ through its eigen-decomposition.
    const { values, vectors: V } = symmetricEigen(t.within, 3), diff = mu[1].map((v, k) => v - mu[0][k]);
    const w = [0, 0, 0];
    for (let e = 0; e < 3; e++) { let proj = 0; for (let k = 0; k < 3; k++) proj += V[k * 3 + e] * diff[k]; for (let k = 0; k < 3; k++) w[k] += (V[k * 3 + e] * proj) / values[e]; }
    const p = fitProjection(t, { kind: 'lda', k: 1 }), dir = [p.P[0], p.P[1], p.P[2]];
    const cos = dir.reduce((a, v, k) => a + v * w[k], 0) / Math.hypot(...dir) / Math.hypot(...w);
    expect(Math.abs(cos)).toBeGreaterThan(1 - 1e-9);
  });

  it('pcaw gives the training rows identity total covariance; lda with k = dim gives wccn\'s distances', () => {
    const p = fitProjection(s, { kind: 'pcaw' }), y = project(p, x, false), n = labels.length, C = new Float64Array(dim * dim);
    for (let i = 0; i < n; i++) for (let a = 0; a < dim; a++) for (let b = 0; b < dim; b++) C[a * dim + b] += (y[i * dim + a] * y[i * dim + b]) / n;
    close(C, identity(dim), 1e-5);
    const w = project(fitProjection(s, { kind: 'wccn' }), x), l = project(fitProjection(s, { kind: 'lda', k: dim }), x);
    const d2 = (z: Float32Array, i: number, j: number) => { let v = 0; for (let t = 0; t < dim; t++) v += (z[i * dim + t] - z[j * dim + t]) ** 2; return v; };
    for (const [i, j] of [[0, 1], [5, 300], [17, 599]]) expect(Math.abs(d2(w, i, j) - d2(l, i, j))).toBeLessThan(1e-5);
  });

  it('wccn without the L2 norm gives the Mahalanobis distance (x − y)ᵀ S_w⁻¹ (x − y); uncentred keeps a zero mean', () => {
    const p = fitProjection(s, { kind: 'wccn', centred: false }), y = project(p, x, false);
    expect(Array.from(p.mean).every((v) => v === 0)).toBe(true);
    const { values, vectors: V } = symmetricEigen(s.within, dim);
    for (const [i, j] of [[0, 1], [9, 400]]) {
      const dv = Array.from({ length: dim }, (_v, t) => x[i * dim + t] - x[j * dim + t]);
      let maha = 0;
      for (let e = 0; e < dim; e++) { let q = 0; for (let t = 0; t < dim; t++) q += V[t * dim + e] * dv[t]; maha += (q * q) / values[e]; }
      let d2 = 0;
      for (let t = 0; t < dim; t++) d2 += (y[i * dim + t] - y[j * dim + t]) ** 2;
      expect(Math.abs(d2 - maha) / maha).toBeLessThan(1e-5);
    }
  });

  it('project with centre is x − μ normalised; averageRows is the normalised mean', () => {
    const y = project(fitProjection(s, { kind: 'centre' }), x.subarray(0, dim));
    const c = Array.from(x.subarray(0, dim), (v, t) => v - s.mean[t]), norm = Math.hypot(...c);
    close(y, c.map((v) => v / norm), 1e-6);
    close(averageRows(Float32Array.of(1, 0, 0, 2), Float32Array.of(0, 1, 0, 2), 2), [Math.SQRT1_2, Math.SQRT1_2, 0, 1], 1e-7);
  });
});
