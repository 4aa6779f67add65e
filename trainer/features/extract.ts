// Computes backbone features for a list of images once and caches them (resumable), optionally for
// the horizontally flipped image too; reports images/s. Framing 'aligned' detects and aligns each
// face first (trainer/data/face-crops.ts) into stores keyed by the detector and template; 'fixed' keeps
// the LFW image as it is (the original stores, keys unchanged).
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { FeatureStore, featureKey } from './store.js';
import type { FeatureTap } from '../onnx/keras-to-onnx.js';
import { OnnxBackbone, backboneOnnx } from '../backbone/onnx-backbone.js';
import type { BackboneSource } from '../backbone/source.js';
import { FaceCropper, fallbackReason, framingKey, type Framing, type LandmarkCache } from '../data/face-crops.js';
import { flipHorizontal, preprocess, type PreprocessSpec } from '../../models/contract/preprocess.js';
import type { FaceSpec } from '../../models/contract/face/pipeline.js';
import { defaultFaceSpec } from '../../models/node/face-detector.js';

export interface ExtractOptions {
  source: BackboneSource;
  imagesDir: string;
  paths: string[];
  spec: PreprocessSpec;
  taps: FeatureTap[];
  cacheRoot: string;
  flip?: boolean;
  /** 'fixed' (default here; the CLI defaults to 'aligned') or 'aligned' on `face`. */
  framing?: Framing;
  /** The alignment for 'aligned' (default: defaultFaceSpec()). */
  face?: FaceSpec;
  /** Landmark cache for 'aligned' (default: the detector's file under LANDMARK_ROOT). */
  landmarks?: LandmarkCache;
  batch?: number;
  threads?: number;
  onProgress?: (done: number, total: number, imagesPerSecond: number) => void;
}

type StoreOptions = Pick<ExtractOptions, 'source' | 'spec' | 'taps' | 'cacheRoot' | 'framing' | 'face'>;

/** The aligned stores' framing: its key part and the FaceSpec recorded in their meta; none for 'fixed'. */
export function storeFraming(o: Pick<ExtractOptions, 'framing' | 'face'>): { framing: string; face: FaceSpec } | undefined {
  if ((o.framing ?? 'fixed') === 'fixed') return undefined;
  const face = o.face ?? defaultFaceSpec();
  return { framing: framingKey(face), face };
}

