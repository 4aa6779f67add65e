// Experiment. Decision it supports: which InceptionV3 head is committed (cut, grid, training settings). Result recorded in BENCHMARKS.md, "InceptionV3 accuracy ladder (2026-11-30 15:00 UTC)" and "Distillation from dlib_resnet into the InceptionV3 head (2026-12-05)".
// The InceptionV3 accuracy ladder (issue 13): each rung is a feature store plus training settings,
// run as train → export (float16) → threshold (10-fold CV on validation identities) → evaluate, in
// out/ladder/<rung>/. `--table` prints the ablation table from whatever rungs have finished. The
// model to commit is chosen on validation identities only (the threshold step's 10-fold CV accuracy on
// 2,000 comparisons); the test columns are never used to choose.
// Distillation rungs (issue 20 item 1) also read the teacher store (`npx tsx trainer/cli.ts teacher
// [--views K]`: dlib_resnet embeddings, and K jittered views in both stores).
//   npx tsx scripts/experiments/ladder.ts <rung> [<rung> ...]     run rungs (resumes an interrupted one)
//   npx tsx scripts/experiments/ladder.ts --table                 markdown rows for BENCHMARKS.md
//   npx tsx scripts/experiments/ladder.ts --list                  the rungs and what they change
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { repoRoot, resolveDataDir } from '../../paths.js';
import { FeatureStore } from '../../trainer/features/store.js';
import { CACHE_ROOT } from '../../trainer/features/cache-root.js';
import { openStores } from '../../trainer/features/extract.js';
import { tapByName } from '../../trainer/features/taps.js';
import { loadBackbone } from '../../trainer/backbone/source.js';
import { LFW_CROP_SIDE, lfwPreprocess } from '../../models/contract/preprocess.js';
import { DEFAULT_CONFIG, type TrainConfig } from '../../trainer/training/config.js';
import { trainOnStore } from '../../trainer/training/train-store.js';
import { evaluateStep, exportStep, thresholdStep, type Evaluation } from '../../trainer/run/run-steps.js';
import { readJson, readRunHead, runFile } from '../../trainer/run/run-dir.js';
import { openTeacher, teacherDir } from '../../trainer/features/teacher.js';
import { distillSource, type DistillSource } from '../../trainer/training/distill-data.js';

interface Rung { tap: string; set: Partial<TrainConfig>; why: string; /** Backbone input side (default 299). */ size?: number }

/** Rungs after e40-best score 1,000 validation triplets (2,000 comparisons) per epoch: less noise in the best-epoch choice. */
const V = { valTriplets: 1000 };
/** The committed head's recipe (m5grid3-lr3e-4), the base of the distillation rungs. */
const M5 = { ...V, epochs: 15, learningRate: 3e-4 };

