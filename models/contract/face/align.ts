// Face alignment: a least-squares similarity transform (rotation, uniform scale, translation) from
// detected landmarks to a canonical template, then a warp of the photo onto the template's canvas.
// The warp antialiases when it shrinks: the face's neighbourhood is first resampled with the
// triangle filter to the canvas's scale, then sampled bilinearly, so a 2000 px photo and a 250 px
// one give the same aligned face. Pure code shared by trainer and Worker.
import { resample, type RawImage } from '../preprocess.js';
import { KEYPOINTS } from './detect.js';

export type Keypoint = (typeof KEYPOINTS)[number];
export type Point = [number, number];

/** The canvas faces are aligned onto (stored in the manifest). */
export interface AlignSpec {
  /** Canvas side in pixels. */
  size: number;
  /** Where each keypoint used for the fit lands on the canvas, in canvas pixels. */
  template: Partial<Record<Keypoint, Point>>;
  /** How the template was chosen (provenance, for the manifest and the docs). */
  source: string;
}

/** x' = a·x − b·y + tx, y' = b·x + a·y + ty. */
export interface Similarity { a: number; b: number; tx: number; ty: number }

export const apply = (t: Similarity, [x, y]: Point): Point => [t.a * x - t.b * y + t.tx, t.b * x + t.a * y + t.ty];

export function invert(t: Similarity): Similarity {
  const d = t.a * t.a + t.b * t.b;
  const a = t.a / d, b = -t.b / d;
  return { a, b, tx: -(a * t.tx - b * t.ty), ty: -(b * t.tx + a * t.ty) };
}

/** The similarity that maps src onto dst with the least squared error (no reflection). */
export function fitSimilarity(src: Point[], dst: Point[]): Similarity {
  const n = src.length;
  if (n < 2 || dst.length !== n) throw new Error('fitSimilarity needs two or more point pairs');
  const mean = (ps: Point[]): Point => [ps.reduce((s, p) => s + p[0], 0) / n, ps.reduce((s, p) => s + p[1], 0) / n];
  const [sx, sy] = mean(src), [dx, dy] = mean(dst);
  let num_a = 0, num_b = 0, den = 0;
  for (let i = 0; i < n; i++) {
    const x = src[i][0] - sx, y = src[i][1] - sy, u = dst[i][0] - dx, v = dst[i][1] - dy;
    num_a += x * u + y * v;
    num_b += x * v - y * u;
    den += x * x + y * y;
  }
  if (den === 0) throw new Error('fitSimilarity: source points coincide');
  const a = num_a / den, b = num_b / den;
  return { a, b, tx: dx - (a * sx - b * sy), ty: dy - (b * sx + a * sy) };
}

/** The transform image → canvas for one face's landmarks (KEYPOINTS order). */
export function alignmentTransform(landmarks: Point[], spec: AlignSpec): Similarity {
  const src: Point[] = [], dst: Point[] = [];
  KEYPOINTS.forEach((k, i) => {
    const t = spec.template[k];
    if (t) { src.push(landmarks[i]); dst.push(t); }
  });
  return fitSimilarity(src, dst);
}

/**
 * Warp the image onto the canvas through `toCanvas` (image → canvas). Canvas pixels that fall
 * outside the photo are black. Returns a float RGB image of spec.size².
 */
export function warpToCanvas(img: RawImage, toCanvas: Similarity, size: number): RawImage {
  let src = img;
  let t = toCanvas;
  const s = Math.hypot(t.a, t.b);
  if (s < 1) {
    // Shrink the canvas's footprint in the photo to the canvas's scale first (antialiased).
    const inv = invert(t);
    const corners = ([[0, 0], [size, 0], [0, size], [size, size]] as Point[]).map((p) => apply(inv, p));
    const margin = 2 / s;
    const x0 = Math.max(0, Math.floor(Math.min(...corners.map((p) => p[0])) - margin));
    const y0 = Math.max(0, Math.floor(Math.min(...corners.map((p) => p[1])) - margin));
    const x1 = Math.min(img.width, Math.ceil(Math.max(...corners.map((p) => p[0])) + margin));
    const y1 = Math.min(img.height, Math.ceil(Math.max(...corners.map((p) => p[1])) + margin));
    if (x1 > x0 && y1 > y0) {
      const w = Math.max(1, Math.round((x1 - x0) * s)), h = Math.max(1, Math.round((y1 - y0) * s));
      src = { data: resample(img, { x: x0, y: y0, w: x1 - x0, h: y1 - y0 }, w, h), width: w, height: h, channels: 3 };
      // canvas = t(p) with p = (x0, y0) + q · (x1 − x0) / w per axis, q in the shrunk image.
      const kx = (x1 - x0) / w, ky = (y1 - y0) / h;
      // kx ≈ ky ≈ 1/s; fold the (tiny) anisotropy of rounding into an average so t stays a similarity.
      const k = (kx + ky) / 2;
      t = { a: t.a * k, b: t.b * k, tx: t.a * x0 - t.b * y0 + t.tx, ty: t.b * x0 + t.a * y0 + t.ty };
    }
  }
  const inv = invert(t);
  const { data, width: W, height: H, channels: c } = src;
  const out = new Float32Array(size * size * 3);
  for (let j = 0; j < size; j++) {
    for (let i = 0; i < size; i++) {
      // Pixel centres: canvas (i + ½, j + ½) ↔ source (x + ½, y + ½).
      const [u, v] = apply(inv, [i + 0.5, j + 0.5]);
      const x = u - 0.5, y = v - 0.5;
      const xf = Math.floor(x), yf = Math.floor(y);
      const fx = x - xf, fy = y - yf;
      const o = (j * size + i) * 3;
      for (let dy = 0; dy < 2; dy++) {
        const yy = yf + dy;
        if (yy < 0 || yy >= H) continue;
        const wy = dy ? fy : 1 - fy;
        for (let dx = 0; dx < 2; dx++) {
          const xx = xf + dx;
          if (xx < 0 || xx >= W) continue;
          const w = wy * (dx ? fx : 1 - fx);
          const p = (yy * W + xx) * c;
          out[o] += data[p] * w; out[o + 1] += data[p + 1] * w; out[o + 2] += data[p + 2] * w;
        }
      }
    }
  }
  return { data: out, width: size, height: size, channels: 3 };
}

/** Detected landmarks → the aligned face on the spec's canvas. */
export function alignFace(img: RawImage, landmarks: Point[], spec: AlignSpec): RawImage {
  return warpToCanvas(img, alignmentTransform(landmarks, spec), spec.size);
}
