// dlib_resnet and faceres fused into one ONNX model with one input, so the Worker runs score fusion
// as an ordinary embedding (issue 20 item 3). The input is dlib's 150 px face chip padded by `pad`
// pixels on every side (the same template, moved): dlib sees its central 150 px window unchanged,
// faceres sees the whole canvas resized to 224² (bilinear, half-pixel), in BGR minus the VGG means
// (scripts/experiments/faceres-canvas.ts chose the pad). Each descriptor is L2-normalised; the
// embedding is [α·dlib, β·faceres] with α² + β² = 1, so for two faces
//   e·e' = α²·(dlib cosine) + β²·(faceres cosine),
// an affine function of the fused score w·z(R_dlib) + (1 − w)·z(R_faceres) of trainer/evaluation/
// fusion.ts when α² ∝ w/σ_dlib and β² ∝ (1 − w)/σ_faceres (σ: each backbone's impostor standard
// deviation of R = −‖a − b‖²). R = −‖e − e'‖² then orders pairs exactly as the fused score does, and
// thresholds, impostor tables and the gallery work unchanged. w and the σ are fitted on training
// identities only (scripts/fit-fusion.ts → models/dlib_faceres/fusion.json).
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { AlignSpec } from '../../models/contract/face/align.js';
import { repoRoot } from '../../paths.js';
import { DataType, floatTensor, int64Tensor, type Graph, type Node } from '../onnx/ir.js';
import { DLIB_INPUT_SIZE } from './dlib-resnet.js';
import { FACERES_SIZE, VGG_MEAN_BGR } from './faceres.js';

export const FUSION_FILE = 'models/dlib_faceres/fusion.json';
/** The pad around dlib's chip (scripts/experiments/faceres-canvas.ts: 12–22 px within noise; 16 taken). */
export const FUSION_PAD = 16;

export interface FusionWeights {
  pad: number;
  /** Weight of dlib's standardised score in w·z_dlib + (1 − w)·z_faceres. */
  w: number;
  dlib: { mean: number; std: number };
  faceres: { mean: number; std: number };
  alpha: number;
  beta: number;
  fittedOn: string;
  date: string;
}

/** α, β of the embedding from w and the two impostor standard deviations (α² + β² = 1). */
export function fusionScales(w: number, stdDlib: number, stdFaceres: number): { alpha: number; beta: number } {
  const a2 = w / stdDlib, b2 = (1 - w) / stdFaceres;
  return { alpha: Math.sqrt(a2 / (a2 + b2)), beta: Math.sqrt(b2 / (a2 + b2)) };
}

export function readFusion(): FusionWeights {
  const path = join(repoRoot, FUSION_FILE);
  if (!existsSync(path)) throw new Error(`${FUSION_FILE} is missing: run \`npx tsx scripts/fit-fusion.ts\` first (fits w on training identities)`);
  return JSON.parse(readFileSync(path, 'utf8'));
}

/** dlib's chip template moved by `pad` onto a (150 + 2·pad)² canvas. */
export function paddedSpec(dlib: AlignSpec, pad: number): AlignSpec {
  const template = Object.fromEntries(Object.entries(dlib.template).map(([k, [x, y]]) => [k, [x + pad, y + pad]])) as AlignSpec['template'];
  return { size: dlib.size + 2 * pad, template, source: `${dlib.source}; padded by ${pad} px on every side (one canvas for dlib's window and faceres's 224² view)` };
}

/** Every node, tensor and initialiser name of `g` prefixed, except the names in `keep`. */
export function prefixGraph(g: Graph, prefix: string, keep: ReadonlySet<string> = new Set()): Graph {
  const p = (n: string) => (n === '' || keep.has(n) ? n : `${prefix}${n}`);
  return {
    name: `${prefix}${g.name}`,
    nodes: g.nodes.map((n) => ({ ...n, name: `${prefix}${n.name}`, inputs: n.inputs.map(p), outputs: n.outputs.map(p) })),
    initializers: g.initializers.map((t) => ({ ...t, name: p(t.name) })),
    inputs: g.inputs.map((v) => ({ ...v, name: p(v.name) })),
    outputs: g.outputs.map((v) => ({ ...v, name: p(v.name) })),
  };
}

/**
 * The fused graph: `image` [N, S, S, 3] (RGB 0–255, S = 150 + 2·pad) → `embedding` [N, 128 + 1024]
 * when `scales` is given; without it, the two unit descriptors `dlib` [N, 128] and `faceres` [N, 1024]
 * (what scripts/fit-fusion.ts fits on).
 */