/** The reference row is the committed aligned head's recipe (6 epochs, last epoch exported). */
export const RUNGS: Record<string, Rung> = {
  reference: { tap: 'mixed7_grid2', set: { epochs: 6, keepBest: false }, why: 'the committed aligned head (seed recipe, 6 epochs, last epoch)' },
  'e40-best': { tap: 'mixed7_grid2', set: { epochs: 40 }, why: '40 epochs, best validation epoch exported' },
  'lr1e-3': { tap: 'mixed7_grid2', set: { ...V, epochs: 15, learningRate: 1e-3 }, why: 'Adam 1e-3 (10×), 15 epochs, best epoch' },
  'lr3e-4': { tap: 'mixed7_grid2', set: { ...V, epochs: 15, learningRate: 3e-4 }, why: 'Adam 3e-4 (3×), 15 epochs, best epoch' },
  'lr3e-4-m0.4': { tap: 'mixed7_grid2', set: { ...V, epochs: 15, learningRate: 3e-4, margin: 0.4 }, why: 'as lr3e-4, margin 0.4' },
  'lr3e-4-m0.1': { tap: 'mixed7_grid2', set: { ...V, epochs: 15, learningRate: 3e-4, margin: 0.1 }, why: 'as lr3e-4, margin 0.1' },
  'lr3e-4-batchhard': { tap: 'mixed7_grid2', set: { ...V, epochs: 15, learningRate: 3e-4, semiHard: false }, why: 'as lr3e-4, hard negatives without the semi-hard rule' },
  'lr3e-4-random': { tap: 'mixed7_grid2', set: { ...V, epochs: 15, learningRate: 3e-4, hardFraction: 0 }, why: 'as lr3e-4, random triplets only (no adaptive sampling)' },
  'lr3e-4-flip': { tap: 'mixed7_grid2', set: { ...V, epochs: 15, learningRate: 3e-4, flipViews: true }, why: 'as lr3e-4, trained on plain or mirrored features (coin flip per image and epoch)' },
  'size224-lr3e-4': { tap: 'mixed7_grid2', size: 224, set: { ...V, epochs: 15, learningRate: 3e-4 }, why: 'as lr3e-4, backbone input 224 px instead of 299 (0.56× the MACs)' },
  'grid3-lr3e-4': { tap: 'mixed7_grid3', set: { ...V, epochs: 15, learningRate: 3e-4 }, why: 'mixed7 3×3 grid (6,912-d), lr 3e-4, 15 epochs, best epoch' },
  'm5grid3-lr3e-4': { tap: 'mixed5_grid3', set: { ...V, epochs: 15, learningRate: 3e-4 }, why: 'mixed5 3×3 grid (6,912-d), lr 3e-4, 15 epochs, best epoch' },
  'm5grid3-lr3e-4-flip': { tap: 'mixed5_grid3', set: { ...V, epochs: 15, learningRate: 3e-4, flipViews: true }, why: 'as m5grid3-lr3e-4, trained on plain or mirrored features' },
  'm6grid3-lr3e-4': { tap: 'mixed6_grid3', set: { ...V, epochs: 15, learningRate: 3e-4 }, why: 'mixed6 3×3 grid (6,912-d), lr 3e-4, 15 epochs, best epoch' },
  // Issue 20 item 1: distillation from dlib_resnet (λ = distillWeight) and jittered views (K = jitterViews), on the committed recipe.
  'm5-kd-cos1': { tap: 'mixed5_grid3', set: { ...M5, distillWeight: 1 }, why: 'as m5grid3-lr3e-4 + λ 1 · (1 − cos to the dlib embedding), every training row distilled each epoch' },
  'm5-kd-cos10': { tap: 'mixed5_grid3', set: { ...M5, distillWeight: 10 }, why: 'as m5-kd-cos1, λ 10' },
  'm5-kd-cos100': { tap: 'mixed5_grid3', set: { ...M5, epochs: 6, distillWeight: 100 }, why: 'as m5-kd-cos1, λ 100 (the triplet term a small correction); stopped after 6 of 15 epochs for time (validation peaked at epoch 3 and fell at 4, 5 and 6)' },
  'm5-kd-rel10': { tap: 'mixed5_grid3', set: { ...M5, distillWeight: 10, distillLoss: 'relational' }, why: 'as m5grid3-lr3e-4 + λ 10 · MSE between the batch cosine matrices of student and dlib' },
  'm5-jit1': { tap: 'mixed5_grid3', set: { ...M5, jitterViews: 1 }, why: 'as m5grid3-lr3e-4, each image plain or its one jittered view per epoch (no distillation)' },
  'm5-kd-cos1-jit1': { tap: 'mixed5_grid3', set: { ...M5, distillWeight: 1, jitterViews: 1 }, why: 'as m5-kd-cos1 with one jittered view (teacher embedding of the same jittered image)' },
  'm5-kd-cos10-jit1': { tap: 'mixed5_grid3', set: { ...M5, distillWeight: 10, jitterViews: 1 }, why: 'as m5-kd-cos10 with one jittered view' },
};

const LADDER_DIR = resolve(repoRoot, 'out/ladder');

/** The aligned-framing feature store of one tap (the folder `trainer features --framing aligned` fills). */
export function storeDir(tap: string, size?: number): string {
  const source = loadBackbone('nsfwjs:inception_v3');
  const spec = { ...lfwPreprocess(source.inputScale, LFW_CROP_SIDE), ...(size ? { size } : {}) };
  return Object.values(openStores({ source, spec, taps: [tapByName(tap)], cacheRoot: CACHE_ROOT, framing: 'aligned' }, false))[0].dir;
}

const storeCache = new Map<string, FeatureStore>();
let teacherStore: FeatureStore | undefined;

