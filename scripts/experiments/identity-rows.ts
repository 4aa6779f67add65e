// Experiment. Decision it supports: whether identify's operating point should count an identity
// enrolled with k images as fewer than k comparisons (issue 19's served rule counts gallery rows). A
// stranger's best score against one identity's k rows is what can name them; when the rows are
// alike, that is less likely than k independent comparisons. On the cached LFW embeddings of the
// served int8 model (scripts/impostors.ts's `lfw` source): for identities with ≥ k images (first k
// as the rows) and every face of other people as a probe, the probe-identity pairs whose best row
// clears the served table's threshold at FAR 1e-3 / 1e-4 / 1e-5, against those whose first row alone
// does: c_k = any-of-k / one-row (1 = the rows add nothing, k = independent).
// Result recorded in BENCHMARKS.md, "Effective comparisons of a multi-image identity (2026-12-05)".
//   npx tsx scripts/experiments/identity-rows.ts [--backbone dlib_resnet] [--ks 2,3,4]
import { Command } from 'commander';
import { readManifest } from '../../models/node/load.js';
import { photosDir, resolveDataDir } from '../../paths.js';
import { manifestOf } from '../../trainer/backbone/ids.js';
import { thresholdForFar } from '../../trainer/evaluation/impostors.js';
import { ServedFaces } from '../../trainer/evaluation/served-faces.js';
import { embedSource } from '../lib/embedding-sources.js';

const o = new Command().option('--backbone <id>', 'served backbone', 'dlib_resnet').option('--ks <list>', 'rows per identity', '2,3,4').parse().opts();
const m = readManifest(manifestOf(o.backbone));
if (!m.impostors) throw new Error(`${m.modelVersion} has no impostor tables`);
const L = await embedSource('lfw', m, async () => ServedFaces.create(m, 1), { lfw: resolveDataDir(), photos: photosDir(), seed: 1, perPerson: 3 });
const d = L.dim, E = L.embeddings;
const byId = new Map<string, number[]>();
L.identities.forEach((p, i) => byId.set(p, [...(byId.get(p) ?? []), i]));
const FARS = [1e-3, 1e-4, 1e-5];
const thresholds = FARS.map((f) => thresholdForFar(m.impostors!.tables[m.impostors!.served], f).point.score);
const r = (i: number, j: number) => { let s = 0; for (let t = 0; t < d; t++) s += E[i * d + t] * E[j * d + t]; return -2 + 2 * s; };
const out = [];
for (const k of o.ks.split(',').map(Number)) {
  const gallery = [...byId.entries()].filter(([, v]) => v.length >= k).map(([p, v]) => [p, v.slice(0, k)] as const);
  const one = FARS.map(() => 0), any = FARS.map(() => 0);
  let pairs = 0;
  for (let q = 0; q < L.identities.length; q++)
    for (const [p, rows] of gallery) {
      if (p === L.identities[q]) continue;
      pairs++;
      const s = rows.map((row) => r(q, row)), best = Math.max(...s);
      thresholds.forEach((t, i) => { if (s[0] > t) one[i]++; if (best > t) any[i]++; });
    }
  out.push({ k, identities: gallery.length, pairs, atFar: FARS.map((far, i) => ({ far, oneRow: one[i], anyOfK: any[i], c: Math.round((100 * any[i]) / one[i]) / 100 })) });
}
console.log(JSON.stringify({ backbone: o.backbone, model: m.modelVersion, faces: L.identities.length, rows: out }, null, 2));
