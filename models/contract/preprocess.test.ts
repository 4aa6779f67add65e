import { describe, expect, it } from 'vitest';
import { centreCrop, cropBox, flipHorizontal, preprocess, type PreprocessSpec, type RawImage } from './preprocess.js';

const spec = (size: number, side = 1): PreprocessSpec => ({ crop: centreCrop(side), size, resize: 'triangle', scale: 1 / 255, offset: 0, layout: 'NHWC' });
const image = (w: number, h: number, f: (x: number, y: number, c: number) => number, channels: 3 | 4 = 3): RawImage => {
  const data = new Uint8Array(w * h * channels);
  for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) for (let c = 0; c < channels; c++) data[(y * w + x) * channels + c] = f(x, y, c);
  return { data, width: w, height: h, channels };
};

describe('preprocess', () => {
  it('keeps a flat colour flat at any scale, RGBA or RGB, and applies scale/offset', () => {
    for (const img of [image(250, 250, (_x, _y, c) => [10, 128, 250, 7][c]), image(37, 91, (_x, _y, c) => [10, 128, 250, 0][c], 4)]) {
      const out = preprocess(img, { ...spec(29), scale: 2 / 255, offset: -1 });
      for (let i = 0; i < out.length; i += 3) {
        expect(out[i]).toBeCloseTo(10 * 2 / 255 - 1, 5);
        expect(out[i + 1]).toBeCloseTo(128 * 2 / 255 - 1, 5);
        expect(out[i + 2]).toBeCloseTo(250 * 2 / 255 - 1, 5);
      }
    }
  });

  it('antialiases: a 1-px checkerboard downscaled 4× averages to grey instead of aliasing', () => {
    const out = preprocess(image(200, 200, (x, y) => ((x + y) % 2 ? 255 : 0)), spec(50));
    for (const v of out) expect(Math.abs(v - 0.5)).toBeLessThan(0.02);
  });

  it('is the identity at scale 1 with a full crop', () => {
    const img = image(16, 16, (x, y, c) => (x * 7 + y * 13 + c * 31) % 256);
    const out = preprocess(img, spec(16));
    out.forEach((v, i) => expect(v * 255).toBeCloseTo(img.data[i], 3));
  });

  it('crops the centre by fraction, or the given box', () => {
    expect(cropBox({ width: 250, height: 250 }, spec(299, 0.6))).toEqual({ x: 50, y: 50, w: 150, h: 150 });
    const left = image(100, 100, (x) => (x < 50 ? 255 : 0));
    const out = preprocess(left, spec(8), { x: 0, y: 0, w: 40, h: 40 });
    for (const v of out) expect(v).toBeCloseTo(1, 5);
  });

  it('flips left-right', () => {
    const t = Float32Array.from({ length: 2 * 2 * 3 }, (_v, i) => i);
    expect(Array.from(flipHorizontal(t, 2))).toEqual([3, 4, 5, 0, 1, 2, 9, 10, 11, 6, 7, 8]);
  });
});
