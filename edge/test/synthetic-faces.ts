// Any number of distinct "people" for the tiny test model, made inside workerd: seeded smooth random
// colour fields (as test/fixtures.ts makes three of with sharp), encoded as PNG with the runtime's
// own deflate. Different seeds give nearly orthogonal tiny-model embeddings, so each is a stranger
// to every other.
import { rng } from './gallery-data';

const CRC = Uint32Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});

function chunk(type: string, data: Uint8Array): Uint8Array {
  const out = new Uint8Array(12 + data.length);
  const v = new DataView(out.buffer);
  v.setUint32(0, data.length);
  out.set(new TextEncoder().encode(type), 4);
  out.set(data, 8);
  let c = 0xffffffff;
  for (let i = 4; i < 8 + data.length; i++) c = CRC[(c ^ out[i]) & 0xff] ^ (c >>> 8);
  v.setUint32(8 + data.length, (c ^ 0xffffffff) >>> 0);
  return out;
}

async function deflate(bytes: Uint8Array): Promise<Uint8Array> {
  const stream = new Blob([bytes]).stream().pipeThrough(new CompressionStream('deflate'));
  return new Uint8Array(await new Response(stream).arrayBuffer());
}

/** A w×h RGB PNG of person `seed`: an 8×8 grid of random colours, bilinearly enlarged. */
export async function syntheticFace(seed: number, w = 64, h = 64): Promise<Uint8Array> {
  const r = rng(seed);
  const grid = Float32Array.from({ length: 8 * 8 * 3 }, () => r() * 255);
  const raw = new Uint8Array(h * (1 + w * 3));
  for (let y = 0; y < h; y++) {
    const gy = (y / (h - 1)) * 7, y0 = Math.min(6, Math.floor(gy)), fy = gy - y0;
    for (let x = 0; x < w; x++) {
      const gx = (x / (w - 1)) * 7, x0 = Math.min(6, Math.floor(gx)), fx = gx - x0;
      for (let ch = 0; ch < 3; ch++) {
        const at = (yy: number, xx: number) => grid[(yy * 8 + xx) * 3 + ch];
        const v = (at(y0, x0) * (1 - fx) + at(y0, x0 + 1) * fx) * (1 - fy) + (at(y0 + 1, x0) * (1 - fx) + at(y0 + 1, x0 + 1) * fx) * fy;
        raw[y * (1 + w * 3) + 1 + x * 3 + ch] = Math.round(v);
      }
    }
  }
  const ihdr = new Uint8Array(13);
  new DataView(ihdr.buffer).setUint32(0, w);
  new DataView(ihdr.buffer).setUint32(4, h);
  ihdr.set([8, 2, 0, 0, 0], 8);
  const parts = [new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), chunk('IHDR', ihdr), chunk('IDAT', await deflate(raw)), chunk('IEND', new Uint8Array())];
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  parts.reduce((o, p) => (out.set(p, o), o + p.length), 0);
  return out;
}

/** Base64 of bytes, for JSON bodies. */
export const toBase64 = (b: Uint8Array) => {
  let s = '';
  for (let i = 0; i < b.length; i += 0x8000) s += String.fromCharCode(...b.subarray(i, i + 0x8000));
  return btoa(s);
};
