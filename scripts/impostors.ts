// Impostor tables that resolve low FARs (issue 19): a served backbone's int8 edge model embeds each
// source through the whole face path (scripts/lib/embedding-sources.ts, cached under
// .cache/embeddings/<modelVersion>/<source>), every different-person and same-person pair is scored,
// and the thresholds at FAR 1e-1 … 1e-6 come from exact order statistics (trainer/evaluation/impostors.ts).
// Prints per source the FAR of the manifest's T and the thresholds; --write stores the tables and
// their conservative combination (`served`) as models/[<id>/]operating-points.json for the build.
//   npx tsx scripts/impostors.ts [--backbone inception_v3|dlib_resnet] [--sources lfw,recomposed,photos]
//                                [--seed 1] [--per-person 3] [--threads 1] [--top 10] [--embed-only] [--write] [--json]
import { Command } from 'commander';
import { writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { readManifest } from '../models/node/load.js';
import { photosDir, repoRoot, resolveDataDir } from '../paths.js';
import { BACKBONE_IDS, DEFAULT_BACKBONE, manifestOf } from '../trainer/backbone/ids.js';
import { conservativePoints, conservativeTable, impostorTable, MIN_FALSE_ACCEPTS, pairScores, pointAt, targetPoints, topImpostors, type ImpostorTable, type PairScores, type TargetPoint } from '../trainer/evaluation/impostors.js';
import { operatingPointsPath, type OperatingPointsFile } from '../trainer/evaluation/operating-points.js';
import { ServedFaces } from '../trainer/evaluation/served-faces.js';
import { progressBar, wantProgress } from '../trainer/run/progress.js';
import { checkSource, embedSource, type SourceId } from './lib/embedding-sources.js';

const o = new Command()
  .description('Impostor tables of a served backbone: FAR → score threshold from all different-person pairs')
  .option('--backbone <id>', `served backbone (${BACKBONE_IDS.join(', ')})`, DEFAULT_BACKBONE)
  .option('--sources <list>', 'comma-separated: lfw, recomposed, photos', 'lfw,recomposed,photos')
  .option('--seed <n>', 'seed of the re-composed pictures', '1')
  .option('--per-person <n>', 're-composed pictures per peopleDevTest person', '3')
  .option('--threads <n>', 'onnxruntime intra-op threads', '1')
  .option('--data <dir>', 'LFW root (default ../shared/data/lfw or $FACES_DIR)')
  .option('--top <n>', 'list the n highest-scoring different-person pairs of each source (image names, scores)', '0')
  .option('--embed-only', 'embed (fill the cache) and stop')
  .option('--write', `store the tables as ${operatingPointsPath(DEFAULT_BACKBONE)} (or the backbone's folder)`)
  .option('--json', 'print one JSON object')
  .parse().opts();

sharp.concurrency(Number(o.threads));
const manifest = readManifest(manifestOf(o.backbone));
const sources: SourceId[] = String(o.sources).split(',').map(checkSource);
const opts = { lfw: sources.some((s) => s !== 'photos') ? resolveDataDir(o.data) : undefined, photos: photosDir(), seed: Number(o.seed), perPerson: Number(o.perPerson) };
const log = (m: string) => console.error(`[impostors ${o.backbone}] ${m}`);
const T = manifest.threshold.score;
const similarity = (score: number) => 1 + score / 2;

const DESCRIBE: Record<SourceId, string> = {
  lfw: 'LFW peopleDevTest, every image',
  recomposed: `LFW peopleDevTest re-composed as ordinary pictures (scripts/lib/recompose.ts), ${opts.perPerson} per person, seed ${opts.seed}`,
  photos: '../shared/data/photos, the labelled faces of each distinct photo',
};

interface SourceResult {
  id: SourceId; scores: PairScores; table: ImpostorTable; pictures: number; refused: Record<string, number>; seconds: number; atT: ReturnType<typeof pointAt>;
  top: { a: string; b: string; similarity: number }[];
}
const results: SourceResult[] = [];
let faces: ServedFaces | undefined;
for (const id of sources) {
  const bar = progressBar(`${id} `.padEnd(12), wantProgress(o.json) || process.stderr.isTTY === true);
  let last = performance.now();
  const e = await embedSource(id, manifest, async () => (faces ??= await ServedFaces.create(manifest, Number(o.threads))), opts, (done, total) => {
    bar(done, total);
    if (!process.stderr.isTTY && (done % 200 === 0 || done === total)) {
      log(`${id}: ${done}/${total} pictures, ${((performance.now() - last) / 200).toFixed(0)} ms/picture`);
      last = performance.now();
    }
  });
  bar.end();
  const refused: Record<string, number> = {};
  for (const r of e.refused) refused[r.reason] = (refused[r.reason] ?? 0) + 1;
  log(`${id}: ${e.identities.length} faces embedded of ${e.pictures} pictures (refused: ${JSON.stringify(refused)})${e.seconds > 1 ? `, ${e.seconds.toFixed(0)} s` : ', from the cache'}`);
  if (o.embedOnly) continue;
  const scores = pairScores(e.embeddings, e.dim, e.identities);
  const refusals = Object.entries(refused).map(([k, v]) => `${v} ${k}`).join(', ') || 'none';
  const about = { source: `${id}: ${DESCRIBE[id]}; ${manifest.modelVersion} int8 edge model through detect + align; refused ${refusals}`, identities: new Set(e.identities).size, images: e.identities.length };
  const top = topImpostors(e.embeddings, e.dim, e.identities, scores, Number(o.top)).map((t) => ({ a: e.keys[t.i], b: e.keys[t.j], similarity: similarity(t.score) }));
  results.push({ id, scores, table: impostorTable(scores, about), pictures: e.pictures, refused, seconds: e.seconds, atT: pointAt(scores, T), top });
}
if (o.embedOnly) process.exit(0);

const served = conservativeTable(results);
const tables: Record<string, ImpostorTable> = Object.fromEntries([...results.map((r) => [r.id, r.table]), ['conservative', served]]);
const notes = [
  `Resolution rule: a target FAR f is tabulated for a source only when f × impostorPairs ≥ ${MIN_FALSE_ACCEPTS}; its threshold is then the (⌊f·n⌋+1)-th largest impostor score (exact order statistic), accept iff R = −d² > score, so falseAccepts ≤ ⌊f·n⌋ and far = falseAccepts / impostorPairs ≤ f.`,
  'Impostor pairs: every pair of embedded faces of different identities (all-vs-all); genuine pairs: every pair of the same identity. Pairs share images, so they are not independent: the effective sample behind a low FAR is smaller than the pair count.',
  'served = conservative: at each target FAR resolved by at least one source, the highest of the resolving sources\' thresholds; its far and TAR count the pairs of all sources pooled.',
  'LFW peopleDevTest identities are disjoint from the InceptionV3 head\'s training (peopleDevTrain); the dlib network was trained elsewhere on data that may overlap LFW (not checked).',
];

if (o.write) {
  const path = operatingPointsPath(o.backbone);
  const doc: OperatingPointsFile = {
    modelVersion: manifest.modelVersion, backbone: o.backbone, date: new Date().toISOString().slice(0, 10),
    command: `npx tsx scripts/impostors.ts ${process.argv.slice(2).join(' ')}`.trim(), notes, served: 'conservative', tables,
  };
  writeFileSync(join(repoRoot, path), JSON.stringify(doc, null, 2) + '\n');
  log(`wrote ${path}`);
}

const summary = results.map((r) => ({
  source: r.id, pictures: r.pictures, faces: r.table.images, refused: r.refused, identities: r.table.identities, topImpostors: r.top,
  impostorPairs: r.table.impostorPairs, genuinePairs: r.table.genuinePairs,
  atManifestT: { score: T, similarity: similarity(T), far: r.atT.far, falseAccepts: r.atT.falseAccepts, tar: r.atT.tar },
}));
if (o.json) {
  console.log(JSON.stringify({ model: manifest.modelVersion, backbone: o.backbone, machine: `${process.arch} · ${cpus()[0]?.model.trim()} × ${cpus().length} · node ${process.version}`, summary, served: 'conservative', tables, notes }, null, 2));
} else {
  const sim = (tp: TargetPoint[], f: number) => { const p = tp.find((t) => t.target === f)?.point; return p ? similarity(p.score).toFixed(4) : '—'; };
  const pooledFa = results.reduce((a, r) => a + r.atT.falseAccepts, 0);
  const rows = [
    ...results.map((r) => ({ id: r.id, pictures: String(r.pictures), refused: Object.values(r.refused).reduce((a, b) => a + b, 0), t: r.table, atT: r.atT, tp: targetPoints(r.scores) })),
    { id: 'conservative (served)', pictures: '—', refused: 0, t: served, tp: conservativePoints(results),
      atT: { far: pooledFa / served.impostorPairs, falseAccepts: pooledFa, tar: results.reduce((a, r) => a + r.atT.tar * r.table.genuinePairs, 0) / served.genuinePairs } },
  ];
  console.log(`${manifest.modelVersion} (${o.backbone}, int8 edge model, whole face path); today's T = ${T.toFixed(4)} (similarity ${similarity(T).toFixed(4)})\n`);
  console.log('| source | pictures | faces (refused) | identities | impostor pairs | genuine pairs | FAR at T (false accepts) | TAR at T | similarity at FAR 1e-3 | 1e-4 | 1e-5 |');
  console.log('|---|---|---|---|---|---|---|---|---|---|---|');
  for (const r of rows)
    console.log(`| ${r.id} | ${r.pictures} | ${r.t.images} (${r.refused}) | ${r.t.identities} | ${r.t.impostorPairs.toLocaleString('en')} | ${r.t.genuinePairs.toLocaleString('en')} | ${r.atT.far.toExponential(2)} (${r.atT.falseAccepts.toLocaleString('en')}) | ${r.atT.tar.toFixed(3)} | ${sim(r.tp, 1e-3)} | ${sim(r.tp, 1e-4)} | ${sim(r.tp, 1e-5)} |`);
  for (const r of rows) {
    console.log(`\n${r.t.source}\n| target FAR | threshold score | similarity | false accepts | far | TAR |\n|---|---|---|---|---|---|`);
    for (const { target, point: p } of r.tp) console.log(`| ${target.toExponential(0)} | ${p.score.toFixed(5)} | ${similarity(p.score).toFixed(4)} | ${p.falseAccepts.toLocaleString('en')} | ${p.far.toExponential(2)} | ${p.tar.toFixed(4)} |`);
  }
  for (const r of results.filter((x) => x.top.length)) {
    console.log(`\n${r.id}: the ${r.top.length} highest different-person pairs\n| similarity | image | image |\n|---|---|---|`);
    for (const t of r.top) console.log(`| ${t.similarity.toFixed(4)} | ${t.a} | ${t.b} |`);
  }
  console.log(`\n${notes.join('\n')}`);
}
