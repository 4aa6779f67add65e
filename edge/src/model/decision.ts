// Turns a squared distance into the API's numbers under an operating point. The rule
// (models/contract/distance.ts): match iff R = −‖a − b‖² > score; similarity = 1 − d²/2 (cosine of
// unit vectors), so "similarity > t" is the same rule with score = 2t − 2. The operating point is
// the manifest's threshold (T chosen by cross-validation: the default), or per request either a
// similarity `threshold`, or a target false accept rate `far` mapped through the ROC the trainer
// recorded in the manifest, which needs the ROC points' score thresholds.
import { z } from '@hono/zod-openapi';
import { distanceFromSimilarity, isMatch, scoreFromDistance, similarityFromDistance } from '../../../models/contract/distance';
import type { ModelManifest } from '../../../models/contract/manifest';
import { ApiError } from '../http/errors';
import { numberField } from '../http/request-input';

export const scoreFromSimilarity = (sim: number) => scoreFromDistance(distanceFromSimilarity(sim));
export const similarityFromScore = (score: number) => similarityFromDistance(-score);

/** The manifest's threshold in similarity units, derived from the score threshold so the two never disagree. */
export const similarityThreshold = (m: ModelManifest) => similarityFromScore(m.threshold.score);

export interface OperatingPoint {
  source: 'model' | 'threshold' | 'far';
  /** Match iff similarity > this. */
  similarity: number;
  /** The same threshold as R: match iff −d² > this. */
  score: number;
  /** far: the false accept rate asked for. */
  far?: number;
  /** far: the ROC point used — its false and true accept rates on the manifest's ROC pairs. */
  roc?: { far: number; tar: number };
}

/** The request fields that choose an operating point (verify and identify; JSON or multipart). */
export const OperatingPointFields = {
  threshold: numberField(
    z.number({ error: 'must be a number in (−1, 1]' }).gt(-1, 'must be a number in (−1, 1]').lte(1, 'must be a number in (−1, 1]'),
    'similarity threshold for this request (match iff similarity > threshold), instead of the model\'s; not with far',
    { exclusiveMinimum: -1, maximum: 1 },
  ),
  far: numberField(
    z.number({ error: 'must be a number in (0, 1)' }).gt(0, 'must be a number in (0, 1)').lt(1, 'must be a number in (0, 1)'),
    'target false accept rate for this request: the loosest threshold whose false accept rate on the model\'s ROC pairs is ≤ far (422 operating_point_unavailable when the manifest\'s ROC has no score thresholds); not with threshold',
    { exclusiveMinimum: 0, exclusiveMaximum: 1 },
  ),
};

/** For the body schemas' refine: at most one of threshold and far. */
export const oneOperatingPoint: [(b: { threshold?: number; far?: number }) => boolean, { message: string; path: string[] }] = [
  (b) => b.threshold === undefined || b.far === undefined,
  { message: 'send threshold or far, not both', path: ['far'] },
];

export const OperatingPointSchema = z
  .object({
    source: z.enum(['model', 'threshold', 'far']).openapi({ description: "model: the manifest's threshold (the default); threshold or far: this request's" }),
    similarity: z.number().openapi({ description: 'match iff similarity > this' }),
    score: z.number().openapi({ description: 'the same threshold as R = −d²: match iff −d² > this' }),
    far: z.number().optional().openapi({ description: 'far only: the false accept rate asked for' }),
    roc: z
      .object({ far: z.number(), tar: z.number() })
      .optional()
      .openapi({ description: "far only: the ROC point used, its false and true accept rates on the manifest's ROC pairs (roc.pairs)" }),
  })
  .openapi('OperatingPoint', { description: 'The threshold this answer applied, and where it came from' });

/** The operating point a request asks for (threshold or far, validated as exclusive by the schemas), else the model's. */
export function operatingPoint(m: ModelManifest, req: { threshold?: number; far?: number }): OperatingPoint {
  if (req.threshold !== undefined) return { source: 'threshold', similarity: req.threshold, score: scoreFromSimilarity(req.threshold) };
  if (req.far !== undefined) return farOperatingPoint(m, req.far);
  return { source: 'model', similarity: similarityThreshold(m), score: m.threshold.score };
}

/**
 * A target false accept rate through the manifest's ROC: among the points that carry their score
 * threshold and whose FAR is ≤ far, the one with the lowest threshold (the most true accepts).
 * The trainer's points accept R ≥ threshold and this rule accepts R > threshold, so the FAR on the
 * ROC pairs can only be lower. FAR here is measured on roc.pairs, not on the caller's population.
 */
export function farOperatingPoint(m: ModelManifest, far: number): OperatingPoint {
  const unavailable = (why: string, more: Record<string, unknown> = {}) =>
    new ApiError('operating_point_unavailable', `far cannot be used with model ${m.modelVersion}: ${why}; send threshold instead`, { field: 'far', modelVersion: m.modelVersion, ...more });
  if (!m.roc) throw unavailable('its manifest has no ROC');
  const scored = m.roc.points.filter((p): p is [number, number, number] => p.length === 3);
  if (!scored.length) throw unavailable('its ROC points carry no score thresholds');
  const within = scored.filter(([f]) => f <= far);
  if (!within.length) {
    const lowest = Math.min(...scored.map(([f]) => f));
    throw unavailable(`the lowest false accept rate its ROC resolves is ${lowest}`, { minimum: lowest });
  }
  const [pf, pt, score] = within.reduce((a, b) => (b[2] < a[2] ? b : a));
  return { source: 'far', similarity: similarityFromScore(score), score, far, roc: { far: pf, tar: pt } };
}

export function judge(d2: number, op: OperatingPoint) {
  return { match: isMatch(d2, op.score), similarity: similarityFromDistance(d2), distance: d2 };
}

export const judgeSimilarity = (sim: number, op: OperatingPoint) => judge(distanceFromSimilarity(sim), op);
