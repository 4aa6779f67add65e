// The post-training steps on a run folder, as library calls: pick the threshold on validation
// identities and record it in the head; evaluate the head beside the raw-feature baseline (and
// flip TTA when a mirrored store is given) and record the results; render the HTML report.
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { readManifest } from '../../models/node/load.js';
import { repoRoot, type LfwDir } from '../../paths.js';
import { DEFAULT_BACKBONE, manifestOf } from '../backbone/ids.js';
import { identifyResultsPath, readIdentifyResults } from '../evaluation/identify-results.js';
import type { FeatureLookup } from '../data/dataset.js';
import { headEmbedder, rawEmbedder, type PathEmbedder } from '../training/embed.js';
import { evaluateMethod, loadEvalData, type MethodResult } from '../evaluation/evaluate.js';
import { devIdentities } from '../data/lfw-data.js';
import { pickThreshold, type ThresholdChoice } from '../evaluation/pick-threshold.js';
import { rocSummary } from '../evaluation/metrics.js';
import { renderReport, type ReportInput } from '../report/report.js';
import { headBase, readJson, readMetrics, readRunHead, runFile, updateHeadMeta, writeJson } from './run-dir.js';
import { makeConfig, type TrainConfig } from '../training/config.js';
import { view2TrainPerFold, type View2PerFold } from '../evaluation/view2-train.js';

export interface StepInputs { run: string; lfw: LfwDir; store: FeatureLookup; flipStore?: FeatureLookup; log?: (m: string) => void }

function runContext(i: StepInputs) {
  const head = readRunHead(i.run);
  const config = makeConfig(pickKnown(readJson<Record<string, unknown>>(runFile(i.run, 'config')) ?? {}));
  const split = head.meta.split ?? { valFraction: config.valFraction, seed: config.seed };
  const ids = devIdentities(i.lfw, split.valFraction, split.seed, (p) => i.store.has(p));
  return { head, config, ids };
}

const pickKnown = (c: Partial<TrainConfig> & Record<string, unknown>) => {
  const { inputDim: _a, trainRows: _b, valRows: _c, ...rest } = c;
  return rest as Partial<TrainConfig>;
};

export async function thresholdStep(i: StepInputs, rows = 1000): Promise<ThresholdChoice> {
  const { head, config, ids } = runContext(i);
  const t = await pickThreshold(headEmbedder(head.weights, i.store, i.flipStore), ids.val, rows, config.seed);
  writeJson(runFile(i.run, 'threshold'), { ...t, flip: !!i.flipStore });
  updateHeadMeta(i.run, { threshold: { score: t.score, similarity: t.similarity, method: t.method + (i.flipStore ? ' (flip TTA)' : '') } });
  return t;
}

export interface Evaluation {
  methods: MethodResult[];
  notes: string[];
  /** Clean View 2; `settings` are what the per-fold trainings changed from the run's config (e.g. fewer epochs). */
  view2TrainPerFold?: View2PerFold & { settings: Partial<TrainConfig> };
}

