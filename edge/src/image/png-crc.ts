// PNG chunk CRCs. The PNG decoder ignores them, so a file whose bytes were damaged in a way that
// still inflates would decode to a wrong image; a CRC mismatch is rejected as image_corrupt instead.
import { ApiError } from '../http/errors';

const TABLE = (() => {
  const t = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[n] = c >>> 0;
  }
  return t;
})();

function crc32(b: Uint8Array, start: number, end: number): number {
  let c = 0xffffffff;
  for (let i = start; i < end; i++) c = TABLE[(c ^ b[i]) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

/** Walks every chunk after the signature up to IEND; throws image_corrupt on a bad CRC or a short chunk. */
export function checkPngChunks(b: Uint8Array, field: string): void {
  const dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
  const corrupt = (reason: string) => new ApiError('image_corrupt', `image "${field}" is not a valid PNG`, { field, reason });
  for (let at = 8; ; ) {
    if (at + 12 > b.length) throw corrupt('truncated before IEND');
    const len = dv.getUint32(at);
    const end = at + 8 + len;
    if (end + 4 > b.length) throw corrupt('chunk runs past the end of the file');
    if (crc32(b, at + 4, end) !== dv.getUint32(end)) throw corrupt(`bad CRC in chunk at byte ${at}`);
    if (b[at + 4] === 0x49 && b[at + 5] === 0x45 && b[at + 6] === 0x4e && b[at + 7] === 0x44) return; // IEND
    at = end + 4;
  }
}
