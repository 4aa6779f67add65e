// Measures a registered backbone on LFW with the repo's evaluation code: every image is detected
// (BlazeFace, cached), aligned onto the entry's canvas, cropped/scaled by its PreprocessSpec and run
// through its model under onnxruntime-node; outputs are cached per (model, canvas, crop). For a raw
// descriptor (dlib) both the raw vectors (Euclidean) and their L2-normalised versions are scored:
// T by 10-fold CV on validation identities (trainer/evaluation/pick-threshold.ts), then the test triplet CSV,
// pairsDevTest and LFW View 2 (trainer/evaluation/evaluate.ts). No threshold ever sees test data.
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createHash } from 'node:crypto';
import * as ort from 'onnxruntime-node';
import { alignFace, type AlignSpec } from '../../models/contract/face/align.js';
import { preprocess } from '../../models/contract/preprocess.js';
import { repoRoot, type LfwDir } from '../../paths.js';
import { l2Normalize } from '../../models/contract/distance.js';
import { matrixLookup, type FeatureLookup } from '../data/dataset.js';
import type { PathEmbedder } from '../training/embed.js';
import { evaluateMethod, loadEvalData, scorePairs, separation, type MethodResult, type Separation } from '../evaluation/evaluate.js';
import { decodeImage } from '../data/images.js';
import { readPairs } from '../data/lfw.js';
import { devIdentities } from '../data/lfw-data.js';
import { pickThreshold, type ThresholdChoice } from '../evaluation/pick-threshold.js';
import { makeTestTriplets } from '../data/test-set.js';
import { rocSummary } from '../evaluation/metrics.js';
import { LfwFaces } from './lfw-landmarks.js';
import { faceSpecOf, type BackboneEntry, type BuiltModel } from './registry.js';

const CACHE = join(repoRoot, '.cache', 'backbone');

/** One LFW image on the entry's canvas, cropped and scaled for its network. */
export async function lfwChip(entry: BackboneEntry, align: AlignSpec, lfw: LfwDir, faces: LfwFaces, path: string) {
  const img = await decodeImage(join(lfw.images, path));
  const face = await faces.get(path, img);
  return { input: preprocess(alignFace(img, face.landmarks, align), entry.preprocess), fallback: face.fallback };
}

export const lfwFaces = (entry: BackboneEntry, lfw: LfwDir) => new LfwFaces(lfw.images, faceSpecOf(entry));

/**
 * The model's output for LFW paths, computed in batches on demand and cached on disk
 * (.cache/backbone/<entry>-<key>.{json,f32}); also records which images fell back to centre framing.
 */
export class OutputStore {
  private rows = new Map<string, Float32Array>();
  readonly fallbacks = new Set<string>();
  private session?: ort.InferenceSession;
  private dim = 0;
  private readonly base: string;

  constructor(readonly entry: BackboneEntry, readonly model: BuiltModel, readonly align: AlignSpec, private lfw: LfwDir,
    private faces: LfwFaces, private log: (m: string) => void = () => {}, private threads = 2) {
    const key = createHash('sha256').update(model.sha256).update(JSON.stringify(align)).update(JSON.stringify(entry.preprocess)).update(faces.key).digest('hex').slice(0, 16);
    this.base = join(CACHE, `${entry.id}-${key}`);
    if (existsSync(`${this.base}.json`)) {
      const { paths, dim, fallbacks } = JSON.parse(readFileSync(`${this.base}.json`, 'utf8')) as { paths: string[]; dim: number; fallbacks: string[] };
      const b = readFileSync(`${this.base}.f32`);
      const data = new Float32Array(b.buffer, b.byteOffset, b.byteLength / 4);
      this.dim = dim;
      paths.forEach((p, i) => this.rows.set(p, data.slice(i * dim, (i + 1) * dim)));
      fallbacks.forEach((p) => this.fallbacks.add(p));
    }
  }

  private save() {
    mkdirSync(CACHE, { recursive: true });
    const paths = [...this.rows.keys()];
    const data = new Float32Array(paths.length * this.dim);
    paths.forEach((p, i) => data.set(this.rows.get(p)!, i * this.dim));
    writeFileSync(`${this.base}.f32.tmp`, data);
    writeFileSync(`${this.base}.json.tmp`, JSON.stringify({ entry: this.entry.id, model: this.model.sha256, align: this.align, preprocess: this.entry.preprocess, faces: this.faces.key, dim: this.dim, paths, fallbacks: [...this.fallbacks] }));
    renameSync(`${this.base}.f32.tmp`, `${this.base}.f32`);
    renameSync(`${this.base}.json.tmp`, `${this.base}.json`);
  }

