// Computes backbone features for a list of images once and caches them (resumable), optionally for
// the horizontally flipped image too; reports images/s.
import { join } from 'node:path';
import { FeatureStore, featureKey } from './store.js';
import type { FeatureTap } from '../onnx/keras-to-onnx.js';
import { OnnxBackbone, backboneOnnx } from '../backbone/onnx-backbone.js';
import type { BackboneSource } from '../backbone/source.js';
import { decodeImage } from '../images.js';
import { flipHorizontal, preprocess, type PreprocessSpec } from '../../models/contract/preprocess.js';

export interface ExtractOptions {
  source: BackboneSource;
  imagesDir: string;
  paths: string[];
  spec: PreprocessSpec;
  taps: FeatureTap[];
  cacheRoot: string;
  flip?: boolean;
  batch?: number;
  threads?: number;
  onProgress?: (done: number, total: number, imagesPerSecond: number) => void;
}

export function openStores(o: Pick<ExtractOptions, 'source' | 'spec' | 'taps' | 'cacheRoot'>, flip: boolean, dims?: Record<string, number>) {
  return Object.fromEntries(o.taps.map((t) => {
    const key = featureKey(o.source.sha256, o.spec, t.output, flip);
    return [t.output, dims ? FeatureStore.open(o.cacheRoot, { key, dim: dims[t.output], featureName: t.output, flip, backboneSha256: o.source.sha256, preprocess: o.spec })
      : FeatureStore.read(join(o.cacheRoot, key))];
  })) as Record<string, FeatureStore>;
}

/** True when every requested (tap, flip) store already holds every path. */
function complete(o: ExtractOptions, variants: boolean[]): boolean {
  try {
    return variants.every((f) => Object.values(openStores(o, f)).every((s) => o.paths.every((p) => s.has(p))));
  } catch {
    return false;
  }
}

export async function extractFeatures(o: ExtractOptions): Promise<{ computed: number; imagesPerSecond: number }> {
  const batch = o.batch ?? 8;
  const variants = o.flip ? [false, true] : [false];
  if (o.paths.length === 0 || complete(o, variants)) return { computed: 0, imagesPerSecond: 0 };
  const backbone = await OnnxBackbone.create(backboneOnnx(o.source, o.taps), o.spec.size, o.threads ?? 2);
  const size = o.spec.size, px = size * size * 3;
  const storesFor: Record<string, Record<string, FeatureStore>> = {};
  const t0 = Date.now();
  let computed = 0;
  // Discover dims with one image, then open (or resume) the stores.
  const probe = await backbone.run(preprocess(await decodeImage(join(o.imagesDir, o.paths[0])), o.spec), 1);
  const dims = Object.fromEntries(Object.entries(probe).map(([k, v]) => [k, v.length]));
  for (const f of variants) storesFor[String(f)] = openStores(o, f, dims);
  const todo = o.paths.filter((p) => variants.some((f) => Object.values(storesFor[String(f)]).some((s) => !s.has(p))));
  for (let i = 0; i < todo.length; i += batch) {
    const paths = todo.slice(i, i + batch);
    const input = new Float32Array(paths.length * px);
    const images = await Promise.all(paths.map(async (p) => preprocess(await decodeImage(join(o.imagesDir, p)), o.spec)));
    for (const f of variants) {
      images.forEach((x, j) => input.set(f ? flipHorizontal(x, size) : x, j * px));
      const out = await backbone.run(input, paths.length);
      for (const [name, store] of Object.entries(storesFor[String(f)])) {
        const keep = paths.map((p, j) => [p, j] as const).filter(([p]) => !store.has(p));
        if (!keep.length) continue;
        const rows = new Float32Array(keep.length * store.meta.dim);
        keep.forEach(([, j], r) => rows.set(out[name].subarray(j * store.meta.dim, (j + 1) * store.meta.dim), r * store.meta.dim));
        store.append(keep.map(([p]) => p), rows);
      }
    }
    computed += paths.length;
    o.onProgress?.(computed, todo.length, computed / ((Date.now() - t0) / 1000));
  }
  await backbone.release();
  return { computed, imagesPerSecond: computed / Math.max(1e-9, (Date.now() - t0) / 1000) };
}
