// Per-feature standardisation fitted on the training rows: x' = (x − mean) · scale with
// scale = 1 / std, floored so near-constant features are not blown up. Identity when disabled.
import type { InputNorm } from './head-weights.js';

export function fitInputNorm(x: Float32Array, dim: number, enabled = true): InputNorm {
  const mean = new Float32Array(dim);
  const scale = new Float32Array(dim).fill(1);
  const n = x.length / dim;
  if (!enabled || n === 0) return { mean, scale };
  const m = new Float64Array(dim), v = new Float64Array(dim);
  for (let o = 0; o < x.length; o += dim) for (let j = 0; j < dim; j++) m[j] += x[o + j];
  for (let j = 0; j < dim; j++) m[j] /= n;
  for (let o = 0; o < x.length; o += dim) for (let j = 0; j < dim; j++) v[j] += (x[o + j] - m[j]) ** 2;
  const std = Array.from(v, (s) => Math.sqrt(s / n));
  const floor = 1e-2 * (std.reduce((a, b) => a + b, 0) / dim) + 1e-12;
  for (let j = 0; j < dim; j++) {
    mean[j] = m[j];
    scale[j] = 1 / Math.max(std[j], floor);
  }
  return { mean, scale };
}

export function applyInputNorm(x: Float32Array, dim: number, norm: InputNorm): Float32Array {
  const out = new Float32Array(x.length);
  for (let o = 0; o < x.length; o += dim) for (let j = 0; j < dim; j++) out[o + j] = (x[o + j] - norm.mean[j]) * norm.scale[j];
  return out;
}