  async ensure(paths: string[], batch = 16) {
    const todo = [...new Set(paths)].filter((p) => !this.rows.has(p));
    if (!todo.length) return;
    this.session ??= await ort.InferenceSession.create(this.model.bytes, { intraOpNumThreads: this.threads, interOpNumThreads: 1, graphOptimizationLevel: 'all' });
    const S = this.entry.preprocess.size, px = S * S * 3;
    const t0 = performance.now();
    for (let at = 0; at < todo.length; at += batch) {
      const part = todo.slice(at, at + batch);
      const x = new Float32Array(part.length * px);
      for (const [i, p] of part.entries()) {
        const c = await lfwChip(this.entry, this.align, this.lfw, this.faces, p);
        x.set(c.input, i * px);
        if (c.fallback) this.fallbacks.add(p);
      }
      const out = (await this.session.run({ [this.model.input]: new ort.Tensor('float32', x, [part.length, S, S, 3]) }))[this.model.output].data as Float32Array;
      this.dim = out.length / part.length;
      part.forEach((p, i) => this.rows.set(p, out.slice(i * this.dim, (i + 1) * this.dim)));
      const done = at + part.length;
      if (done % 1024 < batch || done === todo.length) {
        this.log(`${this.entry.id}: ${done}/${todo.length} images, ${((performance.now() - t0) / done).toFixed(1)} ms/image`);
        this.save();
      }
    }
  }

  has(p: string) { return this.rows.has(p); }

  lookup(paths: string[], normalise: boolean): FeatureLookup {
    const uniq = [...new Set(paths)];
    const x = new Float32Array(uniq.length * this.dim);
    uniq.forEach((p, i) => x.set(this.rows.get(p)!, i * this.dim));
    return matrixLookup(uniq, this.dim, normalise ? l2Normalize(x, this.dim) : x);
  }

  embedder(normalise: boolean): PathEmbedder {
    return async (paths) => {
      await this.ensure(paths);
      return this.lookup(paths, normalise);
    };
  }

  release() { return this.session?.release(); }
}

export interface ThresholdForms {
  /** The contract's R = −‖a − b‖² > score. */
  score: number;
  /** The same as a Euclidean distance: match iff ‖a − b‖ < distance. */
  distance: number;
  /** For unit vectors only: cosine similarity > similarity. */
  similarity?: number;
}

export const thresholdForms = (score: number, unit: boolean): ThresholdForms =>
  ({ score, distance: Math.sqrt(Math.max(0, -score)), ...(unit ? { similarity: 1 + score / 2 } : {}) });

export interface VariantResult {
  name: string;
  unit: boolean;
  threshold: ThresholdForms & { method: string; cvMean: number; cvStd: number };
  result: Omit<MethodResult, 'distances'>;
}

export interface BackboneEvaluation {
  backbone: string;
  model: { sha256: string; output: string };
  align: AlignSpec;
  variants: VariantResult[];
  /** View 2 ROC of the unit-embedding variant, as the manifest carries it. */
  roc?: { pairs: string; points: ([number, number] | [number, number, number])[] };
  /** Images aligned by centre framing because no face was detected, per evaluated set. */
  fallbacks: Record<string, { images: number; fallback: number; examples: string[] }>;
  notes: string[];
}

