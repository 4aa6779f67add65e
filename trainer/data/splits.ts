// Identity-disjoint splits over LFW View 1: train on peopleDevTrain minus a seeded validation slice
// (used for per-epoch validation and threshold cross-validation), test on peopleDevTest.
// People with one photo stay in their split: they are never anchors or positives (the sampler needs
// two photos of a person) but serve as negatives, which is all a one-photo identity can teach.
import type { LfwIndex, Person } from './lfw.js';
import { makeRng, shuffle } from './rng.js';

export interface Splits {
  train: LfwIndex;
  val: LfwIndex;
  test: LfwIndex;
  /** People named in the lists but absent from the images folder. */
  missing: string[];
}

export function pick(index: LfwIndex, people: Iterable<Person | string>, missing: string[] = []): LfwIndex {
  const out: LfwIndex = new Map();
  for (const p of people) {
    const name = typeof p === 'string' ? p : p.name;
    const paths = index.get(name);
    if (paths) out.set(name, paths);
    else missing.push(name);
  }
  return out;
}

/** Splits names into (rest, held) with `fraction` held out, stratified by one vs several photos. */
export function holdOut(ids: LfwIndex, fraction: number, seed: number): [LfwIndex, LfwIndex] {
  const rng = makeRng(seed);
  const held = new Set<string>();
  for (const multi of [true, false]) {
    const names = [...ids.keys()].filter((n) => ids.get(n)!.length >= 2 === multi);
    shuffle(names, rng);
    names.slice(0, Math.round(names.length * fraction)).forEach((n) => held.add(n));
  }
  const rest: LfwIndex = new Map();
  const out: LfwIndex = new Map();
  for (const [n, paths] of ids) (held.has(n) ? out : rest).set(n, paths);
  return [rest, out];
}

export function devSplits(index: LfwIndex, devTrain: Person[], devTest: Person[], valFraction = 0.1, seed = 1): Splits {
  const missing: string[] = [];
  const [train, val] = holdOut(pick(index, devTrain, missing), valFraction, seed);
  const test = pick(index, devTest, missing);
  for (const n of test.keys()) if (train.has(n) || val.has(n)) throw new Error(`identity ${n} is in both dev lists`);
  return { train, val, test, missing };
}

/** Keeps only the images that pass `has` (e.g. those with cached features), dropping emptied identities. */
export function filterImages(ids: LfwIndex, has: (path: string) => boolean): LfwIndex {
  const out: LfwIndex = new Map();
  for (const [n, paths] of ids) {
    const kept = paths.filter(has);
    if (kept.length) out.set(n, kept);
  }
  return out;
}
