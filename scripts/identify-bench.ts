// Open-set identification benchmark (issue 19), in-process on the cached embeddings of
// scripts/impostors.ts (the int8 edge model through the whole face path): galleries of N LFW
// peopleDevTest people (disjoint from the InceptionV3 head's training) enrolled with 1 image, or 3
// where they have more, mated and non-mated probes (trainer/evaluation/identify.ts), seeded draws
// pooled; and the sharp photos, each enrolled person held out in turn as the stranger, with and
// without LFW people filling the gallery. Reports FPIR/FNIR at the served defaults (identify:
// FPIR 1% for N → per-comparison FAR through the served impostor table; verify's FAR 1e-3; today's
// T), the oracle FNIR at FPIR 1% / 0.1% (threshold on the non-mated scores themselves) for the raw
// score, T-norm, the centred score and the first-second margin, and rank-1; draws the DET curves to out/
// and keeps them with the served points for the training report (.cache/identify/<modelVersion>.json).
//   npx tsx scripts/identify-bench.ts [--backbone inception_v3|dlib_resnet] [--sizes 100,1000,max]
//        [--enrol 1,3] [--draws 10] [--mated-per-person 5] [--min-non-mated 300] [--seed 1] [--json]
import { Command } from 'commander';
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { join } from 'node:path';
import { readManifest } from '../models/node/load.js';
import { photosDir, repoRoot, resolveDataDir } from '../paths.js';
import { BACKBONE_IDS, DEFAULT_BACKBONE, manifestOf } from '../trainer/backbone/ids.js';
import { atFpir, detCurve, drawGallery, heldOutDraw, rank1, ratesAt, SCORE_KINDS, search, type Draw, type ProbeResult, type ScoreKind } from '../trainer/evaluation/identify.js';
import { writeIdentifyResults } from '../trainer/evaluation/identify-results.js';
import { perComparisonFar, thresholdForFar } from '../trainer/evaluation/impostors.js';
import { impostorsFor } from '../trainer/evaluation/operating-points.js';
import { ServedFaces } from '../trainer/evaluation/served-faces.js';
import { lineChart, type Series } from '../trainer/report/svg-chart.js';
import { embedSource } from './lib/embedding-sources.js';
import { ENROLMENT_DIR } from './lib/photo-labels.js';

const o = new Command()
  .description('Open-set identification on cached embeddings: FPIR / FNIR at the served defaults and at fixed FPIR')
  .option('--backbone <id>', `served backbone (${BACKBONE_IDS.join(', ')})`, DEFAULT_BACKBONE)
  .option('--sizes <list>', 'gallery sizes (max: as many as leave --min-non-mated people out)', '100,1000,max')
  .option('--enrol <list>', 'images enrolled per person', '1,3')
  .option('--draws <n>', 'seeded draws per size, pooled', '10')
  .option('--mated-per-person <n>', 'mated probes per enrolled person at most', '5')
  .option('--min-non-mated <n>', 'people never enrolled at the largest size', '300')
  .option('--photo-fillers <list>', 'LFW people added to the sharp photos\' gallery', '0,100,1000')
  .option('--seed <n>', 'seed of the draws', '1')
  .option('--data <dir>', 'LFW root (default ../shared/data/lfw or $FACES_DIR)')
  .option('--svg <file>', 'DET curves (default out/identify-det-<backbone>.svg)')
  .option('--json', 'print one JSON object')
  .parse().opts();

const manifest = readManifest(manifestOf(o.backbone));
const { impostors, reason } = impostorsFor(o.backbone, manifest.modelVersion);
if (!impostors) throw new Error(`no impostor table for ${manifest.modelVersion}: ${reason}`);
const served = impostors.tables[impostors.served];
const lfw = resolveDataDir(o.data);
const log = (m: string) => console.error(`[identify-bench ${o.backbone}] ${m}`);
let faces: ServedFaces | undefined;
const embedded = async (source: 'lfw' | 'photos') => {
  const e = await embedSource(source, manifest, async () => (faces ??= await ServedFaces.create(manifest, 1)), { lfw, photos: photosDir(), seed: 1, perPerson: 3 });
  log(`${source}: ${e.identities.length} faces (${e.refused.length} refused)${e.seconds > 1 ? `, embedded in ${e.seconds.toFixed(0)} s` : ', from the cache'}`);
  return e;
};
const L = await embedded('lfw');
const P = await embedded('photos');
const dim = L.dim;
const VERIFY_FAR = 1e-3, IDENTIFY_FPIR = 0.01;
const verifyT = thresholdForFar(served, VERIFY_FAR).point.score;
const T = manifest.threshold.score;

