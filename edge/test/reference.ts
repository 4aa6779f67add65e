// The trainer's side of the edge/trainer parity test, computed in Node: sharp decoding plus the
// shared preprocessing, and embeddings from onnxruntime-node for the same edge model file (and the
// fp32 model, when built). The workerd test compares its own decoder and runtime against these.
import { existsSync, readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import * as ort from 'onnxruntime-node';
import type { ModelManifest } from '../../models/contract/manifest';
import { preprocess } from '../../models/contract/preprocess';
import { decodeImage } from '../../trainer/images';

export interface TrainerReference {
  /** Preprocessed NHWC tensor, float32 little-endian, base64. */
  tensor: string;
  edge: number[];
  fp32: number[] | null;
}

const sessions = new Map<string, Promise<ort.InferenceSession>>();
const session = (file: string) => {
  if (!sessions.has(file)) sessions.set(file, ort.InferenceSession.create(readFileSync(file), { intraOpNumThreads: 1, graphOptimizationLevel: 'all' }));
  return sessions.get(file)!;
};

export async function trainerReference(real: { manifest: string; file: string }, photo: string): Promise<TrainerReference> {
  const m: ModelManifest = JSON.parse(real.manifest);
  const x = preprocess(await decodeImage(photo), m.preprocess);
  const run = async (file: string) => {
    const out = await (await session(file)).run({ [m.input.name]: new ort.Tensor('float32', x, [1, m.preprocess.size, m.preprocess.size, 3]) });
    return Array.from(out[m.output.name].data as Float32Array);
  };
  const fp32File = m.files.fp32 && [resolve(dirname(real.file), '../..', m.files.fp32.path), resolve(dirname(real.file), m.files.fp32.path.split('/').at(-1)!)].find(existsSync);
  return { tensor: Buffer.from(x.buffer, x.byteOffset, x.byteLength).toString('base64'), edge: await run(real.file), fp32: fp32File ? await run(fp32File) : null };
}
