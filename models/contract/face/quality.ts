// Face quality from what detection gives: the detector's confidence, the face's size, head pose from
// the six landmarks (roll from the eye line, yaw from where the nose tip sits between the eyes), and
// sharpness — the variance of the Laplacian of the grey image — and exposure on the face aligned
// into one fixed frame (QUALITY_FRAME, whatever canvas the backbone uses, so one floor means the same
// for every backbone). Pure code shared by trainer and Worker; the floors are data (measured by
// scripts/quality-floor.ts, served from edge/src/model/quality-floor.ts).
import type { Box, RawImage } from '../preprocess.js';
import { alignmentTransform, warpToCanvas, type AlignSpec, type Point } from './align.js';
import type { Detection } from './detect.js';

/** The frame quality is measured in: the LFW-fitted template (models/face-template.json) on 250 px, the frame the floor was measured in. */
export const QUALITY_FRAME: AlignSpec = {
  size: 250,
  template: { rightEye: [103.42, 113.25], leftEye: [147.08, 112.65], noseTip: [125.54, 137.25], mouth: [125.89, 160.83] },
  source: 'models/face-template.json',
};

export interface FaceQuality {
  /** Detector confidence, 0–1. */
  score: number;
  /** The detector box's side in image pixels. */
  size: number;
  /** Degrees; 0 = eyes level. */
  roll: number;
  /**
   * Degrees, a rough estimate: asin of the nose tip's offset from the eyes' midpoint along the eye
   * line, in inter-ocular distances (a frontal face reads ~0, the sign says which way it turns; it
   * saturates at 90 once the nose passes an eye, as in a profile).
   */
  yaw: number;
  /** Variance of the 4-neighbour Laplacian of the aligned face's grey levels (0–255 scale). */
  sharpness: number;
  /** Mean grey level of the aligned face, 0–255. */
  brightness: number;
  /** Share of the aligned face's pixels at ≤ 8 or ≥ 247. */
  clipped: number;
}

/** Floors a usable face meets; a missing entry is not checked. */
export interface QualityFloor {
  minScore?: number;
  minSize?: number;
  maxRoll?: number;
  maxYaw?: number;
  minSharpness?: number;
  minBrightness?: number;
  maxBrightness?: number;
  maxClipped?: number;
}

const deg = (r: number) => (r * 180) / Math.PI;

/** Roll and yaw from BlazeFace's keypoints (rightEye, leftEye, noseTip first). */
export function headPose(landmarks: [number, number][]): { roll: number; yaw: number } {
  const [[rx, ry], [lx, ly], [nx, ny]] = landmarks;
  const ex = lx - rx;
  const ey = ly - ry;
  const iod = Math.hypot(ex, ey) || 1;
  const along = ((nx - (rx + lx) / 2) * ex + (ny - (ry + ly) / 2) * ey) / iod;
  return { roll: deg(Math.atan2(ey, ex)), yaw: deg(Math.asin(Math.max(-1, Math.min(1, along / iod)))) };
}

/** The inner face on the aligned canvas: the template's keypoints' bounds, widened by a quarter of their width. */
export function innerFace(spec: AlignSpec): Box {
  const pts = Object.values(spec.template) as [number, number][];
  const xs = pts.map((p) => p[0]);
  const ys = pts.map((p) => p[1]);
  const x0 = Math.min(...xs);
  const x1 = Math.max(...xs);
  const y0 = Math.min(...ys);
  const y1 = Math.max(...ys);
  const m = (x1 - x0) / 4;
  const clampX = (v: number) => Math.max(0, Math.min(spec.size, Math.round(v)));
  const x = clampX(x0 - m);
  const y = clampX(y0 - m);
  return { x, y, w: clampX(x1 + m) - x, h: clampX(y1 + m) - y };
}

/** Sharpness and exposure of a region of an image. */
export function regionStats(img: RawImage, r: Box): { sharpness: number; brightness: number; clipped: number } {
  const { data, width, channels: c } = img;
  const grey = new Float32Array(r.w * r.h);
  let sum = 0;
  let clipped = 0;
  for (let y = 0; y < r.h; y++)
    for (let x = 0; x < r.w; x++) {
      const p = ((r.y + y) * width + r.x + x) * c;
      const g = 0.299 * data[p] + 0.587 * data[p + 1] + 0.114 * data[p + 2];
      grey[y * r.w + x] = g;
      sum += g;
      if (g <= 8 || g >= 247) clipped++;
    }
  let n = 0;
  let s1 = 0;
  let s2 = 0;
  for (let y = 1; y < r.h - 1; y++)
    for (let x = 1; x < r.w - 1; x++) {
      const i = y * r.w + x;
      const l = grey[i - 1] + grey[i + 1] + grey[i - r.w] + grey[i + r.w] - 4 * grey[i];
      s1 += l;
      s2 += l * l;
      n++;
    }
  const mean = n ? s1 / n : 0;
  return { sharpness: n ? s2 / n - mean * mean : 0, brightness: grey.length ? sum / grey.length : 0, clipped: grey.length ? clipped / grey.length : 0 };
}

/** Quality of a detected face in its photo (aligned into QUALITY_FRAME for sharpness and exposure). */
export function faceQuality(d: Detection, img: RawImage): FaceQuality {
  const aligned = warpToCanvas(img, alignmentTransform(d.landmarks as Point[], QUALITY_FRAME), QUALITY_FRAME.size);
  return { score: d.score, size: Math.max(d.box.w, d.box.h), ...headPose(d.landmarks), ...regionStats(aligned, innerFace(QUALITY_FRAME)) };
}

/** The floors a face misses, as reasons ("sharpness 12.3 < 40"); empty when it meets them all. */
export function qualityIssues(q: FaceQuality, f: QualityFloor): string[] {
  const out: string[] = [];
  const r = (v: number) => Math.round(v * 100) / 100;
  const below = (name: keyof FaceQuality, v: number, min?: number) => min !== undefined && v < min && out.push(`${name} ${r(v)} < ${min}`);
  const above = (name: keyof FaceQuality, v: number, max?: number) => max !== undefined && v > max && out.push(`${name} ${r(v)} > ${max}`);
  below('score', q.score, f.minScore);
  below('size', q.size, f.minSize);
  above('roll', Math.abs(q.roll), f.maxRoll);
  above('yaw', Math.abs(q.yaw), f.maxYaw);
  below('sharpness', q.sharpness, f.minSharpness);
  below('brightness', q.brightness, f.minBrightness);
  above('brightness', q.brightness, f.maxBrightness);
  above('clipped', q.clipped, f.maxClipped);
  return out;
}
