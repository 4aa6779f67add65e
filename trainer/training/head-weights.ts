// The embedding head as plain numbers: Dense 512 sigmoid → Dense 256 sigmoid → L2 → Dense 128 tanh
// → L2. A pure-JS forward pass (no tfjs) for any code that must embed features, input
// standardisation folded into the first layer for export, and save/load as a tensor bundle.
import { l2Normalize } from '../../models/contract/distance.js';
import { readBundle, writeBundle, type BundleDtype } from './tensor-bundle.js';

export const HEAD_LAYERS = [
  { units: 512, activation: 'sigmoid', l2After: false },
  { units: 256, activation: 'sigmoid', l2After: true },
  { units: 128, activation: 'tanh', l2After: true },
] as const;
export const EMBEDDING_SIZE = 128;

/** One Dense layer: kernel is inDim × outDim, row-major (tfjs layout). */
export interface Dense { kernel: Float32Array; bias: Float32Array; inDim: number; outDim: number }
export interface HeadWeights { inputDim: number; layers: Dense[] }
/** Per-feature standardisation x' = (x − mean) · scale applied before the first layer in training. */
export interface InputNorm { mean: Float32Array; scale: Float32Array }

const act = { sigmoid: (v: number) => 1 / (1 + Math.exp(-v)), tanh: Math.tanh };


/** Embeds one feature row. */
export function headForward(w: HeadWeights, x: ArrayLike<number>): Float32Array {
  if (x.length !== w.inputDim) throw new Error(`head expects ${w.inputDim} features, got ${x.length}`);
  let h: ArrayLike<number> = x;
  w.layers.forEach((d, li) => {
    const out = Float32Array.from(d.bias);
    for (let i = 0; i < d.inDim; i++) {
      const xi = h[i];
      if (xi === 0) continue;
      const row = i * d.outDim;
      for (let j = 0; j < d.outDim; j++) out[j] += xi * d.kernel[row + j];
    }
    const f = act[HEAD_LAYERS[li].activation];
    for (let j = 0; j < out.length; j++) out[j] = f(out[j]);
    h = HEAD_LAYERS[li].l2After ? l2Normalize(out, out.length, 1e-12) : out;
  });
  return h as Float32Array;
}

/** Folds (x − mean)·scale into layer 1, so the exported head takes raw features. */
export function foldInputNorm(w: HeadWeights, norm: InputNorm): HeadWeights {
  const [d, ...rest] = w.layers;
  const kernel = new Float32Array(d.kernel.length);
  const bias = Float64Array.from(d.bias);
  for (let i = 0; i < d.inDim; i++) {
    for (let j = 0; j < d.outDim; j++) {
      const k = d.kernel[i * d.outDim + j] * norm.scale[i];
      kernel[i * d.outDim + j] = k;
      bias[j] -= norm.mean[i] * k;
    }
  }
  return { inputDim: w.inputDim, layers: [{ ...d, kernel, bias: Float32Array.from(bias) }, ...rest] };
}

export function headTensors(w: HeadWeights) {
  return w.layers.flatMap((d, i) => [
    { name: `dense${i + 1}/kernel`, shape: [d.inDim, d.outDim], data: d.kernel },
    { name: `dense${i + 1}/bias`, shape: [d.outDim], data: d.bias },
  ]);
}

export function headFromTensors(tensors: { shape: number[]; data: Float32Array }[]): HeadWeights {
  if (tensors.length !== 2 * HEAD_LAYERS.length) throw new Error(`head needs ${2 * HEAD_LAYERS.length} tensors, got ${tensors.length}`);
  const layers = HEAD_LAYERS.map((_, i) => {
    const [k, b] = [tensors[2 * i], tensors[2 * i + 1]];
    return { kernel: k.data, bias: b.data, inDim: k.shape[0], outDim: k.shape[1] };
  });
  return { inputDim: layers[0].inDim, layers };
}

/** Saves `<base>.json` + `<base>.bin`; meta (e.g. feature key, threshold) goes into the JSON. */
export function saveHead(base: string, w: HeadWeights, meta: Record<string, unknown> = {}, dtype: BundleDtype = 'float32') {
  const architecture = HEAD_LAYERS.map((l) => `dense:${l.units}:${l.activation}${l.l2After ? ':l2' : ''}`);
  writeBundle(base, headTensors(w), { kind: 'embedding-head', inputDim: w.inputDim, embeddingSize: EMBEDDING_SIZE, architecture, ...meta }, dtype);
}

export function loadHead(base: string): { weights: HeadWeights; meta: Record<string, unknown>; dtype: BundleDtype } {
  const { meta, tensors, dtype } = readBundle(base);
  return { weights: headFromTensors(tensors), meta: meta as Record<string, unknown>, dtype };
}
