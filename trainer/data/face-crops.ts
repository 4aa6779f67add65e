// The image a preprocess spec applies to, per framing: 'fixed' = the LFW image as decoded (the
// centre crop then frames the face, as deep funnelling put it there); 'aligned' = the face detected
// (BlazeFace) and warped onto the FaceSpec's LFW-like canvas, as the Worker does for a photo.
// Detections are cached per image (one JSONL line each, resumable) so re-extraction never re-detects:
//   <LANDMARK_ROOT>/<detector id>-<hash of detector spec>.jsonl   {"path","width","height","detections"}
// Every detection is cached (not only the chosen one), so the choice rule can change without a rerun.
import { appendFileSync, existsSync, mkdirSync, readFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { dirname, join } from 'node:path';
import { CACHE_ROOT } from '../features/cache-root.js';
import { decodeImage } from './images.js';
import type { RawImage } from '../../models/contract/preprocess.js';
import type { Detection, DetectorSpec } from '../../models/contract/face/detect.js';
import { alignDetection, faceSize, type FaceSpec } from '../../models/contract/face/pipeline.js';

export type Framing = 'fixed' | 'aligned';
export const FRAMINGS: readonly Framing[] = ['aligned', 'fixed'];

export function parseFraming(v: string): Framing {
  if (v !== 'fixed' && v !== 'aligned') throw new Error(`--framing must be aligned or fixed, not ${v}`);
  return v;
}

/** Landmark caches live beside the feature cache (.cache/landmarks), or under $LANDMARK_CACHE. */
export const LANDMARK_ROOT = process.env.LANDMARK_CACHE ?? join(dirname(CACHE_ROOT), 'landmarks');

const hash8 = (v: unknown) => createHash('sha256').update(JSON.stringify(v)).digest('hex').slice(0, 8);

/** Names a detector's outputs: its id and a hash of its whole spec (thresholds included). */
export const detectorKey = (spec: DetectorSpec) => `${spec.id}-${hash8(spec)}`;

/** Names an aligned framing in feature-cache keys: detector id and a hash of the FaceSpec (detector, template, minimum size). */
export const framingKey = (face: FaceSpec) => `${face.detector.id}-${hash8(face)}`;

/**
 * The face an LFW image is labelled with: LFW images are centred on that face, so among the
 * detections at least `minFaceSize` large whose box contains the image centre, the one whose box
 * centre is nearest the image centre (ties: the larger). Undefined when there is none: a face
 * detected only off centre is someone else (e.g. Rodrigo_Borja_0002, Hugo_Conte_0001: the labelled
 * face is missed, a bystander's is found).
 */
export function chooseLfwFace(dets: Detection[], width: number, height: number, minFaceSize = 0): Detection | undefined {
  const cx = width / 2, cy = height / 2;
  const d2 = (d: Detection) => (d.box.x + d.box.w / 2 - cx) ** 2 + (d.box.y + d.box.h / 2 - cy) ** 2;
  const covers = (d: Detection) => d.box.x <= cx && cx <= d.box.x + d.box.w && d.box.y <= cy && cy <= d.box.y + d.box.h;
  let best: Detection | undefined;
  for (const d of dets) {
    if (faceSize(d) < minFaceSize || !covers(d)) continue;
    if (!best || d2(d) < d2(best) || (d2(d) === d2(best) && faceSize(d) > faceSize(best))) best = d;
  }
  return best;
}

/** Why an image has no chosen face: no detection, only faces below the minimum size, or only faces off the image centre. */
export function fallbackReason(dets: Detection[], width: number, height: number, minFaceSize: number): FallbackReason | undefined {
  if (chooseLfwFace(dets, width, height, minFaceSize)) return undefined;
  if (!dets.length) return 'none';
  return dets.some((d) => faceSize(d) >= minFaceSize) ? 'offcentre' : 'small';
}

export interface LandmarkEntry { path: string; width: number; height: number; detections: Detection[] }

/** Append-only JSONL of detections per image path; a torn last line (crash) is ignored on load. */
export class LandmarkCache {
  private entries = new Map<string, LandmarkEntry>();
  private torn = false;
  constructor(readonly file: string) {
    if (!existsSync(file)) return;
    const text = readFileSync(file, 'utf8');
    this.torn = text.length > 0 && !text.endsWith('\n');
    for (const line of text.split('\n')) {
      if (!line.trim()) continue;
      try {
        const e = JSON.parse(line) as LandmarkEntry;
        this.entries.set(e.path, e);
      } catch { /* torn line */ }
    }
  }

  static forDetector(spec: DetectorSpec, root = LANDMARK_ROOT) {
    return new LandmarkCache(join(root, `${detectorKey(spec)}.jsonl`));
  }

  get size() { return this.entries.size; }
  get(path: string) { return this.entries.get(path); }

  put(e: LandmarkEntry) {
    if (this.entries.has(e.path)) return;
    this.entries.set(e.path, e);
    mkdirSync(dirname(this.file), { recursive: true });
    const round = (v: number) => Math.round(v * 1000) / 1000;
    const detections = e.detections.map((d) => ({
      box: { x: round(d.box.x), y: round(d.box.y), w: round(d.box.w), h: round(d.box.h) },
      landmarks: d.landmarks.map(([x, y]) => [round(x), round(y)]), score: round(d.score),
    }));
    // A line that did not end in '\n' (torn write) is terminated first, so this line parses.
    appendFileSync(this.file, (this.torn ? '\n' : '') + JSON.stringify({ ...e, detections }) + '\n');
    this.torn = false;
  }
}

/** Why an image fell back to its unaligned self (see fallbackReason). */
export type FallbackReason = 'none' | 'small' | 'offcentre';

/** Something that detects faces in a decoded image (NodeFaceDetector, or a stub in tests). */
export interface FaceDetector { detect(img: RawImage): Promise<Detection[]> }

export interface FaceCropperOptions {
  face: FaceSpec;
  imagesDir: string;
  /** Defaults to a NodeFaceDetector on the FaceSpec's detector (created on first use). */
  detector?: FaceDetector;
  cache?: LandmarkCache;
}

/**
 * `faceImage(path, framing)`: the RawImage the preprocess spec applies to. For 'aligned', an image
 * with no usable face falls back to the decoded image (deep-funnelled LFW is already in the
 * template's frame) and is counted in `fallbacks`: the Worker would answer no_face for it.
 */
export class FaceCropper {
  readonly face: FaceSpec;
  readonly cache: LandmarkCache;
  readonly fallbacks = new Map<string, FallbackReason>();
  detected = 0;
  private detector?: Promise<FaceDetector>;
  private queue: Promise<unknown> = Promise.resolve();

  constructor(private o: FaceCropperOptions) {
    this.face = o.face;
    this.cache = o.cache ?? LandmarkCache.forDetector(o.face.detector);
    if (o.detector) this.detector = Promise.resolve(o.detector);
  }

  private getDetector(): Promise<FaceDetector> {
    this.detector ??= import('../../models/node/face-detector.js').then((m) => m.NodeFaceDetector.create(this.face.detector));
    return this.detector;
  }

  /** Cached detections for a path, detecting (one at a time) when missing. */
  async detections(path: string, img: RawImage): Promise<LandmarkEntry> {
    const hit = this.cache.get(path);
    if (hit) return hit;
    const run = this.queue.then(async () => {
      const again = this.cache.get(path);
      if (again) return again;
      const detections = await (await this.getDetector()).detect(img);
      const e = { path, width: img.width, height: img.height, detections };
      this.cache.put(e);
      this.detected++;
      return e;
    });
    this.queue = run.catch(() => undefined);
    return run;
  }

  /** The chosen face of an LFW image, or the reason there is none. */
  async choose(path: string, img: RawImage): Promise<{ face?: Detection; reason?: FallbackReason }> {
    const e = await this.detections(path, img);
    const face = chooseLfwFace(e.detections, e.width, e.height, this.face.minFaceSize);
    return face ? { face } : { reason: fallbackReason(e.detections, e.width, e.height, this.face.minFaceSize) };
  }

  async faceImage(path: string, framing: Framing): Promise<RawImage> {
    const img = await decodeImage(join(this.o.imagesDir, path));
    if (framing === 'fixed') return img;
    const { face, reason } = await this.choose(path, img);
    if (!face) {
      this.fallbacks.set(path, reason!);
      return img;
    }
    this.fallbacks.delete(path);
    return alignDetection(img, face, this.face.align).image;
  }

  /** Fallback counts: total, and by reason. */
  fallbackCounts() {
    const by = { none: 0, small: 0, offcentre: 0 };
    for (const r of this.fallbacks.values()) by[r]++;
    return { total: this.fallbacks.size, ...by };
  }
}

