// Experiment. Question: why do today's dlib_resnet int8 embeddings of LFW peopleDevTest (the whole
// served face path, trainer/evaluation/served-faces.ts) differ from the `lfw` cache that
// scripts/impostors.ts wrote at about 06:49 UTC on 2026-12-05 (.cache/embeddings/<modelVersion>/lfw),
// when the model version, the int8 and detector bytes and the manifest's face spec did not change
// (scripts/experiments/dlib-low-far.ts saw min cosine 0.987)? A code change in the face path since
// the cache, or nondeterminism (onnxruntime threads, the detector, image decoding)?
// Re-embeds every cached item (or --limit) exactly as embedding-sources.ts's `lfw` source does
// (ServedFaces.largest, the off-centre rule), counts faces with cosine < 0.99999 to the cached row,
// their distribution, and for the worst: key, cache row, today's detection (box, score, landmarks).
// Then re-embeds the worst faces again in this process and with a second ServedFaces of
// --threads-b threads (determinism). Never prints embeddings.
//   flock /tmp/heavy.lock nice -n 10 npx tsx scripts/experiments/cache-drift.ts [--limit 0] [--worst 10] [--threads 1] [--threads-b 2] [--out file.json]
// Result recorded in BENCHMARKS.md, "Embedding cache drift (2026-12-05)": of 3,693 faces, 3,674 bit-identical;
// the 19 that differ (cosine 0.9868–0.9973) are exactly the faces the whole-image pass misses and the
// padded retry (038ba8a) finds. a6334c3 refuses all 19 as no_face, so the cache was written by a working
// tree holding an uncommitted draft of that retry (no fit/fill of 1/1.5–1/2 × 0/128 reproduces it);
// rerunning is deterministic (twice in one process, threads 1 vs 2: bit-identical).
import { Command } from 'commander';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { readManifest } from '../../models/node/load.js';
import { resolveDataDir } from '../../paths.js';
import { manifestOf } from '../../trainer/backbone/ids.js';
import { decodeImage } from '../../trainer/data/images.js';
import { EmbeddingCache, embeddingsDir } from '../../trainer/evaluation/embedding-cache.js';
import { type FaceResult, ServedFaces } from '../../trainer/evaluation/served-faces.js';
import { OFF_CENTRE } from '../lib/embedding-sources.js';

const o = new Command()
  .option('--limit <n>', 'first n cached items (0: all)', '0')
  .option('--worst <n>', 'worst faces listed and re-checked', '10')
  .option('--threads <n>', 'onnxruntime intra-op threads of the main pass', '1')
  .option('--threads-b <n>', 'threads of the second ServedFaces for the determinism check', '2')
  .option('--data <dir>', 'LFW root (default ../shared/data/lfw or $FACES_DIR)')
  .option('--out <file>', 'write the worst faces (keys, detections, cosines; no embeddings) as JSON')
  .parse().opts();

const SAME = 0.99999;
const log = (m: string) => console.error(`[cache-drift ${new Date().toISOString().slice(11, 19)}] ${m}`);
const manifest = readManifest(manifestOf('dlib_resnet'));
const lfw = resolveDataDir(o.data);
const dir = embeddingsDir(manifest.modelVersion, 'lfw');
// The `lfw` source's config (embedding-sources.ts configOf): a different one would read as empty. The
// cache is read whatever face-path code wrote it (its stored fingerprint; none before they were kept).
const index = JSON.parse(readFileSync(join(dir, 'index.json'), 'utf8')) as { code?: string; items: { key: string; row?: number; refused?: string }[] };
const cache = new EmbeddingCache(dir, manifest.modelVersion, 'lfw', { source: 'lfw', offCentre: OFF_CENTRE }, index.code ?? '');
const items = index.items;
if (!cache.size) throw new Error(`${dir}: empty or written under another config`);
const limit = Number(o.limit) || items.length;
const todo = items.slice(0, limit);
const cached = cache.embedded(todo.map((it) => it.key));
const rowOf = new Map(cached.keys.map((k, i) => [k, cached.embeddings.subarray(i * cached.dim, (i + 1) * cached.dim)]));
const refusedOf = new Map(cached.refused.map((r) => [r.key, r.reason]));

/** What the `lfw` source stores for one photo: ServedFaces.largest, then the off-centre rule on the 250 px photo. */
async function embed(faces: ServedFaces, key: string): Promise<FaceResult | { refused: 'off_centre' }> {
  const img = await decodeImage(join(lfw.images, key));
  const r = await faces.largest(img);
  if (!('face' in r)) return r;
  const k = 250 / img.width, b = r.face.box;
  return Math.hypot((b.x + b.w / 2) * k - 125, (b.y + b.h / 2) * k - 125) > OFF_CENTRE ? { refused: 'off_centre' } : r;
}
const cosine = (a: Float32Array, b: Float32Array) => {
  let ab = 0, aa = 0, bb = 0;
  for (let i = 0; i < a.length; i++) { ab += a[i] * b[i]; aa += a[i] * a[i]; bb += b[i] * b[i]; }
  return ab / Math.sqrt(aa * bb);
};
const maxAbs = (a: Float32Array, b: Float32Array) => a.reduce((m, v, i) => Math.max(m, Math.abs(v - b[i])), 0);

