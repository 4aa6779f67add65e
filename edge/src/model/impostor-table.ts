// Rates through an impostor table (models/contract/manifest.ts, ImpostorTableSchema): the threshold
// for a target false accept rate, the false accept rate measured at a threshold, and the
// per-comparison rate that gives a target false positive identification rate over N identities.
// Pure arithmetic; what a request may ask for is decided in operating-point.ts.
import type { z } from 'zod';
import type { ImpostorPointSchema, ImpostorTableSchema } from '../../../models/contract/manifest';

export type ImpostorTable = z.infer<typeof ImpostorTableSchema>;
export type ImpostorPoint = z.infer<typeof ImpostorPointSchema>;

/**
 * The per-comparison false accept rate at which a stranger compared with n identities (each
 * comparison independent) is accepted by at least one with probability fpir:
 * 1 − (1 − far)^n = fpir ⇔ far = 1 − (1 − fpir)^(1/n). n below 1 counts as 1.
 */
export const farForFpir = (fpir: number, n: number) => -Math.expm1(Math.log1p(-fpir) / Math.max(1, n));

/** The false positive identification rate over n identities at a per-comparison far: 1 − (1 − far)^n. */
export const fpirForFar = (far: number, n: number) => -Math.expm1(n * Math.log1p(-far));

/**
 * Points with at least one false accept: the only ones whose far is a measurement (a point with
 * none says only that far is below 1/impostorPairs).
 */
export const resolvedPoints = (t: ImpostorTable) => t.points.filter((p) => p.falseAccepts > 0);

const loosest = (ps: ImpostorPoint[]) => (ps.length ? ps.reduce((a, b) => (b.score < a.score ? b : a)) : undefined);

/** The loosest resolved point (lowest score, most true accepts) whose far is ≤ the target; undefined if none is. */
export const pointForFar = (t: ImpostorTable, far: number) => loosest(resolvedPoints(t).filter((p) => p.far <= far));

/** The lowest false accept rate the table resolves, and the loosest point measuring it; undefined if it resolves none. */
export function strictestResolved(t: ImpostorTable): ImpostorPoint | undefined {
  const resolved = resolvedPoints(t);
  if (!resolved.length) return undefined;
  return pointForFar(t, Math.min(...resolved.map((p) => p.far)));
}

/**
 * The point that bounds the false accept rate of "R > score" from above: the strictest point at
 * or below that score (accepting R > score lets through no more than R > point.score does).
 * undefined when the score is looser than every point of the table.
 */
export function pointAtScore(t: ImpostorTable, score: number): ImpostorPoint | undefined {
  const below = t.points.filter((p) => p.score <= score);
  return below.length ? below.reduce((a, b) => (b.score > a.score ? b : a)) : undefined;
}

/** The strictest threshold the table holds (its highest score), resolved or not. */
export const strictestScore = (t: ImpostorTable) => Math.max(...t.points.map((p) => p.score));