/** T by CV on validation identities, then test CSV, pairsDevTest and View 2, for raw and normalised outputs. */
export async function evaluateBackbone(o: { entry: BackboneEntry; lfw: LfwDir; tripletsCsv: string; align?: AlignSpec; log?: (m: string) => void }): Promise<BackboneEvaluation> {
  const log = o.log ?? console.error;
  const align = o.align ?? o.entry.align;
  const model = o.entry.rawModel();
  const store = new OutputStore(o.entry, model, align, o.lfw, lfwFaces(o.entry, o.lfw), log);
  const data = loadEvalData(o.lfw, o.tripletsCsv);
  // The same identity split as the head's threshold (valFraction 0.1, seed 1).
  const ids = devIdentities(o.lfw, 0.1, 1);
  const variants: [string, boolean][] = model.unit ? [['embedding', true]] : [['raw descriptor (Euclidean)', false], ['L2-normalised descriptor', true]];
  const out: VariantResult[] = [];
  let roc: BackboneEvaluation['roc'];
  for (const [name, unit] of variants) {
    const embed = store.embedder(unit);
    const t: ThresholdChoice = await pickThreshold(embed, ids.val, 1000, 1);
    log(`${name}: T = ${t.score.toFixed(4)} (${t.method})`);
    const { distances, ...result } = await evaluateMethod(name, embed, t.score, data, 0.2);
    if (unit) roc = { pairs: `LFW View 2, ${result.view2.pairs} pairs (no weights fitted on LFW)`, points: rocSummary([...distances.same.map((d) => ({ score: -d, same: true })), ...distances.different.map((d) => ({ score: -d, same: false }))]) };
    out.push({ name, unit, threshold: { ...thresholdForms(t.score, unit), method: t.method, cvMean: t.mean, cvStd: t.std }, result });
  }
  const sets: Record<string, string[]> = {
    'validation triplets (threshold)': makeTestTriplets(ids.val, 1000, 1).flatMap((t) => [t.anchor, t.positive, t.negative]),
    'test triplets CSV': data.triplets.flatMap((t) => [t.anchor, t.positive, t.negative]),
    pairsDevTest: data.devTestPairs.flatMap((p) => [p.a, p.b]),
    'View 2 (pairs.txt)': data.view2Pairs.flatMap((p) => [p.a, p.b]),
  };
  const fallbacks = Object.fromEntries(Object.entries(sets).map(([k, ps]) => {
    const u = [...new Set(ps)], f = u.filter((p) => store.fallbacks.has(p));
    return [k, { images: u.length, fallback: f.length, examples: f.slice(0, 5) }];
  }));
  await store.release();
  return {
    backbone: o.entry.id, model: { sha256: model.sha256, output: model.output }, align, variants: out, roc, fallbacks,
    notes: [
      'T: 10-fold CV on 2000 comparisons (1000 seeded triplets) of the 10% validation slice of peopleDevTrain identities (trainer/evaluation/pick-threshold.ts); never on test data.',
      'Test triplets: models/test-triplets.csv (400 rows = 800 decisions, peopleDevTest identities) at that T. pairsDevTest: accuracy at that T, AUC with DeLong 95% CI. View 2: 10 folds of pairs.txt, T per fold chosen on the other nine.',
      'No weights were fitted here: the dlib network was trained elsewhere (Davis King, about 3M faces). Whether its training people overlap those of LFW is not checked here, so its LFW figures may be optimistic.',
    ],
  };
}

export interface TemplateScore { kind: string; align: AlignSpec; sets: Record<string, { raw: Separation; unit: Separation }>; fallbacks: number }

/** AUC on pairsDevTrain (selection) and pairsDevTest (report) for each candidate canvas. */
export async function compareTemplates(o: { entry: BackboneEntry; lfw: LfwDir; aligns: [string, AlignSpec][]; log?: (m: string) => void }): Promise<TemplateScore[]> {
  const model = o.entry.rawModel();
  const faces = lfwFaces(o.entry, o.lfw);
  const pairs = { pairsDevTrain: readPairs(o.lfw.file('pairsDevTrain.txt')), pairsDevTest: readPairs(o.lfw.file('pairsDevTest.txt')) };
  const out: TemplateScore[] = [];
  for (const [kind, align] of o.aligns) {
    const store = new OutputStore(o.entry, model, align, o.lfw, faces, o.log);
    const sets: TemplateScore['sets'] = {};
    for (const [name, ps] of Object.entries(pairs)) {
      sets[name] = { raw: separation(await scorePairs(ps, store.embedder(false))), unit: separation(await scorePairs(ps, store.embedder(true))) };
    }
    const all = new Set(Object.values(pairs).flat().flatMap((p) => [p.a, p.b]));
    out.push({ kind, align, sets, fallbacks: [...all].filter((p) => store.fallbacks.has(p)).length });
    await store.release();
  }
  return out;
}
