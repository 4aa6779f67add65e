// Static 8-bit quantisation of a converted backbone graph in QDQ form: per-output-channel conv
// weights (lossless uint8 where the source was uint8, else int8), int32 biases, and uint8
// activations whose ranges are calibrated on real images; a large MatMul (the head's first layer)
// gets centred, row-balanced, weight-only int8 when its input's calibrated mean is given.
// onnxruntime (optimisation level 'all') fuses the QDQ pattern into QLinearConv and friends.
import { DataType, type Graph, type Node, type Tensor } from './ir.js';

/** Activation-producing ops whose outputs are stored as uint8. */
const ACTIVATIONS = new Set(['Relu', 'Concat', 'MaxPool', 'AveragePool', 'Transpose']);

export interface Range { min: number; max: number }

/** Tensors to calibrate: every activation that feeds a convolution, pool or concat. */
export function activationTensors(g: Graph): string[] {
  const producers = new Map(g.nodes.flatMap((n) => n.outputs.map((o) => [o, n] as const)));
  const names = new Set<string>();
  for (const n of g.nodes) {
    if (!['Conv', 'MaxPool', 'AveragePool', 'Concat'].includes(n.opType)) continue;
    for (const i of n.opType === 'Conv' ? [n.inputs[0]] : n.inputs) {
      const p = producers.get(i);
      if (p && ACTIVATIONS.has(p.opType)) names.add(i);
    }
  }
  return [...names];
}

const scalar = (name: string, dataType: Tensor['dataType'], data: Tensor['data']): Tensor => ({ name, dims: [], dataType, data });

function uint8Params(r: Range) {
  const lo = Math.min(0, r.min), hi = Math.max(r.max, lo + 1e-8);
  const scale = (hi - lo) / 255;
  return { scale, zeroPoint: Math.min(255, Math.max(0, Math.round(-lo / scale))) };
}

/**
 * Per-output-channel 8-bit weights. Weights on a known uint8 grid (Tensor.grid) are stored exactly
 * as uint8 with that grid's zero point; others are rounded to symmetric int8.
 */
export function quantizeWeights(w: Tensor): { q: Int8Array | Uint8Array; scale: Float32Array; zeroPoint: number } {
  const data = w.data as Float32Array, co = w.dims[0], per = data.length / co;
  if (w.grid) {
    const q = new Uint8Array(data.length), { scale, zeroPoint } = w.grid;
    let worst = 0;
    for (let i = 0; i < data.length; i++) {
      const v = data[i] / scale[Math.floor(i / per)] + zeroPoint, r = Math.round(v);
      worst = r < 0 || r > 255 ? Infinity : Math.max(worst, Math.abs(v - r));
      q[i] = r;
    }
    if (worst < 1e-2) return { q, scale, zeroPoint };
  }
  const q = new Int8Array(data.length), scale = new Float32Array(co);
  for (let o = 0; o < co; o++) {
    let m = 0;
    for (let k = 0; k < per; k++) m = Math.max(m, Math.abs(data[o * per + k]));
    scale[o] = m > 0 ? m / 127 : 1;
    for (let k = 0; k < per; k++) q[o * per + k] = Math.round(data[o * per + k] / scale[o]);
  }
  return { q, scale, zeroPoint: 0 };
}

/** MatMul weights with at least this many values are stored as int8 (the head's first layer, 3.5 M at 6,912-d). */
export const LARGE_MATMUL = 1 << 20;

/** Symmetric int8 per column of a [K, N] MatMul weight. */
export function quantizeColumns(w: Tensor): { q: Int8Array; scale: Float32Array } {
  const data = w.data as Float32Array, [rows, cols] = w.dims;
  const scale = new Float32Array(cols).fill(0);
  for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) scale[j] = Math.max(scale[j], Math.abs(data[i * cols + j]));
  for (let j = 0; j < cols; j++) scale[j] = scale[j] > 0 ? scale[j] / 127 : 1;
  const q = new Int8Array(data.length);
  for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) q[i * cols + j] = Math.round(data[i * cols + j] / scale[j]);
  return { q, scale };
}

/**
 * Returns a new graph with QDQ nodes; `ranges` must cover activationTensors(g). Convolutions for
 * which `floatConv` is true stay as they are (float weights and activations).
 */
