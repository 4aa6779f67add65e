import { describe, expect, it } from 'vitest';
import { JITTER_RANGES, jitterLandmarks, jitterParams, jitterRow, jitterView } from './jitter.js';
import type { Point } from '../../models/contract/face/align.js';
import type { RawImage } from '../../models/contract/preprocess.js';

const image = (): RawImage => {
  const w = 64, h = 48, data = new Uint8Array(w * h * 3);
  for (let i = 0; i < data.length; i++) data[i] = (i * 37 + (i >> 5) * 11) % 256;
  return { data, width: w, height: h, channels: 3 };
};
const marks: Point[] = [[20, 20], [44, 20], [32, 28], [32, 36], [12, 24], [52, 24]];

describe('jitter', () => {
  it('is a deterministic function of (seed, path, view), within its ranges', async () => {
    expect(jitterParams(1, 'A/A_0001.jpg', 1)).toEqual(jitterParams(1, 'A/A_0001.jpg', 1));
    expect(jitterParams(1, 'A/A_0001.jpg', 1)).not.toEqual(jitterParams(1, 'A/A_0001.jpg', 2));
    expect(jitterParams(1, 'A/A_0001.jpg', 1)).not.toEqual(jitterParams(2, 'A/A_0001.jpg', 1));
    expect(() => jitterParams(1, 'A/A_0001.jpg', 0)).toThrow();
    for (let k = 1; k <= 200; k++) {
      const j = jitterParams(3, `P/P_${k}.jpg`, 1);
      expect(j.scale).toBeGreaterThanOrEqual(JITTER_RANGES.scale[0]);
      expect(j.scale).toBeLessThanOrEqual(JITTER_RANGES.scale[1]);
      expect(Math.abs(j.rotationDeg)).toBeLessThanOrEqual(JITTER_RANGES.rotationDeg);
      expect(j.resample === 1 || (j.resample >= 0.3 && j.resample <= 0.8)).toBe(true);
      expect(j.jpegQuality === 0 || (j.jpegQuality >= 30 && j.jpegQuality <= 95)).toBe(true);
    }
    const a = await jitterView(image(), marks, 1, 'A/A_0001.jpg', 1), b = await jitterView(image(), marks, 1, 'A/A_0001.jpg', 1);
    expect(a.image.width).toBe(64);
    expect(a.image.height).toBe(48);
    expect(Buffer.from(a.image.data).equals(Buffer.from(b.image.data))).toBe(true);
    expect(a.landmarks).toEqual(b.landmarks);
    expect(jitterRow('A/A_0001.jpg', 1, 2)).toBe('A/A_0001.jpg#jitter1.2');
  });

  it('moves the landmarks by a similarity: scale about the centroid, shift in eye distances, rotation', () => {
    const base = { brightness: 1, contrast: 1, saturation: 1, gains: [1, 1, 1] as [number, number, number], blurSigma: 0, resample: 1, jpegQuality: 0 };
    const id = jitterLandmarks(marks, { ...base, scale: 1, shiftX: 0, shiftY: 0, rotationDeg: 0 });
    id.forEach((p, i) => { expect(p[0]).toBeCloseTo(marks[i][0], 9); expect(p[1]).toBeCloseTo(marks[i][1], 9); });
    const moved = jitterLandmarks(marks, { ...base, scale: 1.1, shiftX: 0.1, shiftY: 0, rotationDeg: 90 });
    const eye = (ps: Point[]) => Math.hypot(ps[1][0] - ps[0][0], ps[1][1] - ps[0][1]);
    expect(eye(moved)).toBeCloseTo(1.1 * eye(marks), 9);
    // Rotated by 90°: the eye line is vertical.
    expect(moved[1][0] - moved[0][0]).toBeCloseTo(0, 9);
    const cx = (ps: Point[]) => ps.reduce((s, p) => s + p[0], 0) / ps.length;
    expect(cx(moved) - cx(marks)).toBeCloseTo(0.1 * eye(marks), 9);
  });
});
