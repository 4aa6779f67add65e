// What distillation training reads, by image path: the teacher's embedding of view k of an image
// (k = 0 the plain image, k ≥ 1 the jittered views of trainer/features/jitter.ts) and the student's
// raw features of the jittered views, from the teacher store and the student's feature store
// (rows `<path>#jitter<seed>.<k>`); and those rows gathered into arrays aligned with a training set.
import type { FeatureLookup } from '../data/dataset.js';
import { l2Normalize } from '../../models/contract/distance.js';
import { jitterRow } from '../features/jitter.js';

export interface DistillSource {
  /** The teacher store's key (recorded in the head's meta). */
  key?: string;
  /** Teacher embedding size. */
  dim: number;
  /** Teacher embedding of view k of an image; undefined when it is not cached. */
  target(path: string, k: number): Float32Array | undefined;
  /** The student's raw features of view k ≥ 1; undefined when not cached. */
  features(path: string, k: number): Float32Array | undefined;
}

export function distillSource(student: FeatureLookup, teacher: FeatureLookup & { meta: { dim: number; key?: string } }, jitterSeed: number): DistillSource {
  const row = (p: string, k: number) => (k ? jitterRow(p, jitterSeed, k) : p);
  return {
    key: teacher.meta.key,
    dim: teacher.meta.dim,
    target: (p, k) => (teacher.has(row(p, k)) ? teacher.get(row(p, k)) : undefined),
    features: (p, k) => (k > 0 && student.has(row(p, k)) ? student.get(row(p, k)) : undefined),
  };
}

export interface DistillArrays {
  /** Unit teacher rows per view 0..K (undefined when targets were not asked for), rows aligned with `paths`. */
  targets?: Float32Array[];
  /** Raw student features per view 1..K. */
  views: Float32Array[];
  /** Rows whose view k was not cached and that fall back to the plain image (features and target). */
  missingViews: number;
}

/**
 * Arrays for `paths` (rows of `plain`, rows × dim): views 1..K and, with `targets`, the teacher rows
 * of views 0..K. A missing plain teacher row throws; a missing view falls back to the plain row.
 */
export function distillArrays(paths: string[], plain: Float32Array, dim: number, src: DistillSource, views: number, targets: boolean): DistillArrays {
  const n = paths.length;
  let missingViews = 0;
  const t0 = targets ? new Float32Array(n * src.dim) : undefined;
  if (t0) paths.forEach((p, i) => {
    const t = src.target(p, 0);
    if (!t) throw new Error(`no teacher embedding for ${p}: run \`npx tsx trainer/cli.ts teacher\``);
    t0.set(t, i * src.dim);
  });
  const out: DistillArrays = { targets: t0 && [l2Normalize(t0, src.dim)], views: [], missingViews: 0 };
  for (let k = 1; k <= views; k++) {
    const x = new Float32Array(n * dim), t = targets ? new Float32Array(n * src.dim) : undefined;
    paths.forEach((p, i) => {
      const f = src.features(p, k), g = src.target(p, k);
      const ok = f && (!t || g);
      if (!ok) missingViews++;
      x.set(ok ? f : plain.subarray(i * dim, (i + 1) * dim), i * dim);
      if (t) t.set(ok ? g! : t0!.subarray(i * src.dim, (i + 1) * src.dim), i * src.dim);
    });
    out.views.push(x);
    if (t) out.targets!.push(l2Normalize(t, src.dim));
  }
  out.missingViews = missingViews;
  return out;
}
