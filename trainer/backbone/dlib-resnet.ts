// dlib's 128-d face descriptor ResNet (dlib_face_recognition_resnet_model_v1, as ported to tfjs by
// face-api.js and shipped in the npm package `@vladmandic/face-api` as face_recognition_model)
// converted to ONNX by our own code: the uint8-quantised weights are read from the installed
// package and dequantised exactly as tfjs does, and the network is rebuilt node by node in the
// project's ONNX IR, following the package's FaceRecognitionNet forward pass:
//
//   (pixel − mean_rgb) / 255                       mean_rgb = [122.782, 117.001, 104.298]
//   conv 7×7/2 'valid' 3→32, scale, relu           150 → 72
//   max-pool 3×3/2 'valid'                          72 → 35
//   3 × residual(32), down(64), 3 × residual(64),  35 → 17
//   down(128), 2 × residual(128),                  17 → 8
//   down(256), 2 × residual(256), down(256)         8 → 4 → 2
//   mean over H, W; matmul [256 → 128] (no bias)   → descriptor
//
// A conv layer is conv('same' unless stated) + bias, then a per-channel affine "scale" layer
// (x·weights + biases, dlib's frozen batch norm), which is folded into the convolution here.
// residual: relu(x + scale(conv(relu(scale(conv(x)))))).
// down: the first conv is 3×3 stride 2 'valid'; the shortcut is a 2×2/2 average pool of x,
// zero-padded in channels when the width doubles; when the pooled map is one pixel larger than
// the conv path (8 → 3 vs 4, 4 → 1 vs 2) the conv path gets a zero row and column appended at
// the bottom/right (after its scale layer) before the sum and the relu.
import { createRequire } from 'node:module';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createHash } from 'node:crypto';
import { DataType, GraphBuilder, floatTensor, int64Tensor, type Graph, type WeightGrid } from '../onnx/ir.js';
import { encodeModel } from '../onnx/proto.js';
import { OPSET } from './onnx-backbone.js';

export const DLIB_INPUT_SIZE = 150;
/** The package's per-channel mean (RGB) and divisor: value = (pixel − mean[c]) / 255. */
export const DLIB_MEAN_RGB = [122.782, 117.001, 104.298] as const;
export const DLIB_DIVISOR = 255;
/** dlib's same-person threshold on the Euclidean distance between raw descriptors. */
export const DLIB_THRESHOLD = 0.6;

export interface WeightSpec {
  name: string;
  shape: number[];
  dtype: 'float32';
  quantization?: { dtype: 'uint8'; scale: number; min: number };
}

export interface DlibSource {
  name: string;
  origin: string;
  /** sha256 of the manifest JSON bytes followed by the weight bytes. */
  sha256: string;
  licence: string;
  weightSpecs: WeightSpec[];
  weightData: Uint8Array;
  /**
   * What the ONNX input takes, in the terms of models/contract/preprocess.ts: raw RGB pixels
   * (scale 1, offset 0) of the 150×150 face chip; the per-channel mean and the /255 are in the graph.
   */
  inputScale: { scale: number; offset: number };
}

const ORIGIN = 'npm:@vladmandic/face-api/model/face_recognition_model';

/** The face_recognition_model manifest and weights from the installed `@vladmandic/face-api`. */
export function loadDlibResnet(): DlibSource {
  const require = createRequire(import.meta.url);
  // No exports map: the package root is the folder above dist/ of its main entry.
  const entry = require.resolve('@vladmandic/face-api');
  const root = entry.slice(0, entry.lastIndexOf('/dist/'));
  const dir = join(root, 'model');
  const manifestBytes = readFileSync(join(dir, 'face_recognition_model-weights_manifest.json'));
  const manifest = JSON.parse(manifestBytes.toString('utf8')) as { paths: string[]; weights: WeightSpec[] }[];
  const chunks = manifest.flatMap((g) => g.paths.map((p) => readFileSync(join(dir, p))));
  const weightData = new Uint8Array(Buffer.concat(chunks));
  const version = (require(join(root, 'package.json')) as { version: string }).version;
  const sha256 = createHash('sha256').update(manifestBytes).update(weightData).digest('hex');
  return {
    name: `dlib face recognition ResNet v1 (face-api.js port, @vladmandic/face-api ${version})`,
    origin: ORIGIN,
    sha256,
    licence: 'weights: dlib_face_recognition_resnet_model_v1 by Davis King, public domain; tfjs port: face-api.js / @vladmandic/face-api, MIT',
    weightSpecs: manifest.flatMap((g) => g.weights),
    weightData,
    inputScale: { scale: 1, offset: 0 },
  };
}

