// Glue from an LFW folder plus a feature store to the trainer's sets: the View 1 identity splits
// (train / validation slice / test), restricted to images that have cached features.
import type { LfwDir } from '../../paths.js';
import { labeledSet, type FeatureLookup, type LabeledSet } from './dataset.js';
import { indexImages, readPeople } from './lfw.js';
import { devSplits, filterImages, type Splits } from './splits.js';

/** The View 1 splits of the images folder; with `has`, train and validation keep only cached images. */
export function devIdentities(lfw: LfwDir, valFraction: number, seed: number, has?: (path: string) => boolean): Splits & { uncachedImages: number } {
  const s = devSplits(indexImages(lfw.images), readPeople(lfw.file('peopleDevTrain.txt'))[0], readPeople(lfw.file('peopleDevTest.txt'))[0], valFraction, seed);
  if (!has) return { ...s, uncachedImages: 0 };
  const count = (ids: Splits['train']) => [...ids.values()].reduce((n, p) => n + p.length, 0);
  const train = filterImages(s.train, has), val = filterImages(s.val, has);
  return { ...s, train, val, uncachedImages: count(s.train) + count(s.val) - count(train) - count(val) };
}

export interface DevSets {
  train: LabeledSet;
  val: LabeledSet;
  splits: Splits & { uncachedImages: number };
}

export function devSets(lfw: LfwDir, store: FeatureLookup, valFraction: number, seed: number): DevSets {
  const splits = devIdentities(lfw, valFraction, seed, (p) => store.has(p));
  return { train: labeledSet(splits.train, store), val: labeledSet(splits.val, store), splits };
}
