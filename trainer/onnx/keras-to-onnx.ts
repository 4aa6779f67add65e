// Converts a tfjs/Keras layers model (InceptionV3-style: Conv2D, BatchNormalization, Activation,
// pooling, Concatenate, Flatten, Dense) into an ONNX graph. NHWC→NCHW happens once at the input;
// BatchNormalization is folded into the preceding convolution.
import type { DecodedWeight, LayerJson } from '../backbone/source.js';
import { DataType, GraphBuilder, floatTensor, int64Tensor, type Graph } from './ir.js';

type Weights = Map<string, DecodedWeight>;

/** A feature taken from a layer: its raw output, global average, or a g×g grid of averages. */
export interface FeatureTap {
  output: string;
  layer: string;
  pool: 'none' | 'gap' | `grid${number}`;
}

interface Value { name: string; c: number; h: number; w: number }

/** TF 'same'/'valid' padding as ONNX [begin, end] for one spatial axis. */
function pads(size: number, k: number, s: number, padding: string): [number, number, number] {
  if (padding === 'valid') return [0, 0, Math.floor((size - k) / s) + 1];
  const out = Math.ceil(size / s);
  const total = Math.max((out - 1) * s + k - size, 0);
  return [Math.floor(total / 2), total - Math.floor(total / 2), out];
}

function weight(w: Weights, name: string) {
  const t = w.get(name);
  if (!t) throw new Error(`converter: missing weight ${name}`);
  return t;
}

/** Keras kernel [kh, kw, in, out] → ONNX [out, in, kh, kw], scaled per output channel. */
function convKernel(k: DecodedWeight, scale: Float32Array) {
  const [kh, kw, ci, co] = k.shape;
  const out = new Float32Array(k.data.length);
  for (let y = 0; y < kh; y++) for (let x = 0; x < kw; x++) for (let i = 0; i < ci; i++) for (let o = 0; o < co; o++)
    out[((o * ci + i) * kh + y) * kw + x] = k.data[((y * kw + x) * ci + i) * co + o] * scale[o];
  return out;
}

