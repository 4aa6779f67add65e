import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { distillLoss, distillLossJs } from './distill-loss.js';
import { makeRng } from '../data/rng.js';

const unitRows = (seed: number, n: number, d: number) => {
  const r = makeRng(seed);
  return Array.from({ length: n }, () => {
    const v = Array.from({ length: d }, () => r.next() - 0.5);
    const norm = Math.hypot(...v);
    return v.map((x) => x / norm);
  });
};

describe('distillation loss', () => {
  const B = 12, D = 6;
  const s = unitRows(5, B, D), t = unitRows(6, B, D);

  it('cosine: mean of 1 − ⟨s, t⟩ over rows, as a brute-force loop', () => {
    let want = 0;
    for (let i = 0; i < B; i++) {
      let d = 0;
      for (let k = 0; k < D; k++) d += s[i][k] * t[i][k];
      want += (1 - d) / B;
    }
    expect(distillLoss(tf.tensor2d(s), tf.tensor2d(t), 'cosine').dataSync()[0]).toBeCloseTo(want, 5);
    expect(distillLossJs(s, t, 'cosine')).toBeCloseTo(want, 10);
  });

  it('relational: MSE between the two cosine matrices, as a brute-force loop', () => {
    let want = 0;
    for (let i = 0; i < B; i++) for (let j = 0; j < B; j++) {
      let a = 0, b = 0;
      for (let k = 0; k < D; k++) { a += s[i][k] * s[j][k]; b += t[i][k] * t[j][k]; }
      want += (a - b) ** 2 / (B * B);
    }
    expect(want).toBeGreaterThan(0.01);
    expect(distillLoss(tf.tensor2d(s), tf.tensor2d(t), 'relational').dataSync()[0]).toBeCloseTo(want, 5);
    expect(distillLossJs(s, t, 'relational')).toBeCloseTo(want, 10);
  });

  it('is zero when the student reproduces the teacher (relational: also under a rotation)', () => {
    expect(distillLoss(tf.tensor2d(t), tf.tensor2d(t), 'cosine').dataSync()[0]).toBeCloseTo(0, 5);
    // A coordinate permutation with a sign flip is a rotation/reflection: the cosine matrix is unchanged.
    const rotated = t.map((v) => [-v[1], v[0], ...v.slice(2)]);
    expect(distillLoss(tf.tensor2d(rotated), tf.tensor2d(t), 'relational').dataSync()[0]).toBeCloseTo(0, 5);
    expect(distillLoss(tf.tensor2d(rotated), tf.tensor2d(t), 'cosine').dataSync()[0]).toBeGreaterThan(0.1);
  });
});
