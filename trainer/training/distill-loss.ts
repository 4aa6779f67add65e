// Distillation terms (issue 20 item 1): how far the student's unit embeddings S (rows) are from the
// teacher's unit embeddings T of the same images, in tfjs for training and in plain JS for tests.
//   cosine      mean over rows of 1 − ⟨sᵢ, tᵢ⟩ (same dimensionality: both 128-d; reproduces the
//               teacher's embedding itself)
//   relational  mean over all (i, j) of (⟨sᵢ, sⱼ⟩ − ⟨tᵢ, tⱼ⟩)², the MSE between the batch's two
//               cosine matrices (reproduces the teacher's geometry up to a rotation)
import * as tf from '@tensorflow/tfjs';
import type { DISTILL_LOSSES } from './config.js';

export type DistillLossKind = (typeof DISTILL_LOSSES)[number];

export function distillLoss(s: tf.Tensor2D, t: tf.Tensor2D, kind: DistillLossKind): tf.Scalar {
  return tf.tidy(() => {
    if (kind === 'cosine') return tf.mean(tf.sub(1, tf.sum(tf.mul(s, t), 1))) as tf.Scalar;
    const gs = tf.matMul(s, s, false, true), gt = tf.matMul(t, t, false, true);
    return tf.mean(tf.squaredDifference(gs, gt)) as tf.Scalar;
  });
}

const dot = (a: ArrayLike<number>, b: ArrayLike<number>) => {
  let d = 0;
  for (let i = 0; i < a.length; i++) d += a[i] * b[i];
  return d;
};

/** The same loss over JS rows. */
export function distillLossJs(s: ArrayLike<number>[], t: ArrayLike<number>[], kind: DistillLossKind): number {
  const n = s.length;
  if (!n) return 0;
  if (kind === 'cosine') return s.reduce((acc, si, i) => acc + 1 - dot(si, t[i]), 0) / n;
  let acc = 0;
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) acc += (dot(s[i], s[j]) - dot(t[i], t[j])) ** 2;
  return acc / (n * n);
}
