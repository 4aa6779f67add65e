// Framing robustness: does the model (and its threshold T) hold when faces are not LFW-framed?
// The committed test CSV (models/test-triplets.csv: 400 rows, each one same and one different
// comparison) is scored four ways at the manifest's own T:
//   LFW, fixed crop        the photo as in LFW, the manifest's crop of the whole photo (today's path)
//   LFW, aligned           the same photos through detection + alignment (largest face)
//   recomposed, fixed crop every photo re-composed as an ordinary picture (scripts/lib/recompose.ts:
//                          face 0.3–1.5× its LFW size at a random place in a 640×480…1280×960 canvas
//                          over a mosaic of other LFW photos' corners, roll ±30°, JPEG q70–95, a
//                          second smaller face in ~25%), the crop of the whole picture
//   recomposed, aligned    the same pictures through NodeFaceDetector → largest face → (refused
//                          below face.minFaceSize) → alignDetection → the crop of the aligned canvas
// A photo without a usable face makes each of its comparisons a wrong decision (counted apart too).
// Seeded and deterministic (each photo's picture depends on --seed, its row and its role only),
// generated in memory. Usage:
//   npx tsx scripts/framing-bench.ts [--rows 400] [--seed 1] [--variant fp32|int8] [--threads 1]
//                                    [--json] [--out-dir .scratch/framing [--examples 8]] [--data DIR]
import { Command } from 'commander';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { dirname, join } from 'node:path';
import sharp from 'sharp';
import { readManifest, NodeEmbedder } from '../models/node/load.js';
import { BACKBONE_IDS, DEFAULT_BACKBONE, manifestOf } from '../trainer/backbone/ids.js';
import { defaultFaceSpec, detectorBytes, NodeFaceDetector } from '../models/node/face-detector.js';
import { preprocess, cropBox, type RawImage } from '../models/contract/preprocess.js';
import { alignDetection, bySize, faceSize, type FaceSpec } from '../models/contract/face/pipeline.js';
import { apply, invert } from '../models/contract/face/align.js';
import type { Detection } from '../models/contract/face/detect.js';
import { similarityFromDistance, squaredDistance } from '../models/contract/distance.js';
import { decodeImage } from '../trainer/data/images.js';
import { parseTripletsCsv, type Triplet } from '../trainer/data/test-set.js';
import { repoRoot, resolveDataDir } from '../paths.js';
import { makeRng, subSeed } from '../trainer/data/rng.js';
import { bestThreshold } from '../trainer/evaluation/threshold.js';
import { progressBar } from '../trainer/run/progress.js';
import { drawPlan, placementTransform, render, type Plan } from './lib/recompose.js';

const o = new Command()
  .description('Framing robustness of the test CSV: LFW vs re-composed ordinary pictures, fixed crop vs detection + alignment')
  .option('--rows <n>', 'test-CSV rows to use (each gives 2 comparisons); default all')
  .option('--seed <n>', 'seed of the re-composition', '1')
  .option('--variant <v>', 'embedding model: fp32 or int8', 'fp32')
  .option('--threads <n>', 'onnxruntime intra-op threads', '1')
  .option('--data <dir>', 'LFW root (default ../shared/data/lfw or $FACES_DIR)')
  .option('--out-dir <dir>', 'write the first --examples re-composed JPEGs, their fixed crops and aligned faces here')
  .option('--examples <n>', 'how many examples --out-dir gets', '8')
  .option('--json', 'print one JSON object instead of tables')
  .option('--backbone <id>', `the registered backbone's built model (${BACKBONE_IDS.join(', ')})`, DEFAULT_BACKBONE)
  .parse().opts();

if (o.variant !== 'fp32' && o.variant !== 'int8') throw new Error('--variant must be fp32 or int8');
const seed = Number(o.seed), threads = Number(o.threads);
const m = readManifest(manifestOf(o.backbone));
const manifestFace = (m as { face?: FaceSpec }).face;
const face: FaceSpec = manifestFace ?? defaultFaceSpec();
const detFile = m.files.detector && join(repoRoot, m.files.detector.path);
const detector = await NodeFaceDetector.create(face.detector, detFile && existsSync(detFile) ? new Uint8Array(readFileSync(detFile)) : detectorBytes(), threads);
const model = await NodeEmbedder.create(m, o.variant, threads);
const lfw = resolveDataDir(o.data);
const all = parseTripletsCsv(readFileSync(join(repoRoot, 'models/test-triplets.csv'), 'utf8'));
const rows: Triplet[] = o.rows ? all.slice(0, Number(o.rows)) : all;
const T = m.threshold.score;
const ROLES = ['anchor', 'positive', 'negative'] as const;
const who = (path: string) => dirname(path);
const showProgress = !o.json && process.stderr.isTTY === true;
const started = performance.now();

