// The model manifest: what the edge needs to run and judge a model, written by the trainer's build.
import type { FaceSpec } from './face/pipeline.js';
import type { PreprocessSpec } from './preprocess.js';

export interface ModelManifest {
  /** Bumped with every new set of weights; embeddings of different versions never compare. */
  modelVersion: string;
  /** id: the registry entry (trainer/backbone/registry.ts) when not the default InceptionV3. */
  backbone: { name: string; source: string; sha256: string; cut: string; id?: string; licence?: string };
  /**
   * Faces are found by the detector (files.detector) and aligned onto face.align's canvas; the
   * preprocess crop then applies to that canvas (an explicit caller box skips both and is cropped
   * as-is). scripts/build-model.ts always writes it; a manifest without it (models built before
   * detection, the Worker tests' random-projection model) crops the whole photo by preprocess.crop.
   */
  face?: FaceSpec;
  preprocess: PreprocessSpec;
  input: { name: string; shape: [number | 'N', number, number, number]; layout: 'NHWC' };
  output: { name: string; embeddingSize: number };
  /** Decision rule: match iff −‖a − b‖² > threshold.score, i.e. similarity > threshold.similarity. */
  threshold: { score: number; similarity: number; method: string };
  metrics: Record<string, number | string>;
  /** The trainer's ROC for these weights, as [false accept rate, true accept rate] points. */
  roc?: { pairs: string; points: [number, number][] };
  /** fp32 and int8 embedding models, and the face detector. */
  files: Record<string, { path: string; sha256: string; bytes: number; description: string }>;
}
