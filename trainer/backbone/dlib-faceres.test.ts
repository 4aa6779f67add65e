// The dlib_faceres fusion graph, checked without either network (so it runs on a fresh clone without
// the opt-in faceres package): stand-in branches that expose the pixels each one is fed prove that
// dlib reads the central 150 px window of the padded canvas and faceres the canvas resized to 224²
// (bilinear, half-pixel) in BGR minus the VGG means; the weighted embedding is unit and its R is the
// fused score up to an affine map, and the padded template is dlib's moved by the pad.
import { describe, expect, it } from 'vitest';
import * as ort from 'onnxruntime-node';
import { DataType, GraphBuilder, int64Tensor, type Graph } from '../onnx/ir.js';
import { encodeModel } from '../onnx/proto.js';
import { dlibFaceresGraph, fusionScales, paddedSpec, prefixGraph } from './dlib-faceres.js';
import { VGG_MEAN_BGR } from './faceres.js';

/** A stand-in network: input [N, S, S, 3] → one row's pixels [N, cols·3] (row `row`, first `cols` columns). */
function probe(input: string, S: number, row: number, cols: number): Graph {
  const b = new GraphBuilder('probe');
  b.graph.inputs.push({ name: input, dataType: DataType.FLOAT, shape: ['N', S, S, 3] });
  b.init(int64Tensor('starts', [row, 0])), b.init(int64Tensor('ends', [row + 1, cols])), b.init(int64Tensor('axes', [1, 2])), b.init(int64Tensor('shape', [-1, cols * 3]));
  const cut = b.node('Slice', [input, 'starts', 'ends', 'axes'], undefined, 'cut');
  b.graph.nodes.push({ opType: 'Reshape', name: 'flat', inputs: [cut, 'shape'], outputs: ['descriptor'] });
  b.graph.outputs.push({ name: 'descriptor', dataType: DataType.FLOAT, shape: ['N', cols * 3] });
  return b.graph;
}

const PAD = 16, S = 150 + 2 * PAD;
const canvas = Float32Array.from({ length: S * S * 3 }, (_x, i) => ((i * 7919) % 251) + 0.25 * (i % 3));
const px = (y: number, x: number, c: number) => canvas[(y * S + x) * 3 + c];
const unit = (v: number[]) => { const n = Math.hypot(...v); return v.map((x) => x / n); };

async function run(g: Graph) {
  const s = await ort.InferenceSession.create(encodeModel({ graph: g, opset: 17, producer: 'test' }));
  const out = await s.run({ image: new ort.Tensor('float32', canvas, [1, S, S, 3]) });
  await s.release();
  return Object.fromEntries(Object.entries(out).map(([k, t]) => [k, Array.from(t.data as Float32Array)]));
}

/** Bilinear, half-pixel centres (ONNX Resize linear / tf resizeBilinear halfPixelCenters), S → 224. */
function resized(y: number, x: number, c: number): number {
  const at = (o: number) => Math.min(Math.max((o + 0.5) * (S / 224) - 0.5, 0), S - 1);
  const [sy, sx] = [at(y), at(x)], [y0, x0] = [Math.floor(sy), Math.floor(sx)], [y1, x1] = [Math.min(y0 + 1, S - 1), Math.min(x0 + 1, S - 1)];
  const [fy, fx] = [sy - y0, sx - x0];
  return (1 - fy) * ((1 - fx) * px(y0, x0, c) + fx * px(y0, x1, c)) + fy * ((1 - fx) * px(y1, x0, c) + fx * px(y1, x1, c));
}

describe('dlib_faceres fusion graph', () => {
  it('feeds dlib the central 150 px window and faceres the 224² BGR − VGG mean view', async () => {
    const out = await run(dlibFaceresGraph(probe('image', 150, 40, 150), probe('input', 224, 100, 224), PAD));
    const dlibWant = unit(Array.from({ length: 150 * 3 }, (_x, i) => px(PAD + 40, PAD + Math.floor(i / 3), i % 3)));
    out.dlib.forEach((v, i) => expect(v).toBeCloseTo(dlibWant[i], 5));
    const faceresWant = unit(Array.from({ length: 224 * 3 }, (_x, i) => resized(100, Math.floor(i / 3), 2 - (i % 3)) - VGG_MEAN_BGR[i % 3]));
    out.faceres.forEach((v, i) => expect(v).toBeCloseTo(faceresWant[i], 4));
  });

  it('weights the two unit descriptors by α and β into one unit embedding', async () => {
    const { alpha, beta } = fusionScales(0.7, 0.067, 0.146);
    expect(alpha ** 2 + beta ** 2).toBeCloseTo(1, 12);
    const g = dlibFaceresGraph(probe('image', 150, 40, 150), probe('input', 224, 100, 224), PAD);
    const parts = await run(g);
    const { embedding } = await run(dlibFaceresGraph(probe('image', 150, 40, 150), probe('input', 224, 100, 224), PAD, { alpha, beta }));
    expect(embedding).toHaveLength(450 + 672);
    expect(Math.hypot(...embedding)).toBeCloseTo(1, 5);
    embedding.slice(0, 450).forEach((v, i) => expect(v).toBeCloseTo(alpha * parts.dlib[i], 5));
    embedding.slice(450).forEach((v, i) => expect(v).toBeCloseTo(beta * parts.faceres[i], 5));
  });

  it('chooses α² : β² = w/σ_dlib : (1 − w)/σ_faceres, so R of the embedding is affine in the fused score', () => {
    const w = 0.7, sd = 0.067, sf = 0.146, md = -0.32, mf = -1.25;
    const { alpha, beta } = fusionScales(w, sd, sf);
    // Pairs of (dlib cosine, faceres cosine): R_e = −2 + 2(α²·cd + β²·cf); fused = w·z(R_d) + (1 − w)·z(R_f).
    const pairs = [[0.9, 0.2], [0.5, 0.7], [0.1, -0.3], [0.99, 0.95], [-0.2, 0.4]];
    const fused = pairs.map(([cd, cf]) => w * ((2 * cd - 2 - md) / sd) + (1 - w) * ((2 * cf - 2 - mf) / sf));
    const re = pairs.map(([cd, cf]) => -2 + 2 * (alpha ** 2 * cd + beta ** 2 * cf));
    const k = (re[1] - re[0]) / (fused[1] - fused[0]);
    expect(k).toBeGreaterThan(0);
    re.forEach((r, i) => expect(r).toBeCloseTo(re[0] + k * (fused[i] - fused[0]), 10));
    // w = 1 is dlib alone.
    expect(fusionScales(1, sd, sf)).toEqual({ alpha: 1, beta: 0 });
  });

  it('prefixes every name but the kept ones, and moves the template by the pad', () => {
    const g = prefixGraph(probe('image', 150, 0, 4), 'dlib/', new Set(['image']));
    expect(g.inputs[0].name).toBe('image');
    expect(g.outputs[0].name).toBe('dlib/descriptor');
    expect(g.nodes.flatMap((n) => [...n.inputs, ...n.outputs]).filter((n) => n !== 'image').every((n) => n.startsWith('dlib/'))).toBe(true);
    const spec = paddedSpec({ size: 150, template: { rightEye: [47.7, 47.1], leftEye: [100.3, 47.1] }, source: 'dlib' }, PAD);
    expect(spec.size).toBe(S);
    expect(spec.template).toEqual({ rightEye: [63.7, 63.1], leftEye: [116.3, 63.1] });
  });
});
