// The one preprocessing definition shared by trainer and edge: decoded RGB(A) pixels →
// crop → antialiased resize → scaled float tensor, driven by a PreprocessSpec stored in the manifest.

export interface PreprocessSpec {
  /** Default crop as fractions of the image (LFW-style face-centred photos). */
  crop: { x: number; y: number; w: number; h: number };
  /** Output side in pixels (square). */
  size: number;
  /** Resize filter: 'triangle' = bilinear with antialiasing (support scales with the downscale factor). */
  resize: 'triangle';
  /** value = pixel * scale + offset, per channel, RGB order. */
  scale: number;
  offset: number;
  layout: 'NHWC';
}

/** A face box in pixels of the decoded image. */
export interface Box { x: number; y: number; w: number; h: number }

export interface RawImage {
  /** Interleaved pixels, 0–255 (float for intermediate images such as an aligned face). */
  data: Uint8Array | Uint8ClampedArray | Float32Array;
  width: number;
  height: number;
  /** 3 = RGB, 4 = RGBA (alpha ignored). */
  channels: 3 | 4;
}

export function centreCrop(side: number): PreprocessSpec['crop'] {
  const m = (1 - side) / 2;
  return { x: m, y: m, w: side, h: side };
}

/** The LFW framing of the InceptionV3 backbone (scripts/experiments/crop-choice.ts chose it): the central 48% of
 *  the image, resized to 299 px. */
export const LFW_CROP_SIDE = 0.48;
export const LFW_INPUT_SIZE = 299;

/** The LFW preprocessing spec for a backbone's input scaling; `side` only for crop experiments. Key
 *  order is fixed: feature-cache keys and the model version hash this object's JSON. */
export function lfwPreprocess(inputScale: { scale: number; offset: number }, side = LFW_CROP_SIDE): PreprocessSpec {
  return { crop: centreCrop(side), size: LFW_INPUT_SIZE, resize: 'triangle', scale: inputScale.scale, offset: inputScale.offset, layout: 'NHWC' };
}

/** The crop box in pixels for an image, from an explicit box or the spec's fractional crop. */
export function cropBox(img: { width: number; height: number }, spec: PreprocessSpec, box?: Box): Box {
  if (box) return box;
  const { x, y, w, h } = spec.crop;
  return { x: x * img.width, y: y * img.height, w: w * img.width, h: h * img.height };
}

/** Filter weights for one axis: out[i] = sum_k w[i][k] * in[first[i] + k], clamped at the edges. */
function axisWeights(srcStart: number, srcLen: number, srcSize: number, outSize: number) {
  const scale = srcLen / outSize;
  const support = Math.max(1, scale);
  const first = new Int32Array(outSize);
  const count = new Int32Array(outSize);
  const taps: number[][] = [];
  for (let i = 0; i < outSize; i++) {
    const centre = srcStart + (i + 0.5) * scale;
    const lo = Math.floor(centre - support);
    const hi = Math.ceil(centre + support);
    const ws: number[] = [];
    let sum = 0;
    for (let s = lo; s <= hi; s++) {
      const wgt = Math.max(0, 1 - Math.abs(s + 0.5 - centre) / support);
      ws.push(wgt);
      sum += wgt;
    }
    // Fold out-of-range taps onto the nearest edge pixel.
    const folded = new Map<number, number>();
    ws.forEach((wgt, k) => {
      if (wgt === 0) return;
      const s = Math.min(srcSize - 1, Math.max(0, lo + k));
      folded.set(s, (folded.get(s) ?? 0) + wgt / sum);
    });
    const keys = [...folded.keys()].sort((a, b) => a - b);
    first[i] = keys[0];
    count[i] = keys[keys.length - 1] - keys[0] + 1;
    const row = new Array(count[i]).fill(0);
    for (const k of keys) row[k - keys[0]] = folded.get(k)!;
    taps.push(row);
  }
  return { first, count, taps };
}

/**
 * Resample the box of an image into an outW × outH RGB float tensor (NHWC), antialiased when it
 * shrinks, with value = pixel · scale + offset. Parts of the box outside the image repeat the edge.
 */
export function resample(img: RawImage, b: Box, outW: number, outH: number, scale = 1, offset = 0): Float32Array {
  const xs = axisWeights(b.x, b.w, img.width, outW);
  const ys = axisWeights(b.y, b.h, img.height, outH);
  const c = img.channels;
  // Horizontal pass over the rows the vertical pass needs.
  const rowLo = ys.first.reduce((a, v) => Math.min(a, v), Infinity);
  const rowHi = ys.first.reduce((a, v, i) => Math.max(a, v + ys.count[i]), -Infinity);
  const tmp = new Float32Array((rowHi - rowLo) * outW * 3);
  for (let y = rowLo; y < rowHi; y++) {
    const src = y * img.width * c;
    const dst = (y - rowLo) * outW * 3;
    for (let i = 0; i < outW; i++) {
      let r = 0, g = 0, bl = 0;
      const f = xs.first[i], row = xs.taps[i];
      for (let k = 0; k < row.length; k++) {
        const p = src + (f + k) * c, wgt = row[k];
        r += img.data[p] * wgt; g += img.data[p + 1] * wgt; bl += img.data[p + 2] * wgt;
      }
      tmp[dst + i * 3] = r; tmp[dst + i * 3 + 1] = g; tmp[dst + i * 3 + 2] = bl;
    }
  }
  const out = new Float32Array(outW * outH * 3);
  for (let j = 0; j < outH; j++) {
    const f = ys.first[j] - rowLo, row = ys.taps[j];
    for (let i = 0; i < outW * 3; i++) {
      let v = 0;
      for (let k = 0; k < row.length; k++) v += tmp[(f + k) * outW * 3 + i] * row[k];
      out[j * outW * 3 + i] = v * scale + offset;
    }
  }
  return out;
}

/** Crop, resize and scale one image into a [size, size, 3] float tensor (NHWC, RGB). */
export function preprocess(img: RawImage, spec: PreprocessSpec, box?: Box): Float32Array {
  return resample(img, cropBox(img, spec, box), spec.size, spec.size, spec.scale, spec.offset);
}

/** Mirror an NHWC [size, size, 3] tensor left-right (flip test-time augmentation). */
export function flipHorizontal(t: Float32Array, size: number): Float32Array {
  const out = new Float32Array(t.length);
  for (let y = 0; y < size; y++)
    for (let x = 0; x < size; x++)
      for (let ch = 0; ch < 3; ch++)
        out[(y * size + x) * 3 + ch] = t[(y * size + (size - 1 - x)) * 3 + ch];
  return out;
}
