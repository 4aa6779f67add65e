import { describe, expect, it } from 'vitest';
import { apply, fitSimilarity, invert, warpToCanvas, type Point } from './align.js';
import type { RawImage } from '../preprocess.js';

const image = (w: number, h: number, f: (x: number, y: number, c: number) => number): RawImage => {
  const data = new Uint8Array(w * h * 3);
  for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) for (let c = 0; c < 3; c++) data[(y * w + x) * 3 + c] = f(x, y, c);
  return { data, width: w, height: h, channels: 3 };
};

describe('fitSimilarity', () => {
  it('recovers a known similarity exactly from noiseless points', () => {
    const t = { a: 0.8 * Math.cos(0.4), b: 0.8 * Math.sin(0.4), tx: 12, ty: -7 };
    const src: Point[] = [[10, 20], [80, 25], [45, 60], [47, 90]];
    const fit = fitSimilarity(src, src.map((p) => apply(t, p)));
    for (const k of ['a', 'b', 'tx', 'ty'] as const) expect(fit[k]).toBeCloseTo(t[k], 10);
  });

  it('minimises the squared error: no small perturbation of the fit does better (brute force)', () => {
    const src: Point[] = [[10, 20], [80, 25], [45, 60], [47, 90]];
    const dst: Point[] = [[3, 4], [70, 9], [40, 50], [36, 83]];
    const err = (t: { a: number; b: number; tx: number; ty: number }) => src.reduce((s, p, i) => { const q = apply(t, p); return s + (q[0] - dst[i][0]) ** 2 + (q[1] - dst[i][1]) ** 2; }, 0);
    const fit = fitSimilarity(src, dst);
    const best = err(fit);
    for (const k of ['a', 'b', 'tx', 'ty'] as const)
      for (const d of [-1e-3, 1e-3, -0.1, 0.1]) expect(err({ ...fit, [k]: fit[k] + d })).toBeGreaterThan(best);
  });

  it('inverts', () => {
    const t = { a: 1.3, b: -0.4, tx: 5, ty: 9 };
    const p = apply(invert(t), apply(t, [17, -3]));
    expect(p[0]).toBeCloseTo(17, 10);
    expect(p[1]).toBeCloseTo(-3, 10);
  });
});

describe('warpToCanvas', () => {
  it('is the identity for the identity transform', () => {
    const img = image(20, 20, (x, y, c) => (x * 11 + y * 7 + c * 50) % 256);
    const out = warpToCanvas(img, { a: 1, b: 0, tx: 0, ty: 0 }, 20);
    out.data.forEach((v, i) => expect(v).toBeCloseTo(img.data[i], 4));
  });

  it('antialiases when it shrinks: a 1-px checkerboard shrunk 8× is flat grey, not aliased', () => {
    const img = image(800, 800, (x, y) => ((x + y) % 2 ? 255 : 0));
    const out = warpToCanvas(img, { a: 0.125 * Math.cos(0.3), b: 0.125 * Math.sin(0.3), tx: 10, ty: -40 }, 60);
    // Pixels whose footprint is inside the photo (the centre of the canvas).
    for (let y = 20; y < 40; y++) for (let x = 20; x < 40; x++) expect(Math.abs(out.data[(y * 60 + x) * 3] - 127.5)).toBeLessThan(4);
  });

  it('maps a landmark where the transform says, at any scale of the same picture', () => {
    // A bright dot at (300, 200) in a 1000-px photo and at (30, 20) in a 100-px copy both land at (50, 50).
    for (const [side, k] of [[1000, 1], [100, 0.1]] as const) {
      const img = image(side, side, (x, y) => (Math.hypot(x + 0.5 - 300 * k, y + 0.5 - 200 * k) < 12 * k ? 255 : 0));
      const s = 0.25 / k;
      const out = warpToCanvas(img, { a: s, b: 0, tx: 50 - 300 * k * s, ty: 50 - 200 * k * s }, 100);
      let sx = 0, sy = 0, sw = 0;
      for (let y = 0; y < 100; y++) for (let x = 0; x < 100; x++) { const v = out.data[(y * 100 + x) * 3]; sx += (x + 0.5) * v; sy += (y + 0.5) * v; sw += v; }
      expect(sx / sw).toBeCloseTo(50, 0);
      expect(sy / sw).toBeCloseTo(50, 0);
    }
  });
});
