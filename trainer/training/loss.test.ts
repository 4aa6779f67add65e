import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { tripletLoss, tripletLossJs } from './loss.js';
import { makeRng } from '../data/rng.js';

describe('triplet loss', () => {
  it('matches a brute-force loop, including rows clipped at zero', () => {
    const r = makeRng(4);
    const B = 16, D = 7, margin = 0.3;
    const mk = () => Array.from({ length: B }, () => Array.from({ length: D }, () => r.next() - 0.5));
    const [a, p, n] = [mk(), mk(), mk()];
    let want = 0, zeros = 0;
    for (let i = 0; i < B; i++) {
      let dp = 0, dn = 0;
      for (let j = 0; j < D; j++) { dp += (a[i][j] - p[i][j]) ** 2; dn += (a[i][j] - n[i][j]) ** 2; }
      const l = Math.max(0, dp + margin - dn);
      if (l === 0) zeros++;
      want += l / B;
    }
    expect(zeros).toBeGreaterThan(0); // the hinge is exercised
    const got = tripletLoss(tf.tensor2d(a), tf.tensor2d(p), tf.tensor2d(n), margin).dataSync()[0];
    expect(got).toBeCloseTo(want, 5);
    expect(tripletLossJs(a.map((_, i) => ({ a: a[i], p: p[i], n: n[i] })), margin)).toBeCloseTo(want, 10);
  });
});
