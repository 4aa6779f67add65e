// The enrolment quality floor, by measurement (issue 19 item 4): the face quality
// (models/contract/face/quality.ts) of every LFW peopleDevTest image as the served pipeline frames
// it (the detector's largest face, aligned), cached under .cache/quality/; then, per backbone, on the
// cached embeddings of scripts/impostors.ts, galleries of N people enrolled with one image under each
// candidate floor (a refused photo is replaced by the person's next image that meets it; a person
// with none fails to enrol): failure-to-enrol rate, FNIR at the oracle FPIR 1% and FPIR/FNIR at the
// served identify default, beside no floor, on the same draws.
//   npx tsx scripts/quality-floor.ts [--backbones inception_v3,dlib_resnet] [--n 1000] [--draws 5] [--json]
import { Command } from 'commander';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { chooseFace } from '../models/contract/face/pipeline.js';
import { faceQuality, qualityIssues, type FaceQuality, type QualityFloor } from '../models/contract/face/quality.js';
import { NodeFaceDetector } from '../models/node/face-detector.js';
import { readManifest } from '../models/node/load.js';
import { repoRoot, resolveDataDir } from '../paths.js';
import { manifestOf } from '../trainer/backbone/ids.js';
import { decodeImage } from '../trainer/data/images.js';
import { embeddingsDir, EmbeddingCache } from '../trainer/evaluation/embedding-cache.js';
import { atFpir, drawGallery, ratesAt, search } from '../trainer/evaluation/identify.js';
import { perComparisonFar, thresholdForFar } from '../trainer/evaluation/impostors.js';
import { impostorsFor } from '../trainer/evaluation/operating-points.js';
import { gateEnrolment } from '../trainer/evaluation/quality-gate.js';
import { progressBar, wantProgress } from '../trainer/run/progress.js';
import { lfwTestPeople } from './lib/embedding-sources.js';

const o = new Command()
  .description('Measures candidate enrolment quality floors: failure to enrol, FNIR at FPIR 1%, FPIR/FNIR at the served default')
  .option('--backbones <list>', 'served backbones', 'inception_v3,dlib_resnet')
  .option('--n <n>', 'gallery size', '1000')
  .option('--draws <n>', 'seeded draws, pooled', '5')
  .option('--data <dir>', 'LFW root (default ../shared/data/lfw or $FACES_DIR)')
  .option('--json', 'print one JSON object')
  .parse().opts();

const LENIENT: QualityFloor = { maxYaw: 40, maxRoll: 25, minSharpness: 20, minBrightness: 40, maxBrightness: 220, maxClipped: 0.2 };

/** Candidate floors: one factor at a time, then together (|yaw| is the rough landmark estimate of quality.ts). */
const CANDIDATES: Record<string, QualityFloor> = {
  none: {},
  'score ≥ 0.8': { minScore: 0.8 },
  'score ≥ 0.9': { minScore: 0.9 },
  '|yaw| ≤ 40': { maxYaw: 40 },
  '|yaw| ≤ 30': { maxYaw: 30 },
  '|yaw| ≤ 20': { maxYaw: 20 },
  '|roll| ≤ 20°': { maxRoll: 20 },
  'sharpness ≥ 20': { minSharpness: 20 },
  'sharpness ≥ 40': { minSharpness: 40 },
  'brightness 40–220, clipped ≤ 0.2': { minBrightness: 40, maxBrightness: 220, maxClipped: 0.2 },
  'lenient: yaw 40, roll 25, sharpness 20, exposure': LENIENT,
  'yaw 30, roll 20, sharpness 20, exposure': { maxYaw: 30, maxRoll: 20, minSharpness: 20, minBrightness: 40, maxBrightness: 220, maxClipped: 0.2 },
};

