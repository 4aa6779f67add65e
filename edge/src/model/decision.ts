// Turns a squared distance into the API's numbers under an operating point, and the request fields
// and answer schema of operating points (chosen in operating-point.ts). The rule
// (models/contract/distance.ts): match iff R = −‖a − b‖² > score; similarity = 1 − d²/2 (cosine of
// unit vectors), so "similarity > t" is the same rule with score = 2t − 2.
import { z } from '@hono/zod-openapi';
import { distanceFromSimilarity, isMatch, scoreFromDistance, similarityFromDistance } from '../../../models/contract/distance';
import type { ModelManifest } from '../../../models/contract/manifest';
import { numberField, optionalText } from '../http/request-input';
import type { OperatingPoint } from './operating-point';

export const scoreFromSimilarity = (sim: number) => scoreFromDistance(distanceFromSimilarity(sim));
export const similarityFromScore = (score: number) => similarityFromDistance(-score);

/** The manifest's threshold in similarity units, derived from the score threshold so the two never disagree. */
export const similarityThreshold = (m: ModelManifest) => similarityFromScore(m.threshold.score);

/** far's OpenAPI description (identify adds that it is per comparison). */
export const FAR_DESCRIPTION =
  "target false accept rate for this request, per comparison: the loosest threshold whose false accept rate on the model's impostor table (else its ROC pairs) is ≤ far " +
  '(422 operating_point_unavailable when it does not resolve far); not with threshold. The ROC is optimistic: LFW View 2, scored for the InceptionV3 model with ' +
  'its head fixed though many View 2 people were training identities of that head (trained per fold, View 2 accuracy was about 7 points lower on an earlier recipe; the dlib ' +
  "network's training data may overlap LFW), so through the ROC the false accepts made can exceed far";

/** The request fields that choose an operating point (verify and identify; JSON or multipart). */
export const OperatingPointFields = {
  threshold: numberField(
    z.number({ error: 'must be a number in (−1, 1]' }).gt(-1, 'must be a number in (−1, 1]').lte(1, 'must be a number in (−1, 1]'),
    'similarity threshold for this request (match iff similarity > threshold), instead of the default; not with far, fpir or operatingPoint',
    { exclusiveMinimum: -1, maximum: 1 },
  ),
  far: numberField(
    z.number({ error: 'must be a number in (0, 1)' }).gt(0, 'must be a number in (0, 1)').lt(1, 'must be a number in (0, 1)'),
    FAR_DESCRIPTION,
    { exclusiveMinimum: 0, exclusiveMaximum: 1 },
  ),
  operatingPoint: optionalText(z.enum(['cv'], { error: 'must be "cv"' })).openapi({
    type: 'string',
    enum: ['cv'],
    description: "cv: the model's threshold T chosen by cross-validation for balanced accuracy (manifest threshold), instead of the default; not with threshold, far or fpir",
  }),
};

/** identify's fields: those above and a target false positive identification rate for the identities searched. */
export const IdentifyOperatingPointFields = {
  ...OperatingPointFields,
  fpir: numberField(
    z.number({ error: 'must be a number in (0, 1)' }).gt(0, 'must be a number in (0, 1)').lt(1, 'must be a number in (0, 1)'),
    "target false positive identification rate for this request: the chance that a stranger is named, over the N comparisons made (the gallery rows searched: an identity enrolled with k images counts k); mapped as far = 1 − (1 − fpir)^(1/N) (422 operating_point_unavailable when the impostor table does not resolve that far); not with threshold, far or operatingPoint",
    { exclusiveMinimum: 0, exclusiveMaximum: 1 },
  ),
};

const CHOICES = ['threshold', 'far', 'fpir', 'operatingPoint'] as const;

/** For the body schemas' superRefine: at most one of threshold, far, fpir and operatingPoint (the issue names the second sent). */
export function oneOperatingPoint(b: Partial<Record<(typeof CHOICES)[number], unknown>>, ctx: z.RefinementCtx) {
  const sent = CHOICES.filter((k) => b[k] !== undefined);
  if (sent.length > 1) ctx.addIssue({ code: 'custom', message: `send one of threshold, far, fpir and operatingPoint, not ${sent.join(' and ')}`, path: [sent[1]] });
}

const Rate = (description: string) => z.number().optional().openapi({ description });

export const OperatingPointSchema = z
  .object({
    source: z.enum(['far', 'fpir', 'threshold', 'cv']).openapi({
      description: "far / fpir: a target rate mapped through the manifest's impostor table (else its ROC); threshold: a similarity; cv: the model's T chosen by cross-validation",
    }),
    origin: z.enum(['default', 'request']).openapi({
      description: 'default: the deployment\'s (VERIFY_FAR on verify, IDENTIFY_FPIR on identify; T when the manifest has no impostor table); request: this request\'s',
    }),
    similarity: z.number().openapi({ description: 'match iff similarity > this' }),
    score: z.number().openapi({ description: 'the same threshold as R = −d²: match iff −d² > this' }),
    far: Rate('far: the per-comparison false accept rate asked for; fpir: the one derived from fpir and the comparisons made, 1 − (1 − fpir)^(1/N)'),
    fpir: Rate('fpir: the false positive identification rate aimed at (the chance a stranger is named)'),
    identities: z.number().int().optional().openapi({ description: 'identify: the identities searched' }),
    comparisons: z.number().int().optional().openapi({ description: 'identify: the comparisons made, one per enrolled image searched (N of the fpir mapping, at least 1)' }),
    clamped: z.boolean().optional().openapi({
      description: "true when the target far was finer than the impostor table resolves: the table's strictest resolved point was used, and expectedFpir says what it gives",
    }),
    measured: z
      .object({ table: z.string(), far: z.number(), tar: z.number(), falseAccepts: z.number().int(), impostorPairs: z.number().int() })
      .optional()
      .openapi({
        description: "the served impostor table's point behind the threshold: its measured false and true accept rates (for threshold and cv: the point at or below the threshold, so far is an upper bound)",
      }),
    expectedFpir: Rate('identify: 1 − (1 − far)^N over the comparisons made, with the measured (or ROC) far of the threshold applied: how often a stranger is expected to be named at this gallery size'),
    roc: z
      .object({ far: z.number(), tar: z.number() })
      .optional()
      .openapi({ description: "far and fpir without an impostor table: the ROC point used, its false and true accept rates on the manifest's ROC pairs (roc.pairs: LFW View 2 with the head fixed, optimistic)" }),
  })
  .openapi('OperatingPoint', { description: 'The threshold this answer applied, and where it came from' }) satisfies z.ZodType<OperatingPoint>;

export function judge(d2: number, op: OperatingPoint) {
  return { match: isMatch(d2, op.score), similarity: similarityFromDistance(d2), distance: d2 };
}

export const judgeSimilarity = (sim: number, op: OperatingPoint) => judge(distanceFromSimilarity(sim), op);