interface Row {
  set: string; n: number; enrol: number; draws: number; mated: number; nonMated: number; rank1: number;
  identifyDefault: { far: number; threshold: number; clamped: boolean; fpir: number; fnir: number };
  /** The same FPIR target with N = the gallery's rows (templates) searched, per draw. */
  identifyByRows: { rows: number; fpir: number; fnir: number; clamped: boolean };
  verifyDefault: { fpir: number; fnir: number };
  manifestT: { fpir: number; fnir: number };
  oracle: Record<ScoreKind, { fnirAt1: number; fnirAt01: number }>;
  det: Record<ScoreKind, [number, number][]>;
}

/** FPIR / FNIR with each draw's threshold from its own count of gallery rows, probes pooled. */
function byRows(perDraw: ProbeResult[][], draws: Draw[]): Row['identifyByRows'] {
  let nm = 0, fp = 0, m = 0, miss = 0, rows = 0, clamped = false;
  perDraw.forEach((res, i) => {
    const n = draws[i].gallery.reduce((a, g) => a + g.rows.length, 0);
    const t = thresholdForFar(served, perComparisonFar(IDENTIFY_FPIR, n));
    const r = ratesAt(res, 'raw', t.point.score), k = res.filter((p) => !p.mated).length;
    nm += k; fp += r.fpir * k; m += res.length - k; miss += r.fnir * (res.length - k); rows += n; clamped ||= t.clamped;
  });
  return { rows: rows / draws.length, fpir: fp / nm, fnir: miss / m, clamped };
}

function summarise(set: string, n: number, enrol: number, draws: Draw[], embeddings: Float32Array): Row {
  const perDraw = draws.map((d) => search(embeddings, dim, d));
  const res: ProbeResult[] = perDraw.flat();
  const far = perComparisonFar(IDENTIFY_FPIR, n);
  const { point, clamped } = thresholdForFar(served, far);
  const id = ratesAt(res, 'raw', point.score), v = ratesAt(res, 'raw', verifyT), t = ratesAt(res, 'raw', T);
  return {
    set, n, enrol, draws: draws.length, mated: res.filter((r) => r.mated).length, nonMated: res.filter((r) => !r.mated).length, rank1: rank1(res),
    identifyDefault: { far, threshold: point.score, clamped, fpir: id.fpir, fnir: id.fnir }, identifyByRows: byRows(perDraw, draws),
    verifyDefault: { fpir: v.fpir, fnir: v.fnir }, manifestT: { fpir: t.fpir, fnir: t.fnir },
    oracle: Object.fromEntries(SCORE_KINDS.map((k) => [k, { fnirAt1: atFpir(res, k, 0.01).fnir, fnirAt01: atFpir(res, k, 0.001).fnir }])) as Row['oracle'],
    det: Object.fromEntries(SCORE_KINDS.map((k) => [k, detCurve(res, k)])) as Row['det'],
  };
}

const people = new Set(L.identities).size;
const minNonMated = Number(o.minNonMated), nDraws = Number(o.draws), seed = Number(o.seed);
const rows: Row[] = [];
for (const enrol of String(o.enrol).split(',').map(Number))
  for (const s of String(o.sizes).split(',')) {
    const n = s === 'max' ? people - minNonMated : Number(s);
    const draws = Array.from({ length: nDraws }, (_v, draw) => drawGallery(L.identities, { n, enrol, matedPerPerson: Number(o.matedPerPerson), minNonMated: s === 'max' ? minNonMated : 1, seed, draw }));
    rows.push(summarise('LFW peopleDevTest', n, enrol, draws, L.embeddings));
    log(`LFW N=${n} enrol ${enrol}: done`);
  }