export function openStores(o: StoreOptions, flip: boolean, dims?: Record<string, number>) {
  const fr = storeFraming(o);
  return Object.fromEntries(o.taps.map((t) => {
    const key = featureKey(o.source.sha256, o.spec, t.output, flip, fr?.framing);
    return [t.output, dims ? FeatureStore.open(o.cacheRoot, { key, dim: dims[t.output], featureName: t.output, flip, backboneSha256: o.source.sha256, preprocess: o.spec, ...fr })
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

/**
 * Aligned framing: the images among `paths` with no usable face (they were embedded unaligned),
 * from the landmark cache alone; paths never detected are listed as unknown.
 */
export function alignmentFallbacks(paths: string[], cache: LandmarkCache, face: FaceSpec) {
  const by = { none: [] as string[], small: [] as string[], offcentre: [] as string[] }, unknown: string[] = [];
  for (const p of paths) {
    const e = cache.get(p);
    const r = e && fallbackReason(e.detections, e.width, e.height, face.minFaceSize);
    if (!e) unknown.push(p);
    else if (r) by[r].push(p);
  }
  return { total: by.none.length + by.small.length + by.offcentre.length, ...by, unknown };
}

export interface ExtractResult {
  computed: number;
  imagesPerSecond: number;
  /** Aligned framing only: the images that fell back to the unaligned image (the Worker would answer no_face). */
  fallbacks?: ReturnType<typeof alignmentFallbacks>;
}

export async function extractFeatures(o: ExtractOptions): Promise<ExtractResult> {
  const batch = o.batch ?? 8;
  const variants = o.flip ? [false, true] : [false];
  const fr = storeFraming(o);
  const framing: Framing = fr ? 'aligned' : 'fixed';
  const cropper = new FaceCropper({ face: fr?.face ?? defaultFaceSpec(), imagesDir: o.imagesDir, cache: o.landmarks });
  const fallbacks = () => (fr ? { fallbacks: alignmentFallbacks(o.paths, cropper.cache, fr.face) } : {});
  if (o.paths.length === 0 || complete(o, variants)) return { computed: 0, imagesPerSecond: 0, ...fallbacks() };
  const load = (p: string) => cropper.faceImage(p, framing).then((img) => preprocess(img, o.spec));
  const backbone = await OnnxBackbone.create(backboneOnnx(o.source, o.taps, o.spec.size), o.spec.size, o.threads ?? 2);
  const size = o.spec.size, px = size * size * 3;
  const storesFor: Record<string, Record<string, FeatureStore>> = {};
  const t0 = Date.now();
  let computed = 0;
  // Discover dims with one image, then open (or resume) the stores.
  const probe = await backbone.run(await load(o.paths[0]), 1);
  const dims = Object.fromEntries(Object.entries(probe).map(([k, v]) => [k, v.length]));
  for (const f of variants) storesFor[String(f)] = openStores(o, f, dims);
  const todo = o.paths.filter((p) => variants.some((f) => Object.values(storesFor[String(f)]).some((s) => !s.has(p))));
  for (let i = 0; i < todo.length; i += batch) {
    const paths = todo.slice(i, i + batch);
    const input = new Float32Array(paths.length * px);
    const images = await Promise.all(paths.map(load));
    for (const f of variants) {
      if (Object.values(storesFor[String(f)]).every((s) => paths.every((p) => s.has(p)))) continue; // e.g. only the mirrored store is new
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
  return { computed, imagesPerSecond: computed / Math.max(1e-9, (Date.now() - t0) / 1000), ...fallbacks() };
}

/** `trainer features`: caches features of every image under the data root (all taps, optional flip). */
export async function featuresCommand(argv: string[]) {
  const { Command } = await import('commander');
  const { resolveDataDir } = await import('../../paths.js');
  const { indexImages } = await import('../data/lfw.js');
  const { loadBackbone } = await import('../backbone/source.js');
  const { FEATURE_TAPS } = await import('./taps.js');
  const { CACHE_ROOT } = await import('./cache-root.js');
  const { LFW_CROP_SIDE, lfwPreprocess } = await import('../../models/contract/preprocess.js');
  const o = new Command('features')
    .option('--data <dir>').option('--backbone <spec>', 'nsfwjs:inception_v3 or a tfjs layers model.json', 'nsfwjs:inception_v3')
    .option('--crop <side>', 'centre crop as a fraction of the image', String(LFW_CROP_SIDE)).option('--flip', 'also cache mirrored images')
    .option('--taps <list>', 'feature taps', FEATURE_TAPS.map((t) => t.output).join(','))
    .option('--threads <n>', 'onnxruntime intra-op threads', '2')
    .option('--size <px>', 'backbone input side (InceptionV3 takes any; the committed model uses 299)')
    .option('--framing <aligned|fixed>', 'aligned: detect + align each face onto the LFW template (defaultFaceSpec); fixed: the LFW image as-is', 'aligned')
    .parse(argv, { from: 'user' }).opts();
  const { parseFraming } = await import('../data/face-crops.js');
  const framing = parseFraming(String(o.framing));
  const lfw = resolveDataDir(o.data);
  const source = loadBackbone(o.backbone);
  const index = indexImages(lfw.images);
  // People with several photos first: training needs them; one-photo people only serve as negatives.
  const people = [...index.values()];
  const paths = [...people.filter((p) => p.length > 1).flat(), ...people.filter((p) => p.length === 1).flat()];
  const spec: PreprocessSpec = { ...lfwPreprocess(source.inputScale, Number(o.crop)), ...(o.size ? { size: Number(o.size) } : {}) };
  const taps = String(o.taps).split(',').map((n) => FEATURE_TAPS.find((t) => t.output === n) ?? (() => { throw new Error(`unknown tap ${n}`); })());
  const tty = process.stderr.isTTY;
  const r = await extractFeatures({ source, imagesDir: lfw.images, paths, spec, taps, cacheRoot: CACHE_ROOT, flip: !!o.flip, framing, threads: Number(o.threads),
    onProgress: (d, t, ips) => { if (tty) process.stderr.write(`\r${d}/${t} images, ${ips.toFixed(1)} images/s `); else if (d % 800 < 8) console.error(`${d}/${t} images, ${ips.toFixed(1)} images/s`); } });
  console.error(`\ncomputed ${r.computed} images at ${r.imagesPerSecond.toFixed(1)} images/s into ${CACHE_ROOT}`);
  const stores = Object.values(openStores({ source, spec, taps, cacheRoot: CACHE_ROOT, framing }, false)).map((s) => s.dir);
  console.error(`framing ${framing}: ${stores.join(', ')}`);
  if (r.fallbacks) {
    const f = r.fallbacks;
    console.error(`aligned: ${f.total} of ${paths.length} images without a usable face (${f.none.length} no detection, ${f.small.length} only faces under ${storeFraming({ framing })!.face.minFaceSize} px, ${f.offcentre.length} only faces off the image centre) embedded unaligned${f.unknown.length ? `; ${f.unknown.length} never detected` : ''}`);
    for (const dir of stores) writeFileSync(join(dir, 'fallbacks.json'), JSON.stringify({ none: f.none, small: f.small, offcentre: f.offcentre }, null, 1) + '\n');
  }
}