export async function evaluateStep(i: StepInputs & { tripletsCsv: string; trainPerFold?: boolean; perFoldSettings?: Partial<TrainConfig> }): Promise<Evaluation> {
  const log = i.log ?? console.error;
  const { head, config, ids } = runContext(i);
  const data = loadEvalData(i.lfw, i.tripletsCsv);
  const variants: [string, PathEmbedder, number | undefined][] = [
    ['head', headEmbedder(head.weights, i.store), i.flipStore ? undefined : head.meta.threshold?.score],
    ['raw cosine', rawEmbedder(i.store), undefined],
  ];
  if (i.flipStore) {
    variants[0][2] = undefined; // a recorded T may be for flip or not: pick each afresh
    variants.push(['head + flip', headEmbedder(head.weights, i.store, i.flipStore), undefined], ['raw cosine + flip', rawEmbedder(i.store, i.flipStore), undefined]);
  }
  const methods: MethodResult[] = [];
  for (const [name, embed, recorded] of variants) {
    const t = recorded ?? (await pickThreshold(embed, ids.val, 1000, config.seed)).score;
    log(`evaluating ${name} at T = ${t.toFixed(4)}`);
    methods.push(await evaluateMethod(name, embed, t, data, config.margin));
  }
  const trained = new Set(ids.train.keys());
  const v2People = new Set(data.view2Pairs.flatMap((p) => [p.a, p.b].map((x) => x.split('/')[0])));
  const overlap = [...v2People].filter((n) => trained.has(n)).length;
  const notes = [
    'Thresholds: each method\'s T is chosen by 10-fold CV on validation identities (held out of training), never on test data.',
    `View 2: the head was trained on View 1 dev-train identities; ${overlap} of the ${v2People.size} people in pairs.txt were among them, so the fixed-head View 2 numbers are optimistic. --train-per-fold gives the clean protocol.`,
    `TAR@FAR=1e-3 rests on ${data.view2Pairs.filter((p) => !p.same).length} different-person View 2 pairs (a handful of false accepts) and is coarse.`,
  ];
  const out: Evaluation = { methods, notes };
  if (i.trainPerFold) {
    const settings = i.perFoldSettings ?? {};
    const fold = makeConfig({ ...config, ...settings });
    // Distillation / jittered views: the per-fold trainings read the same teacher store (every LFW image, `trainer teacher --scope all`).
    const spec: string = '../features/teacher.js'; // loaded lazily: it pulls in onnxruntime
    const teacher = fold.distillWeight > 0 || fold.jitterViews > 0 ? (await import(spec)).teacherFor(i.store, fold.jitterSeed) : undefined;
    const r = await view2TrainPerFold(i.lfw, i.store, fold, { log, outDir: join(i.run, 'view2-folds'), teacher });
    out.view2TrainPerFold = { ...r, settings };
  }
  writeJson(runFile(i.run, 'evaluation'), out);
  const h = methods[0], raw = methods[1];
  updateHeadMeta(i.run, {
    metrics: {
      testTripletAccuracy: h.testTriplets.accuracy, testTripletLoss: h.testTriplets.loss, pairsDevTestAccuracy: h.devTest.accuracy,
      view2Accuracy: h.view2.mean, view2AccuracyStd: h.view2.std, view2Auc: h.view2.auc, view2Eer: h.view2.eer, view2TarAtFar1e3: h.view2.tarAtFar1e3,
      rawCosineTestTripletAccuracy: raw.testTriplets.accuracy, rawCosineView2Accuracy: raw.view2.mean,
      ...(out.view2TrainPerFold ? { view2TrainPerFoldAccuracy: out.view2TrainPerFold.mean, view2TrainPerFoldStd: out.view2TrainPerFold.std, view2TrainPerFoldAuc: out.view2TrainPerFold.pooled.auc, view2TrainPerFoldTarAtFar1e3: out.view2TrainPerFold.pooled.tarAtFar1e3 } : {}),
    },
    roc: {
      pairs: `LFW View 2, ${h.view2.pairs} pairs, fixed head (optimistic)`,
      points: rocSummary([...h.distances.same.map((d) => ({ score: -d, same: true })), ...h.distances.different.map((d) => ({ score: -d, same: false }))]),
    },
  });
  return out;
}

/** Rewrites the run's head with float16 weights; returns the largest change of any weight. */
export function exportStep(run: string): { head: string; dtype: 'float16'; maxAbsChange: number } {
  const { weights } = readRunHead(run);
  updateHeadMeta(run, {}, 'float16');
  const half = readRunHead(run).weights;
  let maxAbsChange = 0;
  weights.layers.forEach((d, i) => {
    for (const [a, b] of [[d.kernel, half.layers[i].kernel], [d.bias, half.layers[i].bias]]) for (let j = 0; j < a.length; j++) maxAbsChange = Math.max(maxAbsChange, Math.abs(a[j] - b[j]));
  });
  return { head: headBase(run), dtype: 'float16', maxAbsChange };
}

/**
 * The served model's identification results when it was built from this run's head (the run's
 * head.bin is models/head.bin, the head of the default backbone's manifest); otherwise why not.
 */
export function servedIdentify(run: string, committedHead = join(repoRoot, 'models', 'head.bin')): ReportInput['identify'] {
  const sha = (p: string) => createHash('sha256').update(readFileSync(p)).digest('hex');
  const mine = headBase(run) + '.bin';
  if (!existsSync(mine) || !existsSync(committedHead) || sha(mine) !== sha(committedHead))
    return { missing: `this run's head is not the one the served model is built from (${relative(repoRoot, committedHead)}): build and serve it (npx tsx scripts/build-model.ts --head ${headBase(run)}), then npx tsx scripts/impostors.ts --write and npx tsx scripts/identify-bench.ts` };
  const { modelVersion } = readManifest(manifestOf(DEFAULT_BACKBONE));
  const results = readIdentifyResults(modelVersion);
  return results ? { results } : { missing: `no identification results for the served ${modelVersion} (${identifyResultsPath(modelVersion)}): run npx tsx scripts/identify-bench.ts (on the embeddings cached by scripts/impostors.ts)` };
}

export function reportStep(run: string): string {
  const summary = readJson<{ baseline?: { valAccuracy: number; valLoss: number } }>(runFile(run, 'train-summary'));
  const html = renderReport({
    title: `Face embedding head: ${run}`,
    config: readJson(runFile(run, 'config')),
    metrics: readMetrics(run),
    baseline: summary?.baseline,
    threshold: readRunHead(run).meta.threshold,
    evaluation: readJson<Evaluation>(runFile(run, 'evaluation')),
    identify: servedIdentify(run),
  });
  const path = join(run, 'report.html');
  writeFileSync(path, html);
  return path;
}
