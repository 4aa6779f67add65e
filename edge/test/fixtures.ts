// Fixture images for the edge tests, rendered in Node with sharp (base64 strings, keyed by name).
// "Persons" are smooth random colour fields: the tiny test model maps re-encodings of the same
// field to nearly the same embedding and different fields to nearly orthogonal ones.
import sharp from 'sharp';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { photosDir } from '../../paths';
import { orientationFixtures } from './orientation-fixtures';

const photos = photosDir();

function field(seed: number, w: number, h: number) {
  let s = seed;
  const rnd = () => {
    s = (s * 1103515245 + 12345) >>> 0;
    return (s >>> 8) % 256;
  };
  const small = Buffer.from(Array.from({ length: 8 * 8 * 3 }, rnd));
  return sharp(small, { raw: { width: 8, height: 8, channels: 3 } }).resize(w, h, { kernel: 'cubic' });
}

/** A JPEG whose SOF claims w×h; the scan is junk but never decoded (rejected on the header). */
function jpegClaiming(w: number, h: number) {
  const sof = [0xff, 0xc0, 0, 17, 8, h >> 8, h & 255, w >> 8, w & 255, 3, 1, 0x11, 0, 2, 0x11, 0, 3, 0x11, 0];
  const sos = [0xff, 0xda, 0, 12, 3, 1, 0, 2, 0x11, 3, 0x11, 0, 63, 0];
  return Buffer.from([0xff, 0xd8, ...sof, ...sos, 1, 2, 3, 4, 0xff, 0xd9]);
}

/** A PNG whose IHDR claims w×h, with an empty IDAT and an IEND (CRCs are not checked by the header reader). */
function pngClaiming(w: number, h: number) {
  const chunk = (type: string, data: number[]) => [0, 0, 0, data.length, ...Buffer.from(type), ...data, 0, 0, 0, 0];
  const be = (n: number) => [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255];
  return Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, ...chunk('IHDR', [...be(w), ...be(h), 8, 2, 0, 0, 0]), ...chunk('IDAT', []), ...chunk('IEND', [])]);
}

export async function makeFixtures(): Promise<Record<string, string>> {
  const out: Record<string, Buffer> = {};
  for (const p of [1, 2, 3]) {
    out[`person${p}.png`] = await field(p, 96, 112).png().toBuffer();
    out[`person${p}.jpg`] = await field(p, 96, 112).jpeg({ quality: 92 }).toBuffer();
    out[`person${p}-b.jpg`] = await field(p, 120, 140).jpeg({ quality: 75, progressive: true }).toBuffer();
  }
  const p1 = field(1, 96, 112);
  out['person1.gif'] = await p1.clone().gif().toBuffer();
  out['person1.tiff'] = await p1.clone().tiff().toBuffer();
  out['person1.webp'] = await p1.clone().webp().toBuffer();
  out['fake.bmp'] = Buffer.concat([Buffer.from('BM'), Buffer.alloc(60)]);
  out['noise.bin'] = Buffer.from(Array.from({ length: 300 }, (_, i) => (i * 7919 + 13) % 251));
  const jpg = out['person1.jpg'], png = out['person1.png'];
  out['truncated.jpg'] = jpg.subarray(0, Math.floor(jpg.length * 0.6));
  out['truncated.png'] = png.subarray(0, Math.floor(png.length * 0.6));
  // Corrupt but complete: a bad Huffman table (JPEG), a flipped IDAT byte so its CRC fails (PNG).
  const badJpg = Buffer.from(jpg), dht = badJpg.indexOf(Buffer.from([0xff, 0xc4]));
  badJpg.fill(0xff, dht + 5, dht + 21);
  out['corrupt.jpg'] = badJpg;
  const badPng = Buffer.from(png), idat = badPng.indexOf(Buffer.from('IDAT'));
  badPng[idat + 10] ^= 0xff;
  out['corrupt.png'] = badPng;
  // Intact data, wrong CRC: the last 4 bytes of the first IDAT chunk (length at idat - 4).
  const crcPng = Buffer.from(png), at = crcPng.indexOf(Buffer.from('IDAT'));
  crcPng[at + 4 + crcPng.readUInt32BE(at - 4) + 3] ^= 0xff;
  out['badcrc.png'] = crcPng;
  out['huge.jpg'] = jpegClaiming(20000, 20000);
  out['huge30k.jpg'] = jpegClaiming(30000, 30000);
  out['huge30k.png'] = pngClaiming(30000, 30000);
  out['huge.png'] = pngClaiming(50000, 50000);
  // Other encodings of person 1 that must decode to the same face.
  out['person1-gray.jpg'] = await p1.clone().toColourspace('b-w').jpeg().toBuffer();
  out['person1-gray.png'] = await p1.clone().toColourspace('b-w').png().toBuffer();
  out['person1-palette.png'] = await p1.clone().png({ palette: true, colours: 256 }).toBuffer();
  out['person1-16bit.png'] = await p1.clone().toColourspace('rgb16').png().toBuffer();
  out['person1-alpha.png'] = await p1.clone().ensureAlpha(0.5).png().toBuffer();
  out['person1-cmyk.jpg'] = await p1.clone().toColourspace('cmyk').jpeg().toBuffer();
  // Face-less images: the no-face gate must refuse them.
  out['grey.png'] = await sharp({ create: { width: 250, height: 250, channels: 3, background: '#808080' } }).png().toBuffer();
  // A phone photo: pixels stored sideways (or upside down), the EXIF tag says how to turn them upright.
  const portrait = resolve(photos, 'obama-480p.jpg');
  if (existsSync(portrait)) {
    out['obama-480p.jpg'] = await sharp(portrait).jpeg({ quality: 95 }).toBuffer();
    for (const [orientation, turn] of [[3, 180], [6, 270], [8, 90]] as const)
      out[`obama-480p-exif${orientation}.jpg`] = await sharp(portrait).rotate(turn).withMetadata({ orientation }).jpeg({ quality: 95 }).toBuffer();
  }
  Object.assign(out, await orientationFixtures());
  out['wide.png'] = await sharp({ create: { width: 5000, height: 4, channels: 3, background: '#808080' } }).png().toBuffer();
  return Object.fromEntries(Object.entries(out).map(([k, v]) => [k, v.toString('base64')]));
}
