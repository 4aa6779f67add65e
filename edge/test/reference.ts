// The trainer's side of the edge/trainer parity test, computed in Node: sharp decoding (EXIF
// applied), the face detector on onnxruntime-node, the shared alignment and preprocessing, and
// embeddings from onnxruntime-node for the same edge model file (and the fp32 model, when built).
// The workerd test compares its own decoder, detector run and runtime against these.
import { existsSync, readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import * as ort from 'onnxruntime-node';
import type { ModelManifest } from '../../models/contract/manifest';
import { preprocess } from '../../models/contract/preprocess';
import { alignDetection, chooseFace } from '../../models/contract/face/pipeline';
import type { Detection } from '../../models/contract/face/detect';
import { NodeFaceDetector } from '../../models/node/face-detector';
import { decodeImage } from '../../trainer/data/images';

export interface TrainerReference {
  /** Preprocessed NHWC tensor, float32 little-endian, base64. */
  tensor: string;
  edge: number[];
  fp32: number[] | null;
  /** The face the trainer's side used (null for a manifest without a face pipeline). */
  face: Detection | null;
}

const sessions = new Map<string, Promise<ort.InferenceSession>>();
const session = (file: string) => {
  if (!sessions.has(file)) sessions.set(file, ort.InferenceSession.create(readFileSync(file), { intraOpNumThreads: 1, graphOptimizationLevel: 'all' }));
  return sessions.get(file)!;
};

const detectors = new Map<string, Promise<NodeFaceDetector>>();

export async function trainerReference(real: { manifest: string; file: string; detector: string | null }, photo: string): Promise<TrainerReference> {
  const m: ModelManifest = JSON.parse(real.manifest);
  let img = await decodeImage(photo);
  let face: Detection | null = null;
  if (m.face && real.detector) {
    if (!detectors.has(real.detector)) detectors.set(real.detector, NodeFaceDetector.create(m.face.detector, readFileSync(real.detector)));
    const c = chooseFace(await (await detectors.get(real.detector)!).detect(img), 'largest', m.face.minFaceSize);
    if (!c.ok) throw new Error(`${photo}: ${c.reason}`);
    face = c.face;
    img = alignDetection(img, c.face, m.face.align).image;
  }
  const x = preprocess(img, m.preprocess);
  const run = async (file: string) => {
    const out = await (await session(file)).run({ [m.input.name]: new ort.Tensor('float32', x, [1, m.preprocess.size, m.preprocess.size, 3]) });
    return Array.from(out[m.output.name].data as Float32Array);
  };
  const fp32File = m.files.fp32 && [resolve(dirname(real.file), '../..', m.files.fp32.path), resolve(dirname(real.file), m.files.fp32.path.split('/').at(-1)!)].find(existsSync);
  return { tensor: Buffer.from(x.buffer, x.byteOffset, x.byteLength).toString('base64'), edge: await run(real.file), fp32: fp32File ? await run(fp32File) : null, face };
}
