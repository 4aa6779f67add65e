// Open-set identification THROUGH the Worker at small N (issue 19 item 6): starts the local verifier
// (wrangler dev, fresh state), enrols N LFW peopleDevTest people with one image each through the
// admin API, sends mated probes (other images of enrolled people, ≤ --mated-per-person each) and
// non-mated probes (one image of every peopleDevTest person not enrolled) to /v1/identify at the
// served defaults, and reports FPIR, FNIR and the operating point the answers carry. The gallery and
// probes are one draw of scripts/identify-bench.ts (the same images of the cached `lfw` source, the
// same drawGallery): the in-process search of that draw at the same threshold is printed beside it,
// with the probes whose decision differs and the largest score difference, and the in-process rates
// of identify-bench's other draws at this N for context.
//   npx tsx scripts/identify-worker.ts [--backbone inception_v3|dlib_resnet] [--n 100] [--draw 0]
//        [--seed 1] [--mated-per-person 5] [--non-mated k] [--concurrency 2] [--bench-draws 10] [--server-log] [--json]
import { Command } from 'commander';
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { readManifest } from '../models/node/load.js';
import { photosDir, resolveDataDir } from '../paths.js';
import { BACKBONE_IDS, DEFAULT_BACKBONE, manifestOf } from '../trainer/backbone/ids.js';
import { drawGallery, ratesAt, search } from '../trainer/evaluation/identify.js';
import { perComparisonFar, thresholdForFar } from '../trainer/evaluation/impostors.js';
import { impostorsFor } from '../trainer/evaluation/operating-points.js';
import { ServedFaces } from '../trainer/evaluation/served-faces.js';
import { progressBar, wantProgress } from '../trainer/run/progress.js';
import { embedSource } from './lib/embedding-sources.js';
import { startLocalServer } from './lib/local-server.js';
import { enrolGallery, identifyProbes, workerRates, type Probe } from './lib/worker-identify.js';

const o = new Command()
  .description('Open-set identification through the local Worker: FPIR / FNIR at the served defaults, beside the in-process search of the same draw')
  .option('--backbone <id>', `served backbone (${BACKBONE_IDS.join(', ')})`, DEFAULT_BACKBONE)
  .option('--n <n>', 'people enrolled (one image each)', '100')
  .option('--draw <k>', 'which seeded draw of scripts/identify-bench.ts', '0')
  .option('--seed <n>', 'seed of the draws', '1')
  .option('--mated-per-person <n>', 'mated probes per enrolled person at most', '5')
  .option('--non-mated <k>', 'at most k non-mated probes (the draw\'s first k, a seeded subset; default: all)')
  .option('--concurrency <n>', 'requests in flight', '2')
  .option('--bench-draws <n>', 'in-process draws shown for context (identify-bench pools 10)', '10')
  .option('--data <dir>', 'LFW root (default ../shared/data/lfw or $FACES_DIR)')
  .option('--server-log', "show wrangler dev's own output")
  .option('--json', 'print one JSON object')
  .parse().opts();

const IDENTIFY_FPIR = 0.01;
const manifest = readManifest(manifestOf(o.backbone));
const { impostors, reason } = impostorsFor(o.backbone, manifest.modelVersion);
if (!impostors) throw new Error(`no impostor table for ${manifest.modelVersion}: ${reason}`);
const lfw = resolveDataDir(o.data);
const log = (m: string) => console.error(`[identify-worker ${o.backbone}] ${m}`);
const n = Number(o.n), conc = Number(o.concurrency);

const L = await embedSource('lfw', manifest, () => ServedFaces.create(manifest, 1), { lfw, photos: photosDir(), seed: 1, perPerson: 3 });
const draw = drawGallery(L.identities, { n, enrol: 1, matedPerPerson: Number(o.matedPerPerson), minNonMated: 1, seed: Number(o.seed), draw: Number(o.draw) });
if (o.nonMated !== undefined) draw.nonMated = draw.nonMated.slice(0, Number(o.nonMated));
const photo = (row: number) => join(lfw.images, L.keys[row]);