/** `inputSize` overrides the model's square input side (a fully convolutional cut takes any). */
export function kerasToOnnx(layers: LayerJson[], weights: Weights, taps: FeatureTap[], inputName = 'image', inputSize?: number): Graph {
  const b = new GraphBuilder('backbone');
  const consumers = new Map<string, string[]>();
  for (const l of layers)
    for (const [src] of l.inbound_nodes[0] ?? []) consumers.set(src, [...(consumers.get(src) ?? []), l.name]);
  const byName = new Map(layers.map((l) => [l.name, l]));
  const values = new Map<string, Value>();
  const needed = new Set(taps.map((t) => t.layer));
  const inputOf = (l: LayerJson) => (l.inbound_nodes[0] ?? []).map(([src]) => {
    const v = values.get(src);
    if (!v) throw new Error(`converter: ${l.name} reads ${src}, which was not converted`);
    return v;
  });

  for (const l of layers) {
    const cfg = l.config;
    const ins = l.class_name === 'InputLayer' ? [] : inputOf(l);
    let v: Value;
    switch (l.class_name) {
      case 'InputLayer': {
        const [, h0, w0, c] = cfg.batch_input_shape;
        const [h, w] = inputSize ? [inputSize, inputSize] : [h0, w0];
        b.graph.inputs.push({ name: inputName, dataType: DataType.FLOAT, shape: ['N', h, w, c] });
        v = { name: b.node('Transpose', [inputName], { perm: [0, 3, 1, 2] }, 'input_nchw'), c, h, w };
        break;
      }
      case 'Conv2D': {
        if (cfg.activation !== 'linear' && cfg.activation !== 'relu') throw new Error(`converter: activation ${cfg.activation}`);
        const k = weight(weights, `${l.name}/kernel`);
        const [kh, kw, , co] = k.shape;
        const [t, bo, oh] = pads(ins[0].h, kh, cfg.strides[0], cfg.padding);
        const [le, ri, ow] = pads(ins[0].w, kw, cfg.strides[1], cfg.padding);
        const scale = new Float32Array(co).fill(1);
        const bias = cfg.use_bias ? Float32Array.from(weight(weights, `${l.name}/bias`).data) : new Float32Array(co);
        const next = consumers.get(l.name) ?? [];
        const bn = next.length === 1 && byName.get(next[0])!.class_name === 'BatchNormalization' ? byName.get(next[0])! : null;
        if (bn) {
          const g = (n: string) => weights.get(`${bn.name}/${n}`)?.data;
          const mean = g('moving_mean')!, variance = g('moving_variance')!, gamma = g('gamma'), beta = g('beta');
          for (let o = 0; o < co; o++) {
            scale[o] = (gamma ? gamma[o] : 1) / Math.sqrt(variance[o] + bn.config.epsilon);
            bias[o] = (bias[o] - mean[o]) * scale[o] + (beta ? beta[o] : 0);
          }
        }
        // Folding BN scales each output channel, so a uint8 source grid stays exact per channel.
        const grid = k.grid && { zeroPoint: k.grid.zeroPoint, scale: scale.map((s) => s * k.grid!.scale) };
        const W = b.init({ ...floatTensor(`${l.name}.weight`, [co, k.shape[2], kh, kw], convKernel(k, scale)), grid });
        const B = b.init(floatTensor(`${l.name}.bias`, [co], bias));
        let out = b.node('Conv', [ins[0].name, W, B], {
          kernel_shape: [kh, kw], strides: cfg.strides, pads: [t, le, bo, ri], dilations: cfg.dilation_rate,
        }, l.name);
        if (cfg.activation === 'relu') out = b.node('Relu', [out], undefined, `${l.name}_relu`);
        v = { name: out, c: co, h: oh, w: ow };
        if (bn) values.set(bn.name, v);
        break;
      }
      case 'BatchNormalization':
        if (!values.has(l.name)) throw new Error(`converter: BatchNormalization ${l.name} does not follow a convolution`);
        v = values.get(l.name)!;
        break;
      case 'Activation':
        if (cfg.activation === 'relu') v = { ...ins[0], name: b.node('Relu', [ins[0].name], undefined, l.name) };
        else if (cfg.activation === 'linear') v = ins[0];
        else if (cfg.activation === 'softmax') v = { ...ins[0], name: b.node('Softmax', [ins[0].name], { axis: -1 }, l.name) };
        else throw new Error(`converter: activation ${cfg.activation}`);
        break;
      case 'MaxPooling2D':
      case 'AveragePooling2D': {
        const [kh, kw] = cfg.pool_size;
        const [t, bo, oh] = pads(ins[0].h, kh, cfg.strides[0], cfg.padding);
        const [le, ri, ow] = pads(ins[0].w, kw, cfg.strides[1], cfg.padding);
        const op = l.class_name === 'MaxPooling2D' ? 'MaxPool' : 'AveragePool';
        // TF's 'same' average pooling divides by the number of real pixels: count_include_pad = 0.
        v = { name: b.node(op, [ins[0].name], { kernel_shape: [kh, kw], strides: cfg.strides, pads: [t, le, bo, ri] }, l.name), c: ins[0].c, h: oh, w: ow };
        break;
      }
      case 'Concatenate':
        if (cfg.axis !== 3 && cfg.axis !== -1) throw new Error(`converter: concat axis ${cfg.axis}`);
        v = { name: b.node('Concat', ins.map((x) => x.name), { axis: 1 }, l.name), c: ins.reduce((n, x) => n + x.c, 0), h: ins[0].h, w: ins[0].w };
        break;
      case 'Flatten': {
        // Keras flattens NHWC; only a 1×1 map flattens the same in NCHW.
        const src = ins[0].h * ins[0].w === 1 ? ins[0].name : b.node('Transpose', [ins[0].name], { perm: [0, 2, 3, 1] });
        v = { name: b.node('Flatten', [src], { axis: 1 }, l.name), c: ins[0].c * ins[0].h * ins[0].w, h: 1, w: 1 };
        break;
      }
      case 'Dense': {
        const k = weight(weights, `${l.name}/kernel`);
        const mm = b.node('MatMul', [ins[0].name, b.init(floatTensor(`${l.name}.weight`, k.shape, k.data))]);
        let out = b.node('Add', [mm, b.init(floatTensor(`${l.name}.bias`, [k.shape[1]], weight(weights, `${l.name}/bias`).data))], undefined, l.name);
        if (cfg.activation === 'relu') out = b.node('Relu', [out]);
        else if (cfg.activation === 'softmax') out = b.node('Softmax', [out], { axis: -1 });
        else if (cfg.activation !== 'linear') throw new Error(`converter: dense activation ${cfg.activation}`);
        v = { name: out, c: k.shape[1], h: 1, w: 1 };
        break;
      }
      case 'Dropout':
        v = ins[0];
        break;
      default:
        throw new Error(`converter: unsupported layer ${l.class_name} (${l.name})`);
    }
    values.set(l.name, v);
    needed.delete(l.name);
    if (needed.size === 0) break;
  }
  if (needed.size) throw new Error(`converter: layers not found: ${[...needed].join(', ')}`);

  for (const tap of taps) b.graph.outputs.push({ name: tap.output, dataType: DataType.FLOAT, shape: ['N', featureTap(b, values.get(tap.layer)!, tap)] });
  return b.graph;
}

/** Emits the pooling for one tap and returns its feature length. */
function featureTap(b: GraphBuilder, v: Value, tap: FeatureTap): number {
  if (tap.pool === 'none') {
    if (tap.output !== v.name) b.graph.nodes.push({ opType: 'Identity', name: `${tap.output}_out`, inputs: [v.name], outputs: [tap.output] });
    return v.c * v.h * v.w;
  }
  const g = tap.pool === 'gap' ? 1 : Number(tap.pool.slice(4));
  // g×g cells covering the map (overlapping by at most one pixel when the size does not divide).
  const kh = Math.ceil(v.h / g), kw = Math.ceil(v.w / g);
  const sh = g > 1 ? Math.floor((v.h - kh) / (g - 1)) : 1, sw = g > 1 ? Math.floor((v.w - kw) / (g - 1)) : 1;
  const pooled = b.node('AveragePool', [v.name], { kernel_shape: [g === 1 ? v.h : kh, g === 1 ? v.w : kw], strides: [sh, sw] });
  // Channel-major layout [c, gy, gx] → flatten; then reshape keeps N.
  b.node('Reshape', [pooled, b.init(int64Tensor(`${tap.output}.shape`, [0, -1]))], undefined, tap.output);
  return v.c * g * g;
}
