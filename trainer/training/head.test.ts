import * as tf from '@tensorflow/tfjs';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { buildHead, embedRows, getHeadWeights, setHeadWeights } from './head.js';
import { foldInputNorm, headForward, loadHead, saveHead } from './head-weights.js';
import { makeRng } from '../data/rng.js';

const dim = 40;
const r = makeRng(11);
const x = Float32Array.from({ length: 3 * dim }, () => r.next() * 2);

describe('head', () => {
  const model = buildHead(dim, 5);
  const w = getHeadWeights(model);

  it('has the specified layer sizes and unit-length 128-d outputs', () => {
    expect(w.layers.map((d) => [d.inDim, d.outDim])).toEqual([[dim, 512], [512, 256], [256, 128]]);
    const y = embedRows(model, x, dim);
    expect(y.length).toBe(3 * 128);
    for (let i = 0; i < 3; i++) expect(Math.hypot(...y.subarray(i * 128, (i + 1) * 128))).toBeCloseTo(1, 5);
  });
  it('pure-JS forward matches tfjs', () => {
    const y = embedRows(model, x, dim);
    for (let i = 0; i < 3; i++) {
      const js = headForward(w, x.subarray(i * dim, (i + 1) * dim));
      js.forEach((v, j) => expect(v).toBeCloseTo(y[i * 128 + j], 5));
    }
  });
  it('is deterministic for a seed', () => {
    expect(getHeadWeights(buildHead(dim, 5)).layers[0].kernel).toEqual(w.layers[0].kernel);
    expect(getHeadWeights(buildHead(dim, 6)).layers[0].kernel).not.toEqual(w.layers[0].kernel);
  });
  it('folded standardisation on raw input equals the head on standardised input', () => {
    const norm = { mean: Float32Array.from({ length: dim }, (_, i) => i / dim), scale: Float32Array.from({ length: dim }, (_, i) => 1 + i / 10) };
    const row = x.subarray(0, dim);
    const std = row.map((v, i) => (v - norm.mean[i]) * norm.scale[i]);
    const a = headForward(foldInputNorm(w, norm), row);
    headForward(w, std).forEach((v, j) => expect(a[j]).toBeCloseTo(v, 5));
  });
  it('saves and loads byte-identically and round-trips into a tfjs model', () => {
    const dir = mkdtempSync(join(tmpdir(), 'head-'));
    saveHead(join(dir, 'a'), w, { note: 'x' });
    const back = loadHead(join(dir, 'a'));
    expect(back.meta).toMatchObject({ inputDim: dim, embeddingSize: 128, note: 'x' });
    saveHead(join(dir, 'b'), back.weights, { note: 'x' });
    expect(readFileSync(join(dir, 'b.bin')).equals(readFileSync(join(dir, 'a.bin')))).toBe(true);
    expect(readFileSync(join(dir, 'b.json'), 'utf8')).toBe(readFileSync(join(dir, 'a.json'), 'utf8').replace('a.bin', 'b.bin'));
    const m2 = buildHead(dim, 99);
    setHeadWeights(m2, back.weights);
    expect(embedRows(m2, x, dim)).toEqual(embedRows(model, x, dim));
  });
  it('rejects a corrupted weights file', () => {
    const dir = mkdtempSync(join(tmpdir(), 'head-'));
    saveHead(join(dir, 'a'), w);
    const bin = readFileSync(join(dir, 'a.bin'));
    bin[10] ^= 1;
    writeFileSync(join(dir, 'a.bin'), bin);
    expect(() => loadHead(join(dir, 'a'))).toThrow(/sha256/);
  });
});
afterAll(() => tf.disposeVariables());
