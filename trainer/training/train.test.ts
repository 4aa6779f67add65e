// End-to-end: train the head on synthetic clustered features and beat the raw-feature baseline on
// held-out identities; resume from a checkpoint and land exactly where an uninterrupted run lands.
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { syntheticSet } from '../data/synthetic.js';
import { trainHead } from './train.js';
import { loadHead, headForward } from './head-weights.js';
import { embedRows } from './head.js';
import { applyInputNorm } from './input-norm.js';

const quiet = (m: string) => { if (process.env.TRAIN_TEST_LOG) console.log(performance.now().toFixed(0), m); };

describe('trainHead end to end (synthetic)', () => {
  it('beats the raw-feature cosine baseline on unseen identities', async () => {
    const train = syntheticSet({ identities: 32, perIdentity: 8, dim: 2048, seed: 3 });
    const val = syntheticSet({ identities: 8, perIdentity: 8, dim: 2048, seed: 3, firstIdentity: 32 });
    const out = mkdtempSync(join(tmpdir(), 'train-'));
    const r = await trainHead(train, val, { epochs: 4, batchSize: 32, valTriplets: 200, neighbours: 8, keepBest: false }, { outDir: out, log: quiet });
    const last = r.metrics.at(-1)!;
    expect(r.baseline.valAccuracy).toBeLessThan(0.9); // the baseline is really hurt by nuisance
    expect(last.valAccuracy).toBeGreaterThan(r.baseline.valAccuracy + 0.1);
    expect(last.valLoss).toBeLessThan(r.metrics[0].valLoss);
    // Outputs: config, one metrics line per epoch (0 = before training), checkpoint, exported head.
    expect(JSON.parse(readFileSync(join(out, 'config.json'), 'utf8'))).toMatchObject({ epochs: 4, learningRate: 1e-4, inputDim: 2048 });
    expect(readFileSync(join(out, 'metrics.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l).epoch)).toEqual([0, 1, 2, 3, 4]);
    expect(existsSync(join(out, 'checkpoint', 'state.json'))).toBe(true);
    // The exported head takes raw features and agrees with the trained model on standardised ones.
    const { weights } = loadHead(join(out, 'head'));
    const row = val.features.subarray(0, 2048);
    const want = embedRows(r.model, applyInputNorm(row, 2048, r.norm), 2048);
    headForward(weights, row).forEach((v, j) => expect(v).toBeCloseTo(want[j], 4));
  });

  it('exports the best validation epoch, not the last, with keepBest', async () => {
    const train = syntheticSet({ identities: 12, perIdentity: 5, dim: 48, seed: 7 });
    const val = syntheticSet({ identities: 6, perIdentity: 5, dim: 48, seed: 7, firstIdentity: 12 });
    const out = mkdtempSync(join(tmpdir(), 'best-'));
    const r = await trainHead(train, val, { learningRate: 3e-2, batchSize: 16, valTriplets: 60, neighbours: 4, epochs: 6 }, { outDir: out, log: quiet });
    const key = (m: { valAccuracy: number; valLoss: number }) => m.valAccuracy * 1e6 - m.valLoss;
    const best = r.metrics.reduce((a, m) => (key(m) > key(a) ? m : a));
    expect(r.chosenEpoch).toBe(best.epoch);
    const saved = loadHead(join(out, 'head'));
    expect(saved.meta).toMatchObject({ chosenEpoch: best.epoch, epochs: 6 });
    expect(Array.from(saved.weights.layers[2].kernel)).toEqual(Array.from(r.head.layers[2].kernel));
    const summary = JSON.parse(readFileSync(join(out, 'train-summary.json'), 'utf8'));
    expect(summary.chosen).toMatchObject({ epoch: best.epoch, valAccuracy: best.valAccuracy });
    // The exported head is the chosen epoch's: it embeds like the final model only if that epoch was the last.
    const row = val.features.subarray(0, 48);
    const last = embedRows(r.model, applyInputNorm(row, 48, r.norm), 48);
    const gap = headForward(r.head, row).reduce((m, v, j) => Math.max(m, Math.abs(v - last[j])), 0);
    if (best.epoch === 6) expect(gap).toBeLessThan(1e-4);
    else expect(gap).toBeGreaterThan(1e-4);
  });

  it('flipViews trains on a coin flip of plain and mirrored rows per image, and refuses to run without them', async () => {
    const train = syntheticSet({ identities: 10, perIdentity: 4, dim: 32, seed: 9 });
    const val = syntheticSet({ identities: 4, perIdentity: 4, dim: 32, seed: 9, firstIdentity: 10 });
    const cfg = { learningRate: 1e-3, batchSize: 16, valTriplets: 40, neighbours: 4, epochs: 2, keepBest: false };
    await expect(trainHead(train, val, { ...cfg, flipViews: true }, { log: quiet })).rejects.toThrow(/mirrored/);
    const plain = await trainHead(train, val, cfg, { log: quiet });
    // Mirrored rows equal to the plain ones: the view draw must not disturb anything else.
    const same = await trainHead(train, val, { ...cfg, flipViews: true }, { log: quiet, mirroredTrain: train.features.slice() });
    expect(Array.from(same.head.layers[0].kernel)).toEqual(Array.from(plain.head.layers[0].kernel));
    // Different mirrored rows are really seen.
    const shifted = train.features.map((v, i) => v + (i % 7) * 0.5);
    const other = await trainHead(train, val, { ...cfg, flipViews: true }, { log: quiet, mirroredTrain: shifted });
    expect(Array.from(other.head.layers[0].kernel)).not.toEqual(Array.from(plain.head.layers[0].kernel));
  });

  it('resumes from a checkpoint to the same weights as an uninterrupted run', async () => {
    const train = syntheticSet({ identities: 12, perIdentity: 5, dim: 48, seed: 5 });
    const val = syntheticSet({ identities: 6, perIdentity: 5, dim: 48, seed: 5, firstIdentity: 12 });
    const cfg = { learningRate: 1e-3, batchSize: 16, valTriplets: 60, neighbours: 4, lrDecay: 0.9 };
    const full = await trainHead(train, val, { ...cfg, epochs: 4 }, { log: quiet });
    const out = mkdtempSync(join(tmpdir(), 'resume-'));
    await trainHead(train, val, { ...cfg, epochs: 2 }, { outDir: out, log: quiet });
    const resumed = await trainHead(train, val, { ...cfg, epochs: 4 }, { outDir: out, log: quiet });
    expect(resumed.metrics.map((m) => m.epoch)).toEqual([3, 4]);
    expect(resumed.metrics[1].learningRate).toBeCloseTo(1e-3 * 0.9 ** 3, 12);
    const maxDiff = (a: Float32Array, b: Float32Array) => a.reduce((m, v, i) => Math.max(m, Math.abs(v - b[i])), 0);
    resumed.head.layers.forEach((l, i) => {
      expect(maxDiff(l.kernel, full.head.layers[i].kernel)).toBe(0);
      expect(maxDiff(l.bias, full.head.layers[i].bias)).toBe(0);
    });
    expect(readFileSync(join(out, 'metrics.jsonl'), 'utf8').trim().split('\n')).toHaveLength(5);
  });
});
