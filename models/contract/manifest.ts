// The model manifest: what the edge needs to run and judge a model, written by the trainer's build.
// Defined once, as a zod schema: the TypeScript type is inferred from it, scripts/build-model.ts
// validates before writing models/manifest.json and the Worker validates on load (a manifest that
// fails is a 503 model_unavailable naming the field). The spec interfaces of the pure contract code
// (PreprocessSpec, DetectorSpec, AlignSpec, FaceSpec) stay where that code is; the schemas below
// are checked to describe exactly those types (`Same` at the end), so the two cannot drift.
import { z } from 'zod';
import type { AlignSpec } from './face/align.js';
import { KEYPOINTS, type DetectorSpec } from './face/detect.js';
import type { FaceSpec } from './face/pipeline.js';
import type { PreprocessSpec } from './preprocess.js';

// zod 4's z.number() already refuses NaN and ±Infinity.
const positive = z.number().positive();
const count = z.number().int().positive();
const name = z.string().min(1);
const unit = z.number().min(0).max(1);
const point = z.tuple([z.number(), z.number()]);

export const PreprocessSchema = z.object({
  /** Default crop as fractions of the image (may reach outside it: edges repeat). */
  crop: z.object({ x: z.number(), y: z.number(), w: positive, h: positive }),
  size: count,
  resize: z.literal('triangle'),
  /** value = pixel · scale + offset. */
  scale: positive,
  offset: z.number(),
  layout: z.literal('NHWC'),
});

export const DetectorSchema = z.object({
  id: name,
  size: count,
  scale: positive,
  offset: z.number(),
  inputName: name,
  layers: z.array(z.object({ grid: count, anchors: count, scores: name, boxes: name })).min(1),
  scoreThreshold: unit,
  iouThreshold: unit,
});

export const AlignSchema = z.object({
  size: count,
  template: z.partialRecord(z.enum(KEYPOINTS), point).refine((t) => Object.keys(t).length >= 2, 'needs two or more keypoints'),
  source: z.string(),
});

export const FaceSchema = z.object({
  detector: DetectorSchema,
  align: AlignSchema,
  /** Smallest usable face: the detector's box side in image pixels. */
  minFaceSize: z.number().min(0),
});

/**
 * A ROC point: [false accept rate, true accept rate], optionally with the score threshold
 * (R = −‖a − b‖², match iff R ≥ it) that gives it. The third element is what lets a caller ask
 * for a target false accept rate (`far`); manifests without it only draw the curve.
 */
export const RocPointSchema = z.union([z.tuple([unit, unit]), z.tuple([unit, unit, z.number()])]);

export const RocSchema = z.object({ pairs: z.string(), points: z.array(RocPointSchema) });

/**
 * One point of an impostor table: accepting R = −‖a − b‖² > score lets `falseAccepts` of the
 * source's different-person pairs through (far = falseAccepts / impostorPairs) and `tar` of its
 * same-person pairs. Points are ordered by far, descending (score ascending).
 */
export const ImpostorPointSchema = z.object({
  far: unit,
  score: z.number().min(-4).max(0),
  falseAccepts: z.number().int().min(0),
  tar: unit,
});

/**
 * Score → false-accept table from every different-person pair that can be formed among the
 * embeddings of one source (images disjoint from training, embedded by the edge model through the
 * whole face path), so that low FARs (to 1e-6) are resolved by millions of pairs.
 */
export const ImpostorTableSchema = z.object({
  /** What was embedded, e.g. "LFW peopleDevTest, int8 edge model, detect + align". */
  source: z.string(),
  identities: count,
  images: count,
  impostorPairs: count,
  genuinePairs: z.number().int().min(0),
  points: z.array(ImpostorPointSchema).min(1),
});

/**
 * The impostor tables of these weights by source id (e.g. lfw, recomposed, photos) and the one
 * the Worker maps target rates through (`served`: the most conservative combination, or a source).
 */
export const OperatingPointsSchema = z
  .object({ served: name, tables: z.record(name, ImpostorTableSchema) })
  .refine((o) => o.served in o.tables, { message: 'served must name one of tables', path: ['served'] });