// In process: the same draw, the threshold the Worker should apply (IDENTIFY_FPIR over N rows).
const inProcess = search(L.embeddings, L.dim, draw);
const expected = thresholdForFar(impostors.tables[impostors.served], perComparisonFar(IDENTIFY_FPIR, n));
const inRates = ratesAt(inProcess, 'raw', expected.point.score);
// Context: the same search over identify-bench's draws at this N (galleries differ from draw to draw).
const benchDraws = Array.from({ length: Number(o.benchDraws) }, (_v, d) =>
  ratesAt(search(L.embeddings, L.dim, drawGallery(L.identities, { n, enrol: 1, matedPerPerson: Number(o.matedPerPerson), minNonMated: 1, seed: Number(o.seed), draw: d })), 'raw', expected.point.score));

const probes: Probe[] = [...draw.mated.map((m) => ({ photo: photo(m.row), identity: m.identity })), ...draw.nonMated.map((r) => ({ photo: photo(r) }))];
const persistTo = mkdtempSync(join(tmpdir(), 'identify-worker-'));
const server = await startLocalServer({ persistTo, backbone: o.backbone, stdio: o.serverLog ? 'inherit' : 'ignore', log });
const t0 = performance.now();
const retried = { count: 0 };
let lowQuality: string[], outcomes: Awaited<ReturnType<typeof identifyProbes>>, seconds: { enrol: number; identify: number };
try {
  const bar = progressBar('enrol    ', wantProgress(o.json));
  ({ lowQuality } = await enrolGallery(server, draw.gallery.map((g) => ({ id: g.identity, photo: photo(g.rows[0]) })), conc, (k) => bar(k, draw.gallery.length), retried));
  bar.end();
  const t1 = performance.now();
  log(`enrolled ${draw.gallery.length} people in ${((t1 - t0) / 1000).toFixed(0)} s (${lowQuality.length} below the quality floor, enrolled with quality=skip)`);
  const pbar = progressBar('identify ', wantProgress(o.json));
  outcomes = await identifyProbes(server, probes, conc, (k) => pbar(k, probes.length), retried);
  pbar.end();
  seconds = { enrol: (t1 - t0) / 1000, identify: (performance.now() - t1) / 1000 };
} finally {
  await server.stop();
  rmSync(persistTo, { recursive: true, force: true });
}

const rates = workerRates(outcomes);
const answered = outcomes.flatMap((x) => ('answer' in x ? [x.answer] : []));
const ops = answered.map((a) => a.operatingPoint);
const distinct = (xs: unknown[]) => [...new Set(xs)];
// Per probe: the Worker's decision and top score vs the in-process search of the same photo.
let differ = 0, maxDelta = 0;
outcomes.forEach((x, i) => {
  const p = inProcess[i], pass = p.scores.raw > expected.point.score;
  const inName = pass ? (p.mated ? (p.rightTop ? 'right' : 'wrong') : 'named') : 'none';
  const w = 'answer' in x ? x.answer : undefined;
  const wName = !w?.match ? 'none' : x.probe.identity === undefined ? 'named' : w.match.id === x.probe.identity ? 'right' : 'wrong';
  if (inName !== wName) differ++;
  const top = w?.candidates?.[0];
  if (top) maxDelta = Math.max(maxDelta, Math.abs(top.similarity - (1 + p.scores.raw / 2)));
});

