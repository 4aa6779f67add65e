import { describe, expect, it } from 'vitest';
import type { RawImage } from '../preprocess.js';
import { headPose, innerFace, qualityIssues, regionStats, type FaceQuality } from './quality.js';

const rotate = ([x, y]: [number, number], a: number): [number, number] => [x * Math.cos(a) - y * Math.sin(a), x * Math.sin(a) + y * Math.cos(a)];

function grey(width: number, height: number, f: (x: number, y: number) => number): RawImage {
  const data = new Uint8Array(width * height * 3);
  for (let y = 0; y < height; y++) for (let x = 0; x < width; x++) data.fill(f(x, y), (y * width + x) * 3, (y * width + x) * 3 + 3);
  return { data, width, height, channels: 3 };
}

describe('headPose', () => {
  it('reads roll from the eye line and yaw from the nose between the eyes', () => {
    const frontal: [number, number][] = [[-20, 0], [20, 0], [0, 15], [0, 30], [-40, 5], [40, 5]];
    expect(headPose(frontal).roll).toBeCloseTo(0, 6);
    expect(headPose(frontal).yaw).toBeCloseTo(0, 6);
    const rolled = frontal.map((p) => rotate(p, Math.PI / 6));
    expect(headPose(rolled).roll).toBeCloseTo(30, 6);
    expect(headPose(rolled).yaw).toBeCloseTo(0, 6);
    // nose tip under an eye: half the inter-ocular distance off, asin(0.5) = 30°, either way
    expect(headPose([[-20, 0], [20, 0], [20, 15]]).yaw).toBeCloseTo(30, 6);
    expect(headPose([[-20, 0], [20, 0], [-20, 15]]).yaw).toBeCloseTo(-30, 6);
    expect(headPose([[-20, 0], [20, 0], [45, 15]]).yaw).toBeCloseTo(90, 6);
  });
});

describe('regionStats', () => {
  const all = { x: 0, y: 0, w: 32, h: 32 };
  it('a flat grey face has no sharpness and its own brightness', () => {
    const s = regionStats(grey(32, 32, () => 120), all);
    expect(s.sharpness).toBe(0);
    expect(s.brightness).toBeCloseTo(120, 4);
    expect(s.clipped).toBe(0);
  });
  it('fine detail is sharper than the same detail blurred, and black/white pixels count as clipped', () => {
    const checker = (x: number, y: number) => ((x + y) % 2 ? 200 : 60);
    const sharp = regionStats(grey(32, 32, checker), all);
    const blurred = regionStats(grey(32, 32, (x, y) => (checker(x, y) + checker(x + 1, y) + checker(x, y + 1) + checker(x + 1, y + 1) * 1.5) / 4.5), all);
    expect(sharp.sharpness).toBeGreaterThan(10 * blurred.sharpness);
    expect(regionStats(grey(32, 32, (x) => (x < 16 ? 0 : 255)), all).clipped).toBe(1);
  });
  it('reads only the region', () => {
    const img = grey(40, 40, (x, y) => (x >= 10 && x < 30 && y >= 10 && y < 30 ? 100 : 250));
    expect(regionStats(img, { x: 10, y: 10, w: 20, h: 20 })).toEqual({ sharpness: 0, brightness: 100, clipped: 0 });
  });
});

describe('innerFace and qualityIssues', () => {
  it('the inner face spans the template keypoints widened by a quarter of their width, inside the canvas', () => {
    const r = innerFace({ size: 250, template: { rightEye: [100, 110], leftEye: [150, 110], mouth: [125, 160] }, source: 't' });
    expect(r).toEqual({ x: 88, y: 98, w: 75, h: 75 });
  });
  it('lists every floor a face misses, and none for a good face', () => {
    const good: FaceQuality = { score: 0.95, size: 120, roll: 3, yaw: -10, sharpness: 80, brightness: 120, clipped: 0.01 };
    const floor = { minScore: 0.8, minSize: 60, maxRoll: 25, maxYaw: 40, minSharpness: 20, minBrightness: 40, maxBrightness: 220, maxClipped: 0.2 };
    expect(qualityIssues(good, floor)).toEqual([]);
    expect(qualityIssues({ ...good, yaw: -55, sharpness: 5, brightness: 230 }, floor)).toEqual(['yaw 55 > 40', 'sharpness 5 < 20', 'brightness 230 > 220']);
    expect(qualityIssues({ ...good, size: 10 }, {})).toEqual([]);
  });
});