export function dlibFaceresGraph(dlib: Graph, faceres: Graph, pad: number, scales?: { alpha: number; beta: number }, input = 'image', output = 'embedding'): Graph {
  const S = DLIB_INPUT_SIZE + 2 * pad;
  const d = prefixGraph(dlib, 'dlib/'), f = prefixGraph(faceres, 'faceres/');
  const [dIn, dOut] = [d.inputs[0].name, d.outputs[0].name], [fIn, fOut] = [f.inputs[0].name, f.outputs[0].name];
  const [dDim, fDim] = [Number(d.outputs[0].shape?.[1] ?? 128), Number(f.outputs[0].shape?.[1] ?? 1024)];
  const nodes: Node[] = [], inits = [...d.initializers, ...f.initializers];
  const add = (opType: string, inputs: string[], name: string, attrs?: Node['attrs']) => (nodes.push({ opType, name, inputs, outputs: [name], attrs }), name);

  // dlib: the central 150 px window, as its own chip.
  inits.push(int64Tensor('fuse.win.starts', [pad, pad]), int64Tensor('fuse.win.ends', [pad + DLIB_INPUT_SIZE, pad + DLIB_INPUT_SIZE]), int64Tensor('fuse.win.axes', [1, 2]));
  nodes.push({ opType: 'Slice', name: 'fuse.window', inputs: [input, 'fuse.win.starts', 'fuse.win.ends', 'fuse.win.axes'], outputs: [dIn] });
  // faceres: the canvas at 224², BGR − VGG means.
  inits.push(int64Tensor('fuse.n.starts', [0]), int64Tensor('fuse.n.ends', [1]), int64Tensor('fuse.hwc', [FACERES_SIZE, FACERES_SIZE, 3]), int64Tensor('fuse.bgr', [2, 1, 0]),
    floatTensor('fuse.vgg_mean', [3], Float32Array.from(VGG_MEAN_BGR)));
  const n = add('Slice', [add('Shape', [input], 'fuse.shape'), 'fuse.n.starts', 'fuse.n.ends'], 'fuse.n');
  const sizes = add('Concat', [n, 'fuse.hwc'], 'fuse.sizes', { axis: 0 });
  const resized = add('Resize', [input, '', '', sizes], 'fuse.resize', { mode: 'linear', coordinate_transformation_mode: 'half_pixel' });
  const bgr = add('Gather', [resized, 'fuse.bgr'], 'fuse.gather_bgr', { axis: 3 });
  nodes.push({ opType: 'Sub', name: 'fuse.vgg', inputs: [bgr, 'fuse.vgg_mean'], outputs: [fIn] });
  nodes.push(...d.nodes, ...f.nodes);

  inits.push(int64Tensor('fuse.l2.axes', [1]), floatTensor('fuse.l2.eps', [], Float32Array.of(1e-12)));
  const l2 = (x: string, out: string) => {
    const ss = add('ReduceSum', [add('Mul', [x, x], `${out}.sq`), 'fuse.l2.axes'], `${out}.sumsq`, { keepdims: 1 });
    return add('Div', [x, add('Sqrt', [add('Max', [ss, 'fuse.l2.eps'], `${out}.clamp`)], `${out}.norm`)], out);
  };
  if (!scales) {
    l2(dOut, 'dlib'), l2(fOut, 'faceres');
    return { name: 'dlib_faceres', nodes, initializers: inits, inputs: [{ name: input, dataType: DataType.FLOAT, shape: ['N', S, S, 3] }],
      outputs: [{ name: 'dlib', dataType: DataType.FLOAT, shape: ['N', dDim] }, { name: 'faceres', dataType: DataType.FLOAT, shape: ['N', fDim] }] };
  }
  inits.push(floatTensor('fuse.alpha', [], Float32Array.of(scales.alpha)), floatTensor('fuse.beta', [], Float32Array.of(scales.beta)));
  const a = add('Mul', [l2(dOut, 'fuse.dlib_unit'), 'fuse.alpha'], 'fuse.dlib_scaled');
  const b = add('Mul', [l2(fOut, 'fuse.faceres_unit'), 'fuse.beta'], 'fuse.faceres_scaled');
  // Unit by construction (α² + β² = 1); normalised once more so float rounding cannot drift.
  l2(add('Concat', [a, b], 'fuse.concat', { axis: 1 }), output);
  return { name: 'dlib_faceres', nodes, initializers: inits, inputs: [{ name: input, dataType: DataType.FLOAT, shape: ['N', S, S, 3] }],
    outputs: [{ name: output, dataType: DataType.FLOAT, shape: ['N', dDim + fDim] }] };
}