const embed = async (img: RawImage, box?: Parameters<typeof preprocess>[2]) => (await model.embed(preprocess(img, m.preprocess, box))).slice();

type Refusal = 'no_face' | 'face_too_small';
interface Photo {
  fixed: Float32Array;
  aligned?: Float32Array;
  refused?: Refusal;
  /** The largest face is not the one the photo is of (its centre is not near the source photo's centre). */
  wrongFace?: boolean;
  /** The largest face's detector box side, pixels (LFW photos). */
  faceSize?: number;
  /** Re-composed: the photo's scale, and its face's expected box side over the picture's long side. */
  scale?: number;
  faceFrac?: number;
}

/** The largest face, refused when absent or smaller than face.minFaceSize (the service's 'largest' rule). */
function pick(dets: Detection[]): { face: Detection } | { refused: Refusal } {
  if (!dets.length) return { refused: 'no_face' };
  const d = bySize(dets)[0];
  return faceSize(d) < face.minFaceSize ? { refused: 'face_too_small' } : { face: d };
}

/** Both framings of one decoded picture; `toSource` maps picture pixels back into the 250 px LFW photo. */
async function framings(img: RawImage, toSource: (p: [number, number]) => [number, number]) {
  const fixed = await embed(img);
  const dets = await detector.detect(img);
  const choice = pick(dets);
  const largest = dets.length ? faceSize(bySize(dets)[0]) : undefined;
  if ('refused' in choice) return { photo: { fixed, refused: choice.refused, faceSize: largest } as Photo };
  const { box } = choice.face;
  const [sx, sy] = toSource([box.x + box.w / 2, box.y + box.h / 2]);
  const aligned = alignDetection(img, choice.face, face.align);
  return { photo: { fixed, aligned: await embed(aligned.image), wrongFace: Math.hypot(sx - 125, sy - 125) > 50, faceSize: largest } as Photo, alignedImage: aligned.image };
}

// 1. The LFW photos as they are.
const plainPaths = [...new Set(rows.flatMap((t) => [t.anchor, t.positive, t.negative]))];
const plain = new Map<string, Photo>();
let bar = progressBar('LFW photos     ', showProgress);
for (const p of plainPaths) {
  const img = await decodeImage(join(lfw.images, p));
  const k = 250 / img.width;
  plain.set(p, (await framings(img, ([x, y]) => [x * k, y * k])).photo);
  bar(plain.size, plainPaths.length);
}
bar.end();
const plainSeconds = (performance.now() - started) / 1000;

// LFW's face size, for the re-composed faces' expected size (median where LFW found none).
const lfwSizes = [...plain.values()].map((p) => p.faceSize).filter((x): x is number => x !== undefined).sort((a, b) => a - b);
const medianLfwFace = lfwSizes[Math.floor(lfwSizes.length / 2)] ?? 100;

// 2. Every photo of every row re-composed (row r, role k: its own seeded stream).
// Backgrounds and second faces come from the whole CSV's photos (so a row's pictures do not depend on --rows).
const pool = [...new Set(all.flatMap((t) => [t.anchor, t.positive, t.negative]))].sort();
const toBytes = (img: RawImage) => Buffer.from(img.data.buffer, img.data.byteOffset, img.data.byteLength);
const recomposed: Photo[][] = [];
const examples = o.outDir ? Number(o.examples) : 0;
if (examples) mkdirSync(o.outDir, { recursive: true });
const qualities: number[] = [];
let seconds2 = 0, secondFaces = 0;
bar = progressBar('re-composed    ', showProgress);
for (let r = 0; r < rows.length; r++) {
  const row = rows[r];
  const people = new Set(ROLES.map((k) => who(row[k])));
  const others = pool.filter((p) => !people.has(who(p)));
  const out: Photo[] = [];
  for (let k = 0; k < 3; k++) {
    const rng = makeRng(subSeed(seed, r, k));
    const plan: Plan = drawPlan(rng);
    const bgs = await Promise.all(plan.tiles.map(() => decodeImage(join(lfw.images, others[rng.int(others.length)]))));
    const second = plan.second ? await decodeImage(join(lfw.images, others[rng.int(others.length)])) : undefined;
    if (second) secondFaces++;
    const subject = await decodeImage(join(lfw.images, row[ROLES[k]]));
    const picture = render(plan, subject, bgs, second);
    const jpeg = await sharp(toBytes(picture), { raw: { width: picture.width, height: picture.height, channels: 3 } }).jpeg({ quality: plan.quality }).toBuffer();
    qualities.push(plan.quality);
    const img = await decodeImage(jpeg);
    const back = invert(placementTransform(plan.face, subject.width, subject.height));
    const k250 = 250 / subject.width;
    const { photo, alignedImage } = await framings(img, (p) => { const q = apply(back, p); return [q[0] * k250, q[1] * k250]; });
    photo.scale = plan.face.scale;
    photo.faceFrac = (plan.face.scale * (plain.get(row[ROLES[k]])!.faceSize ?? medianLfwFace) * (250 / subject.width)) / Math.max(plan.width, plan.height);
    out.push(photo);
    const n = r * 3 + k;
    if (n < examples) {
      const name = join(o.outDir, `row${String(r).padStart(3, '0')}-${ROLES[k]}`);
      writeFileSync(`${name}.jpg`, jpeg);
      const b = cropBox(img, m.preprocess);
      await sharp(jpeg).extract({ left: Math.round(b.x), top: Math.round(b.y), width: Math.round(b.w), height: Math.round(b.h) }).png().toFile(`${name}-fixed.png`);
      if (alignedImage) {
        const px = Uint8Array.from(alignedImage.data, (v) => Math.max(0, Math.min(255, Math.round(v))));
        await sharp(Buffer.from(px), { raw: { width: alignedImage.width, height: alignedImage.height, channels: 3 } }).png().toFile(`${name}-aligned.png`);
      }
    }
    bar(n + 1, rows.length * 3);
  }
  recomposed.push(out);
}
bar.end();
seconds2 = (performance.now() - started) / 1000 - plainSeconds;

