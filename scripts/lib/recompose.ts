// Re-composes an LFW photo as an ordinary picture, for the framing-robustness benchmark
// (scripts/framing-bench.ts): the 250 px deep-funneled photo is scaled (face 0.3–1.5× its LFW
// size), rolled up to ±30°, pasted through a feathered oval at a random place in a larger canvas
// (640×480 … 1280×960, landscape or portrait) whose background is a mosaic of enlarged crops from
// near the corners of other LFW photos (background, not faces), sometimes with a second, smaller face pasted
// elsewhere. Pure and seeded: drawPlan() draws every number from the Rng, render() paints the plan
// from the images it is given, so the same seed and images give the same pixels. The JPEG quality is
// part of the plan; encoding is the caller's (sharp).
import type { Box, RawImage } from '../../models/contract/preprocess.js';
import { warpToCanvas, type Similarity } from '../../models/contract/face/align.js';
import type { Rng } from '../../trainer/data/rng.js';

export interface RecomposeOptions {
  /** Scale of the pasted photo (and so of its face) relative to LFW's 250 px. */
  scale: [number, number];
  /** Canvas long side in pixels; the short side is 3/4 of it. */
  longSide: [number, number];
  /** Share of portrait (3:4) canvases; the rest are landscape (4:3). */
  portrait: number;
  /** Largest roll in degrees, either way. */
  maxRollDeg: number;
  /** JPEG quality range, inclusive. */
  quality: [number, number];
  /** Share of pictures with a second face. */
  secondFace: number;
  /** The second photo's scale relative to the first's. */
  secondScale: [number, number];
  /** Background mosaic: columns and rows drawn from 1..max. */
  maxTiles: [number, number];
}

export const DEFAULT_RECOMPOSE: RecomposeOptions = {
  scale: [0.3, 1.5],
  longSide: [640, 1280],
  portrait: 0.3,
  maxRollDeg: 30,
  quality: [70, 95],
  secondFace: 0.25,
  secondScale: [0.45, 0.75],
  maxTiles: [3, 2],
};

/** Where a source photo's centre lands on the canvas, its scale and its roll. */
export interface Placement {
  cx: number;
  cy: number;
  scale: number;
  rollDeg: number;
}

/** One background tile: a canvas rectangle filled by an enlarged corner crop of background[source]. */
export interface Tile {
  x: number; y: number; w: number; h: number;
  source: number;
  /** 0 top-left, 1 top-right, 2 bottom-left, 3 bottom-right. */
  corner: number;
  /** Crop side as a fraction of the source's shorter side. */
  crop: number;
}

export interface Plan {
  width: number;
  height: number;
  quality: number;
  face: Placement;
  second?: Placement;
  tiles: Tile[];
}

/** Half the side of the region around a photo's centre that must stay on the canvas (the face, roughly), in source pixels of a 250 px photo. */
export const FACE_HALF = 75;
/** Half the side of the pasted photo's opaque oval, in source pixels (the paste's extent, for keeping two faces apart). */
const PASTE_HALF = 125;

const uniform = (rng: Rng, [lo, hi]: [number, number]) => lo + (hi - lo) * rng.next();

/**
 * Draws a plan. `srcSide` is the side of the photos pasted (LFW: 250). The face region (±FACE_HALF·scale
 * around the photo's centre, scaled to srcSide) stays inside the canvas; the second photo's paste does
 * not overlap the first's. The number of background sources needed is max(tile.source) + 1.
 */
