// Experiment. Decision it supports: the backbone's input side (299 kept). Result recorded in BENCHMARKS.md, "InceptionV3 accuracy ladder (2026-11-30 15:00 UTC)".
// Input resolution as a measured choice: the committed InceptionV3 head fused with the backbone at
// several input sides (the cut is fully convolutional and the 2×2 grid pooling adapts), timed under
// onnxruntime-web WASM with 1 thread, as in the Worker. Sides are interleaved run by run, so load on
// the machine hits them alike and the ratios hold even when the absolute figures do not.
//   npx tsx scripts/experiments/input-size.ts [--sides 299,224,192] [--runs 20]
import { parseArgs } from 'node:util';
import { join } from 'node:path';
import { repoRoot } from '../../paths.js';
import { loadNsfwjs } from '../../trainer/backbone/source.js';
import { tapByName } from '../../trainer/features/taps.js';
import { loadHead } from '../../trainer/training/head-weights.js';
import { fusedGraph, serialise } from '../../trainer/onnx/export.js';
import { createWebSession, runWeb } from '../lib/ort-web-probe.js';

const { values } = parseArgs({ options: { sides: { type: 'string', default: '299,224,192' }, runs: { type: 'string', default: '20' }, head: { type: 'string', default: join(repoRoot, 'models/head') } } });
const sides = values.sides!.split(',').map(Number);
const runs = Number(values.runs);
const { weights, meta } = loadHead(values.head!);
const src = loadNsfwjs();
const sessions = [];
for (const side of sides) {
  const web = await createWebSession(serialise(fusedGraph(src, tapByName(String(meta.feature)), weights, side), { side: String(side) }));
  const x = Float32Array.from({ length: side * side * 3 }, (_, i) => ((i * 7919) % 255) / 255);
  await runWeb(web.session, x, [1, side, side, 3]); // warm-up
  sessions.push({ side, web, x, ms: [] as number[] });
}
for (let r = 0; r < runs; r++)
  for (const s of sessions) {
    const t0 = performance.now();
    await runWeb(s.web.session, s.x, [1, s.side, s.side, 3]);
    s.ms.push(performance.now() - t0);
  }
const p50 = (v: number[]) => [...v].sort((a, b) => a - b)[Math.floor(v.length / 2)];
const base = p50(sessions[0].ms);
console.log(`fused fp32 model (${String(meta.feature)} → head), onnxruntime-web WASM 1 thread, ${runs} interleaved runs`);
console.log('| input side | pixels vs first | p50 ms | p50 vs first |\n|---|---|---|---|');
for (const s of sessions) console.log(`| ${s.side} | ${((s.side / sides[0]) ** 2).toFixed(2)}× | ${p50(s.ms).toFixed(0)} | ${(p50(s.ms) / base).toFixed(2)}× |`);
for (const s of sessions) await s.web.session.release();
