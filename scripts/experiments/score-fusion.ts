// Experiment. Decision it supports: whether fusing the two served backbones' scores separates
// better at low FAR than the better one alone (issue 20 item 3). Result recorded in BENCHMARKS.md,
// "Score fusion of the two backbones".
// On the cached LFW peopleDevTest embeddings of scripts/impostors.ts (both int8 edge models through
// the whole face path; images both embedded), the identities are split in two by a seeded shuffle:
// the weight w of fused = w·z(dlib) + (1 − w)·z(inception) (each R standardised by its impostor
// moments, fitted on the choosing half) is chosen on one half for the best TAR at FAR 1e-4, and
// TAR at FAR 1e-3 / 1e-4 / 1e-5 is reported on the other half beside each backbone alone.
//   npx tsx scripts/experiments/score-fusion.ts [--seed 1] [--json]
import { parseArgs } from 'node:util';
import { readManifest } from '../../models/node/load.js';
import { resolveDataDir } from '../../paths.js';
import { manifestOf } from '../../trainer/backbone/ids.js';
import { makeRng, shuffle } from '../../trainer/data/rng.js';
import { EmbeddingCache, embeddingsDir, type Embedded } from '../../trainer/evaluation/embedding-cache.js';
import { fusedPairScores, impostorMoments, type Embeddings } from '../../trainer/evaluation/fusion.js';
import { thresholdAt } from '../../trainer/evaluation/impostors.js';
import { lfwTestPeople } from '../lib/embedding-sources.js';

const { values: o } = parseArgs({ options: { seed: { type: 'string', default: '1' }, json: { type: 'boolean', default: false }, data: { type: 'string' } } });
const lfw = resolveDataDir(o.data);
const keys = lfwTestPeople(lfw).flatMap((p) => p.paths);

function cached(backbone: string): Embedded {
  const m = readManifest(manifestOf(backbone));
  const cache = new EmbeddingCache(embeddingsDir(m.modelVersion, 'lfw'), m.modelVersion, 'lfw', { source: 'lfw', offCentre: 50 });
  if (keys.some((k) => !cache.has(k))) throw new Error(`${backbone}: LFW embeddings are not all cached; run npx tsx scripts/impostors.ts --backbone ${backbone}`);
  return cache.embedded(keys);
}
const dlib = cached('dlib_resnet'), incep = cached('inception_v3');
const both = dlib.keys.filter((k) => incep.keys.includes(k));
const rowOf = (e: Embedded) => new Map(e.keys.map((k, i) => [k, i]));
const dRow = rowOf(dlib), iRow = rowOf(incep);
const people = shuffle([...new Set(both.map((k) => k.split('/')[0]))].sort(), makeRng(Number(o.seed)));
const half = new Set(people.slice(0, people.length >> 1));

function subset(inChoose: boolean) {
  const ks = both.filter((k) => half.has(k.split('/')[0]) === inChoose);
  const take = (e: Embedded, rows: Map<string, number>): Embeddings => {
    const values = new Float32Array(ks.length * e.dim);
    ks.forEach((k, i) => values.set(e.embeddings.subarray(rows.get(k)! * e.dim, (rows.get(k)! + 1) * e.dim), i * e.dim));
    return { values, dim: e.dim };
  };
  return { labels: ks.map((k) => k.split('/')[0]), d: take(dlib, dRow), i: take(incep, iRow) };
}

const WEIGHTS = Array.from({ length: 21 }, (_v, k) => k / 20);
const choose = subset(true), report = subset(false);
const zd = impostorMoments(choose.d, choose.labels), zi = impostorMoments(choose.i, choose.labels);
const tarAt = (s: ReturnType<typeof fusedPairScores>[number], far: number) => thresholdAt(s, far)?.tar ?? NaN;
const chosen = fusedPairScores(choose.d, choose.i, zd, zi, choose.labels, WEIGHTS);
const best = WEIGHTS.reduce((bw, w, k) => (tarAt(chosen[k], 1e-4) > tarAt(chosen[WEIGHTS.indexOf(bw)], 1e-4) ? w : bw), 1);
const [fused, dlibOnly, incepOnly] = fusedPairScores(report.d, report.i, zd, zi, report.labels, [best, 1, 0]);
const FARS = [1e-3, 1e-4, 1e-5];
const rows = [['dlib_resnet alone', dlibOnly], ['inception_v3 alone', incepOnly], [`fused, w = ${best}`, fused]] as const;
const result = {
  images: { choose: choose.labels.length, report: report.labels.length },
  people: { choose: half.size, report: people.length - half.size },
  pairs: { impostor: fused.impostor.length, genuine: fused.genuine.length },
  weight: best,
  chooseTarAt1e4: Object.fromEntries(WEIGHTS.map((w, k) => [w, tarAt(chosen[k], 1e-4)])),
  report: rows.map(([name, s]) => ({ name, tar: Object.fromEntries(FARS.map((f) => [f, tarAt(s, f)])) })),
};
if (o.json) console.log(JSON.stringify(result));
else {
  console.log(`choosing half: ${result.people.choose} people, ${result.images.choose} images; reporting half: ${result.people.report} people, ${result.images.report} images, ${result.pairs.impostor} impostor / ${result.pairs.genuine} genuine pairs`);
  console.log(`w chosen for TAR at FAR 1e-4 on the choosing half: ${best} (w = 1: dlib alone)`);
  console.log('| scores (reporting half) | TAR at FAR 1e-3 | 1e-4 | 1e-5 |\n|---|---|---|---|');
  for (const r of result.report) console.log(`| ${r.name} | ${FARS.map((f) => r.tar[f].toFixed(4)).join(' | ')} |`);
}