// The sharp photos, each enrolled person held out in turn (with LFW people as fillers: rows after the photos' own).
const both = new Float32Array(P.embeddings.length + L.embeddings.length);
both.set(P.embeddings);
both.set(L.embeddings, P.embeddings.length);
const isEnrolment = (r: number) => P.keys[r].startsWith(`${ENROLMENT_DIR}/`);
const enrolledPhotoIds = [...new Set(P.identities.filter((_id, r) => isEnrolment(r)))].sort();
for (const f of String(o.photoFillers).split(',').map(Number)) {
  const draws = enrolledPhotoIds.map((held, i) => {
    const fillers = f ? drawGallery(L.identities, { n: f, enrol: 1, matedPerPerson: 0, minNonMated: 0, seed, draw: i }).gallery.map((g) => ({ identity: `lfw:${g.identity}`, rows: g.rows.map((r) => r + P.keys.length) })) : [];
    return heldOutDraw(P.identities, isEnrolment, held, fillers);
  });
  rows.push(summarise(`sharp photos${f ? ` + ${f} LFW people` : ''}`, enrolledPhotoIds.length - 1 + f, 0, draws, both));
}

const svgPath = o.svg ?? join('out', `identify-det-${o.backbone}.svg`);
{
  const colours = ['#1f77b4', '#d62728', '#2ca02c', '#9467bd', '#ff7f0e', '#8c564b'];
  const lg = (pts: [number, number][]): [number, number][] => pts.map(([x, y]) => [Math.log10(x), y]);
  const lfwRows = rows.filter((r) => r.set.startsWith('LFW'));
  const bySize: Series[] = lfwRows.map((r, i) => ({ name: `N=${r.n}, enrol ${r.enrol}`, points: lg(r.det.raw), color: colours[i % colours.length], dashed: r.enrol > 1 }));
  const big = lfwRows.find((r) => r.enrol === 1 && r.n >= 1000) ?? lfwRows[0];
  const byScore: Series[] = SCORE_KINDS.map((k, i) => ({ name: k, points: lg(big.det[k]), color: colours[i] }));
  const photoRow = rows.filter((r) => !r.set.startsWith('LFW')).at(-1)!;
  const byScorePhotos: Series[] = SCORE_KINDS.map((k, i) => ({ name: k, points: lg(photoRow.det[k]), color: colours[i] }));
  const vLine = { x: Math.log10(IDENTIFY_FPIR), label: 'FPIR 1%' };
  const charts = [
    lineChart(bySize, { title: `${o.backbone}: DET on LFW, raw score`, xLabel: 'log10 FPIR', yLabel: 'FNIR', width: 520, vLine }),
    lineChart(byScore, { title: `${o.backbone}: N=${big.n}, by score`, xLabel: 'log10 FPIR', yLabel: 'FNIR', width: 520, vLine }),
    lineChart(byScorePhotos, { title: `${o.backbone}: ${photoRow.set}`, xLabel: 'log10 FPIR', yLabel: 'FNIR', width: 520, vLine }),
  ];
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${520 * charts.length}" height="300">${charts.map((c, i) => `<g transform="translate(${520 * i} 0)">${c}</g>`).join('')}</svg>\n`;
  mkdirSync(join(repoRoot, 'out'), { recursive: true });
  writeFileSync(join(repoRoot, svgPath), svg);
  log(`DET curves: ${svgPath}`);
}

