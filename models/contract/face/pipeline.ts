// One face from a photo: detect (through a runtime's ONNX session), pick, align. The spec is data
// from the manifest; the rules for which face to use live here so trainer and Worker agree.
import type { Box, RawImage } from '../preprocess.js';
import { alignmentTransform, warpToCanvas, type AlignSpec, type Point, type Similarity } from './align.js';
import { decodeDetections, letterbox, type Detection, type DetectorSpec, type Placement } from './detect.js';

export interface FaceSpec {
  detector: DetectorSpec;
  align: AlignSpec;
  /** Smallest usable face: the detector's box side in image pixels. */
  minFaceSize: number;
}

/** Runs the detector's ONNX graph on one letterboxed NHWC input; returns its outputs by name. */
export type RunDetector = (input: Float32Array) => Promise<Record<string, Float32Array>>;

/**
 * The last try before a photo is refused as face-less: the whole image shrunk to 2/3 of the
 * detector's input on mid-grey, so the face of a tight crop sits inside the frame as the detector
 * expects (scripts/experiments/tight-crops.ts: LFW tight crops failing 22% → 1%, no detection on
 * face-less images; BENCHMARKS.md).
 */
export const PADDED_RETRY: Placement = { fit: 1 / 1.5, fill: 128 };

/**
 * Faces in the whole image, letterboxed into the detector's input; when that finds none in a photo
 * much larger than the input, overlapping tiles of twice the input's side are searched too, so a
 * face that the whole-image pass shrank below the detector's reach (a small face in a large
 * picture) is still found. Tile detections are merged by IoU, best score first. When still none
 * is found, the image is searched once more on a padded canvas (`padded`, null: not at all);
 * detections there are kept only with their centre inside the image, and their boxes clipped to it.
 */
export async function detectFaces(img: RawImage, spec: DetectorSpec, run: RunDetector, tiles = true, padded: Placement | null = PADDED_RETRY): Promise<Detection[]> {
  const once = async (region?: Box, place?: Placement) => {
    const { tensor, map } = letterbox(img, spec, region, place);
    return decodeDetections(await run(tensor), spec, map);
  };
  const whole = await once();
  if (whole.length) return whole;
  const side = 2 * spec.size;
  if (tiles && Math.max(img.width, img.height) > 1.5 * side) {
    const found: Detection[] = [];
    for (const y of tileStarts(img.height, side)) for (const x of tileStarts(img.width, side)) found.push(...(await once({ x, y, w: Math.min(side, img.width), h: Math.min(side, img.height) })));
    if (found.length) return mergeDetections(found, spec.iouThreshold);
  }
  if (!padded) return [];
  return (await once(undefined, padded)).flatMap((d) => clipToImage(d, img));
}

/** A detection whose box centre lies in the image, its box clipped to the image; none otherwise. */
function clipToImage(d: Detection, img: RawImage): Detection[] {
  const cx = d.box.x + d.box.w / 2, cy = d.box.y + d.box.h / 2;
  if (cx < 0 || cy < 0 || cx > img.width || cy > img.height) return [];
  const x0 = Math.max(0, d.box.x), y0 = Math.max(0, d.box.y);
  const x1 = Math.min(img.width, d.box.x + d.box.w), y1 = Math.min(img.height, d.box.y + d.box.h);
  return [{ ...d, box: { x: x0, y: y0, w: x1 - x0, h: y1 - y0 } }];
}

/** Tile origins covering [0, length) with tiles of `side`, overlapping by at least a quarter. */
export function tileStarts(length: number, side: number): number[] {
  if (length <= side) return [0];
  const n = Math.ceil((length - side) / (side * 0.75)) + 1;
  return Array.from({ length: n }, (_v, i) => Math.round((i * (length - side)) / (n - 1)));
}

/** Intersection over union of two boxes. */
export function boxIou(a: Box, b: Box): number {
  const ix = Math.max(0, Math.min(a.x + a.w, b.x + b.w) - Math.max(a.x, b.x));
  const iy = Math.max(0, Math.min(a.y + a.h, b.y + b.h) - Math.max(a.y, b.y));
  return (ix * iy) / (a.w * a.h + b.w * b.h - ix * iy);
}

/** Detections of overlapping tiles: the best-scoring of each overlapping group (IoU > threshold). */
export function mergeDetections(dets: Detection[], iouThreshold: number): Detection[] {
  const kept: Detection[] = [];
  for (const d of [...dets].sort((a, b) => b.score - a.score)) if (!kept.some((k) => boxIou(k.box, d.box) > iouThreshold)) kept.push(d);
  return kept;
}

/** The detector box's side: the face size the minimum applies to. */
export const faceSize = (d: Detection) => Math.max(d.box.w, d.box.h);

/** Largest first (ties: higher score). */
export const bySize = (dets: Detection[]) => [...dets].sort((a, b) => faceSize(b) - faceSize(a) || b.score - a.score);

export interface AlignedFace { image: RawImage; transform: Similarity }

export function alignDetection(img: RawImage, d: Detection, spec: AlignSpec): AlignedFace {
  const transform = alignmentTransform(d.landmarks as Point[], spec);
  return { image: warpToCanvas(img, transform, spec.size), transform };
}

/** Which face a request uses: the largest, or exactly one (enrolment refuses group photos). */
export type FacePolicy = 'largest' | 'single';

/** A caller's box selects the detection it overlaps most, if their IoU reaches this. */
export const BOX_MIN_IOU = 0.3;

export type FaceChoice =
  | { ok: true; face: Detection; found: number; overlap?: number }
  | { ok: false; reason: 'no_face'; found: 0 }
  | { ok: false; reason: 'multiple_faces'; found: number; faces: Detection[] }
  | { ok: false; reason: 'box_no_face'; found: number; faces: Detection[]; overlap: number }
  | { ok: false; reason: 'face_too_small'; found: number; face: Detection; size: number; minimum: number };

/**
 * The rules every route shares: no face, several faces (by policy), too small. A caller's `box`
 * selects a face instead of the policy: the detection overlapping it most (IoU ≥ BOX_MIN_IOU),
 * even in a group photo; `overlap` is that IoU.
 */
export function chooseFace(dets: Detection[], policy: FacePolicy, minFaceSize: number, box?: Box): FaceChoice {
  if (box) {
    let face: Detection | undefined, overlap = 0;
    for (const d of dets) {
      const o = boxIou(d.box, box);
      if (o > overlap) (face = d), (overlap = o);
    }
    if (!face || overlap < BOX_MIN_IOU) return { ok: false, reason: 'box_no_face', found: dets.length, faces: bySize(dets), overlap };
    return sizeChecked(face, dets.length, minFaceSize, overlap);
  }
  if (!dets.length) return { ok: false, reason: 'no_face', found: 0 };
  if (policy === 'single' && dets.length > 1) return { ok: false, reason: 'multiple_faces', found: dets.length, faces: bySize(dets) };
  return sizeChecked(bySize(dets)[0], dets.length, minFaceSize);
}

function sizeChecked(face: Detection, found: number, minFaceSize: number, overlap?: number): FaceChoice {
  const size = faceSize(face);
  if (size < minFaceSize) return { ok: false, reason: 'face_too_small', found, face, size, minimum: minFaceSize };
  return { ok: true, face, found, ...(overlap === undefined ? {} : { overlap }) };
}
