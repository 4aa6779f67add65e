// Jittered views of an LFW image for training (issue 20 item 1): a deterministic function of
// (seed, image path, view number), so a store row `<path>#jitter<seed>.<k>` always means the same
// picture. Geometry (scale, shift, small rotation) perturbs the face's landmarks before alignment,
// which equals warping the photo and aligning it with the original landmarks: student and teacher
// align the same jittered photo onto their own canvases. Pixels: colour (brightness, contrast,
// saturation, channel gains), blur, down/up-sampling and JPEG quality, in that order, via sharp.
import sharp from 'sharp';
import { createHash } from 'node:crypto';
import type { Point } from '../../models/contract/face/align.js';
import type { RawImage } from '../../models/contract/preprocess.js';
import { makeRng, subSeed } from '../data/rng.js';

export interface JitterParams {
  /** Face scale change (landmarks spread by this factor about their centroid: the aligned face shrinks by it). */
  scale: number;
  /** Landmark shift in eye distances. */
  shiftX: number;
  shiftY: number;
  /** Rotation of the landmarks about their centroid, degrees. */
  rotationDeg: number;
  brightness: number;
  contrast: number;
  saturation: number;
  gains: [number, number, number];
  /** Gaussian blur σ in pixels; 0 = none. */
  blurSigma: number;
  /** Down-sampling factor before up-sampling back (1 = none). */
  resample: number;
  /** JPEG re-encoding quality; 0 = none. */
  jpegQuality: number;
}

/** The ranges the parameters are drawn from (uniform; blur, resampling and JPEG each with probability `p`). */
export const JITTER_RANGES = {
  scale: [0.9, 1.1], shift: 0.1, rotationDeg: 8, brightness: [0.8, 1.2], contrast: [0.8, 1.2], saturation: [0.7, 1.3], gain: [0.95, 1.05],
  blur: { p: 0.3, sigma: [0.5, 1.5] }, resample: { p: 0.5, factor: [0.3, 0.8] }, jpeg: { p: 0.5, quality: [30, 95] },
} as const;

/** The store row name of view k ≥ 1 of an image. */
export const jitterRow = (path: string, seed: number, k: number) => `${path}#jitter${seed}.${k}`;

const pathHash = (path: string) => createHash('sha256').update(path).digest().readUInt32LE(0);

/** The parameters of view k (k ≥ 1) of `path` under `seed`. */
export function jitterParams(seed: number, path: string, k: number): JitterParams {
  if (k < 1) throw new Error('jitter views are numbered from 1 (view 0 is the plain image)');
  const r = makeRng(subSeed(seed, pathHash(path), k));
  const R = JITTER_RANGES;
  const u = (lo: number, hi: number) => lo + (hi - lo) * r.next();
  const maybe = (p: number, f: () => number, off: number) => (r.next() < p ? f() : off);
  return {
    scale: u(R.scale[0], R.scale[1]),
    shiftX: u(-R.shift, R.shift),
    shiftY: u(-R.shift, R.shift),
    rotationDeg: u(-R.rotationDeg, R.rotationDeg),
    brightness: u(R.brightness[0], R.brightness[1]),
    contrast: u(R.contrast[0], R.contrast[1]),
    saturation: u(R.saturation[0], R.saturation[1]),
    gains: [u(R.gain[0], R.gain[1]), u(R.gain[0], R.gain[1]), u(R.gain[0], R.gain[1])],
    blurSigma: maybe(R.blur.p, () => u(R.blur.sigma[0], R.blur.sigma[1]), 0),
    resample: maybe(R.resample.p, () => u(R.resample.factor[0], R.resample.factor[1]), 1),
    jpegQuality: maybe(R.jpeg.p, () => Math.round(u(R.jpeg.quality[0], R.jpeg.quality[1])), 0),
  };
}

