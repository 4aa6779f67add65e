import { describe, expect, it } from 'vitest';
import { DEFAULT_RECOMPOSE, FACE_HALF, drawPlan, render, type Plan } from './recompose.js';
import { makeRng } from '../../trainer/data/rng.js';
import type { RawImage } from '../../models/contract/preprocess.js';

const image = (w: number, h: number, f: (x: number, y: number) => [number, number, number]): RawImage => {
  const data = new Uint8Array(w * h * 3);
  for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) data.set(f(x, y), (y * w + x) * 3);
  return { data, width: w, height: h, channels: 3 };
};

// A 250 px "photo": black, a white disc (r 20) at its centre and a green disc (r 10) 60 px to its right.
const marker = image(250, 250, (x, y) => {
  const d0 = Math.hypot(x + 0.5 - 125, y + 0.5 - 125), d1 = Math.hypot(x + 0.5 - 185, y + 0.5 - 125);
  return d0 < 20 ? [255, 255, 255] : d1 < 10 ? [0, 255, 0] : [0, 0, 0];
});
const black = image(64, 64, () => [0, 0, 0]);

/** Centroid and mass (pixels' worth) of a channel predicate's weight over the canvas. */
function blob(img: RawImage, weight: (r: number, g: number, b: number) => number) {
  let sx = 0, sy = 0, sw = 0;
  for (let y = 0; y < img.height; y++)
    for (let x = 0; x < img.width; x++) {
      const o = (y * img.width + x) * 3;
      const w = weight(img.data[o], img.data[o + 1], img.data[o + 2]);
      sx += (x + 0.5) * w; sy += (y + 0.5) * w; sw += w;
    }
  return { x: sx / sw, y: sy / sw, mass: sw };
}

describe('drawPlan', () => {
  it('is deterministic for a seed and differs across seeds', () => {
    expect(drawPlan(makeRng(7))).toEqual(drawPlan(makeRng(7)));
    expect(drawPlan(makeRng(7))).not.toEqual(drawPlan(makeRng(8)));
  });

  it('keeps every drawn number in range (500 seeds)', () => {
    let seconds = 0, portraits = 0;
    for (let s = 0; s < 500; s++) {
      const p = drawPlan(makeRng(s));
      const long = Math.max(p.width, p.height), short = Math.min(p.width, p.height);
      expect(long).toBeGreaterThanOrEqual(640);
      expect(long).toBeLessThanOrEqual(1280);
      expect(short).toBe(Math.round((long * 3) / 4));
      if (p.height > p.width) portraits++;
      expect(Number.isInteger(p.quality)).toBe(true);
      expect(p.quality).toBeGreaterThanOrEqual(70);
      expect(p.quality).toBeLessThanOrEqual(95);
      for (const f of [p.face, ...(p.second ? [p.second] : [])]) {
        expect(Math.abs(f.rollDeg)).toBeLessThanOrEqual(30);
        const r = FACE_HALF * f.scale;
        expect(f.cx - r).toBeGreaterThanOrEqual(0);
        expect(f.cy - r).toBeGreaterThanOrEqual(0);
        expect(f.cx + r).toBeLessThanOrEqual(p.width);
        expect(f.cy + r).toBeLessThanOrEqual(p.height);
      }
      expect(p.face.scale).toBeGreaterThanOrEqual(0.3);
      expect(p.face.scale).toBeLessThanOrEqual(1.5);
      if (p.second) {
        seconds++;
        expect(p.second.scale / p.face.scale).toBeGreaterThanOrEqual(0.45);
        expect(p.second.scale / p.face.scale).toBeLessThanOrEqual(0.75);
        expect(Math.hypot(p.second.cx - p.face.cx, p.second.cy - p.face.cy)).toBeGreaterThanOrEqual(125 * Math.SQRT2 * (p.face.scale + p.second.scale));
      }
      // The tiles cover the canvas exactly.
      expect(p.tiles.reduce((a, t) => a + t.w * t.h, 0)).toBe(p.width * p.height);
      for (const t of p.tiles) expect(t.x + t.w <= p.width && t.y + t.h <= p.height && t.w > 0 && t.h > 0).toBe(true);
    }
    // ~25% with a second face (a few placements fail to fit and drop it), ~30% portrait.
    expect(seconds / 500).toBeGreaterThan(0.15);
    expect(seconds / 500).toBeLessThan(0.3);
    expect(portraits / 500).toBeGreaterThan(0.22);
    expect(portraits / 500).toBeLessThan(0.38);
  });
});

