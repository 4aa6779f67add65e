// Impostor statistics for low false-accept rates: every different-person pair and every same-person
// pair of a set of embeddings scored by the contract's R = −‖a − b‖², and score thresholds at target
// FARs by exact order statistics of the impostor scores (accept iff R > threshold), with the false
// accepts behind each and the TAR there. A target FAR f counts as resolved by n impostor pairs only
// when f·n ≥ MIN_FALSE_ACCEPTS: the threshold is then an order statistic with at least that many
// impostor scores allowed above it, not an extrapolation past the largest one.
import type { ImpostorTableSchema, OperatingPointsSchema } from '../../models/contract/manifest.js';
import type { z } from 'zod';

export type ImpostorTable = z.infer<typeof ImpostorTableSchema>;
export type ImpostorPoint = ImpostorTable['points'][number];
export type OperatingPoints = z.infer<typeof OperatingPointsSchema>;

export const FAR_TARGETS = [1e-1, 3e-2, 1e-2, 3e-3, 1e-3, 3e-4, 1e-4, 3e-5, 1e-5, 3e-6, 1e-6] as const;
export const MIN_FALSE_ACCEPTS = 5;

/** Scores of one source: impostor and genuine pair scores, each sorted ascending. */
export interface PairScores { impostor: Float64Array; genuine: Float64Array }

/** All pairs i < j of n rows of `dim` values: R = −‖a − b‖², split by whether labels[i] === labels[j]. */
export function pairScores(embeddings: Float32Array, dim: number, labels: ArrayLike<string | number>): PairScores {
  const n = labels.length;
  if (embeddings.length !== n * dim) throw new Error(`${embeddings.length} values for ${n} rows of ${dim}`);
  const byLabel = new Map<string | number, number>();
  for (let i = 0; i < n; i++) byLabel.set(labels[i], (byLabel.get(labels[i]) ?? 0) + 1);
  let genuineCount = 0;
  for (const c of byLabel.values()) genuineCount += (c * (c - 1)) / 2;
  const impostor = new Float64Array((n * (n - 1)) / 2 - genuineCount), genuine = new Float64Array(genuineCount);
  let gi = 0, ii = 0;
  for (let i = 0; i < n; i++) {
    const a = i * dim;
    for (let j = i + 1; j < n; j++) {
      const b = j * dim;
      let s = 0;
      for (let t = 0; t < dim; t++) { const d = embeddings[a + t] - embeddings[b + t]; s += d * d; }
      if (labels[i] === labels[j]) genuine[gi++] = -s; else impostor[ii++] = -s;
    }
  }
  return { impostor: impostor.sort(), genuine: genuine.sort() };
}

/** The k highest-scoring different-person pairs (row indices, score), highest first: the tail's own evidence. */
export function topImpostors(embeddings: Float32Array, dim: number, labels: ArrayLike<string | number>, s: PairScores, k: number): { i: number; j: number; score: number }[] {
  if (k <= 0 || !s.impostor.length) return [];
  const floor = s.impostor[Math.max(0, s.impostor.length - k)];
  const out: { i: number; j: number; score: number }[] = [];
  for (let i = 0; i < labels.length; i++)
    for (let j = i + 1; j < labels.length; j++) {
      if (labels[i] === labels[j]) continue;
      let d2 = 0;
      for (let t = 0; t < dim; t++) { const d = embeddings[i * dim + t] - embeddings[j * dim + t]; d2 += d * d; }
      if (-d2 >= floor) out.push({ i, j, score: -d2 });
    }
  return out.sort((a, b) => b.score - a.score).slice(0, k);
}

/** How many of the ascending `sorted` are strictly above t. */
export function countAbove(sorted: ArrayLike<number>, t: number): number {
  let lo = 0, hi = sorted.length;
  while (lo < hi) { const m = (lo + hi) >> 1; if (sorted[m] <= t) lo = m + 1; else hi = m; }
  return sorted.length - lo;
}

export const resolves = (far: number, impostorPairs: number) => far * impostorPairs >= MIN_FALSE_ACCEPTS;

/**
 * The loosest threshold whose false accepts stay within far·n: the (k+1)-th largest impostor score,
 * k = ⌊far·n⌋ (ties at it are rejected, so falseAccepts ≤ k). Undefined when far is not resolved.
 */
export function thresholdAt(s: PairScores, far: number): ImpostorPoint | undefined {
  const n = s.impostor.length;
  if (!resolves(far, n)) return undefined;
  const k = Math.floor(far * n + 1e-9);
  const score = s.impostor[n - 1 - k];
  return pointAt(s, score);
}

/** far, false accepts and TAR of the threshold `score` on one source. */
export function pointAt(s: PairScores, score: number): ImpostorPoint {
  const falseAccepts = countAbove(s.impostor, score);
  return { far: falseAccepts / s.impostor.length, score, falseAccepts, tar: s.genuine.length ? countAbove(s.genuine, score) / s.genuine.length : 0 };
}

export interface SourceSummary { source: string; identities: number; images: number }
export interface TargetPoint { target: number; point: ImpostorPoint }