// The served rule counts comparisons (gallery rows): with several images a person, the by-rows figures.
const servedPoint = (r: Row) => {
  const comparisons = Math.round(r.identifyByRows.rows), far = perComparisonFar(IDENTIFY_FPIR, comparisons), t = thresholdForFar(served, far);
  return { fpirTarget: IDENTIFY_FPIR, comparisons, far, similarity: 1 + t.point.score / 2, clamped: t.clamped, fpir: r.identifyByRows.fpir, fnir: r.identifyByRows.fnir, expectedFpir: -Math.expm1(comparisons * Math.log1p(-t.point.far)) };
};
const resultsPath = writeIdentifyResults({
  modelVersion: manifest.modelVersion, backbone: o.backbone, date: new Date().toISOString().slice(0, 10),
  command: `npx tsx scripts/identify-bench.ts ${process.argv.slice(2).join(' ')}`.trim(),
  source: `LFW peopleDevTest, ${nDraws} seeded draws pooled per gallery size`,
  rows: rows.filter((r) => r.set.startsWith('LFW')).map((r) => ({ n: r.n, enrol: r.enrol, draws: r.draws, mated: r.mated, nonMated: r.nonMated, det: r.det.raw, served: servedPoint(r) })),
});
log(`DET curves and served points for the training report: ${resultsPath}`);

const header = {
  command: `npx tsx scripts/identify-bench.ts ${process.argv.slice(2).join(' ')}`.trim(),
  machine: `${process.arch} · ${cpus()[0]?.model.trim()} × ${cpus().length} · node ${process.version}`,
  model: manifest.modelVersion, served: impostors.served, verifyFar: VERIFY_FAR, verifyThreshold: verifyT, identifyFpir: IDENTIFY_FPIR, manifestT: T,
  lfw: { faces: L.identities.length, refused: L.refused.length, people }, photos: { faces: P.identities.length, refused: P.refused.length },
};
if (o.json) console.log(JSON.stringify({ ...header, rows: rows.map(({ det: _det, ...r }) => r) }, null, 2));
else {
  const pct = (x: number) => (Number.isFinite(x) ? `${(100 * x).toFixed(1)}%` : '—');
  const sim = (score: number) => (1 + score / 2).toFixed(4);
  console.log(`\`${header.command}\` · ${header.machine} · ${manifest.modelVersion} (int8, whole face path) · served table: ${impostors.served}`);
  console.log(`identify default: FPIR ${pct(IDENTIFY_FPIR)} → per-comparison FAR 1 − (1 − fpir)^(1/N) → the served table (loosest point with far ≤ it; * = below the table's lowest point, that point used). verify default: FAR ${VERIFY_FAR} → similarity ${sim(verifyT)}. today's T: similarity ${sim(T)}.\n`);
  console.log('| set | N | enrolled images | draws | mated / non-mated probes | rank-1 | identify default: far → similarity | FPIR | FNIR | same, N = gallery rows: rows, FPIR / FNIR | at verify default FPIR / FNIR | at today\'s T FPIR / FNIR | oracle FNIR at FPIR 1%: raw / T-norm / centred / margin | at FPIR 0.1%: raw / T-norm / centred / margin |');
  console.log('|---|---|---|---|---|---|---|---|---|---|---|---|---|---|');
  for (const r of rows) {
    const d = r.identifyDefault, or = (k: 'fnirAt1' | 'fnirAt01') => SCORE_KINDS.map((s) => pct(r.oracle[s][k])).join(' / ');
    console.log(`| ${r.set} | ${r.n} | ${r.enrol || 'all'} | ${r.draws} | ${r.mated} / ${r.nonMated} | ${pct(r.rank1)} | ${d.far.toExponential(2)} → ${sim(d.threshold)}${d.clamped ? '*' : ''} | ${pct(d.fpir)} | ${pct(d.fnir)} | ${Math.round(r.identifyByRows.rows)}${r.identifyByRows.clamped ? '*' : ''}: ${pct(r.identifyByRows.fpir)} / ${pct(r.identifyByRows.fnir)} | ${pct(r.verifyDefault.fpir)} / ${pct(r.verifyDefault.fnir)} | ${pct(r.manifestT.fpir)} / ${pct(r.manifestT.fnir)} | ${or('fnirAt1')} | ${or('fnirAt01')} |`);
  }
  console.log(`\nProbes are pooled over the draws (LFW: seeded galleries, people with spare images enrolled first, ≤ ${o.matedPerPerson} mated probes per person, one non-mated probe per person left out; photos: each of ${enrolledPhotoIds.length} enrolled people held out in turn). The oracle FNIR picks its threshold on the same non-mated scores: an optimistic curve, resolved only to 1 / non-mated probes.`);
}
