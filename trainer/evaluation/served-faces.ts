// A backbone as the Worker serves it, in Node: the manifest's detector and its int8 edge model on
// onnxruntime-node, with the shared contract code in between (detect → the largest-face rules of
// chooseFace → align → preprocess → embed). Used by the offline statistics that must describe the
// served model (impostor tables, the identification benchmark, photos-identify).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { alignDetection, bySize, chooseFace } from '../../models/contract/face/pipeline.js';
import type { FaceSpec } from '../../models/contract/face/pipeline.js';
import type { Detection } from '../../models/contract/face/detect.js';
import type { ModelManifest } from '../../models/contract/manifest.js';
import { preprocess, type RawImage } from '../../models/contract/preprocess.js';
import { NodeFaceDetector } from '../../models/node/face-detector.js';
import { NodeEmbedder } from '../../models/node/load.js';
import { repoRoot } from '../../paths.js';

export type Refusal = 'no_face' | 'face_too_small';
export type FaceResult = { embedding: Float32Array; face: Detection } | { refused: Refusal };

export class ServedFaces {
  private constructor(readonly manifest: ModelManifest, readonly face: FaceSpec, private detector: NodeFaceDetector, private embedder: NodeEmbedder) {}

  /** The manifest's detector and edge model (int8 unless asked otherwise), `threads` intra-op threads each. */
  static async create(m: ModelManifest, threads = 1, variant: 'int8' | 'fp32' = 'int8') {
    if (!m.face) throw new Error(`${m.modelVersion} has no face pipeline: rebuild it with scripts/build-model.ts`);
    const detector = await NodeFaceDetector.create(m.face.detector, new Uint8Array(readFileSync(join(repoRoot, m.files.detector.path))), threads);
    return new ServedFaces(m, m.face, detector, await NodeEmbedder.create(m, variant, threads));
  }

  private async embedCanvas(canvas: RawImage) {
    return (await this.embedder.embed(preprocess(canvas, this.manifest.preprocess))).slice();
  }

  /** What verify and identify do with a photo: the largest face, refused when absent or too small. */
  async largest(img: RawImage): Promise<FaceResult> {
    const c = chooseFace(await this.detector.detect(img), 'largest', this.face.minFaceSize);
    if (!c.ok) return { refused: c.reason === 'face_too_small' ? 'face_too_small' : 'no_face' };
    return { embedding: await this.embedCanvas(alignDetection(img, c.face, this.face.align).image), face: c.face };
  }

  /** The `n` largest usable faces, left to right (how the labelled photos name their people). */
  async leftToRight(img: RawImage, n = 2): Promise<{ x: number; embedding: Float32Array }[]> {
    const dets = bySize(await this.detector.detect(img)).filter((d) => Math.max(d.box.w, d.box.h) >= this.face.minFaceSize);
    const out: { x: number; embedding: Float32Array }[] = [];
    for (const d of dets.slice(0, n)) out.push({ x: d.box.x, embedding: await this.embedCanvas(alignDetection(img, d, this.face.align).image) });
    return out.sort((a, b) => a.x - b.x);
  }
}