const result = {
  command: `npx tsx scripts/identify-worker.ts ${process.argv.slice(2).join(' ')}`.trim(),
  machine: `${process.arch} · ${cpus()[0]?.model.trim()} × ${cpus().length} · node ${process.version}`,
  model: manifest.modelVersion, backbone: o.backbone, n, draw: Number(o.draw), seed: Number(o.seed), seconds, lowQualityEnrolments: lowQuality.length, resentAfterConnectionLoss: retried.count,
  worker: { ...rates, operatingPoint: {
    source: distinct(ops.map((p) => p.source)), origin: distinct(ops.map((p) => p.origin)), fpir: distinct(ops.map((p) => p.fpir)),
    far: distinct(ops.map((p) => p.far)), similarity: distinct(ops.map((p) => p.similarity)), identities: distinct(ops.map((p) => p.identities)),
    comparisons: distinct(ops.map((p) => p.comparisons)), expectedFpir: distinct(ops.map((p) => p.expectedFpir)), clamped: distinct(ops.map((p) => p.clamped)),
    galleryIdentities: distinct(answered.map((a) => a.gallery.identities)) } },
  inProcess: { far: perComparisonFar(IDENTIFY_FPIR, n), similarity: 1 + expected.point.score / 2, clamped: expected.clamped, fpir: inRates.fpir, fnir: inRates.fnir },
  agreement: { probes: outcomes.length, decisionsDiffer: differ, maxTopSimilarityDelta: maxDelta },
  inProcessDraws: benchDraws.map((r) => ({ fpir: r.fpir, fnir: r.fnir })),
};
if (o.json) console.log(JSON.stringify(result, null, 2));
else {
  const pct = (x: number) => `${(100 * x).toFixed(1)}%`;
  const w = result.worker, op = w.operatingPoint;
  const fmt = (xs: unknown[], f: (x: number) => string) => xs.map((x) => (typeof x === 'number' ? f(x) : String(x))).join(', ');
  console.log(`\`${result.command}\` · ${result.machine} · ${manifest.modelVersion} · draw ${result.draw} of seed ${result.seed}`);
  console.log(`enrolled ${n} (1 image each; ${result.lowQualityEnrolments} below the quality floor, enrolled with quality=skip) in ${seconds.enrol.toFixed(0)} s; ${outcomes.length} probes in ${seconds.identify.toFixed(0)} s${retried.count ? ` (${retried.count} requests resent after the connection dropped: wrangler dev reloading)` : ''}\n`);
  console.log('| path | mated / non-mated probes | FPIR (named) | FNIR | refused | operating point: source, fpir → per-comparison far → similarity; identities / comparisons; expectedFpir |');
  console.log('|---|---|---|---|---|---|');
  console.log(`| Worker (/v1/identify, defaults) | ${w.mated} / ${w.nonMated} | ${pct(w.fpir)} (${Math.round(w.fpir * w.nonMated)}) | ${pct(w.fnir)} | ${JSON.stringify(w.refused)} | ${op.source.join(',')} (${op.origin.join(',')}), ${op.fpir.join(',')} → ${fmt(op.far, (x) => x.toExponential(3))} → ${fmt(op.similarity, (x) => x.toFixed(4))}; ${op.identities.join(',')} / ${op.comparisons.join(',')}; ${fmt(op.expectedFpir, (x) => `${(100 * x).toFixed(2)}%`)}${op.clamped.some(Boolean) ? ' (clamped)' : ''} |`);
  const ip = result.inProcess;
  console.log(`| in process, same draw (cached embeddings) | ${w.mated} / ${w.nonMated} | ${pct(ip.fpir)} (${Math.round(ip.fpir * w.nonMated)}) | ${pct(ip.fnir)} | — | ${IDENTIFY_FPIR} → ${ip.far.toExponential(3)} → ${ip.similarity.toFixed(4)}${ip.clamped ? ' (clamped)' : ''} |`);
  console.log(`\ndecisions that differ between the two paths: ${differ} of ${outcomes.length}; largest top-candidate similarity difference ${maxDelta.toFixed(4)}`);
  const span = (xs: number[]) => `${pct(Math.min(...xs))}–${pct(Math.max(...xs))}`;
  if (benchDraws.length) console.log(`in process over draws 0–${benchDraws.length - 1} at this N (one gallery each): FPIR ${span(benchDraws.map((r) => r.fpir))}, FNIR ${span(benchDraws.map((r) => r.fnir))}`);
}
