// Per-epoch checkpoints so training resumes: head weights (before export folding), Adam moments,
// input standardisation and the epoch counter, written to a temp folder and renamed into place.
import * as tf from '@tensorflow/tfjs';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { headFromTensors, headTensors, type InputNorm } from './head-weights.js';
import { getHeadWeights, setHeadWeights } from './head.js';
import { readBundle, writeBundle } from './tensor-bundle.js';

export interface CheckpointState { epoch: number; learningRate: number; iterations: number }

export async function saveCheckpoint(dir: string, model: tf.LayersModel, opt: tf.AdamOptimizer, norm: InputNorm, state: CheckpointState) {
  const tmp = dir + '.tmp';
  rmSync(tmp, { recursive: true, force: true });
  mkdirSync(tmp, { recursive: true });
  writeBundle(join(tmp, 'head'), headTensors(getHeadWeights(model)), {});
  const moments = (await opt.getWeights()).slice(1); // [0] is the iteration count
  writeBundle(join(tmp, 'adam'), moments.map((m) => ({ name: m.name, shape: m.tensor.shape, data: m.tensor.dataSync() as Float32Array })), {});
  writeBundle(join(tmp, 'norm'), [{ name: 'mean', shape: [norm.mean.length], data: norm.mean }, { name: 'scale', shape: [norm.scale.length], data: norm.scale }], {});
  writeFileSync(join(tmp, 'state.json'), JSON.stringify(state, null, 2) + '\n');
  rmSync(dir, { recursive: true, force: true });
  renameSync(tmp, dir);
}

export const hasCheckpoint = (dir: string) => existsSync(join(dir, 'state.json'));

/** Restores weights and optimizer state into a freshly built model/optimizer; returns state and norm. */
export async function loadCheckpoint(dir: string, model: tf.LayersModel, opt: tf.AdamOptimizer): Promise<{ state: CheckpointState; norm: InputNorm }> {
  const state = JSON.parse(readFileSync(join(dir, 'state.json'), 'utf8')) as CheckpointState;
  setHeadWeights(model, headFromTensors(readBundle(join(dir, 'head')).tensors));
  const adam = readBundle(join(dir, 'adam')).tensors;
  if (adam.length) {
    await opt.setWeights([
      { name: 'iter', tensor: tf.scalar(state.iterations, 'int32') },
      ...adam.map((t) => ({ name: t.name, tensor: tf.tensor(t.data, t.shape) })),
    ]);
  }
  const [mean, scale] = readBundle(join(dir, 'norm')).tensors.map((t) => t.data);
  return { state, norm: { mean, scale } };
}
