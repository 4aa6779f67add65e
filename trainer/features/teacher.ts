// Teacher targets for distillation into the InceptionV3 head (issue 20 item 1), cached beside the
// feature stores: the dlib_resnet unit embedding of LFW images, keyed by the teacher model's sha256
// and the framing (same BlazeFace landmarks and LFW-face choice as the student's aligned store, each
// network on its own canvas), and K jittered views (trainer/features/jitter.ts) of the training
// images as extra rows `<path>#jitter<seed>.<k>` of BOTH the teacher store and the student's feature
// store. Resumable: rows already present are skipped. Order: training images plain, their views,
// then every other image plain (what per-fold View 2 training needs).
//   <CACHE_ROOT>/teacher-dlib_resnet-<model sha12>-<framing>/   a FeatureStore (dim 128, unit rows)
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import { FeatureStore } from './store.js';
import { CACHE_ROOT } from './cache-root.js';
import { openStores, storeFraming } from './extract.js';
import { tapByName } from './taps.js';
import { jitterRow, jitterView } from './jitter.js';
import { OnnxBackbone, backboneOnnx } from '../backbone/onnx-backbone.js';
import { loadNsfwjs } from '../backbone/source.js';
import { backbone, faceSpecOf, type BuiltModel } from '../backbone/registry.js';
import { LfwFaces } from '../backbone/lfw-landmarks.js';
import { decodeImage } from '../data/images.js';
import { alignFace } from '../../models/contract/face/align.js';
import { LFW_CROP_SIDE, lfwPreprocess, preprocess } from '../../models/contract/preprocess.js';
import { defaultFaceSpec } from '../../models/node/face-detector.js';
import type { LfwDir } from '../../paths.js';
import { distillSource, type DistillSource } from '../training/distill-data.js';
import type { FeatureLookup } from '../data/dataset.js';

export const TEACHER_BACKBONE = 'dlib_resnet';

/** The teacher's ONNX model (image → unit 128-d) and its store key; building it reads the npm weights. */
export function teacherModel(): { model: BuiltModel; key: string } {
  const model = backbone(TEACHER_BACKBONE).embeddingModel();
  return { model, key: `teacher-${TEACHER_BACKBONE}-${model.sha256.slice(0, 12)}-${storeFraming({ framing: 'aligned' })!.framing}` };
}

/** The teacher store's folder for the current teacher model (it may not exist yet). */
export const teacherDir = (root = CACHE_ROOT) => join(root, teacherModel().key);

/** The teacher store, or undefined when `trainer teacher` has not run. */
export function openTeacher(dir = teacherDir()): FeatureStore | undefined {
  return existsSync(join(dir, 'meta.json')) ? FeatureStore.read(dir) : undefined;
}

/** Teacher targets and jittered views for training on `student` (the teacher store must exist). */
export function teacherFor(student: FeatureLookup, jitterSeed: number, dir = teacherDir()): DistillSource {
  const t = openTeacher(dir);
  if (!t) throw new Error(`no teacher store at ${dir}: run \`npx tsx trainer/cli.ts teacher [--views K]\``);
  return distillSource(student, t, jitterSeed);
}

/** The student's aligned feature store of `tap` (the one `trainer features --framing aligned` fills). */
export function studentStoreOptions(tap: string) {
  const source = loadNsfwjs();
  return { source, spec: lfwPreprocess(source.inputScale, LFW_CROP_SIDE), taps: [tapByName(tap)], cacheRoot: CACHE_ROOT, framing: 'aligned' as const };
}

export interface TeacherJob {
  lfw: LfwDir;
  /** Images whose plain teacher rows and jittered views are made first (the training rows). */
  train: string[];
  /** Images that get plain teacher rows afterwards (no views). */
  rest: string[];
  views: number;
  seed: number;
  /** The student's feature (one tap) that jittered views are extracted for. */
  tap: string;
  threads?: number;
  log?: (m: string) => void;
}

