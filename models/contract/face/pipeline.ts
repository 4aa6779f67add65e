// One face from a photo: detect (through a runtime's ONNX session), pick, align. The spec is data
// from the manifest; the rules for which face to use live here so trainer and Worker agree.
import type { RawImage } from '../preprocess.js';
import { alignmentTransform, warpToCanvas, type AlignSpec, type Point, type Similarity } from './align.js';
import { decodeDetections, letterbox, type Detection, type DetectorSpec } from './detect.js';

export interface FaceSpec {
  detector: DetectorSpec;
  align: AlignSpec;
  /** Smallest usable face: the detector's box side in image pixels. */
  minFaceSize: number;
}

/** Runs the detector's ONNX graph on one letterboxed NHWC input; returns its outputs by name. */
export type RunDetector = (input: Float32Array) => Promise<Record<string, Float32Array>>;

export async function detectFaces(img: RawImage, spec: DetectorSpec, run: RunDetector): Promise<Detection[]> {
  const { tensor, map } = letterbox(img, spec);
  return decodeDetections(await run(tensor), spec, map);
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

export type FaceChoice =
  | { ok: true; face: Detection; found: number }
  | { ok: false; reason: 'no_face'; found: 0 }
  | { ok: false; reason: 'multiple_faces'; found: number; faces: Detection[] }
  | { ok: false; reason: 'face_too_small'; found: number; face: Detection; size: number; minimum: number };

/** The rules every route shares: no face, several faces (by policy), too small. */
export function chooseFace(dets: Detection[], policy: FacePolicy, minFaceSize: number): FaceChoice {
  if (!dets.length) return { ok: false, reason: 'no_face', found: 0 };
  if (policy === 'single' && dets.length > 1) return { ok: false, reason: 'multiple_faces', found: dets.length, faces: bySize(dets) };
  const face = bySize(dets)[0];
  const size = faceSize(face);
  if (size < minFaceSize) return { ok: false, reason: 'face_too_small', found: dets.length, face, size, minimum: minFaceSize };
  return { ok: true, face, found: dets.length };
}
