// A labelled feature matrix: the trainer's view of a split once backbone features are cached.
// Rows are images; labels are identity numbers; features are rows × dim float32 in one buffer.
import type { LfwIndex } from './lfw.js';

/** What the trainer needs from a FeatureStore (trainer/features/store.ts) or any stand-in. */
export interface FeatureLookup {
  readonly meta: { dim: number };
  has(path: string): boolean;
  get(path: string): Float32Array;
}

export interface LabeledSet {
  paths: string[];
  labels: Int32Array;
  names: string[];
  dim: number;
  features: Float32Array;
}

export function rowOf(set: LabeledSet, i: number): Float32Array {
  return set.features.subarray(i * set.dim, (i + 1) * set.dim);
}

/** Builds a set from identities, reading each image's row; images without features are skipped. */
export function labeledSet(ids: LfwIndex, store: FeatureLookup): LabeledSet & { skipped: number } {
  const dim = store.meta.dim;
  const paths: string[] = [];
  const labels: number[] = [];
  const names: string[] = [];
  let skipped = 0;
  for (const [name, imgs] of ids) {
    const kept = imgs.filter((p) => store.has(p));
    skipped += imgs.length - kept.length;
    if (!kept.length) continue;
    for (const p of kept) {
      paths.push(p);
      labels.push(names.length);
    }
    names.push(name);
  }
  const features = new Float32Array(paths.length * dim);
  paths.forEach((p, i) => features.set(store.get(p), i * dim));
  return { paths, labels: Int32Array.from(labels), names, dim, features, skipped };
}

/** Row indices per label. */
export function groupByLabel(labels: Int32Array): number[][] {
  const groups: number[][] = [];
  labels.forEach((l, i) => {
    groups[l] ??= [];
    groups[l].push(i);
  });
  return groups;
}

/** A lookup from paths to rows of a matrix (e.g. embeddings), for code that works on paths. */
export function matrixLookup(paths: string[], dim: number, data: Float32Array): FeatureLookup {
  const at = new Map(paths.map((p, i) => [p, i]));
  return {
    meta: { dim },
    has: (p) => at.has(p),
    get(p) {
      const i = at.get(p);
      if (i === undefined) throw new Error(`no row for ${p}`);
      return data.subarray(i * dim, (i + 1) * dim);
    },
  };
}

/** The set's identities as an LfwIndex (name → its paths in the set). */
export function setIndex(set: LabeledSet): LfwIndex {
  const out: LfwIndex = new Map();
  set.labels.forEach((l, i) => {
    const n = set.names[l];
    if (!out.has(n)) out.set(n, []);
    out.get(n)!.push(set.paths[i]);
  });
  return out;
}

