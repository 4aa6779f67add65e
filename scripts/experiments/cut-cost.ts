// Experiment. Decision it supports: where to cut InceptionV3 (the cost side of the cut point). Result recorded in BENCHMARKS.md, "Cut cost (2026-11-28)".
// What cutting InceptionV3 at the chosen block saves: weights, multiply-accumulates and onnxruntime-node
// latency of the backbone up to each tap (the seed's flatten_1 after mixed10 vs the committed cut).
// MACs are counted per Conv/MatMul from the shapes onnxruntime reports when every conv output is
// exposed for one real-sized input. Usage: npx tsx scripts/experiments/cut-cost.ts [--runs 20] [--taps flatten_1,mixed7_grid2]
import { Command } from 'commander';
import * as ort from 'onnxruntime-node';
import { kerasToOnnx } from '../../trainer/onnx/keras-to-onnx.js';
import { encodeModel } from '../../trainer/onnx/proto.js';
import { DataType, type Graph } from '../../trainer/onnx/ir.js';
import { decodeWeights, layersOf, loadBackbone } from '../../trainer/backbone/source.js';
import { tapByName } from '../../trainer/features/taps.js';
import { OPSET } from '../../trainer/onnx/export.js';
import { LFW_INPUT_SIZE } from '../../models/contract/preprocess.js';

const o = new Command().option('--runs <n>', 'timed runs per tap', '20').option('--taps <list>', 'taps to compare', 'flatten_1,mixed7_grid2').parse().opts();
const src = loadBackbone();
const size = LFW_INPUT_SIZE;
const x = new ort.Tensor('float32', Float32Array.from({ length: size * size * 3 }, (_v, i) => ((i * 2654435761) % 1000) / 1000), [1, size, size, 3]);

async function cost(g: Graph) {
  const inits = new Map(g.initializers.map((t) => [t.name, t]));
  const weights = g.initializers.reduce((n, t) => n + t.dims.reduce((a, b) => a * b, 1), 0);
  const convs = g.nodes.filter((n) => n.opType === 'Conv' || n.opType === 'MatMul' || n.opType === 'Gemm');
  const probe: Graph = { ...g, outputs: convs.map((n) => ({ name: n.outputs[0], dataType: DataType.FLOAT })) };
  const s = await ort.InferenceSession.create(encodeModel({ graph: probe, opset: OPSET, producer: 'cut-cost' }), { intraOpNumThreads: 2 });
  const out = await s.run({ [g.inputs[0].name]: x });
  await s.release();
  let macs = 0;
  for (const n of convs) {
    const w = inits.get(n.inputs[1])!.dims, y = out[n.outputs[0]].dims;
    // Conv weight [M, C/group, kh, kw] → MACs = |y| · C/group · kh · kw; MatMul [K, N] → |y| · K.
    macs += y.reduce((a, b) => a * b, 1) * (n.opType === 'Conv' ? w[1] * w[2] * w[3] : w[0]);
  }
  return { weights, macs };
}

async function latency(g: Graph, runs: number) {
  const s = await ort.InferenceSession.create(encodeModel({ graph: g, opset: OPSET, producer: 'cut-cost' }), { intraOpNumThreads: 1, graphOptimizationLevel: 'all' });
  await s.run({ [g.inputs[0].name]: x });
  const t: number[] = [];
  for (let i = 0; i < runs; i++) { const t0 = performance.now(); await s.run({ [g.inputs[0].name]: x }); t.push(performance.now() - t0); }
  await s.release();
  return t.sort((a, b) => a - b)[t.length >> 1];
}

console.log(`backbone ${src.name}; onnxruntime-node 1 thread, ${o.runs} runs after 1 warm-up, fp32\n`);
console.log('| tap | weights (M) | GMAC | p50 ms |');
console.log('|---|---|---|---|');
for (const name of String(o.taps).split(',')) {
  const g = kerasToOnnx(layersOf(src), decodeWeights(src), [tapByName(name)]);
  const c = await cost(g);
  console.log(`| ${name} | ${(c.weights / 1e6).toFixed(2)} | ${(c.macs / 1e9).toFixed(2)} | ${(await latency(g, Number(o.runs))).toFixed(0)} |`);
}
