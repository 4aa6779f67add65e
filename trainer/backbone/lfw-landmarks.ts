// The face of an LFW image for a backbone's canvas, on trainer/data/face-crops.ts's detections (its
// BlazeFace cache .cache/landmarks/<detector>.jsonl and its choice: the face nearest the image
// centre, at least the minimum face size). When there is none the photo is framed as LFW frames it
// on average ("centre framing", as face-crops falls back to the unaligned deep-funneled image): the
// LFW-fitted template's mean landmarks (models/face-template.json) scaled to the image, so the photo
// lands on any canvas as if its face sat where deep-funneled LFW faces sit.
import { join } from 'node:path';
import { KEYPOINTS } from '../../models/contract/face/detect.js';
import type { Point } from '../../models/contract/face/align.js';
import type { FaceSpec } from '../../models/contract/face/pipeline.js';
import type { RawImage } from '../../models/contract/preprocess.js';
import template from '../../models/face-template.json' with { type: 'json' };
import { createHash } from 'node:crypto';
import { chooseLfwFace, detectorKey, FaceCropper, type FallbackReason } from '../data/face-crops.js';
import { decodeImage } from '../data/images.js';

export interface FaceLandmarks {
  /** KEYPOINTS order, image pixels. */
  landmarks: Point[];
  /** Set when no usable face was found and centre framing is used. */
  fallback?: FallbackReason;
  score?: number;
}

/** The LFW-mean landmarks (all six keypoints) in a width × height photo. */
export function centreFraming(width: number, height: number): Point[] {
  const stats = template.stats as Record<string, { mean: number[] }>;
  return KEYPOINTS.map((k) => [stats[k].mean[0] * (width / template.size), stats[k].mean[1] * (height / template.size)] as Point);
}

/** Landmarks per LFW path through face-crops' cache (detecting what is missing). */
export class LfwFaces {
  private cropper: FaceCropper;
  /** Names the landmark source and choice rule (part of output cache keys). */
  readonly key: string;

  constructor(readonly imagesDir: string, face: FaceSpec) {
    this.cropper = new FaceCropper({ face, imagesDir });
    // The choice rule's source is part of the key: a change to it (e.g. requiring the box to cover the
    // image centre) must not reuse outputs computed on faces the old rule chose.
    const rule = createHash('sha256').update(chooseLfwFace.toString()).digest('hex').slice(0, 8);
    this.key = `face-crops ${detectorKey(face.detector)} chooseLfwFace ${rule} min ${face.minFaceSize}; fallback LFW-mean landmarks`;
  }

  async get(path: string, img?: RawImage): Promise<FaceLandmarks> {
    img ??= await decodeImage(join(this.imagesDir, path));
    const { face, reason } = await this.cropper.choose(path, img);
    if (face) return { landmarks: face.landmarks as Point[], score: face.score };
    return { landmarks: centreFraming(img.width, img.height), fallback: reason };
  }

  /** Images detected now (not found in the cache). */
  get detected() { return this.cropper.detected; }
}
