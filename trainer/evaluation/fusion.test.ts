import { describe, expect, it } from 'vitest';
import { makeRng } from '../data/rng.js';
import { fusedPairScores, impostorMoments, type Embeddings } from './fusion.js';
import { pairScores, thresholdAt } from './impostors.js';

function clustered(ids: number, per: number, dim: number, noise: number, seed: number): { e: Embeddings; labels: string[] } {
  const rng = makeRng(seed);
  const values = new Float32Array(ids * per * dim);
  const labels: string[] = [];
  for (let p = 0; p < ids; p++) {
    const centre = Array.from({ length: dim }, () => rng.next() - 0.5);
    for (let k = 0; k < per; k++) {
      const row = (p * per + k) * dim;
      for (let t = 0; t < dim; t++) values[row + t] = centre[t] + noise * (rng.next() - 0.5);
      labels.push(`p${p}`);
    }
  }
  return { e: { values, dim }, labels };
}

describe('fusedPairScores', () => {
  const a = clustered(12, 3, 8, 0.4, 1), b = clustered(12, 3, 8, 0.9, 2);
  const za = impostorMoments(a.e, a.labels), zb = impostorMoments(b.e, a.labels);

  it('standardises by the impostor moments: brute force over the pairs', () => {
    const vals: number[] = [];
    for (let i = 0; i < a.labels.length; i++)
      for (let j = i + 1; j < a.labels.length; j++) {
        if (a.labels[i] === a.labels[j]) continue;
        let s = 0;
        for (let t = 0; t < 8; t++) s += (a.e.values[i * 8 + t] - a.e.values[j * 8 + t]) ** 2;
        vals.push(-s);
      }
    const mean = vals.reduce((x, y) => x + y, 0) / vals.length;
    expect(za.mean).toBeCloseTo(mean, 10);
    expect(za.std).toBeCloseTo(Math.sqrt(vals.reduce((x, y) => x + (y - mean) ** 2, 0) / vals.length), 10);
    const [fused] = fusedPairScores(a.e, b.e, za, zb, a.labels, [0.3]);
    const i = 0, j = 5;
    let sa = 0, sb = 0;
    for (let t = 0; t < 8; t++) (sa += (a.e.values[i * 8 + t] - a.e.values[j * 8 + t]) ** 2), (sb += (b.e.values[i * 8 + t] - b.e.values[j * 8 + t]) ** 2);
    const expected = 0.3 * ((-sa - za.mean) / za.std) + 0.7 * ((-sb - zb.mean) / zb.std);
    expect(fused.impostor.some((v) => Math.abs(v - expected) < 1e-9)).toBe(true);
  });

  it('weight 1 ranks pairs as the first backbone alone: same false accepts and TAR at every resolved FAR', () => {
    const [only] = fusedPairScores(a.e, b.e, za, zb, a.labels, [1]);
    const plain = pairScores(a.e.values, 8, a.labels);
    expect(only.impostor.length).toBe(plain.impostor.length);
    expect(only.genuine.length).toBe(plain.genuine.length);
    for (const far of [0.1, 0.05]) expect(thresholdAt(only, far)!.tar).toBeCloseTo(thresholdAt(plain, far)!.tar, 12);
  });
});