describe('render', () => {
  const plan = (face: Plan['face'], second?: Plan['second']): Plan =>
    ({ width: 800, height: 600, quality: 90, face, second, tiles: [{ x: 0, y: 0, w: 800, h: 600, source: 0, corner: 0, crop: 0.3 }] });

  it.each([
    [400, 300, 1, 0], [200.3, 150.7, 0.3, 30], [500, 320, 1.5, -30], [123.4, 456.6 - 200, 0.7, 12.5],
  ])('lands the photo centred at (%s, %s), scale %s, roll %s°', (cx, cy, scale, rollDeg) => {
    const img = render(plan({ cx, cy, scale, rollDeg }), marker, [black]);
    expect([img.width, img.height]).toEqual([800, 600]);
    const white = blob(img, (r, g, b) => Math.min(r, g, b) / 255);
    const green = blob(img, (r, g) => Math.max(0, g - r) / 255);
    // Centre within half a pixel, areas within 8% of the scaled discs'.
    expect(Math.hypot(white.x - cx, white.y - cy)).toBeLessThan(0.5);
    expect(Math.abs(white.mass / (Math.PI * (20 * scale) ** 2) - 1)).toBeLessThan(0.08);
    expect(Math.abs(green.mass / (Math.PI * (10 * scale) ** 2) - 1)).toBeLessThan(0.08);
    // The off-centre marker is rotated by the roll (y down: positive roll turns clockwise on screen).
    const th = (rollDeg * Math.PI) / 180;
    expect(Math.hypot(green.x - (cx + 60 * scale * Math.cos(th)), green.y - (cy + 60 * scale * Math.sin(th)))).toBeLessThan(0.5);
  });

  it('is deterministic and pastes the second photo', () => {
    const p = plan({ cx: 250, cy: 300, scale: 1, rollDeg: 0 }, { cx: 620, cy: 300, scale: 0.5, rollDeg: 0 });
    const a = render(p, marker, [black], marker), b = render(p, marker, [black], marker);
    expect(Buffer.from(a.data).equals(Buffer.from(b.data))).toBe(true);
    // Two white discs: the subject's (r 20) and the second's (r 10).
    const both = blob(a, (r, g, bl) => Math.min(r, g, bl) / 255);
    expect(both.mass / (Math.PI * (400 + 100))).toBeCloseTo(1, 1);
  });

  it('fills the background from the chosen corner of each source, enlarged, not a flat colour', () => {
    // Quadrants of distinct colours: a corner crop (≤ 36% of the side) stays inside its quadrant.
    const quad = image(250, 250, (x, y) => [x < 125 ? 200 : 20, y < 125 ? 180 : 40, 90]);
    const gradient = image(250, 250, (x, y) => [x, y, 128]);
    const p: Plan = {
      width: 640, height: 480, quality: 80, face: { cx: 320, cy: 240, scale: 0.01, rollDeg: 0 },
      tiles: [0, 1, 2, 3].map((corner) => ({ x: (corner % 2) * 320, y: (corner >> 1) * 240, w: 320, h: 240, source: 0, corner, crop: 0.36 })),
    };
    const img = render(p, marker, [quad]);
    const px = (x: number, y: number) => [...img.data.subarray((y * 640 + x) * 3, (y * 640 + x) * 3 + 3)];
    expect(px(100, 100)).toEqual([200, 180, 90]);
    expect(px(500, 100)).toEqual([20, 180, 90]);
    expect(px(100, 400)).toEqual([200, 40, 90]);
    expect(px(500, 400)).toEqual([20, 40, 90]);
    // A gradient's bottom-right crop (75 px wide, inset 25 px from the corner: x 150–225) enlarged onto 640 px: smooth, not flat.
    const g = render({ ...p, tiles: [{ x: 0, y: 0, w: 640, h: 480, source: 0, corner: 3, crop: 0.3 }] }, marker, [gradient]);
    const r = (x: number, y: number) => g.data[(y * 640 + x) * 3];
    expect(Math.abs(r(10, 10) - (150 + (10.5 * 75) / 640 - 0.5))).toBeLessThanOrEqual(1);
    expect(Math.abs(r(600, 10) - (150 + (600.5 * 75) / 640 - 0.5))).toBeLessThanOrEqual(1);
    expect(Math.abs(r(11, 10) - r(10, 10))).toBeLessThanOrEqual(1);
  });

  it('renders a drawn plan with real-size inputs within bounds', () => {
    const p = drawPlan(makeRng(3), DEFAULT_RECOMPOSE);
    const img = render(p, marker, [image(250, 250, (x, y) => [x, y, 60])]);
    expect(img.data.length).toBe(p.width * p.height * 3);
    const white = blob(img, (r, g, b) => (r > 250 && g > 250 && b > 250 ? 1 : 0));
    expect(Math.hypot(white.x - p.face.cx, white.y - p.face.cy)).toBeLessThan(1);
  });
});
