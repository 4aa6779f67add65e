// Training on a FeatureStore over LFW: builds the View 1 sets from the store's rows, trains, and
// records in the head what produced it (feature, backbone, preprocessing, split).
import { mkdirSync } from 'node:fs';
import type { LfwDir } from '../../paths.js';
import type { FeatureLookup } from '../data/dataset.js';
import type { FeatureMeta } from '../features/store.js';
import { devSets, type DevSets } from '../data/lfw-data.js';
import { makeConfig, type TrainConfig } from './config.js';
import { trainHead, type TrainOptions, type TrainResult } from './train.js';
import { runFile, writeJson } from '../run/run-dir.js';

export async function trainOnStore(
  store: FeatureLookup & { meta: FeatureMeta },
  lfw: LfwDir,
  overrides: Partial<TrainConfig> = {},
  opts: TrainOptions = {},
  /** The mirrored images' store, for flipViews. */
  mirrored?: FeatureLookup,
): Promise<TrainResult & { sets: DevSets }> {
  const c = makeConfig(overrides);
  const log = opts.log ?? console.error;
  const sets = devSets(lfw, store, c.valFraction, c.seed);
  log(`train: ${sets.train.names.length} identities, ${sets.train.paths.length} images; validation: ${sets.val.names.length} identities, ${sets.val.paths.length} images`);
  if (sets.splits.uncachedImages) log(`warning: ${sets.splits.uncachedImages} training-side images have no cached features and are left out`);
  if (sets.splits.missing.length) log(`warning: ${sets.splits.missing.length} listed people have no images folder`);
  if (opts.outDir) {
    mkdirSync(opts.outDir, { recursive: true });
    writeJson(runFile(opts.outDir, 'split'), { valFraction: c.valFraction, seed: c.seed, train: sets.train.names, validation: sets.val.names });
  }
  const m = store.meta;
  const meta = {
    feature: m.featureName,
    featureKey: m.key,
    backboneSha256: m.backboneSha256,
    preprocess: m.preprocess,
    // Aligned features: the FaceSpec travels to the manifest (scripts/build-model.ts reads meta.face).
    ...(m.face ? { framing: m.framing, face: m.face } : {}),
    split: { valFraction: c.valFraction, seed: c.seed },
    ...(c.distillWeight > 0 || c.jitterViews > 0 ? { teacher: opts.teacher?.key ?? 'unknown' } : {}),
    ...opts.meta,
  };
  let mirroredTrain: Float32Array | undefined;
  if (c.flipViews) {
    if (!mirrored) throw new Error('flipViews needs the mirrored feature store (<store>-flip; run `trainer features --flip`)');
    const missing = sets.train.paths.filter((p) => !mirrored.has(p));
    if (missing.length) throw new Error(`the mirrored store lacks ${missing.length} training images (e.g. ${missing[0]}); run \`trainer features --flip\``);
    mirroredTrain = new Float32Array(sets.train.features.length);
    sets.train.paths.forEach((p, i) => mirroredTrain!.set(mirrored.get(p), i * store.meta.dim));
  }
  const r = await trainHead(sets.train, sets.val, c, { ...opts, meta, mirroredTrain });
  return { ...r, sets };
}
