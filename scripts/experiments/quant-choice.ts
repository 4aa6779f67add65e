// Experiment. Decision it supports: the edge model's quantisation (float stem, int8 elsewhere). Result recorded in BENCHMARKS.md, "Edge model: quantisation (2026-11-28)".
// Chooses the edge model's quantisation by measurement: for the fused model at the committed cut,
// the fp32 reference, int8 QDQ with every activation in uint8, the edge model (int8 QDQ with the
// first FLOAT_STEM activations in float), weight-only 8-bit (exact source weights, float
// activations), and a sweep over how many leading activations stay float. Cosine to fp32 on N
// peopleDevTest images (onnxruntime-node), then each full variant under onnxruntime-web (WASM, 1
// thread, in Node, one child process per variant so Wasm memory is its own): session creation,
// Wasm memory after one inference, per-image latency.
// Usage: npx tsx scripts/experiments/quant-choice.ts [--images 200] [--runs 20] [--data DIR]   (prints a markdown table)
import { Command } from 'commander';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import { loadBackbone } from '../../trainer/backbone/source.js';
import { tapByName } from '../../trainer/features/taps.js';
import { loadHead } from '../../trainer/training/head-weights.js';
import { edgeGraph, fusedGraph, serialise, FLOAT_STEM, INPUT, OUTPUT } from '../../trainer/onnx/export.js';
import { quantizeQdq } from '../../trainer/onnx/quantize.js';
import type { Graph } from '../../trainer/onnx/ir.js';
import { preprocess } from '../../models/contract/preprocess.js';
import { dot } from '../../models/contract/distance.js';
import { decodeImage } from '../../trainer/data/images.js';
import { readPeople } from '../../trainer/data/lfw.js';
import { repoRoot, resolveDataDir } from '../../paths.js';
import { readManifest } from '../../models/node/load.js';

const o = new Command().option('--images <n>', '', '200').option('--runs <n>', 'timed ort-web runs per variant', '20').option('--data <dir>').option('--probe <file>').parse().opts();

if (o.probe) {
  // Child: one variant under onnxruntime-web.
  const { createWebSession, runWeb } = await import('../lib/ort-web-probe.js');
  const [file, input] = String(o.probe).split(',');
  const x = new Float32Array(readFileSync(input).buffer.slice(0));
  const size = Math.round(Math.sqrt(x.length / 3));
  const p = await createWebSession(new Uint8Array(readFileSync(file)), 'all');
  await runWeb(p.session, x, [1, size, size, 3]);
  const wasm = p.wasmBytes();
  const ts: number[] = [];
  for (let i = 0; i < Number(o.runs); i++) {
    const t = performance.now();
    await runWeb(p.session, x, [1, size, size, 3]);
    ts.push(performance.now() - t);
  }
  ts.sort((a, b) => a - b);
  console.log(JSON.stringify({ createMs: p.createMs, wasmMiB: wasm / 2 ** 20, heapMiB: process.memoryUsage().heapUsed / 2 ** 20, p50: ts[ts.length >> 1], p95: ts[Math.floor(ts.length * 0.95)] }));
  process.exit(0);
}

const m = readManifest();
const lfw = resolveDataDir(o.data);
const { weights } = loadHead(join(repoRoot, 'models/head'));
const fp32 = fusedGraph(loadBackbone(), tapByName(m.backbone.cut), weights);
const cal = JSON.parse(readFileSync(join(repoRoot, 'models/calibration.json'), 'utf8'));
const ranges = new Map(Object.entries(cal.ranges as Record<string, [number, number]>).map(([k, [min, max]]) => [k, { min, max }]));
const variants: Record<string, Graph> = {
  fp32, 'int8 QDQ, all activations uint8': edgeGraph(fp32, ranges, 0), [`int8 QDQ, first ${FLOAT_STEM} activations float (edge)`]: edgeGraph(fp32, ranges),
  'weight-only 8-bit': quantizeQdq(fp32, new Map()),
};
const sweep = [1, 2, 4, 6].map((k) => [`int8 QDQ, first ${k} activations float (sweep)`, edgeGraph(fp32, ranges, k)] as const);

const people = readPeople(lfw.file('peopleDevTest.txt'))[0].slice(0, Number(o.images));
const images = await Promise.all(people.map(async (p) => preprocess(await decodeImage(join(lfw.images, p.name, `${p.name}_0001.jpg`)), m.preprocess)));
const dir = mkdtempSync(join(tmpdir(), 'quant-choice-'));
const input = join(dir, 'input.f32');
writeFileSync(input, images[0]);

const embed = async (bytes: Uint8Array, xs: Float32Array[]) => {
  const s = await ort.InferenceSession.create(bytes, { intraOpNumThreads: 2, graphOptimizationLevel: 'all' });
  const out: Float32Array[] = [];
  for (const x of xs) out.push((await s.run({ [INPUT]: new ort.Tensor('float32', x, [1, m.preprocess.size, m.preprocess.size, 3]) }))[OUTPUT].data as Float32Array);
  await s.release();
  return out;
};
const stats = (ref: Float32Array[], got: Float32Array[]) => {
  const c = ref.map((r, i) => dot(r, got[i])).sort((a, b) => a - b);
  return `${c[0].toFixed(5)} / ${c[c.length >> 1].toFixed(5)}`;
};

console.log(`${images.length} peopleDevTest images; cosine to the fp32 model's embedding (onnxruntime-node); onnxruntime-web WASM 1 thread, ${o.runs} timed runs\n`);
console.log('| variant | file MiB | cosine min / median | ort-web create ms | Wasm MiB after 1 inference | ort-web p50 / p95 ms |');
console.log('|---|---|---|---|---|---|');
let ref: Float32Array[] = [];
for (const [name, g] of Object.entries(variants)) {
  const bytes = serialise(g, {});
  const file = join(dir, 'model.onnx');
  writeFileSync(file, bytes);
  const e = await embed(bytes, images);
  if (name === 'fp32') ref = e;
  const w = JSON.parse(execFileSync('npx', ['tsx', 'scripts/experiments/quant-choice.ts', '--probe', `${file},${input}`, '--runs', o.runs], { cwd: repoRoot, stdio: ['ignore', 'pipe', 'ignore'] }).toString().trim().split('\n').at(-1)!);
  console.log(`| ${name} | ${(bytes.length / 2 ** 20).toFixed(1)} | ${name === 'fp32' ? '1 (reference)' : stats(ref, e)} | ${w.createMs.toFixed(0)} | ${w.wasmMiB.toFixed(1)} | ${w.p50.toFixed(0)} / ${w.p95.toFixed(0)} |`);
}
for (const [name, g] of sweep) console.log(`| ${name} | – | ${stats(ref, await embed(serialise(g, {}), images))} | – | – | – |`);
rmSync(dir, { recursive: true, force: true });
