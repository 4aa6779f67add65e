// EXIF orientation (phone photos): the tag read without decoding, from a JPEG's APP1 segment or a
// PNG's eXIf chunk (where the trainer's decoder, sharp/libvips, reads it too), and the decoded pixels
// turned upright, so detection sees the photo as its owner does.
import type { RawImage } from '../../../models/contract/preprocess';

const PNG_SIG = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
const ascii = (b: Uint8Array, at: number, n: number) => String.fromCharCode(...b.subarray(at, at + n));

/** EXIF orientation 1–8 of a JPEG or PNG (1 when absent or unreadable). */
export function exifOrientation(b: Uint8Array): number {
  if (b.length >= 8 && PNG_SIG.every((v, i) => b[i] === v)) return pngOrientation(b);
  if (b[0] === 0xff && b[1] === 0xd8) return jpegOrientation(b);
  return 1;
}

function jpegOrientation(b: Uint8Array): number {
  for (let i = 2; i + 4 <= b.length; ) {
    if (b[i] !== 0xff) return 1;
    const marker = b[i + 1];
    if (marker === 0xff) { i++; continue; } // fill byte before a marker
    if (marker === 0x01 || (marker >= 0xd0 && marker <= 0xd7)) { i += 2; continue; } // no length
    if (marker === 0xda || marker === 0xd9) return 1; // start of scan: no APP1 before the image data
    const len = (b[i + 2] << 8) | b[i + 3];
    if (marker === 0xe1 && len >= 16 && ascii(b, i + 4, 6) === 'Exif\0\0') return tiffOrientation(b.subarray(i + 10, i + 2 + len));
    i += 2 + len;
  }
  return 1;
}

/** A PNG's eXIf chunk (a bare TIFF stream), honoured as libvips does: only before the image data. */
function pngOrientation(b: Uint8Array): number {
  const v = new DataView(b.buffer, b.byteOffset, b.byteLength);
  for (let i = 8; i + 12 <= b.length; ) {
    const len = v.getUint32(i), type = ascii(b, i + 4, 4);
    if (type === 'IDAT' || type === 'IEND' || i + 12 + len > b.length) return 1;
    if (type === 'eXIf') return tiffOrientation(b.subarray(i + 8, i + 8 + len));
    i += 12 + len;
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
