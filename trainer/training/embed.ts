// Embedders: turn image paths into unit vectors, either through a trained head (tfjs, batched) or
// as raw backbone features scaled to unit length (the cosine baseline, since d² = 2 − 2·cos).
// With a flip store, the embedding is the normalised mean of the image's and its mirror's (TTA).
import type { FeatureLookup } from '../data/dataset.js';
import { l2Normalize } from '../../models/contract/distance.js';
import { matrixLookup } from '../data/dataset.js';
import { buildHead, embedRows, setHeadWeights } from './head.js';
import { EMBEDDING_SIZE, type HeadWeights } from './head-weights.js';
import { initBackend } from './tf-backend.js';

export type PathEmbedder = (paths: string[]) => Promise<FeatureLookup>;

/** Stacks the rows of paths; throws naming how many have no cached features. */
export function gather(store: FeatureLookup, paths: string[]): Float32Array {
  const missing = paths.filter((p) => !store.has(p));
  if (missing.length) throw new Error(`${missing.length} images have no cached features (e.g. ${missing[0]}): run the features step for them`);
  const dim = store.meta.dim;
  const x = new Float32Array(paths.length * dim);
  paths.forEach((p, i) => x.set(store.get(p), i * dim));
  return x;
}

function meanOfTwo(a: Float32Array, b: Float32Array, dim: number): Float32Array {
  return l2Normalize(a.map((v, i) => v + b[i]), dim);
}

export function rawEmbedder(store: FeatureLookup, flip?: FeatureLookup): PathEmbedder {
  return async (paths) => {
    const uniq = [...new Set(paths)];
    const dim = store.meta.dim;
    let e = l2Normalize(gather(store, uniq), dim);
    if (flip) e = meanOfTwo(e, l2Normalize(gather(flip, uniq), dim), dim);
    return matrixLookup(uniq, dim, e);
  };
}

export function headEmbedder(head: HeadWeights, store: FeatureLookup, flip?: FeatureLookup): PathEmbedder {
  if (store.meta.dim !== head.inputDim) throw new Error(`head takes ${head.inputDim}-d features, store has ${store.meta.dim}-d`);
  let model: ReturnType<typeof buildHead> | undefined;
  return async (paths) => {
    await initBackend();
    if (!model) {
      model = buildHead(head.inputDim);
      setHeadWeights(model, head);
    }
    const uniq = [...new Set(paths)];
    let e = embedRows(model, gather(store, uniq), head.inputDim);
    if (flip) e = meanOfTwo(e, embedRows(model, gather(flip, uniq), head.inputDim), EMBEDDING_SIZE);
    return matrixLookup(uniq, EMBEDDING_SIZE, e);
  };
}
