// JPEG EXIF orientation (phone photos): the tag read from the APP1 segment without decoding, and the
// decoded pixels turned upright, so detection sees the photo as its owner does.
import type { RawImage } from '../../../models/contract/preprocess';

/** EXIF orientation 1–8 of a JPEG (1 when absent or unreadable). */
export function exifOrientation(b: Uint8Array): number {
  if (b[0] !== 0xff || b[1] !== 0xd8) return 1;
  for (let i = 2; i + 4 <= b.length; ) {
    if (b[i] !== 0xff) return 1;
    const marker = b[i + 1];
    if (marker === 0xda || marker === 0xd9) return 1; // start of scan: no APP1 before the image data
    const len = (b[i + 2] << 8) | b[i + 3];
    if (marker === 0xe1 && len >= 16 && String.fromCharCode(...b.subarray(i + 4, i + 10)) === 'Exif\0\0') return tiffOrientation(b.subarray(i + 10, i + 2 + len));
    i += 2 + len;
  }
  return 1;
}

function tiffOrientation(t: Uint8Array): number {
  if (t.length < 8) return 1;
  const le = t[0] === 0x49 && t[1] === 0x49;
  if (!le && !(t[0] === 0x4d && t[1] === 0x4d)) return 1;
  const v = new DataView(t.buffer, t.byteOffset, t.byteLength);
  const u16 = (o: number) => v.getUint16(o, le), u32 = (o: number) => v.getUint32(o, le);
  const ifd = u32(4);
  if (ifd + 2 > t.length) return 1;
  const n = u16(ifd);
  for (let k = 0; k < n; k++) {
    const e = ifd + 2 + k * 12;
    if (e + 12 > t.length) return 1;
    if (u16(e) === 0x0112) {
      const o = u16(e + 8);
      return o >= 1 && o <= 8 ? o : 1;
    }
  }
  return 1;
}

/** The image as displayed under EXIF orientation o (2–8 mirror and/or rotate; 1 is unchanged). */
export function applyOrientation(img: RawImage, o: number): RawImage {
  if (o <= 1 || o > 8) return img;
  const { width: W, height: H, channels: c, data } = img;
  const swap = o >= 5;
  const w = swap ? H : W, h = swap ? W : H;
  // Source pixel of displayed (x, y), per orientation.
  const src: Record<number, (x: number, y: number) => number> = {
    2: (x, y) => y * W + (W - 1 - x),
    3: (x, y) => (H - 1 - y) * W + (W - 1 - x),
    4: (x, y) => (H - 1 - y) * W + x,
    5: (x, y) => x * W + y,
    6: (x, y) => (H - 1 - x) * W + y,
    7: (x, y) => (H - 1 - x) * W + (W - 1 - y),
    8: (x, y) => x * W + (W - 1 - y),
  };
  const at = src[o];
  const out = new Uint8ClampedArray(w * h * c);
  for (let y = 0; y < h; y++)
    for (let x = 0; x < w; x++) {
      const s = at(x, y) * c, d = (y * w + x) * c;
      for (let k = 0; k < c; k++) out[d + k] = data[s + k];
    }
  return { data: out, width: w, height: h, channels: c };
}
