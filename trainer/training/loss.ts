// Triplet loss: mean over the batch of [‖a − p‖² + α − ‖a − n‖²]₊ (α = margin), in tfjs for training
// and in plain JS for scoring stored embeddings.
import * as tf from '@tensorflow/tfjs';
import { squaredDistance } from '../../models/contract/distance.js';

export function tripletLoss(a: tf.Tensor2D, p: tf.Tensor2D, n: tf.Tensor2D, margin: number): tf.Scalar {
  return tf.tidy(() => {
    const dp = tf.sum(tf.squaredDifference(a, p), 1);
    const dn = tf.sum(tf.squaredDifference(a, n), 1);
    return tf.mean(tf.relu(tf.add(tf.sub(dp, dn), margin))) as tf.Scalar;
  });
}

/** The same loss over JS vectors. */
export function tripletLossJs(rows: { a: ArrayLike<number>; p: ArrayLike<number>; n: ArrayLike<number> }[], margin: number): number {
  let s = 0;
  for (const { a, p, n } of rows) s += Math.max(0, squaredDistance(a, p) + margin - squaredDistance(a, n));
  return rows.length ? s / rows.length : 0;
}
