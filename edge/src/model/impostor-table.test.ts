// The rate arithmetic of impostor-table.ts on a synthetic table: fpir ↔ per-comparison far, the
// loosest point within a target far, the resolution limit, the point bounding a threshold's far.
import { describe, expect, it } from 'vitest';
import { farForFpir, fpirForFar, type ImpostorTable, pointAtScore, pointForFar, resolvedPoints, strictestResolved, strictestScore } from './impostor-table';

const PAIRS = 1_000_000;
const point = (far: number, score: number, tar = 0.5) => ({ far, score, falseAccepts: Math.round(far * PAIRS), tar });
/** Shuffled on purpose: nothing may assume the table's order. */
const TABLE: ImpostorTable = {
  source: 'synthetic',
  identities: 1000,
  images: 3000,
  impostorPairs: PAIRS,
  genuinePairs: 2000,
  points: [point(1e-3, -0.7), point(0.5, -1.6), point(0, -0.1), point(1e-2, -0.9), point(2e-6, -0.2), point(1e-4, -0.5), point(1e-2, -0.95), point(0.1, -1.2)],
};

describe('fpir ↔ far', () => {
  it('one identity: the fpir is the far', () => {
    expect(farForFpir(0.01, 1)).toBeCloseTo(0.01, 15);
    expect(fpirForFar(0.01, 1)).toBeCloseTo(0.01, 15);
  });

  it('N identities: 1 − (1 − fpir)^(1/N), and back', () => {
    for (const [fpir, n] of [[0.01, 24], [0.01, 100], [0.001, 1000], [0.2, 7]]) {
      const far = farForFpir(fpir, n);
      expect(far).toBeCloseTo(1 - (1 - fpir) ** (1 / n), 14);
      expect(fpirForFar(far, n)).toBeCloseTo(fpir, 14);
      expect(far).toBeGreaterThan(fpir / n);
      expect(far).toBeLessThan(-Math.log(1 - fpir) / n);
    }
  });

  it('keeps its precision where 1 − (1 − x)^y in floating point would not (N = 10⁶)', () => {
    const far = farForFpir(0.01, 1e6);
    const x = Math.log(0.99) / 1e6;
    const series = -x - (x * x) / 2; // 1 − e^x to second order; the third term is ~1e-17 of it
    expect(Math.abs(far - series) / series).toBeLessThan(1e-12);
    expect(Math.abs(1 - 0.99 ** 1e-6 - series) / series).toBeGreaterThan(1e-10);
    expect(Math.abs(fpirForFar(1e-9, 1e3) - 1e-6) / 1e-6).toBeLessThan(1e-6);
  });

  it('an empty gallery maps as one identity, and no identity means no false positive', () => {
    expect(farForFpir(0.01, 0)).toBeCloseTo(0.01, 15);
    expect(fpirForFar(0.3, 0)).toBe(0);
  });
});

describe('points', () => {
  it('resolved points are those with a false accept', () => {
    expect(resolvedPoints(TABLE).map((p) => p.far).sort()).toEqual([2e-6, 1e-4, 1e-3, 1e-2, 1e-2, 0.1, 0.5].sort());
  });

  it('pointForFar: the loosest point whose far is within the target', () => {
    expect(pointForFar(TABLE, 1e-3)?.score).toBe(-0.7);
    expect(pointForFar(TABLE, 5e-3)?.score).toBe(-0.7);
    expect(pointForFar(TABLE, 1e-2)?.score).toBe(-0.95); // two points at 1e-2: the looser one
    expect(pointForFar(TABLE, 0.99)?.score).toBe(-1.6);
    expect(pointForFar(TABLE, 2e-6)?.score).toBe(-0.2);
  });

  it('pointForFar: nothing below the table’s resolution, and never the point without false accepts', () => {
    expect(pointForFar(TABLE, 1e-6)).toBeUndefined();
    expect(strictestResolved(TABLE)).toMatchObject({ far: 2e-6, score: -0.2 });
    expect(strictestScore(TABLE)).toBe(-0.1);
    expect(strictestResolved({ ...TABLE, points: [point(0, -0.1)] })).toBeUndefined();
  });

  it('pointAtScore: the strictest point at or below a threshold bounds its far', () => {
    expect(pointAtScore(TABLE, -0.7)).toMatchObject({ far: 1e-3 });
    expect(pointAtScore(TABLE, -0.6)).toMatchObject({ far: 1e-3 });
    expect(pointAtScore(TABLE, -1.0)).toMatchObject({ far: 0.1, score: -1.2 });
    expect(pointAtScore(TABLE, -0.05)).toMatchObject({ far: 0, score: -0.1 });
    expect(pointAtScore(TABLE, -2)).toBeUndefined();
  });
});
