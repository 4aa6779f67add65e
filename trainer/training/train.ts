// Trains the embedding head on cached features with triplet loss: Adam (lr annealed ×lrDecay per
// epoch), random triplets then a mix with hard ones mined from the current embeddings, validation
// on held-out identities after every epoch, checkpoints for resuming, metrics.jsonl for curves.
// Optional: distillation from a teacher's embeddings (λ · distill term) and jittered views
// (each image seen as its plain or one of its K jittered views per epoch), from a DistillSource.
import * as tf from '@tensorflow/tfjs';
import { appendFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { configDiff, makeConfig, type TrainConfig } from './config.js';
import { l2Normalize } from '../../models/contract/distance.js';
import { matrixLookup, setIndex, type LabeledSet } from '../data/dataset.js';
import { buildHead, embedRows, getHeadWeights } from './head.js';
import { EMBEDDING_SIZE, foldInputNorm, loadHead, saveHead, type HeadWeights, type InputNorm } from './head-weights.js';
import { applyInputNorm, fitInputNorm } from './input-norm.js';
import { trainEpoch } from './epoch.js';
import { makeRng, shuffle, subSeed } from '../data/rng.js';
import { adaptiveTriplets, randomTriplets } from '../data/sampler.js';
import { makeTestTriplets, scoreTriplets, type Triplet } from '../data/test-set.js';
import { kFoldThreshold } from '../evaluation/threshold.js';
import { hasCheckpoint, loadCheckpoint, saveCheckpoint } from './checkpoint.js';
import { readMetrics } from '../run/run-dir.js';
import { initBackend } from './tf-backend.js';
import { distillArrays, type DistillSource } from './distill-data.js';
import type { DistillLossKind } from './distill-loss.js';

export interface EpochMetrics {
  epoch: number;
  learningRate: number;
  /** Mean minibatch loss over the epoch's triplets (hard ones included); null for epoch 0. */
  trainLoss: number | null;
  /** With distillation: the mean distillation term (before λ) over the epoch's batches. */
  distillLoss?: number;
  valLoss: number;
  /** 10-fold cross-validated accuracy on the validation comparisons, ± std over folds. */
  valAccuracy: number;
  valAccuracyStd: number;
  seconds: number;
}

export interface TrainOptions {
  /** Where config.json, metrics.jsonl, checkpoint/ and head.{json,bin} go; nothing is written if absent. */
  outDir?: string;
  /** Continue from outDir/checkpoint when present (default true). */
  resume?: boolean;
  /** Extra fields for the exported head's meta (e.g. the feature store key). */
  meta?: Record<string, unknown>;
  log?: (msg: string) => void;
  onEpoch?: (m: EpochMetrics) => void;
  onBatch?: (done: number, total: number) => void;
  /** With flipViews: the mirrored images' raw features, row-aligned with the training set. */
  mirroredTrain?: Float32Array;
  /** With distillWeight > 0 or jitterViews > 0: the teacher's embeddings and the jittered views, by path. */
  teacher?: DistillSource;
}

export interface TrainResult {
  config: TrainConfig;
  model: tf.LayersModel;
  norm: InputNorm;
  /** Export-ready weights: standardisation folded in, so they take raw features. */
  head: HeadWeights;
  /** The epoch whose weights `head` holds (the best validation epoch with keepBest, else the last). */
  chosenEpoch: number;
  metrics: EpochMetrics[];
  /** The raw-feature cosine baseline on the same validation comparisons. */
  baseline: { valLoss: number; valAccuracy: number; valAccuracyStd: number };
}

/** Validation loss and cross-validated accuracy of embeddings (rows aligned with val.paths). */
export function scoreValidation(val: LabeledSet, emb: Float32Array, dim: number, triplets: Triplet[], c: TrainConfig) {
  const look = matrixLookup(val.paths, dim, emb);
  const s = scoreTriplets(triplets, (p) => look.get(p), 0, c.margin);
  const cv = kFoldThreshold(s.comparisons, 10, c.seed);
  return { valLoss: s.loss, valAccuracy: cv.mean, valAccuracyStd: cv.std };
}

export async function trainHead(train: LabeledSet, val: LabeledSet, overrides: Partial<TrainConfig> = {}, opts: TrainOptions = {}): Promise<TrainResult> {
  const c = makeConfig(overrides);
  const log = opts.log ?? console.error;
  await initBackend(undefined, log);
  const dim = train.dim;
  if (val.dim !== dim) throw new Error(`train features are ${dim}-d but validation features ${val.dim}-d`);
  const out = opts.outDir;
  const ckptDir = out && join(out, 'checkpoint');
  const resuming = !!ckptDir && opts.resume !== false && hasCheckpoint(ckptDir);
  if (out) {
    mkdirSync(out, { recursive: true });
    const prev = join(out, 'config.json');
    if (resuming && existsSync(prev)) {
      const diff = configDiff(JSON.parse(readFileSync(prev, 'utf8')), c);
      if (diff.length) log(`resuming with changed settings: ${diff.join('; ')}`);
    }
    writeFileSync(prev, JSON.stringify({ ...c, inputDim: dim, trainRows: train.paths.length, valRows: val.paths.length }, null, 2) + '\n');
    if (!resuming) writeFileSync(join(out, 'metrics.jsonl'), '');
  }
  log(`config ${JSON.stringify(c)}`);

  const model = buildHead(dim, c.seed);
  const optimizer = tf.train.adam(c.learningRate);
  let norm = fitInputNorm(train.features, dim, c.standardize);
  let start = 0;
  let lr = c.learningRate;
  if (resuming) {
    const ck = await loadCheckpoint(ckptDir!, model, optimizer);
    if (ck.norm.mean.length !== dim) throw new Error(`checkpoint is for ${ck.norm.mean.length}-d features, these are ${dim}-d`);
    ({ norm } = ck);
    start = ck.state.epoch;
    lr = ck.state.learningRate;
    log(`resumed from ${ckptDir} after epoch ${start}`);
  }
  const setLr = (v: number) => ((optimizer as unknown as { learningRate: number }).learningRate = v);
  setLr(lr);
  const xTrain = applyInputNorm(train.features, dim, norm);
  if (c.flipViews && opts.mirroredTrain?.length !== train.features.length) throw new Error('flipViews needs the mirrored features of every training image (the <store>-flip folder)');
  const xMirror = c.flipViews ? applyInputNorm(opts.mirroredTrain!, dim, norm) : undefined;
  /** The epoch's view of the training rows with flipViews: each row plain or mirrored by a coin flip. */
  const mixedView = (mirror: Float32Array, rng: ReturnType<typeof makeRng>) => {
    const x = new Float32Array(xTrain.length);
    for (let i = 0; i < train.paths.length; i++) x.set((rng.next() < 0.5 ? xTrain : mirror).subarray(i * dim, (i + 1) * dim), i * dim);
    return x;
  };
  const distillOn = c.distillWeight > 0;
  if ((distillOn || c.jitterViews > 0) && !opts.teacher) throw new Error('distillWeight > 0 or jitterViews > 0 needs the teacher store (run `npx tsx trainer/cli.ts teacher`)');
  const dd = distillOn || c.jitterViews > 0 ? distillArrays(train.paths, train.features, dim, opts.teacher!, c.jitterViews, distillOn) : undefined;
  if (dd?.missingViews) log(`warning: ${dd.missingViews} jittered views are not cached and fall back to the plain image (run \`trainer teacher --views ${c.jitterViews}\`)`);
  const xViews = dd ? dd.views.map((v) => applyInputNorm(v, dim, norm)) : [];
  /** The epoch's view of the training rows with jitterViews: each row plain or one of its K views (uniform), features and teacher row alike. */
  const jitteredView = (rng: ReturnType<typeof makeRng>) => {
    const x = new Float32Array(xTrain.length), td = opts.teacher?.dim ?? 0;
    const t = dd?.targets ? new Float32Array(train.paths.length * td) : undefined;
    for (let i = 0; i < train.paths.length; i++) {
      const v = rng.int(c.jitterViews + 1);
      x.set((v ? xViews[v - 1] : xTrain).subarray(i * dim, (i + 1) * dim), i * dim);
      if (t) t.set(dd!.targets![v].subarray(i * td, (i + 1) * td), i * td);
    }
    return { x, t };
  };
  const xVal = applyInputNorm(val.features, dim, norm);
  const valTriplets = makeTestTriplets(setIndex(val), c.valTriplets, subSeed(c.seed, 7));
  const baseline = scoreValidation(val, l2Normalize(val.features, dim), dim, valTriplets, c);
  log(`raw-feature cosine baseline: val accuracy ${baseline.valAccuracy.toFixed(4)} ± ${baseline.valAccuracyStd.toFixed(4)}, val loss ${baseline.valLoss.toFixed(4)}`);

  const metrics: EpochMetrics[] = [];
  // Best-epoch selection on validation identities: the best head so far is kept in <out>/best-head,
  // so that a resumed run still knows it.
  const bestBase = out && join(out, 'best-head');
  let best: { epoch: number; valAccuracy: number; valLoss: number; head?: HeadWeights } | undefined;
  if (resuming && bestBase && existsSync(bestBase + '.json')) {
    const b = loadHead(bestBase);
    const m = readMetrics(out).find((r) => r.epoch === b.meta.epoch);
    if (m) best = { epoch: m.epoch, valAccuracy: m.valAccuracy, valLoss: m.valLoss, head: b.weights };
  }
  const better = (m: EpochMetrics) => !best || m.valAccuracy > best.valAccuracy || (m.valAccuracy === best.valAccuracy && m.valLoss < best.valLoss);
  const record = (m: EpochMetrics) => {
    metrics.push(m);
    if (c.keepBest && better(m)) {
      best = { epoch: m.epoch, valAccuracy: m.valAccuracy, valLoss: m.valLoss, head: foldInputNorm(getHeadWeights(model), norm) };
      if (bestBase) saveHead(bestBase, best.head!, { epoch: m.epoch });
    }
    if (out) appendFileSync(join(out, 'metrics.jsonl'), JSON.stringify(m) + '\n');
    log(`epoch ${m.epoch}: train loss ${m.trainLoss?.toFixed(4) ?? '-'}${m.distillLoss !== undefined ? ` (distill ${m.distillLoss.toFixed(4)})` : ''}, val loss ${m.valLoss.toFixed(4)}, val accuracy ${m.valAccuracy.toFixed(4)} ± ${m.valAccuracyStd.toFixed(4)} (${m.seconds.toFixed(1)} s)`);
    opts.onEpoch?.(m);
  };
  const validate = (epoch: number, trainLoss: number | null, t0: number, distillLoss?: number) =>
    record({ epoch, learningRate: lr, trainLoss, ...(distillLoss !== undefined ? { distillLoss } : {}), ...scoreValidation(val, embedRows(model, xVal, dim), EMBEDDING_SIZE, valTriplets, c), seconds: (performance.now() - t0) / 1000 });
  if (start === 0) validate(0, null, performance.now());

  for (let epoch = start + 1; epoch <= c.epochs; epoch++) {
    const t0 = performance.now();
    const rng = makeRng(subSeed(c.seed, epoch));
    const hard = epoch > c.hardFromEpoch && c.hardFraction > 0;
    const jv = c.jitterViews > 0 ? jitteredView(makeRng(subSeed(c.seed, 2000 + epoch))) : undefined;
    const x = jv ? jv.x : xMirror ? mixedView(xMirror, makeRng(subSeed(c.seed, 1000 + epoch))) : xTrain;
    const targets = jv?.t ?? dd?.targets?.[0];
    const t = hard
      ? adaptiveTriplets(train.labels, embedRows(model, x, dim), EMBEDDING_SIZE, rng, c)
      : randomTriplets(train.labels, rng);
    const distill = distillOn && targets
      ? { targets, dim: opts.teacher!.dim, weight: c.distillWeight, kind: c.distillLoss as DistillLossKind, extraRows: shuffle(Int32Array.from(train.labels.keys()), makeRng(subSeed(c.seed, 3000 + epoch))) }
      : undefined;
    const loss = trainEpoch({ model, optimizer, x, dim, triplets: t, batchSize: c.batchSize, margin: c.margin, distill, onBatch: opts.onBatch });
    validate(epoch, loss.loss, t0, distill ? loss.distill : undefined);
    lr *= c.lrDecay;
    setLr(lr);
    if (ckptDir) await saveCheckpoint(ckptDir, model, optimizer, norm, { epoch, learningRate: lr, iterations: optimizer.iterations });
  }

  const useBest = c.keepBest && best?.head !== undefined;
  const head = useBest ? best!.head! : foldInputNorm(getHeadWeights(model), norm);
  const chosenEpoch = useBest ? best!.epoch : c.epochs;
  if (out) {
    saveHead(join(out, 'head'), head, { ...opts.meta, epochs: c.epochs, chosenEpoch });
    const all = readMetrics(out);
    const chosen = all.find((m) => m.epoch === chosenEpoch) ?? null;
    writeFileSync(join(out, 'train-summary.json'), JSON.stringify({ config: c, baseline, chosenEpoch, chosen, final: all.at(-1) ?? null }, null, 2) + '\n');
  }
  return { config: c, model, norm, head, chosenEpoch, metrics, baseline };
}