export const ThresholdSchema = z.object({
  /** In the R convention: match iff −‖a − b‖² > score (so −4 ≤ score ≤ 0 for unit embeddings). */
  score: z.number().min(-4).max(0),
  /** The same threshold as a similarity (1 − d²/2); must agree with score. */
  similarity: z.number().min(-1).max(1),
  method: z.string(),
});

export const ManifestFileSchema = z.object({
  path: name,
  sha256: z.string().regex(/^[0-9a-fA-F]{64}$/, 'must be 64 hex digits'),
  bytes: z.number().int().min(0),
  description: z.string(),
});

export const ManifestSchema = z
  .object({
    /** Bumped with every new set of weights; embeddings of different versions never compare. */
    modelVersion: name,
    /** id: the registry entry (trainer/backbone/registry.ts) when not the default InceptionV3. */
    backbone: z.object({ name: z.string(), source: z.string(), sha256: z.string(), cut: z.string(), id: z.string().optional(), licence: z.string().optional() }),
    /**
     * Faces are found by the detector (files.detector) and aligned onto face.align's canvas; the
     * preprocess crop then applies to that canvas (a caller's box selects which detected face).
     * scripts/build-model.ts always writes it; a manifest without it (models built before
     * detection, the Worker tests' random-projection model) crops the whole photo by preprocess.crop.
     */
    face: FaceSchema.optional(),
    preprocess: PreprocessSchema,
    input: z.object({ name, shape: z.tuple([z.union([count, z.literal('N')]), count, count, count]), layout: z.literal('NHWC') }),
    output: z.object({ name, embeddingSize: count }),
    /** Decision rule: match iff −‖a − b‖² > threshold.score, i.e. similarity > threshold.similarity. */
    threshold: ThresholdSchema,
    metrics: z.record(z.string(), z.union([z.number(), z.string()])),
    /** The trainer's ROC for these weights. */
    roc: RocSchema.optional(),
    /** Impostor tables for low-FAR operating points (verify's far, identify's fpir for N searched). */
    impostors: OperatingPointsSchema.optional(),
    /** fp32 and int8 embedding models, and the face detector. */
    files: z.record(z.string(), ManifestFileSchema),
  })
  .superRefine((m, ctx) => {
    const [, h, w, c] = m.input.shape;
    if (h !== m.preprocess.size || w !== m.preprocess.size || c !== 3)
      ctx.addIssue({ code: 'custom', path: ['input', 'shape'], message: `must be [N, ${m.preprocess.size}, ${m.preprocess.size}, 3] (preprocess.size)` });
    if (Math.abs(m.threshold.similarity - (1 + m.threshold.score / 2)) > 1e-6)
      ctx.addIssue({ code: 'custom', path: ['threshold', 'similarity'], message: `must equal 1 + score/2 = ${1 + m.threshold.score / 2}` });
    if (m.face && !m.files.detector) ctx.addIssue({ code: 'custom', path: ['files', 'detector'], message: 'a manifest with a face pipeline must name its detector file' });
  });

export type ModelManifest = z.infer<typeof ManifestSchema>;

/** One line per problem: "preprocess.scale: Invalid input: expected number, received undefined". */
export function describeIssues(error: z.ZodError): string[] {
  return error.issues.map((i) => `${i.path.length ? i.path.join('.') : '(manifest)'}: ${i.message}`);
}

export class ManifestError extends Error {
  constructor(readonly issues: string[]) {
    super(`invalid model manifest: ${issues.join('; ')}`);
    this.name = 'ManifestError';
  }
}

/** The manifest, checked; throws ManifestError listing every problem (field path and what is wrong). */
export function parseManifest(value: unknown): ModelManifest {
  const r = ManifestSchema.safeParse(value);
  if (!r.success) throw new ManifestError(describeIssues(r.error));
  return r.data;
}

// The schemas describe exactly the interfaces the pure code is written against (both directions).
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
const schemasMatchInterfaces: [
  Same<z.infer<typeof PreprocessSchema>, PreprocessSpec>,
  Same<z.infer<typeof DetectorSchema>, DetectorSpec>,
  Same<z.infer<typeof AlignSchema>, AlignSpec>,
  Same<z.infer<typeof FaceSchema>, FaceSpec>,
] = [true, true, true, true];
void schemasMatchInterfaces;
