// Model benchmarks on this machine, side by side in one run: the fused fp32 and int8 models under
// onnxruntime-node (1 thread) and onnxruntime-web (WASM, 1 thread, as in the Worker): file size,
// session creation, Wasm memory + JS heap after one inference, latency p50/p95 over --runs runs.
// Prints a markdown table to paste into BENCHMARKS.md.   Usage: npm run bench [-- --runs 30]
import { Command } from 'commander';
import { cpus } from 'node:os';
import * as ort from 'onnxruntime-node';
import { readManifest, modelBytes } from '../models/load.js';
import { createWebSession, runWeb } from './lib/ort-web-probe.js';

const o = new Command().option('--runs <n>', 'timed runs after warm-up', '30').parse().opts();
const runs = Number(o.runs);
const m = readManifest();
const s = m.preprocess.size;
const x = Float32Array.from({ length: s * s * 3 }, (_v, i) => ((i * 2654435761) % 1000) / 1000);
const pct = (t: number[], q: number) => [...t].sort((a, b) => a - b)[Math.min(t.length - 1, Math.floor(q * t.length))];
const MB = (b: number) => (b / 2 ** 20).toFixed(1);

async function time(run: () => Promise<unknown>) {
  await run();
  const t: number[] = [];
  for (let i = 0; i < runs; i++) { const t0 = performance.now(); await run(); t.push(performance.now() - t0); }
  return t;
}

console.log(`${new Date().toISOString().slice(0, 10)} · ${cpus()[0].model} × ${cpus().length} · node ${process.version} · model ${m.modelVersion} · ${runs} runs\n`);
console.log('| model | runtime | file MiB | create ms | Wasm MiB | JS heap MiB | p50 ms | p95 ms |');
console.log('|---|---|---|---|---|---|---|---|');
// int8 first: one onnxruntime-web instance serves both and Wasm memory never shrinks, so the int8
// reading is clean and the fp32 one is an upper bound.
for (const variant of ['int8', 'fp32'] as const) {
  const bytes = modelBytes(m, variant);
  const t0 = performance.now();
  const node = await ort.InferenceSession.create(bytes, { intraOpNumThreads: 1, graphOptimizationLevel: 'all' });
  const nodeCreate = performance.now() - t0;
  const tn = await time(() => node.run({ [m.input.name]: new ort.Tensor('float32', x, [1, s, s, 3]) }));
  await node.release();
  console.log(`| ${variant} | onnxruntime-node 1 thread | ${MB(bytes.length)} | ${nodeCreate.toFixed(0)} | – | – | ${pct(tn, 0.5).toFixed(0)} | ${pct(tn, 0.95).toFixed(0)} |`);
  const web = await createWebSession(bytes);
  await runWeb(web.session, x, [1, s, s, 3]);
  const wasm = web.wasmBytes(), heap = process.memoryUsage().heapUsed;
  const tw = await time(() => runWeb(web.session, x, [1, s, s, 3]));
  await web.session.release();
  console.log(`| ${variant} | onnxruntime-web WASM 1 thread | ${MB(bytes.length)} | ${web.createMs.toFixed(0)} | ${MB(wasm)} | ${MB(heap)} | ${pct(tw, 0.5).toFixed(0)} | ${pct(tw, 0.95).toFixed(0)} |`);
}