export function quantizeQdq(g: Graph, ranges: Map<string, Range>, inputMeans?: Map<string, Float32Array>, floatConv?: (n: Node) => boolean): Graph {
  const inits = new Map(g.initializers.map((t) => [t.name, t]));
  const used = new Set<string>();
  const nodes: Node[] = [];
  const initializers: Tensor[] = [];
  const actScale = new Map<string, number>();
  const rename = new Map<string, string>();

  for (const n of g.nodes) {
    const inputs = n.inputs.map((i) => rename.get(i) ?? i);
    if (n.opType === 'Conv' && !floatConv?.(n)) {
      const [x, wName, bName] = n.inputs;
      // Without a calibrated input scale the conv is weight-only: int8 weights, float bias and activations.
      const xs = actScale.get(x);
      const w = inits.get(wName)!, b = inits.get(bName)!;
      const co = w.dims[0];
      const { q, scale: ws, zeroPoint } = quantizeWeights(w);
      const bq = new Int32Array(co), bs = new Float32Array(co);
      if (xs !== undefined)
        for (let o = 0; o < co; o++) {
          bs[o] = xs * ws[o];
          bq[o] = Math.round((b.data as Float32Array)[o] / bs[o]);
        }
      initializers.push(
        { name: `${wName}_q`, dims: w.dims, dataType: q instanceof Uint8Array ? DataType.UINT8 : DataType.INT8, data: q },
        { name: `${wName}_scale`, dims: [co], dataType: DataType.FLOAT, data: ws },
        q instanceof Uint8Array
          ? { name: `${wName}_zp`, dims: [co], dataType: DataType.UINT8, data: new Uint8Array(co).fill(zeroPoint) }
          : { name: `${wName}_zp`, dims: [co], dataType: DataType.INT8, data: new Int8Array(co) },
      );
      nodes.push({ opType: 'DequantizeLinear', name: `${wName}_dq`, inputs: [`${wName}_q`, `${wName}_scale`, `${wName}_zp`], outputs: [`${wName}_dq`], attrs: { axis: 0 } });
      used.add(wName);
      if (xs === undefined) {
        nodes.push({ ...n, inputs: [inputs[0], `${wName}_dq`, bName] });
      } else {
      initializers.push(
        { name: `${bName}_q`, dims: [co], dataType: DataType.INT32, data: bq },
        { name: `${bName}_scale`, dims: [co], dataType: DataType.FLOAT, data: bs },
        { name: `${bName}_zp`, dims: [co], dataType: DataType.INT32, data: new Int32Array(co) },
      );
      nodes.push(
        { opType: 'DequantizeLinear', name: `${bName}_dq`, inputs: [`${bName}_q`, `${bName}_scale`, `${bName}_zp`], outputs: [`${bName}_dq`], attrs: { axis: 0 } },
        { ...n, inputs: [inputs[0], `${wName}_dq`, `${bName}_dq`] },
      );
      used.add(bName);
      }
    } else if (n.opType === 'MatMul' && inputMeans?.has(n.inputs[0]) && (inits.get(n.inputs[1])?.data.length ?? 0) >= LARGE_MATMUL) {
      // Weight-only int8 for the head's big first layer, activations float. Its weights have the
      // input standardisation folded in: rows differ in scale by orders of magnitude, and the raw
      // features are far from zero, so rounding W directly is ruinous (cosine 0.95 to fp32). Exactly:
      // x·W = ((x − μ) ⊙ r)·(W ⊘ r) + μ·W, with r_i the largest |W_ij| of row i; only W ⊘ r (every
      // row of size 1) is rounded, per column. μ: the feature means on the calibration images.
      const wName = n.inputs[1], w = inits.get(wName)!, mean = inputMeans.get(n.inputs[0])!;
      const [rows, cols] = w.dims, W = w.data as Float32Array;
      const r = new Float32Array(rows);
      for (let i = 0; i < rows; i++) {
        for (let j = 0; j < cols; j++) r[i] = Math.max(r[i], Math.abs(W[i * cols + j]));
        if (!(r[i] > 0)) r[i] = 1;
      }
      const scaled = Float32Array.from(W, (v, k) => v / r[Math.floor(k / cols)]);
      const offset = new Float64Array(cols);
      for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) offset[j] += mean[i] * W[i * cols + j];
      const { q, scale } = quantizeColumns({ ...w, data: scaled });
      const base = `${wName}_centred`;
      initializers.push(
        { name: `${base}_mean`, dims: [rows], dataType: DataType.FLOAT, data: mean },
        { name: `${base}_rowscale`, dims: [rows], dataType: DataType.FLOAT, data: r },
        { name: `${base}_offset`, dims: [cols], dataType: DataType.FLOAT, data: Float32Array.from(offset) },
        { name: `${wName}_q`, dims: w.dims, dataType: DataType.INT8, data: q },
        { name: `${wName}_scale`, dims: [cols], dataType: DataType.FLOAT, data: scale },
        { name: `${wName}_zp`, dims: [cols], dataType: DataType.INT8, data: new Int8Array(cols) },
      );
      const z = `${base}_z`, mm = `${base}_mm`;
      nodes.push(
        { opType: 'Sub', name: `${base}_sub`, inputs: [inputs[0], `${base}_mean`], outputs: [`${base}_sub`] },
        { opType: 'Mul', name: z, inputs: [`${base}_sub`, `${base}_rowscale`], outputs: [z] },
        { opType: 'DequantizeLinear', name: `${wName}_dq`, inputs: [`${wName}_q`, `${wName}_scale`, `${wName}_zp`], outputs: [`${wName}_dq`], attrs: { axis: 1 } },
        { opType: 'MatMul', name: mm, inputs: [z, `${wName}_dq`], outputs: [mm] },
        { opType: 'Add', name: n.name, inputs: [mm, `${base}_offset`], outputs: n.outputs },
      );
      used.add(wName);
    } else {
      nodes.push({ ...n, inputs });
    }
    for (const o of n.outputs) {
      const r = ranges.get(o);
      if (!r) continue;
      const { scale, zeroPoint } = uint8Params(r);
      initializers.push(scalar(`${o}_scale`, DataType.FLOAT, Float32Array.of(scale)), scalar(`${o}_zp`, DataType.UINT8, Uint8Array.of(zeroPoint)));
      nodes.push(
        { opType: 'QuantizeLinear', name: `${o}_q`, inputs: [o, `${o}_scale`, `${o}_zp`], outputs: [`${o}_q`] },
        { opType: 'DequantizeLinear', name: `${o}_dq`, inputs: [`${o}_q`, `${o}_scale`, `${o}_zp`], outputs: [`${o}_dq`] },
      );
      rename.set(o, `${o}_dq`);
      actScale.set(o, scale);
    }
  }
  const kept = g.initializers.filter((t) => !used.has(t.name));
  // Graph outputs keep their float producers; only internal consumers read the dequantised copies.
  return { ...g, nodes, initializers: [...kept, ...initializers] };
}
