// Node-side access to the built models: the manifest and onnxruntime-node sessions over its files.
import { readFileSync, existsSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import type { ModelManifest } from '../contract/manifest.js';
import { repoRoot } from '../../paths.js';

/** The built manifest: models/manifest.json (InceptionV3), or another backbone's (repo-relative path). */
export function readManifest(manifest = 'models/manifest.json'): ModelManifest {
  const path = join(repoRoot, manifest);
  if (!existsSync(path)) throw new Error(`${manifest} is missing: run \`npm run model:build\``);
  return JSON.parse(readFileSync(path, 'utf8'));
}

export function modelBytes(m: ModelManifest, variant: 'fp32' | 'int8'): Uint8Array {
  const path = join(repoRoot, m.files[variant].path);
  if (!existsSync(path)) throw new Error(`${path} is missing: run \`npm run model:build\``);
  return new Uint8Array(readFileSync(path));
}

/** Embeds a batch of preprocessed NHWC images; returns n × embeddingSize. */
export class NodeEmbedder {
  private constructor(private session: ort.InferenceSession, private m: ModelManifest) {}

  static async create(m: ModelManifest, variant: 'fp32' | 'int8', threads = 2) {
    const session = await ort.InferenceSession.create(modelBytes(m, variant), { intraOpNumThreads: threads, graphOptimizationLevel: 'all' });
    return new NodeEmbedder(session, m);
  }

  async embed(x: Float32Array, n = 1): Promise<Float32Array> {
    const s = this.m.preprocess.size;
    const out = await this.session.run({ [this.m.input.name]: new ort.Tensor('float32', x, [n, s, s, 3]) });
    return out[this.m.output.name].data as Float32Array;
  }
}

/** True when the manifest exists and every file it names is on disk with the recorded sha256. */
export function modelIsBuilt(manifest = 'models/manifest.json'): boolean {
  const path = join(repoRoot, manifest);
  if (!existsSync(path)) return false;
  return Object.values(readManifest(manifest).files).every((f) => existsSync(join(repoRoot, f.path)) &&
    createHash('sha256').update(readFileSync(join(repoRoot, f.path))).digest('hex') === f.sha256);
}