// 3. Scores at T.
interface Cmp { score: number | null; same: boolean }
function summarise(cmps: Cmp[]) {
  const scored = cmps.filter((c): c is { score: number; same: boolean } => c.score !== null);
  const correct = scored.filter((c) => c.score > T === c.same).length;
  const same = scored.filter((c) => c.same), diff = scored.filter((c) => !c.same);
  const sim = (cs: { score: number }[]) => cs.reduce((a, c) => a + similarityFromDistance(-c.score), 0) / (cs.length || 1);
  const best = scored.length ? bestThreshold(scored) : { threshold: NaN, accuracy: 0 };
  return {
    comparisons: cmps.length,
    accuracy: correct / cmps.length,
    /** Accuracy over the comparisons where both photos gave a face: does T hold where the pipeline answers? */
    accuracyScored: correct / (scored.length || 1),
    unscored: cmps.length - scored.length,
    unscoredSame: cmps.filter((c) => c.score === null && c.same).length,
    falseAcceptRate: diff.filter((c) => c.score > T).length / (diff.length || 1),
    falseAccepts: diff.filter((c) => c.score > T).length,
    differentScored: diff.length,
    trueAcceptRate: same.filter((c) => c.score > T).length / (same.length || 1),
    meanSimilaritySame: sim(same),
    meanSimilarityDifferent: sim(diff),
    /** Accuracy at the best threshold for this condition (unscored stay wrong) and that threshold as a similarity. */
    bestAccuracy: (best.accuracy * scored.length) / cmps.length,
    bestSimilarity: similarityFromDistance(-best.threshold),
  };
}
const score = (a: Photo, b: Photo, framing: 'fixed' | 'aligned'): number | null => {
  const x = a[framing], y = b[framing];
  return x && y ? -squaredDistance(x, y) : null;
};
const cmpsOf = (get: (r: number, k: number) => Photo, framing: 'fixed' | 'aligned'): Cmp[] =>
  rows.flatMap((_t, r) => [{ score: score(get(r, 0), get(r, 1), framing), same: true }, { score: score(get(r, 0), get(r, 2), framing), same: false }]);
const plainGet = (r: number, k: number) => plain.get(rows[r][ROLES[k]])!;
const recGet = (r: number, k: number) => recomposed[r][k];
const conditions = {
  'LFW, fixed crop': summarise(cmpsOf(plainGet, 'fixed')),
  'LFW, aligned': summarise(cmpsOf(plainGet, 'aligned')),
  'recomposed, fixed crop': summarise(cmpsOf(recGet, 'fixed')),
  'recomposed, aligned': summarise(cmpsOf(recGet, 'aligned')),
};
const detection = (photos: Photo[]) => ({
  photos: photos.length,
  noFace: photos.filter((p) => p.refused === 'no_face').length,
  tooSmall: photos.filter((p) => p.refused === 'face_too_small').length,
  wrongFace: photos.filter((p) => p.wrongFace).length,
});
const recPhotos = recomposed.flat();
const buckets: [number, number][] = [[0.3, 0.5], [0.5, 0.8], [0.8, 1.1], [1.1, 1.5]];
const byScale = buckets.map(([lo, hi]) => ({ scale: `${lo}–${hi}`, ...detection(recPhotos.filter((p) => p.scale! >= lo && (p.scale! < hi || (hi === 1.5 && p.scale! <= hi)))) }));
const fracBuckets: [number, number][] = [[0, 0.05], [0.05, 0.08], [0.08, 0.12], [0.12, 0.2], [0.2, 1]];
const byFaceFraction = fracBuckets.map(([lo, hi]) => ({ faceFraction: `${lo}–${hi}`, ...detection(recPhotos.filter((p) => p.faceFrac! >= lo && p.faceFrac! < hi)) }));
const seconds = (performance.now() - started) / 1000;
const cpu0 = process.cpuUsage();

