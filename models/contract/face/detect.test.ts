import { describe, expect, it } from 'vitest';
import { decodeDetections, letterbox, type DetectorSpec } from './detect.js';
import type { RawImage } from '../preprocess.js';

// One anchor at the centre of a 256 px input: a candidate's box and keypoints are offsets from it.
const SPEC: DetectorSpec = {
  id: 'test', size: 256, scale: 2 / 255, offset: -1, inputName: 'in',
  layers: [{ grid: 1, anchors: 1, scores: 's', boxes: 'b' }], scoreThreshold: 0.5, iouThreshold: 0.3,
};

const white = (w: number, h: number): RawImage => ({ data: new Uint8Array(w * h * 3).fill(255), width: w, height: h, channels: 3 });

/** The letterboxed content's extent in input pixels, read from the tensor (padding is `offset`). */
function contentExtent(tensor: Float32Array, n: number) {
  let x0 = n, y0 = n, x1 = 0, y1 = 0;
  for (let y = 0; y < n; y++)
    for (let x = 0; x < n; x++)
      if (tensor[(y * n + x) * 3] > SPEC.offset + 0.5) { x0 = Math.min(x0, x); y0 = Math.min(y0, y); x1 = Math.max(x1, x + 1); y1 = Math.max(y1, y + 1); }
  return { x0, y0, x1, y1 };
}

/** Raw outputs with one candidate whose box spans [x0, x1] × [y0, y1] and whose keypoints sit on its corners. */
function outputsFor(e: { x0: number; y0: number; x1: number; y1: number }) {
  const a = SPEC.size / 2;
  const r = new Float32Array(16);
  r.set([(e.x0 + e.x1) / 2 - a, (e.y0 + e.y1) / 2 - a, e.x1 - e.x0, e.y1 - e.y0]);
  const corners = [[e.x0, e.y0], [e.x1, e.y0], [e.x0, e.y1], [e.x1, e.y1], [e.x0, e.y0], [e.x1, e.y1]];
  corners.forEach(([x, y], k) => { r[4 + 2 * k] = x - a; r[5 + 2 * k] = y - a; });
  return { s: Float32Array.of(10), b: r };
}

describe('letterbox', () => {
  it.each([[1000, 3000], [3000, 1000], [250, 250], [641, 479], [479, 641], [97, 2003], [4096, 3]])(
    '%i×%i: the letterboxed content maps back onto the whole image within 0.01 px',
    (w, h) => {
      const { tensor, map } = letterbox(white(w, h), SPEC);
      const extent = contentExtent(tensor, SPEC.size);
      const [d] = decodeDetections(outputsFor(extent), SPEC, map);
      expect(d.box.x).toBeCloseTo(0, 2);
      expect(d.box.y).toBeCloseTo(0, 2);
      expect(d.box.w).toBeCloseTo(w, 2);
      expect(d.box.h).toBeCloseTo(h, 2);
      const expected = [[0, 0], [w, 0], [0, h], [w, h], [0, 0], [w, h]];
      d.landmarks.forEach(([x, y], k) => {
        expect(Math.abs(x - expected[k][0]), `landmark ${k} x`).toBeLessThan(0.01);
        expect(Math.abs(y - expected[k][1]), `landmark ${k} y`).toBeLessThan(0.01);
      });
    },
  );

  it('maps a region (a tile) back to its place in the image', () => {
    const img = white(2000, 1500);
    const region = { x: 700, y: 300, w: 512, h: 333 };
    const { tensor, map } = letterbox(img, SPEC, region);
    const [d] = decodeDetections(outputsFor(contentExtent(tensor, SPEC.size)), SPEC, map);
    for (const [k, v] of Object.entries(region)) expect(d.box[k as keyof typeof region], k).toBeCloseTo(v, 2);
  });
});
