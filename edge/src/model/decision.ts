// Turns a squared distance into the API's numbers, using the manifest's rule:
// match iff R = −‖a − b‖² > threshold.score; similarity = 1 − d²/2 (cosine of unit vectors).
import { isMatch, similarityFromDistance, distanceFromSimilarity } from '../../../models/contract/distance';
import type { ModelManifest } from '../../../models/contract/manifest';

/** The threshold in similarity units, derived from the score threshold so the two never disagree. */
export const similarityThreshold = (m: ModelManifest) => similarityFromDistance(-m.threshold.score);

export function judge(d2: number, m: ModelManifest) {
  return { match: isMatch(d2, m.threshold.score), similarity: similarityFromDistance(d2), distance: d2 };
}

export const judgeSimilarity = (sim: number, m: ModelManifest) => judge(distanceFromSimilarity(sim), m);