export function drawPlan(rng: Rng, opts: RecomposeOptions = DEFAULT_RECOMPOSE, srcSide = 250): Plan {
  const long = Math.round(uniform(rng, opts.longSide));
  const short = Math.round((long * 3) / 4);
  const portrait = rng.next() < opts.portrait;
  const width = portrait ? short : long, height = portrait ? long : short;
  const quality = opts.quality[0] + rng.int(opts.quality[1] - opts.quality[0] + 1);
  const k = srcSide / 250;

  const place = (scale: number): Placement => {
    const r = FACE_HALF * k * scale;
    return {
      cx: r + (width - 2 * r) * rng.next(),
      cy: r + (height - 2 * r) * rng.next(),
      scale,
      rollDeg: (2 * rng.next() - 1) * opts.maxRollDeg,
    };
  };
  const face = place(uniform(rng, opts.scale));

  let second: Placement | undefined;
  if (rng.next() < opts.secondFace) {
    const s2 = face.scale * uniform(rng, opts.secondScale);
    // Apart by the two pastes' half-diagonals (any roll), 20 tries, else none.
    const apart = PASTE_HALF * k * Math.SQRT2 * (face.scale + s2);
    for (let t = 0; t < 20 && !second; t++) {
      const p = place(s2);
      if (Math.hypot(p.cx - face.cx, p.cy - face.cy) >= apart) second = p;
    }
  }

  // Mosaic: jittered grid lines, one source image per tile.
  const cols = 1 + rng.int(opts.maxTiles[0]), rows = 1 + rng.int(opts.maxTiles[1]);
  const cuts = (n: number, size: number) => {
    const c = [0];
    for (let i = 1; i < n; i++) c.push(Math.round(((i + (rng.next() - 0.5) * 0.6) / n) * size));
    c.push(size);
    return c;
  };
  const xs = cuts(cols, width), ys = cuts(rows, height);
  const tiles: Tile[] = [];
  for (let j = 0; j < rows; j++)
    for (let i = 0; i < cols; i++)
      tiles.push({ x: xs[i], y: ys[j], w: xs[i + 1] - xs[i], h: ys[j + 1] - ys[j], source: tiles.length, corner: rng.int(4), crop: 0.2 + 0.16 * rng.next() });
  return { width, height, quality, face, second, tiles };
}

/** The similarity source photo → canvas of a placement (rotation about the photo's centre). */
export function placementTransform(p: Placement, srcW: number, srcH: number): Similarity {
  const th = (p.rollDeg * Math.PI) / 180;
  const a = p.scale * Math.cos(th), b = p.scale * Math.sin(th);
  const sx = srcW / 2, sy = srcH / 2;
  return { a, b, tx: p.cx - (a * sx - b * sy), ty: p.cy - (b * sx + a * sy) };
}

/** Opacity of the paste at source point (x, y): 1 inside an oval around the centre, fading to 0 at its rim. */
export function pasteAlpha(x: number, y: number, srcW: number, srcH: number): number {
  const u = (x - srcW / 2) / (0.45 * srcW), v = (y - srcH / 2) / (0.5 * srcH);
  const r = Math.hypot(u, v);
  return Math.max(0, Math.min(1, (1 - r) / 0.2));
}

/** How far in from the corner background crops start, as a fraction of the source's shorter side. */
export const CORNER_INSET = 0.1;

/** Bilinear resampling of a source box onto a canvas rectangle (for enlarging: no antialiasing). Separable: rows first. */
function enlarge(src: RawImage, b: Box, canvas: Float32Array, W: number, r: { x: number; y: number; w: number; h: number }) {
  const { data, width: sw, height: sh, channels: c } = src;
  const kx = b.w / r.w, ky = b.h / r.h;
  const at = (u: number, n: number) => Math.min(n - 1, Math.max(0, u));
  const yLo = Math.floor(at(b.y - 0.5, sh)), yHi = Math.min(sh - 1, Math.floor(at(b.y + b.h - 0.5, sh)) + 1);
  // Horizontal pass over the source rows the tile needs.
  const n = r.w * 3, rows = new Float32Array((yHi - yLo + 1) * n);
  for (let i = 0; i < r.w; i++) {
    const u = at(b.x + (i + 0.5) * kx - 0.5, sw);
    const x0 = Math.floor(u), x1 = Math.min(sw - 1, x0 + 1), f = u - x0;
    for (let y = yLo; y <= yHi; y++) {
      const p0 = (y * sw + x0) * c, p1 = (y * sw + x1) * c, o = (y - yLo) * n + i * 3;
      for (let ch = 0; ch < 3; ch++) rows[o + ch] = data[p0 + ch] * (1 - f) + data[p1 + ch] * f;
    }
  }
  for (let j = 0; j < r.h; j++) {
    const v = at(b.y + (j + 0.5) * ky - 0.5, sh);
    const y0 = Math.floor(v), f = v - y0, a0 = (y0 - yLo) * n, a1 = (Math.min(sh - 1, y0 + 1) - yLo) * n;
    const o = ((r.y + j) * W + r.x) * 3;
    for (let i = 0; i < n; i++) canvas[o + i] = rows[a0 + i] * (1 - f) + rows[a1 + i] * f;
  }
}

