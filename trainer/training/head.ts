// The embedding head as a tfjs layers model. One model embeds anchors, positives and negatives
// alike (shared weights); weights move to and from the plain HeadWeights of head-weights.ts.
import * as tf from '@tensorflow/tfjs';
import { HEAD_LAYERS, type HeadWeights } from './head-weights.js';

/** Scales each row to unit Euclidean length. */
export class L2Normalize extends tf.layers.Layer {
  static className = 'L2Normalize';
  computeOutputShape(shape: tf.Shape | tf.Shape[]) {
    return shape;
  }
  call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    const x = Array.isArray(inputs) ? inputs[0] : inputs;
    return tf.tidy(() => tf.mul(x, tf.rsqrt(tf.maximum(tf.sum(tf.square(x), -1, true), 1e-12))));
  }
}
tf.serialization.registerClass(L2Normalize);

export function buildHead(inputDim: number, seed = 1): tf.Sequential {
  const model = tf.sequential();
  HEAD_LAYERS.forEach((l, i) => {
    model.add(tf.layers.dense({
      units: l.units,
      activation: l.activation,
      kernelInitializer: tf.initializers.glorotUniform({ seed: seed + i }),
      ...(i === 0 ? { inputShape: [inputDim] } : {}),
    }));
    if (l.l2After) model.add(new L2Normalize({}));
  });
  return model;
}

export function getHeadWeights(model: tf.LayersModel): HeadWeights {
  const ws = model.getWeights();
  const layers = HEAD_LAYERS.map((_, i) => {
    const [k, b] = [ws[2 * i], ws[2 * i + 1]];
    return { kernel: (k.dataSync() as Float32Array).slice(), bias: (b.dataSync() as Float32Array).slice(), inDim: k.shape[0]!, outDim: k.shape[1]! };
  });
  return { inputDim: layers[0].inDim, layers };
}

export function setHeadWeights(model: tf.LayersModel, w: HeadWeights) {
  const ts = w.layers.flatMap((d) => [tf.tensor2d(d.kernel, [d.inDim, d.outDim]), tf.tensor1d(d.bias)]);
  model.setWeights(ts);
  tf.dispose(ts);
}

/** Embeds n rows of a dim-wide matrix in batches; returns n × 128. */
export function embedRows(model: tf.LayersModel, x: Float32Array, dim: number, batch = 512): Float32Array {
  const n = x.length / dim;
  const out = new Float32Array(n * HEAD_LAYERS[HEAD_LAYERS.length - 1].units);
  for (let s = 0, o = 0; s < n; s += batch) {
    const e = Math.min(n, s + batch);
    const y = tf.tidy(() => model.predict(tf.tensor2d(x.subarray(s * dim, e * dim), [e - s, dim])) as tf.Tensor);
    const v = y.dataSync();
    out.set(v, o);
    o += v.length;
    y.dispose();
  }
  return out;
}
