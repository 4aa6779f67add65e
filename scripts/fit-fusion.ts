// Fits the dlib_faceres fusion weight on training identities only and writes models/dlib_faceres/
// fusion.json, which the registry's dlib_faceres entry builds its embedding from (trainer/backbone/
// dlib-faceres.ts explains the algebra). Faces: up to --per-person images of the first --people
// LFW peopleDevTrain identities with two or more images, through the Worker's face path (BlazeFace,
// largest face, the padded dlib canvas). For each backbone the impostor mean and standard deviation
// of R = −‖a − b‖²; w in w·z_dlib + (1 − w)·z_faceres chosen on a grid by TAR at FAR 1e-4 over every
// pair of those faces (ties: the w nearer 0.5). Also checks the fused graph: its embedding's R must
// be an affine function of the fused score (max deviation printed).
//   npx tsx scripts/fit-fusion.ts [--people 600] [--per-person 4] [--data DIR] [--json]
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { Command } from 'commander';
import * as ort from 'onnxruntime-node';
import { alignDetection, chooseFace } from '../models/contract/face/pipeline.js';
import { preprocess } from '../models/contract/preprocess.js';
import { MIN_FACE_SIZE, NodeFaceDetector } from '../models/node/face-detector.js';
import { repoRoot, resolveDataDir } from '../paths.js';
import { dlibFaceresGraph, fusionScales, FUSION_FILE, FUSION_PAD, type FusionWeights } from '../trainer/backbone/dlib-faceres.js';
import { faceresGraph, loadFaceres } from '../trainer/backbone/faceres.js';
import { backbone, dlibGraph } from '../trainer/backbone/registry.js';
import { decodeImage } from '../trainer/data/images.js';
import { imagePath, readPeople } from '../trainer/data/lfw.js';
import { fusedPairScores, impostorMoments, type Embeddings } from '../trainer/evaluation/fusion.js';
import { thresholdAt } from '../trainer/evaluation/impostors.js';
import { OPSET } from '../trainer/onnx/export.js';
import { encodeModel } from '../trainer/onnx/proto.js';
import { progressBar, wantProgress } from '../trainer/run/progress.js';

const o = new Command()
  .option('--people <n>', 'peopleDevTrain identities with ≥ 2 images', '600')
  .option('--per-person <n>', 'images per identity at most', '4')
  .option('--data <dir>', 'LFW root')
  .option('--json', 'JSON only, no progress bar')
  .parse().opts();

const t0 = Date.now();
const log = (m: string) => console.error(`[fit-fusion ${((Date.now() - t0) / 1000).toFixed(0)}s] ${m}`);
const lfw = resolveDataDir(o.data);
const entry = backbone('dlib_faceres');
const S = entry.preprocess.size;
const graph = dlibFaceresGraph(dlibGraph().graph, faceresGraph(loadFaceres()), FUSION_PAD);
const session = await ort.InferenceSession.create(encodeModel({ graph, opset: OPSET, producer: 'edge-face fit-fusion' }), { intraOpNumThreads: 2, graphOptimizationLevel: 'all' });
const detector = await NodeFaceDetector.create();

const people = readPeople(lfw.file('peopleDevTrain.txt'))[0].filter((p) => p.count >= 2).slice(0, Number(o.people));
const paths = people.flatMap((p) => Array.from({ length: Math.min(p.count, Number(o.perPerson)) }, (_x, i) => ({ path: imagePath(p.name, i + 1), who: p.name })));
const labels: string[] = [], dl: number[] = [], fr: number[] = [];
const bar = progressBar('embed ', wantProgress(o.json));
for (const [k, { path, who }] of paths.entries()) {
  const img = await decodeImage(join(lfw.images, path));
  const c = chooseFace(await detector.detect(img), 'largest', MIN_FACE_SIZE);
  if (c.ok) {
    const x = preprocess(alignDetection(img, c.face, entry.align).image, entry.preprocess);
    const r = await session.run({ image: new ort.Tensor('float32', x, [1, S, S, 3]) });
    labels.push(who), dl.push(...(r.dlib.data as Float32Array)), fr.push(...(r.faceres.data as Float32Array));
  }
  bar(k + 1, paths.length);
}
bar.end();
const dlib: Embeddings = { values: Float32Array.from(dl), dim: 128 }, faceres: Embeddings = { values: Float32Array.from(fr), dim: 1024 };
log(`${labels.length} of ${paths.length} images with a face, ${people.length} identities`);

