// The expensive, clean form of LFW View 2: for each of the 10 folds, train a head on identities
// that do not appear in that fold (people.txt), pick T on the other 9 folds, score the held fold.
// The held folds' scores, each from its own head, are also pooled (AUC, EER, TAR at FAR 1e-3 over
// all 3,000 different-person pairs): one fold's 300 cannot show FAR 1e-3.
import type { LfwDir } from '../../paths.js';
import { labeledSet, type FeatureLookup } from '../data/dataset.js';
import { headEmbedder } from '../training/embed.js';
import { scorePairs, separation, type Separation } from './evaluate.js';
import { indexImages, readPairs, readPeople } from '../data/lfw.js';
import { holdOut } from '../data/splits.js';
import { accuracyAt, bestThreshold, meanStd, type Scored } from './threshold.js';
import { trainHead, type TrainOptions } from '../training/train.js';
import type { TrainConfig } from '../training/config.js';
import { makeConfig } from '../training/config.js';

export interface View2PerFold { mean: number; std: number; folds: number[]; pooled: Separation }

export async function view2TrainPerFold(lfw: LfwDir, store: FeatureLookup, overrides: Partial<TrainConfig>, opts: TrainOptions = {}): Promise<View2PerFold> {
  const c = makeConfig(overrides);
  const index = indexImages(lfw.images);
  const folds = readPeople(lfw.file('people.txt'));
  const pairs = readPairs(lfw.file('pairs.txt'));
  const log = opts.log ?? console.error;
  const accuracies: number[] = [];
  const held: Scored[] = [];
  for (let f = 0; f < folds.length; f++) {
    const heldPeople = new Set(folds[f].map((p) => p.name));
    const ids = new Map([...index].filter(([n]) => !heldPeople.has(n)));
    const [trainIds, valIds] = holdOut(ids, c.valFraction, c.seed);
    log(`View 2 fold ${f + 1}/${folds.length}: training on ${trainIds.size} identities`);
    const r = await trainHead(labeledSet(trainIds, store), labeledSet(valIds, store), c, { ...opts, outDir: opts.outDir && `${opts.outDir}/fold-${f + 1}` });
    const scored = await scorePairs(pairs, headEmbedder(r.head, store));
    const { threshold } = bestThreshold(scored.filter((_, i) => pairs[i].fold !== f));
    const fold = scored.filter((_, i) => pairs[i].fold === f);
    held.push(...fold);
    accuracies.push(accuracyAt(fold, threshold));
    log(`View 2 fold ${f + 1}: accuracy ${accuracies[f].toFixed(4)}`);
  }
  return { ...meanStd(accuracies), folds: accuracies, pooled: separation(held) };
}
