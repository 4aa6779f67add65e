import { describe, expect, it } from 'vitest';
import { aucDeLong, equalErrorRate, rocCurve, rocSummary, tarAtFar } from './metrics.js';
import { makeRng } from '../data/rng.js';
import type { Scored } from './threshold.js';

const mk = (same: number[], diff: number[]): Scored[] => [...same.map((score) => ({ score, same: true })), ...diff.map((score) => ({ score, same: false }))];

describe('metrics', () => {
  it('perfect separation: AUC 1, EER 0, full TAR at zero FAR', () => {
    const items = mk([3, 4, 5], [0, 1, 2]);
    expect(aucDeLong(items).auc).toBe(1);
    expect(equalErrorRate(items).eer).toBe(0);
    expect(tarAtFar(items, 0).tar).toBe(1);
  });
  it('AUC equals a brute-force pair count with ties as half', () => {
    const r = makeRng(1);
    const same = Array.from({ length: 40 }, () => Math.round(r.next() * 10) + 2);
    const diff = Array.from({ length: 30 }, () => Math.round(r.next() * 10));
    let want = 0;
    for (const s of same) for (const d of diff) want += s > d ? 1 : s === d ? 0.5 : 0;
    want /= same.length * diff.length;
    const got = aucDeLong(mk(same, diff));
    expect(got.auc).toBeCloseTo(want, 12);
    expect(got.se).toBeGreaterThan(0);
    expect(got.ci95[0]).toBeLessThan(got.auc);
    expect(got.ci95[1]).toBeGreaterThan(got.auc);
  });
  it('ROC runs from (0,0) to (1,1) monotonically', () => {
    const roc = rocCurve(mk([1, 2, 2, 5], [0, 2, 3]));
    expect(roc[0]).toMatchObject({ fpr: 0, tpr: 0 });
    expect(roc.at(-1)).toMatchObject({ fpr: 1, tpr: 1 });
    for (let i = 1; i < roc.length; i++) {
      expect(roc[i].fpr).toBeGreaterThanOrEqual(roc[i - 1].fpr);
      expect(roc[i].tpr).toBeGreaterThanOrEqual(roc[i - 1].tpr);
    }
    expect(roc).toHaveLength(6); // 5 distinct scores (the tie at 2 is one point) + origin
  });
  it('rocSummary keeps both ends and at most n + 2 points of the curve, in order', () => {
    const items = Array.from({ length: 500 }, (_, i) => ({ score: Math.sin(i * 7.1), same: i % 3 === 0 }));
    const full = rocCurve(items), pts = rocSummary(items, 16);
    expect(pts.length).toBeLessThanOrEqual(18);
    expect(pts[0]).toEqual([0, 0]);
    expect(pts.at(-1)!.slice(0, 2)).toEqual([1, 1]);
    for (let i = 1; i < pts.length; i++) expect(pts[i][0] >= pts[i - 1][0] && pts[i][1] >= pts[i - 1][1]).toBe(true);
    for (const [f, t] of pts) expect(full.some((p) => Math.abs(p.fpr - f) < 1e-4 && Math.abs(p.tpr - t) < 1e-4)).toBe(true);
    // Each point after the origin carries the score that reaches it: accepting score ≥ it gives its rates.
    const neg = items.filter((x) => !x.same), pos = items.filter((x) => x.same);
    for (const p of pts.slice(1)) {
      expect(p).toHaveLength(3);
      const th = p[2]!;
      expect(neg.filter((x) => x.score >= th - 1e-6).length / neg.length).toBeCloseTo(p[0], 3);
      expect(pos.filter((x) => x.score >= th - 1e-6).length / pos.length).toBeCloseTo(p[1], 3);
    }
  });

  it('EER of mirrored uniform classes is their overlap share', () => {
    // same ~ U(0.5, 1.5), diff ~ U(0, 1) on a fine grid: the EER sits at score 0.75 with rate 0.25.
    const g = Array.from({ length: 1000 }, (_, i) => (i + 0.5) / 1000);
    const e = equalErrorRate(mk(g.map((x) => x + 0.5), g));
    expect(e.eer).toBeCloseTo(0.25, 2);
    expect(e.threshold).toBeCloseTo(0.75, 2);
  });
  it('TAR@FAR only counts points with FAR ≤ the target', () => {
    // 1000 negatives, one of them above every positive: at FAR 1e-3 that one is allowed.
    const diff = [...Array.from({ length: 999 }, (_, i) => i / 1000), 10];
    const same = [2, 3, 0.5];
    expect(tarAtFar(mk(same, diff), 1e-3)).toEqual({ tar: 2 / 3, far: 1e-3, negatives: 1000 });
    expect(tarAtFar(mk(same, diff), 0).tar).toBe(0);
  });
});