/** The landmarks moved by the geometric part: about their centroid, shift in eye distances (eyes: keypoints 0 and 1). */
export function jitterLandmarks(landmarks: Point[], j: JitterParams): Point[] {
  const n = landmarks.length;
  const cx = landmarks.reduce((s, p) => s + p[0], 0) / n, cy = landmarks.reduce((s, p) => s + p[1], 0) / n;
  const eye = Math.hypot(landmarks[1][0] - landmarks[0][0], landmarks[1][1] - landmarks[0][1]) || 1;
  const t = (j.rotationDeg * Math.PI) / 180, c = Math.cos(t) * j.scale, s = Math.sin(t) * j.scale;
  return landmarks.map(([x, y]) => [cx + c * (x - cx) - s * (y - cy) + j.shiftX * eye, cy + s * (x - cx) + c * (y - cy) + j.shiftY * eye] as Point);
}

/** Colour in plain JS: per pixel grey-mix (saturation), contrast about the image mean, brightness and channel gains. */
export function jitterColour(img: RawImage, j: JitterParams): Uint8Array {
  const { data, width, height } = img, n = width * height;
  let mean = 0;
  for (let i = 0; i < n; i++) mean += 0.299 * data[3 * i] + 0.587 * data[3 * i + 1] + 0.114 * data[3 * i + 2];
  mean /= n || 1;
  const out = new Uint8Array(n * 3);
  for (let i = 0; i < n; i++) {
    const r = data[3 * i], g = data[3 * i + 1], b = data[3 * i + 2];
    const grey = 0.299 * r + 0.587 * g + 0.114 * b;
    for (let ch = 0; ch < 3; ch++) {
      const v = grey + j.saturation * ((ch === 0 ? r : ch === 1 ? g : b) - grey);
      out[3 * i + ch] = Math.max(0, Math.min(255, Math.round(((v - mean) * j.contrast + mean) * j.brightness * j.gains[ch])));
    }
  }
  return out;
}

const raw = (img: { width: number; height: number }) => ({ raw: { width: img.width, height: img.height, channels: 3 as const } });

async function toRaw(s: sharp.Sharp): Promise<RawImage> {
  const { data, info } = await s.removeAlpha().raw().toBuffer({ resolveWithObject: true });
  return { data: new Uint8Array(data.buffer, data.byteOffset, data.byteLength), width: info.width, height: info.height, channels: 3 };
}

/** The pixel part of view j of a decoded photo (same size as the input; landmarks are unchanged by it). */
export async function jitterPixels(img: RawImage, j: JitterParams): Promise<RawImage> {
  let cur: RawImage = { data: jitterColour(img, j), width: img.width, height: img.height, channels: 3 };
  if (j.blurSigma > 0) cur = await toRaw(sharp(Buffer.from(cur.data), raw(cur)).blur(Math.max(0.3, j.blurSigma)));
  if (j.resample < 1) {
    const w = Math.max(8, Math.round(img.width * j.resample)), h = Math.max(8, Math.round(img.height * j.resample));
    const small = await toRaw(sharp(Buffer.from(cur.data), raw(cur)).resize(w, h, { fit: 'fill', kernel: 'linear' }));
    cur = await toRaw(sharp(Buffer.from(small.data), raw(small)).resize(img.width, img.height, { fit: 'fill', kernel: 'linear' }));
  }
  if (j.jpegQuality > 0) {
    const jpeg = await sharp(Buffer.from(cur.data), raw(cur)).jpeg({ quality: j.jpegQuality }).toBuffer();
    cur = await toRaw(sharp(jpeg));
  }
  return cur;
}

/** View k of a photo with its face's landmarks: the jittered photo and the landmarks to align it with. */
export async function jitterView(img: RawImage, landmarks: Point[], seed: number, path: string, k: number): Promise<{ image: RawImage; landmarks: Point[]; params: JitterParams }> {
  const params = jitterParams(seed, path, k);
  return { image: await jitterPixels(img, params), landmarks: jitterLandmarks(landmarks, params), params };
}