/** One source's point at every target FAR it resolves. */
export function targetPoints(s: PairScores, targets: readonly number[] = FAR_TARGETS): TargetPoint[] {
  return targets.flatMap((target) => { const point = thresholdAt(s, target); return point ? [{ target, point }] : []; });
}

/** A source's table at every target it resolves (ordered by far, descending). */
export function impostorTable(s: PairScores, about: SourceSummary, targets: readonly number[] = FAR_TARGETS): ImpostorTable {
  const points = targetPoints(s, targets).map((t) => t.point);
  if (!points.length) throw new Error(`${about.source}: ${s.impostor.length} impostor pairs resolve none of the target FARs (needs far·pairs ≥ ${MIN_FALSE_ACCEPTS})`);
  return { ...about, impostorPairs: s.impostor.length, genuinePairs: s.genuine.length, points: dedupe(points) };
}

/** Points ordered by far descending with strictly increasing scores (equal thresholds collapse to one). */
function dedupe(points: ImpostorPoint[]): ImpostorPoint[] {
  const out: ImpostorPoint[] = [];
  for (const p of [...points].sort((a, b) => a.score - b.score)) if (!out.length || p.score > out[out.length - 1].score) out.push(p);
  return out;
}

export interface Source { id: string; scores: PairScores; table: ImpostorTable }

/** The (k+1)-th largest value over several ascending arrays (k from 0), by merging from the top. */
export function kthLargest(sorted: ArrayLike<number>[], k: number): number {
  const at = sorted.map((a) => a.length - 1);
  let v = NaN;
  for (let step = 0; step <= k; step++) {
    let best = -1;
    for (let i = 0; i < sorted.length; i++) if (at[i] >= 0 && (best < 0 || sorted[i][at[i]] > sorted[best][at[best]])) best = i;
    if (best < 0) throw new Error(`fewer than ${k + 1} values`);
    v = sorted[best][at[best]--];
  }
  return v;
}

/**
 * The conservative combination: at each target FAR, the strictest (highest) of the thresholds of
 * the sources that resolve it and of all sources' pairs pooled (when the pool resolves it); its
 * false accepts and TAR are counted over the pairs of all sources pooled, so far = falseAccepts /
 * all impostor pairs ≤ the target and no source is left out.
 */
export function conservativePoints(sources: Source[], targets: readonly number[] = FAR_TARGETS): TargetPoint[] {
  const impostorPairs = sources.reduce((a, s) => a + s.scores.impostor.length, 0);
  const genuinePairs = sources.reduce((a, s) => a + s.scores.genuine.length, 0);
  return targets.flatMap((target) => {
    const ts = sources.map((s) => thresholdAt(s.scores, target)?.score).filter((t): t is number => t !== undefined);
    if (!ts.length) return [];
    if (resolves(target, impostorPairs)) ts.push(kthLargest(sources.map((s) => s.scores.impostor), Math.floor(target * impostorPairs + 1e-9)));
    const score = Math.max(...ts);
    const falseAccepts = sources.reduce((a, s) => a + countAbove(s.scores.impostor, score), 0);
    const accepted = sources.reduce((a, s) => a + countAbove(s.scores.genuine, score), 0);
    return [{ target, point: { far: falseAccepts / impostorPairs, score, falseAccepts, tar: genuinePairs ? accepted / genuinePairs : 0 } }];
  });
}

export function conservativeTable(sources: Source[], targets: readonly number[] = FAR_TARGETS): ImpostorTable {
  const points = conservativePoints(sources, targets).map((t) => t.point);
  if (!points.length) throw new Error('no source resolves any target FAR');
  return {
    source: `conservative: at each target FAR the strictest threshold of the sources resolving it (${sources.map((s) => s.id).join(', ')}) and of their pairs pooled; false accepts and TAR over all their pairs pooled`,
    identities: sources.reduce((a, s) => a + s.table.identities, 0),
    images: sources.reduce((a, s) => a + s.table.images, 0),
    impostorPairs: sources.reduce((a, s) => a + s.scores.impostor.length, 0),
    genuinePairs: sources.reduce((a, s) => a + s.scores.genuine.length, 0),
    points: dedupe(points),
  };
}

/**
 * The score threshold for a target FAR through a table, as a conservative lookup: the loosest point
 * whose far is at most the target. Below the table's lowest resolved point, that point (`clamped`).
 */
export function thresholdForFar(table: ImpostorTable, far: number): { point: ImpostorPoint; clamped: boolean } {
  const within = table.points.filter((p) => p.far <= far);
  if (within.length) return { point: within.reduce((a, p) => (p.score < a.score ? p : a)), clamped: false };
  return { point: table.points.reduce((a, p) => (p.score > a.score ? p : a)), clamped: true };
}

/** Per-comparison FAR that keeps a stranger searched against n identities below `fpir` (independent comparisons). */
export const perComparisonFar = (fpir: number, n: number) => -Math.expm1(Math.log1p(-fpir) / n);