function paste(canvas: Float32Array, W: number, H: number, src: RawImage, p: Placement) {
  const t = placementTransform(p, src.width, src.height);
  // The warped photo on a local square patch around its centre (antialiased when it shrinks).
  const half = Math.ceil((Math.hypot(src.width, src.height) / 2) * p.scale) + 2;
  const ox = Math.floor(p.cx) - half, oy = Math.floor(p.cy) - half, side = 2 * half;
  const local: Similarity = { ...t, tx: t.tx - ox, ty: t.ty - oy };
  const patch = warpToCanvas(src, local, side).data;
  // Opacity from the inverse map of each patch pixel's centre back into the photo.
  const d = local.a * local.a + local.b * local.b;
  const ia = local.a / d, ib = -local.b / d;
  for (let j = 0; j < side; j++) {
    const Y = oy + j;
    if (Y < 0 || Y >= H) continue;
    for (let i = 0; i < side; i++) {
      const X = ox + i;
      if (X < 0 || X >= W) continue;
      const u = i + 0.5 - local.tx, v = j + 0.5 - local.ty;
      const alpha = pasteAlpha(ia * u - ib * v, ib * u + ia * v, src.width, src.height);
      if (alpha <= 0) continue;
      const o = (Y * W + X) * 3, q = (j * side + i) * 3;
      for (let c = 0; c < 3; c++) canvas[o + c] += alpha * (patch[q + c] - canvas[o + c]);
    }
  }
}

/**
 * Paints a plan: background tiles from `backgrounds` (cycled when fewer than the tiles), then the
 * second photo (when the plan has one and it is given), then the subject on top. RGB, 8-bit.
 */
export function render(plan: Plan, subject: RawImage, backgrounds: RawImage[], second?: RawImage): RawImage {
  const { width: W, height: H } = plan;
  if (!backgrounds.length) throw new Error('render needs at least one background image');
  const canvas = new Float32Array(W * H * 3);
  for (const t of plan.tiles) {
    const bg = backgrounds[t.source % backgrounds.length];
    // A crop with the tile's aspect near the chosen corner (inset: deep-funneled LFW corners are
    // often black), enlarged onto the tile: bilinear, so smooth like an out-of-focus background.
    const side = t.crop * Math.min(bg.width, bg.height), inset = CORNER_INSET * Math.min(bg.width, bg.height);
    const cw = t.w >= t.h ? side : (side * t.w) / t.h, ch = t.w >= t.h ? (side * t.h) / t.w : side;
    const cx = t.corner % 2 ? bg.width - inset - cw : inset, cy = t.corner >= 2 ? bg.height - inset - ch : inset;
    enlarge(bg, { x: cx, y: cy, w: cw, h: ch }, canvas, W, t);
  }
  if (plan.second && second) paste(canvas, W, H, second, plan.second);
  paste(canvas, W, H, subject, plan.face);
  // Float → 8 bit: Uint8ClampedArray rounds (half to even) and clamps.
  return { data: new Uint8ClampedArray(canvas), width: W, height: H, channels: 3 };
}