export async function buildTeacherTargets(j: TeacherJob) {
  const log = j.log ?? console.error;
  const { model, key } = teacherModel();
  const dlib = backbone(TEACHER_BACKBONE);
  const tFace = faceSpecOf(dlib);
  const sFace = defaultFaceSpec();
  const faces = new LfwFaces(j.lfw.images, sFace);
  const teacher = FeatureStore.open(CACHE_ROOT, { key, dim: 128, featureName: `${TEACHER_BACKBONE} unit embedding (teacher)`, flip: false, backboneSha256: model.sha256, preprocess: dlib.preprocess, framing: storeFraming({ framing: 'aligned' })!.framing, face: tFace });
  const tSession = await ort.InferenceSession.create(model.bytes, { intraOpNumThreads: j.threads ?? 2, interOpNumThreads: 1 });
  const TS = dlib.preprocess.size, tpx = TS * TS * 3;
  const runTeacher = async (chips: Float32Array[]) => {
    const x = new Float32Array(chips.length * tpx);
    chips.forEach((c, i) => x.set(c, i * tpx));
    return (await tSession.run({ [model.input]: new ort.Tensor('float32', x, [chips.length, TS, TS, 3]) }))[model.output].data as Float32Array;
  };
  const so = studentStoreOptions(j.tap);
  let student: FeatureStore | undefined, sNet: OnnxBackbone | undefined;
  if (j.views > 0) {
    student = Object.values(openStores(so, false))[0];
    sNet = await OnnxBackbone.create(backboneOnnx(so.source, so.taps, so.spec.size), so.spec.size, j.threads ?? 2);
  }
  const SS = so.spec.size, spx = SS * SS * 3;
  const batch = 8;
  const t0 = performance.now();
  let done = 0;
  const phase = async (name: string, paths: string[], views: number) => {
    const items = paths.flatMap((p) => [0, ...Array.from({ length: views }, (_, k) => k + 1)].map((k) => ({ p, k, row: k ? jitterRow(p, j.seed, k) : p })))
      .filter((it) => !teacher.has(it.row) || (it.k > 0 && !student!.has(it.row)));
    log(`${name}: ${items.length} rows to compute`);
    const tp = performance.now();
    for (let at = 0; at < items.length; at += batch) {
      const part = items.slice(at, at + batch);
      const tChips: Float32Array[] = [], sChips: Float32Array[] = [];
      for (const it of part) {
        const img = await decodeImage(join(j.lfw.images, it.p));
        const f = await faces.get(it.p, img);
        const v = it.k ? await jitterView(img, f.landmarks, j.seed, it.p, it.k) : { image: img, landmarks: f.landmarks };
        tChips.push(preprocess(alignFace(v.image, v.landmarks, tFace.align), dlib.preprocess));
        if (it.k) sChips.push(preprocess(alignFace(v.image, v.landmarks, sFace.align), so.spec));
      }
      const te = await runTeacher(tChips);
      const keepT = part.map((it, i) => [it, i] as const).filter(([it]) => !teacher.has(it.row));
      if (keepT.length) {
        const rows = new Float32Array(keepT.length * 128);
        keepT.forEach(([, i], r) => rows.set(te.subarray(i * 128, (i + 1) * 128), r * 128));
        teacher.append(keepT.map(([it]) => it.row), rows);
      }
      const jit = part.filter((it) => it.k > 0);
      if (jit.length && student && sNet) {
        const x = new Float32Array(jit.length * spx);
        sChips.forEach((c, i) => x.set(c, i * spx));
        const out = Object.values(await sNet.run(x, jit.length))[0];
        const d = student.meta.dim;
        const keepS = jit.map((it, i) => [it, i] as const).filter(([it]) => !student!.has(it.row));
        if (keepS.length) {
          const rows = new Float32Array(keepS.length * d);
          keepS.forEach(([, i], r) => rows.set(out.subarray(i * d, (i + 1) * d), r * d));
          student.append(keepS.map(([it]) => it.row), rows);
        }
      }
      done += part.length;
      const n = at + part.length;
      if (n % 400 < batch || n === items.length) log(`${name}: ${n}/${items.length} rows, ${(n / ((performance.now() - tp) / 1000)).toFixed(1)} rows/s`);
    }
  };
  await phase('train plain + views', j.train, j.views);
  await phase('rest plain', j.rest, 0);
  await tSession.release();
  await sNet?.release();
  return { teacher: teacher.dir, student: student?.dir, rows: done, seconds: (performance.now() - t0) / 1000 };
}

/** `trainer teacher`: teacher targets of the training rows (+ K jittered views in both stores), then of every other image. */
export async function teacherCommand(argv: string[]) {
  const { Command } = await import('commander');
  const { resolveDataDir } = await import('../../paths.js');
  const { indexImages } = await import('../data/lfw.js');
  const { devIdentities } = await import('../data/lfw-data.js');
  const { DEFAULT_CONFIG } = await import('../training/config.js');
  const o = new Command('teacher')
    .option('--data <dir>').option('--views <k>', 'jittered views per training image (both stores)', '0')
    .option('--jitter-seed <n>', 'seed of the jitter function', '1').option('--tap <name>', 'student feature the views are extracted for', 'mixed5_grid3')
    .option('--scope <train|all>', 'plain teacher rows for the training rows only, or every LFW image (per-fold View 2 needs all)', 'all')
    .option('--threads <n>', 'onnxruntime intra-op threads', '2')
    .parse(argv, { from: 'user' }).opts();
  const lfw = resolveDataDir(o.data);
  // The trainer's default split (valFraction, seed): validation and test identities never get views.
  const train = [...devIdentities(lfw, DEFAULT_CONFIG.valFraction, DEFAULT_CONFIG.seed).train.values()].flat();
  const inTrain = new Set(train);
  const rest = o.scope === 'all' ? [...indexImages(lfw.images).values()].flat().filter((p) => !inTrain.has(p)) : [];
  const r = await buildTeacherTargets({ lfw, train, rest, views: Number(o.views), seed: Number(o.jitterSeed), tap: String(o.tap), threads: Number(o.threads) });
  console.error(`teacher store ${r.teacher}${r.student ? `; jittered views also in ${r.student}` : ''}: ${r.rows} rows in ${r.seconds.toFixed(0)} s`);
}
