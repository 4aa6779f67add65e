// Chooses the decision threshold for an embedder on validation identities (never the test set):
// a seeded set of validation triplets gives same/different comparisons, and 10-fold CV picks T.
import type { PathEmbedder } from '../training/embed.js';
import type { LfwIndex } from '../data/lfw.js';
import { scoreTriplets, makeTestTriplets } from '../data/test-set.js';
import { kFoldThreshold, type CvResult } from './threshold.js';
import { similarityFromDistance } from '../../models/contract/distance.js';

export interface ThresholdChoice extends CvResult {
  comparisons: number;
  /** The same threshold in the contract's two forms (R = −d² > score ⟺ similarity > similarity). */
  score: number;
  similarity: number;
  method: string;
}

export async function pickThreshold(embed: PathEmbedder, valIds: LfwIndex, rows = 1000, seed = 1, k = 10): Promise<ThresholdChoice> {
  const ts = makeTestTriplets(valIds, rows, seed);
  const look = await embed(ts.flatMap((t) => [t.anchor, t.positive, t.negative]));
  const { comparisons } = scoreTriplets(ts, (p) => look.get(p), 0, 0);
  const cv = kFoldThreshold(comparisons, k, seed);
  return {
    ...cv,
    comparisons: comparisons.length,
    score: cv.threshold,
    similarity: similarityFromDistance(-cv.threshold),
    method: `${k}-fold CV on ${comparisons.length} comparisons of ${valIds.size} validation identities: accuracy ${cv.mean.toFixed(4)} ± ${cv.std.toFixed(4)}`,
  };
}