async function runRung(name: string) {
  const rung = RUNGS[name];
  if (!rung) throw new Error(`unknown rung ${name} (known: ${Object.keys(RUNGS).join(', ')})`);
  const dir = storeDir(rung.tap, rung.size);
  if (!existsSync(join(dir, 'meta.json'))) throw new Error(`rung ${name}: no feature store ${dir}; run: npx tsx trainer/cli.ts features --framing aligned --taps ${rung.tap}${rung.size ? ` --size ${rung.size}` : ''}`);
  // One read per store and process: `trainer teacher --views K` may append to the store later (never read a store while it is written).
  const store = storeCache.get(dir) ?? FeatureStore.read(dir);
  storeCache.set(dir, store);
  const mirrored = existsSync(join(`${dir}-flip`, 'meta.json')) ? FeatureStore.read(`${dir}-flip`) : undefined;
  if (rung.set.flipViews && !mirrored) throw new Error(`rung ${name}: no mirrored store ${dir}-flip; run: npx tsx trainer/cli.ts features --framing aligned --flip --taps ${rung.tap}`);
  const run = join(LADDER_DIR, name);
  const lfw = resolveDataDir();
  const log = (m: string) => console.error(`[${name}] ${m}`);
  const t0 = performance.now();
  let teacher: DistillSource | undefined;
  if (rung.set.distillWeight || rung.set.jitterViews) {
    teacherStore ??= openTeacher();
    if (!teacherStore) throw new Error(`rung ${name}: no teacher store ${teacherDir()}; run: npx tsx trainer/cli.ts teacher${rung.set.jitterViews ? ` --views ${rung.set.jitterViews}` : ''}`);
    teacher = distillSource(store, teacherStore, rung.set.jitterSeed ?? DEFAULT_CONFIG.jitterSeed);
  }
  await trainOnStore(store, lfw, rung.set, { outDir: run, resume: true, log, teacher }, mirrored);
  const trainSeconds = (performance.now() - t0) / 1000;
  exportStep(run);
  await thresholdStep({ run, lfw, store, log });
  await evaluateStep({ run, lfw, store, tripletsCsv: resolve(repoRoot, 'models/test-triplets.csv'), log });
  log(`done in ${((performance.now() - t0) / 1000).toFixed(0)} s (training ${trainSeconds.toFixed(0)} s)`);
}

const pct = (x: number) => x.toFixed(4);

function tableRow(name: string): string | undefined {
  const run = join(LADDER_DIR, name);
  const e = readJson<Evaluation>(runFile(run, 'evaluation'));
  if (!e) return undefined;
  const rung = RUNGS[name];
  const head = readRunHead(run);
  const summary = readJson<{ chosenEpoch?: number; chosen?: { valAccuracy: number } }>(runFile(run, 'train-summary'));
  const h = e.methods[0];
  const cv = readJson<{ mean: number; std: number }>(runFile(run, 'threshold'));
  // Squared distance d accepted when R = −d > T.
  const far = h.distances.different.filter((d) => -d > h.threshold).length / h.distances.different.length;
  const frr = h.distances.same.filter((d) => -d <= h.threshold).length / h.distances.same.length;
  const changed = (Object.entries(rung.set) as [keyof TrainConfig, unknown][]).filter(([k, v]) => DEFAULT_CONFIG[k] !== v).map(([k, v]) => `${k} ${v}`).join(', ');
  return `| ${name} | ${rung.tap}${rung.size ? ` @${rung.size}` : ''} | ${changed || 'defaults'} | ${summary?.chosenEpoch ?? '–'} | ${summary?.chosen ? pct(summary.chosen.valAccuracy) : '–'} | ${cv ? `${pct(cv.mean)} ± ${pct(cv.std)}` : '–'} | ${head.meta.threshold?.similarity.toFixed(3)} | **${pct(h.testTriplets.accuracy)}** | ${h.devTest.accuracy.toFixed(3)} | ${h.devTest.auc.toFixed(3)} [${h.devTest.aucCi95[0].toFixed(3)}, ${h.devTest.aucCi95[1].toFixed(3)}] | ${pct(h.view2.mean)} ± ${pct(h.view2.std)} | ${h.view2.auc.toFixed(4)} | ${h.view2.tarAtFar1e3.toFixed(3)} | ${(100 * far).toFixed(1)}% / ${(100 * frr).toFixed(1)}% |`;
}

const args = process.argv.slice(2);
if (args.includes('--list')) {
  for (const [k, r] of Object.entries(RUNGS)) console.log(`${k.padEnd(18)} ${r.tap.padEnd(13)} ${String(r.size ?? 299).padEnd(4)} ${r.why}`);
} else if (args.includes('--table')) {
  console.log('| rung | feature | settings (vs defaults) | epoch kept | val acc (kept epoch) | val CV at T (model choice) | T (sim) | test CSV (800) | pairsDevTest acc | pairsDevTest AUC [95% CI] | View 2 (optimistic) | View 2 AUC | View 2 TAR at FAR 1e-3 | View 2 FAR / FRR at T |');
  console.log('|---|---|---|---|---|---|---|---|---|---|---|---|---|---|');
  for (const k of Object.keys(RUNGS)) {
    const row = tableRow(k);
    if (row) console.log(row);
  }
} else if (args.length === 0) {
  console.error('usage: npx tsx scripts/experiments/ladder.ts <rung> [...] | --table | --list');
  process.exit(2);
} else {
  for (const name of args) {
    if (!RUNGS[name]) {
      console.error(`unknown rung ${name} (known: ${Object.keys(RUNGS).join(', ')})`);
      process.exit(2);
    }
  }
  for (const name of args) await runRung(name);
}