export interface DlibWeight {
  shape: number[];
  data: Float32Array;
  /** Set when the stored weights are uint8 with an integer zero point: data = scale · (q − zeroPoint). */
  grid?: { scale: number; zeroPoint: number };
}

/** Dequantised weights by name: value = q · scale + min, computed as tfjs's io.decodeWeights does. */
export function decodeDlibWeights(src: DlibSource): Map<string, DlibWeight> {
  const out = new Map<string, DlibWeight>();
  let off = 0;
  for (const s of src.weightSpecs) {
    const n = s.shape.reduce((a, b) => a * b, 1);
    const q = s.quantization;
    let data: Float32Array, grid: DlibWeight['grid'];
    if (q) {
      if (q.dtype !== 'uint8') throw new Error(`dlib-resnet: ${s.name}: quantisation ${q.dtype} not supported`);
      const bytes = src.weightData.subarray(off, off + n);
      data = new Float32Array(n);
      for (let i = 0; i < n; i++) data[i] = bytes[i] * q.scale + q.min;
      const z = -q.min / q.scale;
      if (Math.abs(z - Math.round(z)) < 1e-6) grid = { scale: q.scale, zeroPoint: Math.round(z) };
      off += n;
    } else {
      if (s.dtype !== 'float32') throw new Error(`dlib-resnet: ${s.name}: dtype ${s.dtype} not supported`);
      data = new Float32Array(src.weightData.slice(off, off + 4 * n).buffer);
      off += 4 * n;
    }
    out.set(s.name, { shape: s.shape, data, grid });
  }
  if (off !== src.weightData.byteLength) throw new Error(`dlib-resnet: ${src.weightData.byteLength - off} weight bytes left over`);
  return out;
}

interface Value { name: string; c: number; h: number; w: number }

/** TF padding for one spatial axis as [begin, end, output size]. */
function pads(size: number, k: number, s: number, padding: 'same' | 'valid'): [number, number, number] {
  if (padding === 'valid') return [0, 0, Math.floor((size - k) / s) + 1];
  const out = Math.ceil(size / s);
  const total = Math.max((out - 1) * s + k - size, 0);
  return [Math.floor(total / 2), total - Math.floor(total / 2), out];
}

class DlibGraph {
  readonly b = new GraphBuilder('dlib_resnet');
  readonly used = new Set<string>();
  constructor(private weights: Map<string, DlibWeight>) {}

  private w(name: string): DlibWeight {
    const t = this.weights.get(name);
    if (!t) throw new Error(`dlib-resnet: missing weight ${name}`);
    this.used.add(name);
    return t;
  }

