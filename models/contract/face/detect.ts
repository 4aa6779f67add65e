// Face detection around an ONNX BlazeFace (MediaPipe's short/full-range SSD with 896 anchors):
// the image is letterboxed into the detector's square input, the raw outputs are decoded against
// the anchor grid, thresholded and merged by MediaPipe's weighted non-maximum suppression. Pure
// code shared by trainer and Worker; each runtime only runs the ONNX session.
import { resample, type Box, type RawImage } from '../preprocess.js';

/** The detector as data (stored in the manifest): file, input and anchor layout, thresholds. */
export interface DetectorSpec {
  id: string;
  /** Square input side in pixels. */
  size: number;
  /** value = pixel · scale + offset (BlazeFace expects [−1, 1]). */
  scale: number;
  offset: number;
  inputName: string;
  /** Output pairs per anchor layer: scores [1, n, 1] and regressors [1, n, 16], n = grid² · anchors. */
  layers: { grid: number; anchors: number; scores: string; boxes: string }[];
  scoreThreshold: number;
  /** Candidates overlapping more than this (IoU) are merged into one detection. */
  iouThreshold: number;
}

/** BlazeFace's six keypoints, in the model's order (the subject's right eye is on the image's left). */
export const KEYPOINTS = ['rightEye', 'leftEye', 'noseTip', 'mouth', 'rightEar', 'leftEar'] as const;

export interface Detection {
  box: Box;
  /** [x, y] in image pixels, in KEYPOINTS order. */
  landmarks: [number, number][];
  score: number;
}

/**
 * How a letterboxed input maps back: image = origin + (input − pad) / scale, per axis (the resized
 * content's sides are whole pixels, so its scale differs slightly between the axes).
 */
export interface Letterbox { scaleX: number; scaleY: number; padX: number; padY: number; originX: number; originY: number }

/**
 * Where the content goes in the detector's input: its long side spans `fit` of the input's side
 * (1: all of it), centred on the grey level `fill` (0–255).
 */
export interface Placement { fit: number; fill: number }

const FILL_INPUT: Placement = { fit: 1, fill: 0 };

/**
 * A region of the image (default: all of it), aspect kept, scaled into the detector's square
 * input and centred on black (or as `place` says).
 */
export function letterbox(img: RawImage, spec: DetectorSpec, region: Box = { x: 0, y: 0, w: img.width, h: img.height }, place: Placement = FILL_INPUT): { tensor: Float32Array; map: Letterbox } {
  const n = spec.size;
  const scale = (place.fit * n) / Math.max(region.w, region.h);
  const w = Math.max(1, Math.round(region.w * scale));
  const h = Math.max(1, Math.round(region.h * scale));
  const padX = Math.floor((n - w) / 2), padY = Math.floor((n - h) / 2);
  const inner = resample(img, region, w, h, spec.scale, spec.offset);
  const tensor = new Float32Array(n * n * 3).fill(place.fill * spec.scale + spec.offset);
  for (let y = 0; y < h; y++) tensor.set(inner.subarray(y * w * 3, (y + 1) * w * 3), ((y + padY) * n + padX) * 3);
  return { tensor, map: { scaleX: w / region.w, scaleY: h / region.h, padX, padY, originX: region.x, originY: region.y } };
}

const sigmoid = (x: number) => 1 / (1 + Math.exp(-Math.max(-80, Math.min(80, x))));

interface Candidate { cx: number; cy: number; w: number; h: number; kp: number[]; score: number }

/** Anchor-decode every layer's raw outputs into candidates above the score threshold, in input pixels. */
export function decodeCandidates(outputs: Record<string, Float32Array>, spec: DetectorSpec): Candidate[] {
  const out: Candidate[] = [];
  for (const layer of spec.layers) {
    const scores = outputs[layer.scores], boxes = outputs[layer.boxes];
    const n = layer.grid * layer.grid * layer.anchors;
    if (!scores || !boxes || scores.length !== n || boxes.length !== n * 16)
      throw new Error(`detector output ${layer.scores}/${layer.boxes} does not have ${n} anchors`);
    const cell = spec.size / layer.grid;
    for (let i = 0; i < n; i++) {
      const score = sigmoid(scores[i]);
      if (!(score >= spec.scoreThreshold)) continue; // also drops NaN
      const c = Math.floor(i / layer.anchors);
      const ax = ((c % layer.grid) + 0.5) * cell, ay = (Math.floor(c / layer.grid) + 0.5) * cell;
      const r = boxes.subarray(i * 16, i * 16 + 16);
      const kp: number[] = [];
      for (let k = 0; k < 6; k++) kp.push(ax + r[4 + 2 * k], ay + r[5 + 2 * k]);
      out.push({ cx: ax + r[0], cy: ay + r[1], w: r[2], h: r[3], kp, score });
    }
  }
  return out;
}

function iou(a: Candidate, b: Candidate): number {
  const ix = Math.max(0, Math.min(a.cx + a.w / 2, b.cx + b.w / 2) - Math.max(a.cx - a.w / 2, b.cx - b.w / 2));
  const iy = Math.max(0, Math.min(a.cy + a.h / 2, b.cy + b.h / 2) - Math.max(a.cy - a.h / 2, b.cy - b.h / 2));
  const inter = ix * iy;
  return inter / (a.w * a.h + b.w * b.h - inter);
}

/**
 * MediaPipe's weighted NMS: take the best remaining candidate, average it with every candidate
 * overlapping it by more than the IoU threshold (weights = scores), keep its score.
 */
export function weightedNms(cands: Candidate[], iouThreshold: number): Candidate[] {
  const rest = [...cands].sort((a, b) => b.score - a.score);
  const kept: Candidate[] = [];
  while (rest.length) {
    const best = rest[0];
    // best is always in its own group, so the loop ends even on degenerate (zero-size, NaN) boxes.
    const group = [best, ...rest.slice(1).filter((c) => iou(best, c) > iouThreshold)];
    const total = group.reduce((s, c) => s + c.score, 0);
    const avg = (f: (c: Candidate) => number) => group.reduce((s, c) => s + f(c) * c.score, 0) / total;
    kept.push({
      cx: avg((c) => c.cx), cy: avg((c) => c.cy), w: avg((c) => c.w), h: avg((c) => c.h),
      kp: best.kp.map((_v, k) => avg((c) => c.kp[k])), score: best.score,
    });
    for (let i = rest.length - 1; i >= 0; i--) if (group.includes(rest[i])) rest.splice(i, 1);
  }
  return kept;
}

/** Raw outputs → detections in image pixels, best first. */
export function decodeDetections(outputs: Record<string, Float32Array>, spec: DetectorSpec, map: Letterbox): Detection[] {
  const toImg = (x: number, y: number): [number, number] => [map.originX + (x - map.padX) / map.scaleX, map.originY + (y - map.padY) / map.scaleY];
  return weightedNms(decodeCandidates(outputs, spec), spec.iouThreshold).map((c) => {
    const [x, y] = toImg(c.cx - c.w / 2, c.cy - c.h / 2);
    const landmarks = KEYPOINTS.map((_k, i) => toImg(c.kp[2 * i], c.kp[2 * i + 1]));
    return { box: { x, y, w: c.w / map.scaleX, h: c.h / map.scaleY }, landmarks, score: c.score };
  });
}
