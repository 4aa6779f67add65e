// Experiment. Decision it supports: the trainer's transposing BatchMatMul wrapper on tfjs-backend-wasm. Result recorded in BENCHMARKS.md, "InceptionV3 accuracy ladder (2026-11-30 15:00 UTC)".
// Why the trainer wraps tfjs-backend-wasm's BatchMatMul (trainer/training/tf-backend.ts): the product of the
// 3072-d head's first layer with and without a transposed operand, before and after the wrapper.
//   npx tsx scripts/experiments/wasm-matmul.ts [--runs 5]
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { parseArgs } from 'node:util';
import { transposeBeforeMatMul } from '../../trainer/training/tf-backend.js';

const runs = Number(parseArgs({ options: { runs: { type: 'string', default: '5' } } }).values.runs);
await tf.setBackend('wasm');
const a = tf.randomNormal([192, 3072]), b = tf.randomNormal([3072, 512]), g = tf.randomNormal([192, 512]);
const flop = 2 * 192 * 3072 * 512;
const rate = (f: () => tf.Tensor) => {
  f().dispose();
  const t0 = performance.now();
  for (let i = 0; i < runs; i++) f().dispose();
  return flop / ((performance.now() - t0) / runs) / 1e6;
};
const cases: [string, () => tf.Tensor][] = [['a·b (forward)', () => tf.matMul(a, b)], ['aᵀ·g (weight gradient)', () => tf.matMul(a, g, true, false)], ['g·bᵀ (input gradient)', () => tf.matMul(g, b, false, true)]];
const before = cases.map(([, f]) => rate(f));
transposeBeforeMatMul('wasm');
const after = cases.map(([, f]) => rate(f));
console.log(`tfjs-backend-wasm, 192×3072 · 3072×512, ${runs} runs each\n| product | GFLOP/s as shipped | GFLOP/s with transposeBeforeMatMul |\n|---|---|---|`);
cases.forEach(([name], i) => console.log(`| ${name} | ${before[i].toFixed(1)} | ${after[i].toFixed(1)} |`));