const faces = await ServedFaces.create(manifest, Number(o.threads));
type Row = { key: string; row: number; cos: number; maxAbs: number; face: unknown };
const rows: Row[] = [];
const statusChanged: { key: string; cached: string; now: string }[] = [];
const t0 = performance.now();
for (const [i, it] of todo.entries()) {
  const r = await embed(faces, it.key);
  const was = rowOf.get(it.key), now = 'embedding' in r ? r.embedding : undefined;
  if (was && now && 'face' in r) rows.push({ key: it.key, row: it.row ?? -1, cos: cosine(was, now), maxAbs: maxAbs(was, now), face: r.face });
  else if (!was !== !now || (!was && !now && refusedOf.get(it.key) !== ('refused' in r ? r.refused : ''))) statusChanged.push({ key: it.key, cached: was ? 'embedded' : refusedOf.get(it.key) ?? '?', now: now ? 'embedded' : 'refused' in r ? r.refused : '?' });
  if ((i + 1) % 250 === 0) log(`${i + 1}/${todo.length} (${((performance.now() - t0) / (i + 1)).toFixed(0)} ms a photo)`);
}

const differ = rows.filter((r) => r.cos < SAME);
const identical = rows.filter((r) => r.maxAbs === 0).length;
const bins = [1 - 1e-5, 0.9999, 0.999, 0.995, 0.99, 0.98, -1];
const hist = bins.slice(0, -1).map((hi, j) => ({ range: `[${bins[j + 1] === -1 ? '-1' : bins[j + 1]}, ${hi})`, n: rows.filter((r) => r.cos < hi && r.cos >= bins[j + 1]).length }));
const worst = [...rows].sort((a, b) => a.cos - b.cos).slice(0, Number(o.worst));
// Where the differing faces sit in the cache (rows are in the order they were written).
const blocks = new Map<number, { n: number; d: number }>();
for (const r of rows) { const b = Math.floor(r.row / 500) * 500, e = blocks.get(b) ?? { n: 0, d: 0 }; e.n++; if (r.cos < SAME) e.d++; blocks.set(b, e); }

log(`${todo.length} cached items (of ${items.length}), ${rows.length} embedded then and now: ${identical} bit-identical, ${differ.length} with cosine < ${SAME}; min cosine ${worst[0]?.cos.toFixed(6)}, max |Δ| ${Math.max(0, ...rows.map((r) => r.maxAbs)).toExponential(2)}; ${statusChanged.length} refused/embedded changed`);
for (const h of hist) log(`  cosine in ${h.range}: ${h.n}`);
log(`  differing by cache row block: ${[...blocks].sort((a, b) => a[0] - b[0]).map(([b, e]) => `${b}+: ${e.d}/${e.n}`).join(', ')}`);
for (const s of statusChanged.slice(0, 20)) log(`  status ${s.key}: cached ${s.cached}, now ${s.now}`);
const fmt = (f: unknown) => { const d = f as { box: { x: number; y: number; w: number; h: number }; score: number; landmarks: [number, number][] }; return `box ${[d.box.x, d.box.y, d.box.w, d.box.h].map((v) => v.toFixed(1)).join(',')} score ${d.score.toFixed(4)} lm ${d.landmarks.map(([x, y]) => `${x.toFixed(1)},${y.toFixed(1)}`).join(' ')}`; };
for (const w of worst) log(`  worst ${w.key} row ${w.row}: cos ${w.cos.toFixed(6)} max|Δ| ${w.maxAbs.toExponential(2)}; now ${fmt(w.face)}`);

// Determinism: the worst faces again in this process, and with another ServedFaces of --threads-b threads.
const again = await ServedFaces.create(manifest, Number(o.threadsB));
let dSelf = 0, dThreads = 0, dDet = 0;
for (const w of worst) {
  const [a, b, c] = [await embed(faces, w.key), await embed(faces, w.key), await embed(again, w.key)];
  if (!('embedding' in a) || !('embedding' in b) || !('embedding' in c)) { log(`  ${w.key}: refused on a rerun`); dSelf = Number.POSITIVE_INFINITY; continue; }
  dSelf = Math.max(dSelf, maxAbs(a.embedding, b.embedding));
  dThreads = Math.max(dThreads, maxAbs(a.embedding, c.embedding));
  dDet = Math.max(dDet, ...a.face.landmarks.flatMap(([x, y], j) => [Math.abs(x - c.face.landmarks[j][0]), Math.abs(y - c.face.landmarks[j][1])]));
}
log(`determinism on the ${worst.length} worst: max |Δ| twice in one process ${dSelf.toExponential(2)}, threads ${o.threads} vs ${o.threadsB} ${dThreads.toExponential(2)} (landmarks ${dDet.toExponential(2)} px)`);
if (o.out) writeFileSync(o.out, JSON.stringify({ modelVersion: manifest.modelVersion, items: todo.length, compared: rows.length, identical, differ: differ.length, hist, statusChanged, worst, determinism: { dSelf, dThreads, dLandmarks: dDet } }, null, 1));
