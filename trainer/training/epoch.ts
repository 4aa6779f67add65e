// One pass of minibatch training over an epoch's triplets: gather the anchor, positive and negative
// rows, embed them with the one shared model (stacked in a single batch), step Adam on the loss.
import * as tf from '@tensorflow/tfjs';
import { tripletLoss } from './loss.js';
import type { Triplets } from '../data/sampler.js';

export interface EpochInputs {
  model: tf.LayersModel;
  optimizer: tf.Optimizer;
  /** Input rows (already standardised), rows × dim. */
  x: Float32Array;
  dim: number;
  triplets: Triplets;
  batchSize: number;
  margin: number;
  onBatch?: (done: number, total: number) => void;
}

/** Returns the mean minibatch loss, weighted by batch size. */
export function trainEpoch({ model, optimizer, x, dim, triplets: t, batchSize, margin, onBatch }: EpochInputs): number {
  let lossSum = 0;
  for (let s = 0; s < t.a.length; s += batchSize) {
    const b = Math.min(batchSize, t.a.length - s);
    const buf = new Float32Array(3 * b * dim);
    [t.a, t.p, t.n].forEach((rows, part) => {
      for (let k = 0; k < b; k++) buf.set(x.subarray(rows[s + k] * dim, (rows[s + k] + 1) * dim), (part * b + k) * dim);
    });
    const input = tf.tensor2d(buf, [3 * b, dim]);
    const cost = optimizer.minimize(() => {
      const [a, p, n] = tf.split(model.apply(input, { training: true }) as tf.Tensor2D, 3) as tf.Tensor2D[];
      return tripletLoss(a, p, n, margin);
    }, true)!;
    lossSum += cost.dataSync()[0] * b;
    tf.dispose([input, cost]);
    onBatch?.(s + b, t.a.length);
  }
  return t.a.length ? lossSum / t.a.length : 0;
}
