// Verification metrics over scored pairs (higher score = more alike; R = −d² by convention):
// ROC curve, AUC with a DeLong standard error and 95% interval, EER, TAR at a given FAR.
import type { Scored } from './threshold.js';

export interface RocPoint { fpr: number; tpr: number; threshold: number }

function split(items: Scored[]) {
  const pos = items.filter((x) => x.same).map((x) => x.score);
  const neg = items.filter((x) => !x.same).map((x) => x.score);
  if (!pos.length || !neg.length) throw new Error('metrics need both same and different pairs');
  return { pos, neg };
}

/** One point per distinct score, from (0, 0) (T above all) to (1, 1); match iff score ≥ threshold. */
export function rocCurve(items: Scored[]): RocPoint[] {
  const { pos, neg } = split(items);
  const s = [...items].sort((a, b) => b.score - a.score);
  const pts: RocPoint[] = [{ fpr: 0, tpr: 0, threshold: Infinity }];
  let tp = 0, fp = 0;
  for (let i = 0; i < s.length; i++) {
    if (s[i].same) tp++; else fp++;
    if (i + 1 < s.length && s[i + 1].score === s[i].score) continue;
    pts.push({ fpr: fp / neg.length, tpr: tp / pos.length, threshold: s[i].score });
  }
  return pts;
}

/**
 * The ROC as at most `n` + 2 [fpr, tpr, threshold] points (evenly spaced along the curve's index),
 * rates rounded to 4 decimals: small enough for a manifest. threshold is the score at which that
 * point is reached (accept iff score ≥ threshold), kept so a target false-accept rate can be turned
 * into a threshold; the (0, 0) point has none (its threshold is +∞).
 */
export function rocSummary(items: Scored[], n = 64): ([number, number] | [number, number, number])[] {
  const roc = rocCurve(items);
  const keep = new Set([0, roc.length - 1, ...Array.from({ length: n }, (_, i) => Math.round(((i + 1) * (roc.length - 1)) / (n + 1)))]);
  const r4 = (v: number) => Math.round(v * 1e4) / 1e4;
  return [...keep].sort((a, b) => a - b).map((i) =>
    Number.isFinite(roc[i].threshold) ? [r4(roc[i].fpr), r4(roc[i].tpr), Math.round(roc[i].threshold * 1e6) / 1e6] : [r4(roc[i].fpr), r4(roc[i].tpr)]);
}

/** AUC = P(score_same > score_diff) + ½ P(tie), with DeLong's variance. */
export function aucDeLong(items: Scored[]): { auc: number; se: number; ci95: [number, number] } {
  const { pos, neg } = split(items);
  const sortedNeg = [...neg].sort((a, b) => a - b);
  const sortedPos = [...pos].sort((a, b) => a - b);
  // Share of `sorted` below v, counting ties as half.
  const below = (sorted: number[], v: number) => {
    let lo = 0, hi = sorted.length;
    while (lo < hi) { const m = (lo + hi) >> 1; if (sorted[m] < v) lo = m + 1; else hi = m; }
    let eq = lo;
    while (eq < sorted.length && sorted[eq] === v) eq++;
    return (lo + (eq - lo) / 2) / sorted.length;
  };
  const v10 = pos.map((x) => below(sortedNeg, x));
  const v01 = neg.map((y) => 1 - below(sortedPos, y));
  const auc = v10.reduce((a, b) => a + b, 0) / pos.length;
  const variance = (v: number[]) => (v.length > 1 ? v.reduce((a, b) => a + (b - auc) ** 2, 0) / (v.length - 1) : 0);
  const se = Math.sqrt(variance(v10) / pos.length + variance(v01) / neg.length);
  return { auc, se, ci95: [Math.max(0, auc - 1.96 * se), Math.min(1, auc + 1.96 * se)] };
}

/** Equal error rate: where FAR = FRR on the ROC, linearly interpolated between points. */
export function equalErrorRate(items: Scored[]): { eer: number; threshold: number } {
  const roc = rocCurve(items);
  for (let i = 1; i < roc.length; i++) {
    const [a, b] = [roc[i - 1], roc[i]];
    const ga = 1 - a.tpr - a.fpr, gb = 1 - b.tpr - b.fpr; // FRR − FAR, falls from 1 to −1
    if (gb <= 0) {
      const t = ga === gb ? 0 : ga / (ga - gb);
      return { eer: a.fpr + t * (b.fpr - a.fpr), threshold: b.threshold };
    }
  }
  return { eer: 0.5, threshold: -Infinity };
}

/** Best true-accept rate with false-accept rate ≤ far (reported with how many negatives back it). */
export function tarAtFar(items: Scored[], far: number): { tar: number; far: number; negatives: number } {
  const roc = rocCurve(items);
  const ok = roc.filter((p) => p.fpr <= far);
  return { tar: Math.max(...ok.map((p) => p.tpr)), far, negatives: items.filter((x) => !x.same).length };
}
