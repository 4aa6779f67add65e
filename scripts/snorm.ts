// Verify with S-norm, measured (issue 19 item 3): a fixed cohort of training-identity embeddings
// (scripts/lib/embedding-sources.ts `cohort`: one image each of peopleDevTrain people outside the
// head's validation slice, never peopleDevTest) embedded by a served backbone through the whole face
// path, and every pair of the impostor sources (LFW peopleDevTest, re-composed, sharp photos) scored
// raw, S-normed and adaptive-S-normed (trainer/evaluation/snorm.ts). Per score: TAR at FAR 1e-3 /
// 1e-4 on each source (its own threshold); FAR and TAR on each source at the verify default
// (VERIFY_FAR 1e-3 through the conservative combination of the sources, as the served table is made)
// and at LFW's own 1e-3 threshold; and on LFW identities split in two, FAR and TAR on one half at the
// thresholds chosen on the other.
//   npx tsx scripts/snorm.ts [--backbone inception_v3|dlib_resnet] [--cohort 1000] [--top-k 50,200]
//                            [--seed 1] [--threads 1] [--json]
import { Command } from 'commander';
import { cpus } from 'node:os';
import sharp from 'sharp';
import { readManifest } from '../models/node/load.js';
import { photosDir, resolveDataDir } from '../paths.js';
import { BACKBONE_IDS, DEFAULT_BACKBONE, manifestOf } from '../trainer/backbone/ids.js';
import { makeRng, shuffle } from '../trainer/data/rng.js';
import type { Embedded } from '../trainer/evaluation/embedding-cache.js';
import { conservativePoints, impostorTable, pairScores, pointAt, thresholdAt, thresholdForFar, type PairScores } from '../trainer/evaluation/impostors.js';
import { impostorsFor } from '../trainer/evaluation/operating-points.js';
import { ServedFaces } from '../trainer/evaluation/served-faces.js';
import { cohortStats, snormPairScores } from '../trainer/evaluation/snorm.js';
import { progressBar, wantProgress } from '../trainer/run/progress.js';
import { COHORT, embedSource, SOURCES, type SourceId } from './lib/embedding-sources.js';

const o = new Command()
  .description('Verify scores raw vs S-norm against a fixed training-identity cohort: TAR at low FAR, FAR at the verify default')
  .option('--backbone <id>', `served backbone (${BACKBONE_IDS.join(', ')})`, DEFAULT_BACKBONE)
  .option('--cohort <n>', 'cohort size (training identities, one image each)', '1000')
  .option('--top-k <list>', 'adaptive S-norm: the k highest cohort scores per side (comma-separated)', '50,200')
  .option('--seed <n>', 'seed of the cohort draw and of the LFW halves', '1')
  .option('--threads <n>', 'onnxruntime intra-op threads', '1')
  .option('--data <dir>', 'LFW root (default ../shared/data/lfw or $FACES_DIR)')
  .option('--json', 'print one JSON object')
  .parse().opts();

sharp.concurrency(Number(o.threads));
const VERIFY_FAR = 1e-3, FARS = [1e-3, 1e-4];
const manifest = readManifest(manifestOf(o.backbone));
const { impostors, reason } = impostorsFor(o.backbone, manifest.modelVersion);
if (!impostors) throw new Error(`no impostor table for ${manifest.modelVersion}: ${reason}`);
const seed = Number(o.seed), size = Number(o.cohort);
// The re-composed pictures are the impostor tables' (scripts/impostors.ts defaults: seed 1, 3 a person).
const opts = { lfw: resolveDataDir(o.data), photos: photosDir(), seed: 1, perPerson: 3, cohort: { size, seed } };
const log = (m: string) => console.error(`[snorm ${o.backbone}] ${m}`);
let faces: ServedFaces | undefined;

async function embedded(source: SourceId | typeof COHORT): Promise<Embedded & { pictures: number }> {
  const bar = progressBar(`${source} `.padEnd(12), wantProgress(o.json));
  const e = await embedSource(source, manifest, async () => (faces ??= await ServedFaces.create(manifest, Number(o.threads))), opts, bar);
  bar.end();
  log(`${source}: ${e.identities.length} faces of ${e.pictures} pictures${e.seconds > 1 ? `, embedded in ${e.seconds.toFixed(0)} s` : ', from the cache'}`);
  return e;
}

const C = await embedded(COHORT);
if (C.identities.length < size) throw new Error(`cohort: ${C.identities.length} faces, fewer than ${size}`);
const dim = C.dim, cohort = C.embeddings.subarray(0, size * dim);
const sources = new Map<SourceId, Embedded>();
for (const s of SOURCES) sources.set(s, await embedded(s));

/** Rows of e whose identity passes `keep`, as their own Embedded. */
function subset(e: Embedded, keep: (id: string) => boolean): Embedded {
  const rows = e.identities.flatMap((id, r) => (keep(id) ? [r] : []));
  const embeddings = new Float32Array(rows.length * dim);
  rows.forEach((r, i) => embeddings.set(e.embeddings.subarray(r * dim, (r + 1) * dim), i * dim));
  return { ...e, identities: rows.map((r) => e.identities[r]), keys: rows.map((r) => e.keys[r]), embeddings };
}

