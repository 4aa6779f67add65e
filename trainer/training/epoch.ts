// One pass of minibatch training over an epoch's triplets: gather the anchor, positive and negative
// rows, embed them with the one shared model (stacked in a single batch), step Adam on the loss.
// With distillation, each batch also carries a slice of `distill.extraRows` (every training row once
// per epoch, one-photo people included) and the loss adds λ · distill(student, teacher) over all of
// the batch's rows (trainer/training/distill-loss.ts).
import * as tf from '@tensorflow/tfjs';
import { tripletLoss } from './loss.js';
import { distillLoss, type DistillLossKind } from './distill-loss.js';
import type { Triplets } from '../data/sampler.js';

export interface EpochDistill {
  /** Teacher unit embeddings, rows aligned with x, rows × dim. */
  targets: Float32Array;
  dim: number;
  weight: number;
  kind: DistillLossKind;
  /** Rows distilled in addition to the triplets' rows, spread evenly over the batches. */
  extraRows: Int32Array;
}

export interface EpochInputs {
  model: tf.LayersModel;
  optimizer: tf.Optimizer;
  /** Input rows (already standardised), rows × dim. */
  x: Float32Array;
  dim: number;
  triplets: Triplets;
  batchSize: number;
  margin: number;
  distill?: EpochDistill;
  onBatch?: (done: number, total: number) => void;
}

/** Mean minibatch loss (triplet + λ · distill) and its distillation part, weighted by batch size. */
export function trainEpoch({ model, optimizer, x, dim, triplets: t, batchSize, margin, distill, onBatch }: EpochInputs): { loss: number; distill: number } {
  let lossSum = 0, distillSum = 0;
  const batches = Math.ceil(t.a.length / batchSize);
  const extraPer = distill ? Math.ceil(distill.extraRows.length / Math.max(1, batches)) : 0;
  for (let s = 0, bi = 0; s < t.a.length; s += batchSize, bi++) {
    const b = Math.min(batchSize, t.a.length - s);
    const extra = distill ? distill.extraRows.subarray(bi * extraPer, Math.min(distill.extraRows.length, (bi + 1) * extraPer)) : new Int32Array(0);
    const rowsOf = [...[t.a, t.p, t.n].map((rows) => rows.subarray(s, s + b)), extra];
    const n = 3 * b + extra.length;
    const buf = new Float32Array(n * dim);
    let r = 0;
    for (const rows of rowsOf) for (const i of rows) buf.set(x.subarray(i * dim, (i + 1) * dim), r++ * dim);
    const input = tf.tensor2d(buf, [n, dim]);
    let target: tf.Tensor2D | undefined;
    if (distill) {
      const tb = new Float32Array(n * distill.dim);
      r = 0;
      for (const rows of rowsOf) for (const i of rows) tb.set(distill.targets.subarray(i * distill.dim, (i + 1) * distill.dim), r++ * distill.dim);
      target = tf.tensor2d(tb, [n, distill.dim]);
    }
    let dPart: tf.Scalar | undefined;
    const cost = optimizer.minimize(() => {
      const out = model.apply(input, { training: true }) as tf.Tensor2D;
      const [a, p, ng] = tf.split(out.slice([0, 0], [3 * b, -1]), 3) as tf.Tensor2D[];
      const trip = tripletLoss(a, p, ng, margin);
      if (!distill || !target) return trip;
      dPart = tf.keep(distillLoss(out, target, distill.kind));
      return tf.add(trip, tf.mul(dPart, distill.weight)) as tf.Scalar;
    }, true)!;
    lossSum += cost.dataSync()[0] * b;
    if (dPart) distillSum += dPart.dataSync()[0] * b;
    tf.dispose([input, cost, ...(target ? [target] : []), ...(dPart ? [dPart] : [])]);
    onBatch?.(s + b, t.a.length);
  }
  return t.a.length ? { loss: lossSum / t.a.length, distill: distillSum / t.a.length } : { loss: 0, distill: 0 };
}
