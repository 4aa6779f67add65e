// Experiment. Decision it supports: int8 gallery rows with a per-row scale as the default (GALLERY_DTYPE). Result recorded in BENCHMARKS.md, "Gallery rows: int8 with a per-row scale, now the default".
// How much int8 gallery rows move identify's scores and decisions on real faces: the edge model's
// embeddings of the committed test CSV (800 comparisons), the enrolled side stored as int8 with the
// per-row scale of edge/src/gallery/pack.ts, or with the older fixed 1/127 scale, vs float32.
// Usage: npx tsx scripts/experiments/gallery-rows.ts [--data DIR]
import { Command } from 'commander';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { I8_UNIT, quantizeRow } from '../../edge/src/gallery/pack.js';
import { readManifest, NodeEmbedder } from '../../models/node/load.js';
import { preprocess } from '../../models/contract/preprocess.js';
import { dot } from '../../models/contract/distance.js';
import { decodeImage } from '../../trainer/data/images.js';
import { parseTripletsCsv } from '../../trainer/data/test-set.js';
import { repoRoot, resolveDataDir } from '../../paths.js';

const o = new Command().option('--data <dir>').parse().opts();
const m = readManifest();
const lfw = resolveDataDir(o.data);
const model = await NodeEmbedder.create(m, 'int8');
const cache = new Map<string, Float32Array>();
const embed = async (p: string) => cache.get(p) ?? cache.set(p, await model.embed(preprocess(await decodeImage(join(lfw.images, p)), m.preprocess))).get(p)!;
const perRow = (v: Float32Array) => {
  const q = new Int8Array(v.length), s = quantizeRow(v, q) * I8_UNIT;
  return Float32Array.from(q, (x) => x * s);
};
const fixed = (v: Float32Array) => v.map((x) => Math.round(x * 127) / 127);
const T = m.threshold.similarity;
const stats = { 'int8, per-row scale (edge)': { maxD: 0, flips: 0, f: perRow }, 'int8, fixed 1/127 (older shards)': { maxD: 0, flips: 0, f: fixed } };
let n = 0, near = 0;
for (const t of parseTripletsCsv(readFileSync(join(repoRoot, 'models/test-triplets.csv'), 'utf8'))) {
  const a = await embed(t.anchor);
  for (const other of [t.positive, t.negative]) {
    const b = await embed(other), s = dot(a, b);
    for (const st of Object.values(stats)) {
      const s8 = dot(st.f(a), b);
      st.maxD = Math.max(st.maxD, Math.abs(s - s8));
      if ((s > T) !== (s8 > T)) st.flips++;
    }
    if (Math.abs(s - T) < 0.005) near++;
    n++;
  }
}
console.log(`${n} test-CSV comparisons, edge model ${m.modelVersion}, similarity threshold ${T.toFixed(4)} (${near} within 0.005 of it)\n`);
console.log('| enrolled rows | max \\|Δ similarity\\| vs float32 | decisions changed |');
console.log('|---|---|---|');
for (const [k, st] of Object.entries(stats)) console.log(`| ${k} | ${st.maxD.toFixed(5)} | ${st.flips} of ${n} |`);