const lfw = resolveDataDir(o.data);
const log = (m: string) => console.error(`[quality-floor] ${m}`);
const manifest0 = readManifest(manifestOf('inception_v3'));
const face = manifest0.face!;
const cachePath = join(repoRoot, '.cache', 'quality', `${face.detector.id}-lfw.json`);
const quality: Record<string, FaceQuality> = existsSync(cachePath) ? JSON.parse(readFileSync(cachePath, 'utf8')) : {};
const paths = lfwTestPeople(lfw).flatMap((p) => p.paths).filter((p) => !(p in quality));
if (paths.length) {
  const detector = await NodeFaceDetector.create(face.detector, new Uint8Array(readFileSync(join(repoRoot, manifest0.files.detector.path))), 1);
  const bar = progressBar('quality', wantProgress(o.json));
  for (const [i, path] of paths.entries()) {
    const img = await decodeImage(join(lfw.images, path));
    const c = chooseFace(await detector.detect(img), 'largest', face.minFaceSize);
    if (c.ok) quality[path] = faceQuality(c.face, img);
    bar(i + 1, paths.length);
  }
  bar.end();
  mkdirSync(dirname(cachePath), { recursive: true });
  writeFileSync(cachePath, JSON.stringify(quality));
}
const all = Object.values(quality);
const q = (f: (x: FaceQuality) => number, p: number) => { const v = all.map(f).sort((a, b) => a - b); return v[Math.min(v.length - 1, Math.floor(p * v.length))]; };
const distribution = Object.fromEntries((['score', 'size', 'yaw', 'roll', 'sharpness', 'brightness', 'clipped'] as const).map((k) => {
  const f = (x: FaceQuality) => (k === 'yaw' || k === 'roll' ? Math.abs(x[k]) : x[k]);
  return [k, { p1: q(f, 0.01), p5: q(f, 0.05), p50: q(f, 0.5), p95: q(f, 0.95), p99: q(f, 0.99) }];
}));
log(`${all.length} LFW test faces measured`);

const rows: Record<string, unknown>[] = [];
for (const backbone of String(o.backbones).split(',')) {
  const m = readManifest(manifestOf(backbone));
  const { impostors, reason } = impostorsFor(backbone, m.modelVersion);
  if (!impostors) throw new Error(`${backbone}: no impostor table (${reason}); run npx tsx scripts/impostors.ts --backbone ${backbone}`);
  const cache = new EmbeddingCache(embeddingsDir(m.modelVersion, 'lfw'), m.modelVersion, 'lfw', { source: 'lfw', offCentre: 50 });
  const keys = lfwTestPeople(lfw).flatMap((p) => p.paths);
  if (keys.some((k) => !cache.has(k))) throw new Error(`${backbone}: LFW embeddings are not all cached; run npx tsx scripts/impostors.ts --backbone ${backbone}`);
  const e = cache.embedded(keys);
  const n = Number(o.n);
  const far = perComparisonFar(0.01, n);
  const served = thresholdForFar(impostors.tables[impostors.served], far).point.score;
  for (const [name, floor] of Object.entries(CANDIDATES)) {
    const passes = (r: number) => { const fq = quality[e.keys[r]]; return fq !== undefined && qualityIssues(fq, floor).length === 0; };
    const results = [];
    let fte = 0, people = 0, retried = 0;
    for (let d = 0; d < Number(o.draws); d++) {
      const g = gateEnrolment(drawGallery(e.identities, { n, enrol: 1, matedPerPerson: 5, minNonMated: 300, seed: 1, draw: d }), passes);
      fte += g.failedToEnrol; people += g.people; retried += g.retried;
      results.push(...search(e.embeddings, e.dim, g.draw));
    }
    const oracle = atFpir(results, 'raw', 0.01);
    const def = ratesAt(results, 'raw', served);
    const probesBelow = results.length ? e.keys.filter((_k, r) => !passes(r)).length / e.keys.length : 0;
    rows.push({ backbone, floor: name, failedToEnrol: fte / people, retried: retried / people, imagesBelow: probesBelow, fnirAtFpir1: oracle.fnir, servedFpir: def.fpir, servedFnir: def.fnir });
  }
}

if (o.json) console.log(JSON.stringify({ n: Number(o.n), draws: Number(o.draws), distribution, rows }));
else {
  const pct = (v: unknown) => `${(100 * Number(v)).toFixed(1)}%`;
  console.log(`LFW peopleDevTest faces (${all.length}), quantiles of each factor (|yaw|, |roll| in degrees):`);
  for (const [k, v] of Object.entries(distribution)) console.log(`  ${k}: ${Object.entries(v).map(([p, x]) => `${p} ${Number(x).toFixed(3)}`).join(', ')}`);
  console.log(`\nN = ${o.n}, enrolled with 1 image, ${o.draws} draws pooled; raw score`);
  console.log('| backbone | floor | images below | failure to enrol | enrolments retried | FNIR at FPIR 1% (oracle) | served default: FPIR / FNIR |');
  console.log('|---|---|---|---|---|---|---|');
  for (const r of rows) console.log(`| ${r.backbone} | ${r.floor} | ${pct(r.imagesBelow)} | ${pct(r.failedToEnrol)} | ${pct(r.retried)} | ${pct(r.fnirAtFpir1)} | ${pct(r.servedFpir)} / ${pct(r.servedFnir)} |`);
}