const cpu = cpus();
const result = {
  command: `npx tsx scripts/framing-bench.ts ${process.argv.slice(2).join(' ')}`.trim(),
  machine: `${process.arch} · ${cpu[0]?.model.trim()} × ${cpu.length} · node ${process.version}`,
  model: m.modelVersion, variant: o.variant, threads, seed,
  rows: rows.length, comparisons: rows.length * 2, threshold: { score: T, similarity: similarityFromDistance(-T) },
  face: { source: manifestFace ? 'manifest' : 'defaultFaceSpec() (manifest has no face)', detector: face.detector.id, minFaceSize: face.minFaceSize },
  recomposed: { photos: recPhotos.length, secondFaces, quality: [Math.min(...qualities), Math.max(...qualities)] },
  conditions,
  detection: { lfw: detection([...plain.values()]), recomposed: detection(recPhotos) },
  lfwFaceSize: { median: medianLfwFace, min: lfwSizes[0], max: lfwSizes[lfwSizes.length - 1] },
  byScale,
  byFaceFraction,
  seconds: { lfw: +plainSeconds.toFixed(1), recomposed: +seconds2.toFixed(1), total: +seconds.toFixed(1), cpu: +((cpu0.user + cpu0.system) / 1e6).toFixed(1) },
};

if (o.json) {
  console.log(JSON.stringify(result, null, 2));
} else {
  const fracName = (r: string) => { const [lo, hi] = r.split('–').map((x) => `${Math.round(100 * Number(x))}%`); return lo === '0%' ? `< ${hi}` : hi === '100%' ? `≥ ${lo}` : `${lo}–${hi}`; };
  const f3 = (x: number) => x.toFixed(3), pct = (x: number) => `${(100 * x).toFixed(1)}%`;
  console.log(`\`${result.command}\` · ${result.machine} · model ${m.modelVersion} ${o.variant}, ${threads} thread(s) · seed ${seed}`);
  console.log(`${result.comparisons} comparisons (${rows.length} test-CSV rows) at the model's T = ${T.toFixed(4)} (similarity ${f3(result.threshold.similarity)}); ` +
    `face spec: ${result.face.source}, ${face.detector.id}, largest face, refused below ${face.minFaceSize} px. ` +
    `${recPhotos.length} re-composed pictures (${secondFaces} with a second face, JPEG q${result.recomposed.quality.join('–')}); ${seconds.toFixed(0)} s wall, ${result.seconds.cpu.toFixed(0)} s CPU.\n`);
  console.log('| condition | accuracy at T | decisions without a face | accuracy at T where both have a face | false accepts at T | same accepted at T | mean similarity, same | mean similarity, different | best accuracy at any T (similarity) |');
  console.log('|---|---|---|---|---|---|---|---|---|');
  for (const [name, c] of Object.entries(conditions))
    console.log(`| ${name} | **${f3(c.accuracy)}** | ${c.unscored} (${c.unscoredSame} same) | ${f3(c.accuracyScored)} | ${pct(c.falseAcceptRate)} (${c.falseAccepts}/${c.differentScored}) | ${pct(c.trueAcceptRate)} | ${f3(c.meanSimilaritySame)} | ${f3(c.meanSimilarityDifferent)} | ${f3(c.bestAccuracy)} (${f3(c.bestSimilarity)}) |`);
  console.log('\n| photos | n | no face | largest face < min size | largest face not the subject |');
  console.log('|---|---|---|---|---|');
  for (const [name, d] of [['LFW', result.detection.lfw], ['re-composed', result.detection.recomposed], ...byScale.map((b) => [`re-composed, scale ${b.scale}`, b] as const),
    ...byFaceFraction.map((b) => [`re-composed, face ${fracName(b.faceFraction)} of the long side`, b] as const)] as const)
    console.log(`| ${name} | ${d.photos} | ${d.noFace} | ${d.tooSmall} | ${d.wrongFace} |`);
  console.log(`\nFalse accepts and mean similarities are over the comparisons where both photos gave a face; a comparison without a face counts as wrong. ` +
    `Face sizes: the detector's box side; LFW's median is ${medianLfwFace.toFixed(0)} px, a re-composed face's expected size is its LFW size × its scale.`);
}