const variants = [{ name: 'raw', k: -1 }, { name: 'S-norm', k: 0 }, ...String(o.topK).split(',').map(Number).map((k) => ({ name: `AS-norm top ${k}`, k }))];
const scoresOf = (e: Embedded, k: number): PairScores =>
  k < 0 ? pairScores(e.embeddings, dim, e.identities) : snormPairScores(e.embeddings, dim, e.identities, cohortStats(e.embeddings, cohort, dim, k));

const people = shuffle([...new Set(sources.get('lfw')!.identities)].sort(), makeRng(seed));
const halfA = new Set(people.slice(0, people.length >> 1));
const lfwA = subset(sources.get('lfw')!, (id) => halfA.has(id)), lfwB = subset(sources.get('lfw')!, (id) => !halfA.has(id));

const point = (s: PairScores, score: number) => { const p = pointAt(s, score); return { far: p.far, falseAccepts: p.falseAccepts, tar: p.tar }; };
const results = variants.map(({ name, k }) => {
  const t0 = performance.now();
  const per = [...sources].map(([id, e]) => { const scores = scoresOf(e, k); return { id, scores, table: impostorTable(scores, { source: id, identities: new Set(e.identities).size, images: e.identities.length }) }; });
  const servedScore = conservativePoints(per, [VERIFY_FAR])[0].point.score;
  const lfwScore = thresholdAt(per[0].scores, VERIFY_FAR)!.score;
  const A = scoresOf(lfwA, k), B = scoresOf(lfwB, k);
  const r = {
    name, k, servedThreshold: servedScore, lfwThreshold: lfwScore,
    sources: per.map(({ id, scores }) => ({
      id, impostorPairs: scores.impostor.length, genuinePairs: scores.genuine.length,
      tarAt: Object.fromEntries(FARS.map((f) => [f, thresholdAt(scores, f)?.tar ?? null])),
      atServed: point(scores, servedScore), atLfwThreshold: point(scores, lfwScore),
    })),
    halves: FARS.map((f) => { const t = thresholdAt(A, f); return { far: f, chosenOn: { identities: halfA.size, impostorPairs: A.impostor.length }, other: t ? point(B, t.score) : null }; }),
  };
  log(`${name}: ${((performance.now() - t0) / 1000).toFixed(0)} s`);
  return r;
});

const rawServed = thresholdForFar(impostors.tables[impostors.served], VERIFY_FAR).point.score;
const header = {
  command: `npx tsx scripts/snorm.ts ${process.argv.slice(2).join(' ')}`.trim(),
  machine: `${process.arch} · ${cpus()[0]?.model.trim()} × ${cpus().length} · node ${process.version}`,
  model: manifest.modelVersion, backbone: o.backbone, verifyFar: VERIFY_FAR, manifestServedThreshold: rawServed,
  cohort: { faces: size, drawn: C.pictures, refused: C.refused.length, identities: new Set(C.identities.slice(0, size)).size },
};
if (o.json) console.log(JSON.stringify({ ...header, results }, null, 2));
else {
  const pct = (x: number | null) => (x === null ? '—' : x.toFixed(3));
  const far = (p: { far: number; falseAccepts: number }) => `${p.far.toExponential(1)} (${p.falseAccepts})`;
  console.log(`\`${header.command}\` · ${header.machine} · ${manifest.modelVersion} (int8, whole face path) · cohort ${size} training identities, one face each`);
  console.log(`raw verify default in the manifest (FAR ${VERIFY_FAR}, conservative table): ${rawServed.toFixed(5)}; recomputed here: ${results[0].servedThreshold.toFixed(5)}\n`);
  console.log('| score | source | impostor / genuine pairs | TAR at FAR 1e-3 | TAR at 1e-4 | at the verify default (1e-3, conservative over sources): FAR (false accepts) / TAR | at LFW\'s own 1e-3 threshold: FAR (false accepts) |');
  console.log('|---|---|---|---|---|---|---|');
  for (const r of results)
    for (const s of r.sources)
      console.log(`| ${r.name} | ${s.id} | ${s.impostorPairs.toLocaleString('en')} / ${s.genuinePairs.toLocaleString('en')} | ${pct(s.tarAt[1e-3])} | ${pct(s.tarAt[1e-4])} | ${far(s.atServed)} / ${s.atServed.tar.toFixed(3)} | ${far(s.atLfwThreshold)} |`);
  console.log(`\nLFW peopleDevTest split by identity (seed ${seed}): thresholds chosen on one half (${halfA.size} people), measured on the other (${people.length - halfA.size}).\n`);
  console.log('| score | target FAR | FAR on the other half (false accepts) | TAR on the other half |\n|---|---|---|---|');
  for (const r of results) for (const h of r.halves) console.log(`| ${r.name} | ${h.far.toExponential(0)} | ${h.other ? far(h.other) : '—'} | ${h.other ? h.other.tar.toFixed(3) : '—'} |`);
}
