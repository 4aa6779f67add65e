// Evaluation of an embedder, always beside the raw-feature cosine baseline: accuracy and triplet
// loss on the committed test triplets, accuracy/AUC/EER/TAR on pairsDevTest at the validation-chosen
// T, and the LFW View 2 protocol on pairs.txt (per fold, T picked on the other 9 folds; mean ± std).
import { readFileSync } from 'node:fs';
import type { LfwDir } from '../../paths.js';
import type { PathEmbedder } from '../training/embed.js';
import { readPairs, type Pair } from '../data/lfw.js';
import { aucDeLong, equalErrorRate, tarAtFar } from './metrics.js';
import { parseTripletsCsv, scoreTriplets, type Triplet } from '../data/test-set.js';
import { accuracyAt, crossValidate, type Scored } from './threshold.js';
import { scoreFromDistance, squaredDistance } from '../../models/contract/distance.js';

export interface EvalData { triplets: Triplet[]; devTestPairs: Pair[]; view2Pairs: Pair[] }

export function loadEvalData(lfw: LfwDir, tripletsCsv: string): EvalData {
  return {
    triplets: parseTripletsCsv(readFileSync(tripletsCsv, 'utf8')),
    devTestPairs: readPairs(lfw.file('pairsDevTest.txt')),
    view2Pairs: readPairs(lfw.file('pairs.txt')),
  };
}

export interface Separation { auc: number; aucCi95: [number, number]; eer: number; tarAtFar1e3: number; pairs: number }

export interface MethodResult {
  name: string;
  threshold: number;
  testTriplets: { accuracy: number; loss: number; rows: number };
  devTest: Separation & { accuracy: number };
  view2: Separation & { mean: number; std: number; folds: number[] };
  /** Squared distances of View 2 pairs, for histograms and ROC curves in the report. */
  distances: { same: number[]; different: number[] };
}

export function separation(items: Scored[]): Separation {
  const a = aucDeLong(items);
  return { auc: a.auc, aucCi95: a.ci95, eer: equalErrorRate(items).eer, tarAtFar1e3: tarAtFar(items, 1e-3).tar, pairs: items.length };
}

export async function scorePairs(pairs: Pair[], embed: PathEmbedder): Promise<Scored[]> {
  const look = await embed(pairs.flatMap((p) => [p.a, p.b]));
  return pairs.map((p) => ({ score: scoreFromDistance(squaredDistance(look.get(p.a), look.get(p.b))), same: p.same }));
}

/** View 2: accuracy of each fold at the T chosen on the other folds. */
export function view2Protocol(scored: Scored[], pairs: Pair[]) {
  const cv = crossValidate(scored, pairs.map((p) => p.fold));
  return { mean: cv.mean, std: cv.std, folds: cv.folds.map((f) => f.accuracy) };
}

export async function evaluateMethod(name: string, embed: PathEmbedder, threshold: number, data: EvalData, margin: number): Promise<MethodResult> {
  const look = await embed(data.triplets.flatMap((t) => [t.anchor, t.positive, t.negative]));
  const t = scoreTriplets(data.triplets, (p) => look.get(p), threshold, margin);
  const dev = await scorePairs(data.devTestPairs, embed);
  const v2 = await scorePairs(data.view2Pairs, embed);
  const round = (x: number) => Math.round(x * 1e5) / 1e5;
  return {
    name,
    threshold,
    testTriplets: { accuracy: t.accuracy, loss: t.loss, rows: data.triplets.length },
    devTest: { accuracy: accuracyAt(dev, threshold), ...separation(dev) },
    view2: { ...view2Protocol(v2, data.view2Pairs), ...separation(v2) },
    distances: {
      same: v2.filter((s) => s.same).map((s) => round(-s.score)),
      different: v2.filter((s) => !s.same).map((s) => round(-s.score)),
    },
  };
}