  /** conv + bias, then the scale layer folded in: y = conv(x, k·s) + (bias·s + beta), optional relu. */
  conv(x: Value, prefix: string, stride: number, padding: 'same' | 'valid', relu: boolean): Value {
    const k = this.w(`${prefix}/conv/filters`), bias = this.w(`${prefix}/conv/bias`).data;
    const s = this.w(`${prefix}/scale/weights`).data, beta = this.w(`${prefix}/scale/biases`).data;
    const [kh, kw, ci, co] = k.shape;
    if (ci !== x.c) throw new Error(`dlib-resnet: ${prefix} expects ${ci} channels, has ${x.c}`);
    const kernel = new Float32Array(k.data.length);
    for (let y = 0; y < kh; y++) for (let xx = 0; xx < kw; xx++) for (let i = 0; i < ci; i++) for (let o = 0; o < co; o++)
      kernel[((o * ci + i) * kh + y) * kw + xx] = k.data[((y * kw + xx) * ci + i) * co + o] * s[o];
    const b = new Float32Array(co);
    for (let o = 0; o < co; o++) b[o] = bias[o] * s[o] + beta[o];
    // Scaling each output channel keeps a uint8 source grid exact per channel.
    const grid: WeightGrid | undefined = k.grid && { zeroPoint: k.grid.zeroPoint, scale: Float32Array.from(s, (v) => v * k.grid!.scale) };
    const name = prefix.replace(/\//g, '_');
    const W = this.b.init({ ...floatTensor(`${name}.weight`, [co, ci, kh, kw], kernel), grid });
    const B = this.b.init(floatTensor(`${name}.bias`, [co], b));
    const [t, bo, oh] = pads(x.h, kh, stride, padding);
    const [le, ri, ow] = pads(x.w, kw, stride, padding);
    let out = this.b.node('Conv', [x.name, W, B], { kernel_shape: [kh, kw], strides: [stride, stride], pads: [t, le, bo, ri] }, name);
    if (relu) out = this.b.node('Relu', [out], undefined, `${name}_relu`);
    return { name: out, c: co, h: oh, w: ow };
  }

  residual(x: Value, prefix: string): Value {
    const a = this.conv(x, `${prefix}/conv1`, 1, 'same', true);
    const c = this.conv(a, `${prefix}/conv2`, 1, 'same', false);
    const sum = this.b.node('Add', [c.name, x.name], undefined, `${prefix}_add`);
    return { ...c, name: this.b.node('Relu', [sum], undefined, `${prefix}_out`) };
  }

  residualDown(x: Value, prefix: string): Value {
    const a = this.conv(x, `${prefix}/conv1`, 2, 'valid', true);
    let c = this.conv(a, `${prefix}/conv2`, 1, 'same', false);
    const [, , ph] = pads(x.h, 2, 2, 'valid'), [, , pw] = pads(x.w, 2, 2, 'valid');
    let pooled: Value = { name: this.b.node('AveragePool', [x.name], { kernel_shape: [2, 2], strides: [2, 2] }, `${prefix}_pool`), c: x.c, h: ph, w: pw };
    if (c.h !== ph || c.w !== pw) {
      // The package appends exactly one zero row and one zero column to the conv path.
      if (ph !== c.h + 1 || pw !== c.w + 1) throw new Error(`dlib-resnet: ${prefix}: cannot align ${c.h}×${c.w} with ${ph}×${pw}`);
      const p = this.b.init(int64Tensor(`${prefix}_pad_hw.pads`, [0, 0, 0, 0, 0, 0, 1, 1]));
      c = { ...c, name: this.b.node('Pad', [c.name, p], undefined, `${prefix}_pad_hw`), h: ph, w: pw };
    }
    if (pooled.c !== c.c) {
      // The package concatenates zeros shaped like the pooled map: the width can only double.
      if (c.c !== 2 * pooled.c) throw new Error(`dlib-resnet: ${prefix}: cannot widen ${pooled.c} to ${c.c} channels`);
      const p = this.b.init(int64Tensor(`${prefix}_pad_c.pads`, [0, 0, 0, 0, 0, pooled.c, 0, 0]));
      pooled = { ...pooled, name: this.b.node('Pad', [pooled.name, p], undefined, `${prefix}_pad_c`), c: c.c };
    }
    const sum = this.b.node('Add', [pooled.name, c.name], undefined, `${prefix}_add`);
    return { ...c, name: this.b.node('Relu', [sum], undefined, `${prefix}_out`) };
  }
}

/** The ONNX graph: input `image` [N,150,150,3] raw RGB pixels (NHWC), output `descriptor` [N,128]. */
export function dlibResnetGraph(weights: Map<string, DlibWeight>, inputName = 'image', outputName = 'descriptor'): Graph {
  const g = new DlibGraph(weights);
  const b = g.b;
  const S = DLIB_INPUT_SIZE;
  b.graph.inputs.push({ name: inputName, dataType: DataType.FLOAT, shape: ['N', S, S, 3] });
  // (x − mean) / 255 in NHWC, as the package computes it, then NCHW for the convolutions.
  const mean = b.init(floatTensor('mean_rgb', [3], Float32Array.from(DLIB_MEAN_RGB)));
  const div = b.init(floatTensor('divisor', [], Float32Array.of(DLIB_DIVISOR)));
  const centred = b.node('Sub', [inputName, mean], undefined, 'centre');
  const scaled = b.node('Div', [centred, div], undefined, 'normalise');
  let v: Value = { name: b.node('Transpose', [scaled], { perm: [0, 3, 1, 2] }, 'input_nchw'), c: 3, h: S, w: S };

  v = g.conv(v, 'conv32_down', 2, 'valid', true);
  const [, , ph] = pads(v.h, 3, 2, 'valid'), [, , pw] = pads(v.w, 3, 2, 'valid');
  v = { ...v, name: b.node('MaxPool', [v.name], { kernel_shape: [3, 3], strides: [2, 2] }, 'max_pool'), h: ph, w: pw };
  for (const p of ['conv32_1', 'conv32_2', 'conv32_3']) v = g.residual(v, p);
  v = g.residualDown(v, 'conv64_down');
  for (const p of ['conv64_1', 'conv64_2', 'conv64_3']) v = g.residual(v, p);
  v = g.residualDown(v, 'conv128_down');
  for (const p of ['conv128_1', 'conv128_2']) v = g.residual(v, p);
  v = g.residualDown(v, 'conv256_down');
  for (const p of ['conv256_1', 'conv256_2']) v = g.residual(v, p);
  v = g.residualDown(v, 'conv256_down_out');

  const avg = b.node('GlobalAveragePool', [v.name], undefined, 'global_avg');
  const flat = b.node('Flatten', [avg], { axis: 1 }, 'flatten');
  const fc = weights.get('fc');
  if (!fc || fc.shape[0] !== v.c) throw new Error(`dlib-resnet: fc must be [${v.c}, 128]`);
  const W = b.init({ ...floatTensor('fc.weight', fc.shape, fc.data), grid: fc.grid && { zeroPoint: fc.grid.zeroPoint, scale: new Float32Array(fc.shape[0]).fill(fc.grid.scale) } });
  b.node('MatMul', [flat, W], undefined, outputName);
  b.graph.outputs.push({ name: outputName, dataType: DataType.FLOAT, shape: ['N', fc.shape[1]] });

  g.used.add('fc');
  const unused = [...weights.keys()].filter((k) => !g.used.has(k));
  if (unused.length) throw new Error(`dlib-resnet: weights not used by the graph: ${unused.join(', ')}`);
  return b.graph;
}

export interface DlibOnnx {
  bytes: Uint8Array;
  /** sha256 of the ONNX bytes. */
  sha256: string;
  inputSize: typeof DLIB_INPUT_SIZE;
  inputName: 'image';
  outputName: 'descriptor';
  descriptorDim: number;
  /** value fed to `image` = pixel · scale + offset (raw 0–255 RGB); mean and /255 are inside. */
  inputScale: { scale: number; offset: number };
  threshold: number;
  source: Omit<DlibSource, 'weightData' | 'weightSpecs'>;
}

export function dlibResnetOnnx(src: DlibSource = loadDlibResnet()): DlibOnnx {
  const graph = dlibResnetGraph(decodeDlibWeights(src));
  const bytes = encodeModel({
    graph, opset: OPSET, producer: 'edge-face',
    metadata: { backbone: src.name, backbone_origin: src.origin, backbone_sha256: src.sha256, licence: src.licence },
  });
  const { weightData: _d, weightSpecs: _s, ...source } = src;
  return {
    bytes,
    sha256: createHash('sha256').update(bytes).digest('hex'),
    inputSize: DLIB_INPUT_SIZE,
    inputName: 'image',
    outputName: 'descriptor',
    descriptorDim: 128,
    inputScale: src.inputScale,
    threshold: DLIB_THRESHOLD,
    source,
  };
}
