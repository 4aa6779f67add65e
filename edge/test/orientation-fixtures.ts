// Photos whose EXIF orientation is stored where a simple reader misses it: a JPEG with 0xFF fill
// bytes before its markers, PNGs with an eXIf chunk (big- and little-endian TIFF). Each comes with
// the trainer's decode of it (sharp, EXIF applied) as a plain PNG, `<name>.sharp.png`, so the
// Worker's upright pixels can be compared with the trainer's.
import sharp from 'sharp';
import { decodeImage } from '../../trainer/data/images';

const W = 48, H = 32;

/** Four differently coloured quadrants and a bright corner block: every turn or mirror looks different. */
function pattern(): Buffer {
  const px = Buffer.alloc(W * H * 3);
  for (let y = 0; y < H; y++)
    for (let x = 0; x < W; x++) {
      const q = (x < W / 2 ? 0 : 1) + (y < H / 2 ? 0 : 2);
      const rgb = x < 8 && y < 8 ? [250, 250, 250] : [[200, 40, 40], [40, 180, 60], [50, 60, 210], [20, 20, 20]][q];
      px.set(rgb, (y * W + x) * 3);
    }
  return px;
}

const CRC = Uint32Array.from({ length: 256 }, (_v, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});
function pngChunk(type: string, data: Buffer): Buffer {
  const body = Buffer.concat([Buffer.from(type, 'latin1'), data]);
  let c = 0xffffffff;
  for (const b of body) c = CRC[(c ^ b) & 0xff] ^ (c >>> 8);
  const out = Buffer.alloc(body.length + 8);
  out.writeUInt32BE(data.length, 0);
  body.copy(out, 4);
  out.writeUInt32BE((c ^ 0xffffffff) >>> 0, body.length + 4);
  return out;
}

/** A TIFF header and one IFD holding only the orientation tag (0x0112, SHORT). */
function tiffOrientation(o: number, littleEndian: boolean): Buffer {
  const b = Buffer.alloc(26);
  const u16 = (v: number, at: number) => (littleEndian ? b.writeUInt16LE(v, at) : b.writeUInt16BE(v, at));
  const u32 = (v: number, at: number) => (littleEndian ? b.writeUInt32LE(v, at) : b.writeUInt32BE(v, at));
  b.write(littleEndian ? 'II' : 'MM', 0, 'latin1');
  u16(42, 2); u32(8, 4); u16(1, 8); u16(0x0112, 10); u16(3, 12); u32(1, 14); u16(o, 18); u32(0, 22);
  return b;
}

/** A PNG with an eXIf chunk before its image data (where the PNG spec and libvips want it). */
function pngWithExif(png: Buffer, exif: Buffer): Buffer {
  const idat = png.indexOf(Buffer.from('IDAT', 'latin1')) - 4;
  return Buffer.concat([png.subarray(0, idat), pngChunk('eXIf', exif), png.subarray(idat)]);
}

/** The JPEG with `n` 0xFF fill bytes before every marker between SOI and the start of scan. */
function withFillBytes(jpeg: Buffer, n: number): Buffer {
  const parts: Buffer[] = [jpeg.subarray(0, 2)];
  let i = 2;
  while (i + 4 <= jpeg.length && jpeg[i] === 0xff) {
    const marker = jpeg[i + 1];
    if (marker === 0xda) break;
    const len = jpeg.readUInt16BE(i + 2);
    parts.push(Buffer.alloc(n, 0xff), jpeg.subarray(i, i + 2 + len));
    i += 2 + len;
  }
  parts.push(Buffer.alloc(n, 0xff), jpeg.subarray(i));
  return Buffer.concat(parts);
}

/** name → bytes: orient-<how><EXIF orientation>.<type>, each with the trainer's upright decode beside it. */
export async function orientationFixtures(): Promise<Record<string, Buffer>> {
  const raw = { raw: { width: W, height: H, channels: 3 as const } };
  const png = await sharp(pattern(), raw).png().toBuffer();
  const files: Record<string, Buffer> = {
    'orient-fill6.jpg': withFillBytes(await sharp(pattern(), raw).withMetadata({ orientation: 6 }).jpeg({ quality: 95 }).toBuffer(), 3),
    'orient-exif6.png': pngWithExif(png, tiffOrientation(6, false)),
    'orient-exif8.png': pngWithExif(png, tiffOrientation(8, true)),
    'orient-exif3.png': pngWithExif(png, tiffOrientation(3, true)),
  };
  for (const [name, bytes] of Object.entries(files)) {
    const img = await decodeImage(bytes);
    files[`${name}.sharp.png`] = await sharp(Buffer.from(img.data), { raw: { width: img.width, height: img.height, channels: 3 } }).png().toBuffer();
  }
  return files;
}
