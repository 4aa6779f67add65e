// Reads an image's type and dimensions from its header, without decoding: PNG IHDR, JPEG SOFn.
// Also catches obvious truncation (no JPEG EOI after the scan, no PNG IEND) so corrupt uploads
// fail fast with a stable code. Everything else (GIF, BMP, TIFF, WebP, HEIF, noise) is rejected.
import { ApiError } from '../http/errors';

export interface ImageHeader { type: 'jpeg' | 'png'; width: number; height: number }

const PNG_SIG = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
const ascii = (b: Uint8Array, at: number, n: number) => String.fromCharCode(...b.subarray(at, at + n));

/** Names the formats we recognise but do not accept, for the error's details. */
function otherType(b: Uint8Array): string {
  if (ascii(b, 0, 4) === 'GIF8') return 'gif';
  if (ascii(b, 0, 2) === 'BM') return 'bmp';
  if (ascii(b, 0, 4) === 'II*\0' || ascii(b, 0, 4) === 'MM\0*') return 'tiff';
  if (ascii(b, 0, 4) === 'RIFF' && ascii(b, 8, 4) === 'WEBP') return 'webp';
  if (ascii(b, 4, 4) === 'ftyp') return 'heif/avif';
  return 'unknown';
}

export function readImageHeader(b: Uint8Array, field: string): ImageHeader {
  const corrupt = (why: string) => new ApiError('image_corrupt', `image "${field}" is corrupt or truncated: ${why}`, { field });
  if (b.length >= 8 && PNG_SIG.every((v, i) => b[i] === v)) {
    if (b.length < 33 || ascii(b, 12, 4) !== 'IHDR') throw corrupt('missing IHDR');
    const v = new DataView(b.buffer, b.byteOffset, b.byteLength);
    const width = v.getUint32(16), height = v.getUint32(20);
    if (!width || !height) throw corrupt('zero dimension');
    // Walk the chunks: a truncated file has a chunk running past the end or no IEND.
    for (let i = 8; ; ) {
      if (i + 12 > b.length) throw corrupt('missing IEND');
      const next = i + 12 + v.getUint32(i);
      if (next > b.length) throw corrupt('chunk runs past the end');
      if (ascii(b, i + 4, 4) === 'IEND') return { type: 'png', width, height };
      i = next;
    }
  }
  if (b.length >= 3 && b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff) return readJpeg(b, field, corrupt);
  const detected = otherType(b);
  throw new ApiError('unsupported_image_type', `image "${field}" is not a JPEG or PNG (detected: ${detected})`, { field, detected });
}

function readJpeg(b: Uint8Array, field: string, corrupt: (why: string) => ApiError): ImageHeader {
  let i = 2, size: { width: number; height: number } | null = null;
  while (i + 4 <= b.length) {
    if (b[i] !== 0xff) throw corrupt('bad marker');
    const m = b[i + 1];
    if (m === 0xff) { i++; continue; } // fill byte
    if (m === 0x01 || (m >= 0xd0 && m <= 0xd7)) { i += 2; continue; } // no length
    const len = (b[i + 2] << 8) | b[i + 3];
    if (len < 2 || i + 2 + len > b.length) throw corrupt('segment runs past the end');
    const isSof = m >= 0xc0 && m <= 0xcf && m !== 0xc4 && m !== 0xc8 && m !== 0xcc;
    if (isSof) {
      if (len < 8) throw corrupt('short SOF');
      size = { height: (b[i + 5] << 8) | b[i + 6], width: (b[i + 7] << 8) | b[i + 8] };
      if (!size.width || !size.height) throw corrupt('zero dimension');
      if (b[i + 9] !== 1 && b[i + 9] !== 3) // CMYK/YCCK: the decoder cannot make RGB of it
        throw new ApiError('unsupported_image_type', `image "${field}" is a ${b[i + 9]}-channel (CMYK) JPEG`, { field, detected: 'jpeg-cmyk' });
    }
    if (m === 0xda) {
      if (!size) throw corrupt('scan before frame header');
      // EOI (FFD9) cannot occur inside entropy-coded data, so its absence after SOS means truncation.
      for (let j = b.length - 2; j > i; j--) if (b[j] === 0xff && b[j + 1] === 0xd9) return { type: 'jpeg', ...size };
      throw corrupt('missing end of image');
    }
    if (m === 0xd9) break;
    i += 2 + len;
  }
  throw corrupt('no image data');
}