const zd = impostorMoments(dlib, labels), zf = impostorMoments(faceres, labels);
const grid = Array.from({ length: 21 }, (_x, i) => i / 20);
const scored = fusedPairScores(dlib, faceres, zd, zf, labels, grid);
const tar = (far: number) => scored.map((s) => thresholdAt(s, far)?.tar ?? Number.NaN);
const [t3, t4] = [tar(1e-3), tar(1e-4)];
const best = grid.map((w, i) => ({ w, i })).reduce((a, b) => (t4[b.i] > t4[a.i] || (t4[b.i] === t4[a.i] && Math.abs(b.w - 0.5) < Math.abs(a.w - 0.5)) ? b : a));
const { alpha, beta } = fusionScales(best.w, zd.std, zf.std);

// The fused embedding's R against the fused score on a sample of pairs: affine, so one line fits all.
const dev = (() => {
  const n = Math.min(labels.length, 200), xs: number[] = [], ys: number[] = [];
  for (let i = 0; i < n; i++) for (let j = i + 1; j < n; j++) {
    let cd = 0, cf = 0;
    for (let t = 0; t < 128; t++) cd += dlib.values[i * 128 + t] * dlib.values[j * 128 + t];
    for (let t = 0; t < 1024; t++) cf += faceres.values[i * 1024 + t] * faceres.values[j * 1024 + t];
    const fused = best.w * ((2 * cd - 2 - zd.mean) / zd.std) + (1 - best.w) * ((2 * cf - 2 - zf.mean) / zf.std);
    xs.push(fused), ys.push(-2 + 2 * (alpha * alpha * cd + beta * beta * cf));
  }
  const mx = xs.reduce((a, b) => a + b) / xs.length, my = ys.reduce((a, b) => a + b) / ys.length;
  let sxy = 0, sxx = 0;
  for (let i = 0; i < xs.length; i++) (sxy += (xs[i] - mx) * (ys[i] - my)), (sxx += (xs[i] - mx) ** 2);
  const k = sxy / sxx;
  return Math.max(...ys.map((y, i) => Math.abs(y - (my + k * (xs[i] - mx)))));
})();
if (dev > 1e-4) throw new Error(`the fused embedding's R is not affine in the fused score (max deviation ${dev})`);

const out: FusionWeights = {
  pad: FUSION_PAD, w: best.w, dlib: zd, faceres: zf, alpha, beta,
  fittedOn: `LFW peopleDevTrain: ${labels.length} faces of the first ${people.length} identities with ≥ 2 images (≤ ${o.perPerson} each), every pair; w by TAR at FAR 1e-4 on a grid of 0.05`,
  date: new Date().toISOString().slice(0, 10),
};
const path = join(repoRoot, FUSION_FILE);
mkdirSync(dirname(path), { recursive: true });
writeFileSync(path, `${JSON.stringify(out, null, 2)}\n`);
const r3 = (x: number) => Math.round(x * 1000) / 1000;
console.log(JSON.stringify({ ...out, affineDeviation: dev, tarAtFar1e3: { dlib: r3(t3[grid.length - 1]), faceres: r3(t3[0]), fused: r3(t3[best.i]) }, tarAtFar1e4: { dlib: r3(t4[grid.length - 1]), faceres: r3(t4[0]), fused: r3(t4[best.i]) }, grid: grid.map((w, i) => [w, r3(t3[i]), r3(t4[i])]), seconds: Math.round((Date.now() - t0) / 1000) }, null, 2));
log(`w = ${best.w} (α ${alpha.toFixed(4)}, β ${beta.toFixed(4)}) → ${FUSION_FILE}`);
