// Named float32 tensors on disk as `<base>.json` (names, shapes, offsets, sha256, caller's meta) plus
// `<base>.bin` (the raw little-endian floats, concatenated in list order), stored as float32 or, for a
// committed head, float16 (round to nearest even; read back as float32). Same input → same bytes, so
// committed weights only change when the numbers do. Used for exported heads and for checkpoints.
import { readFileSync, writeFileSync } from 'node:fs';
import { basename } from 'node:path';
import { createHash } from 'node:crypto';
import { endianness } from 'node:os';

export interface NamedTensor { name: string; shape: number[]; data: Float32Array }

export type BundleDtype = 'float32' | 'float16';

export interface BundleJson {
  format: 'edge-face-tensors/1';
  /** Element type in the .bin; absent means float32. Offsets and lengths count elements. */
  dtype?: 'float16';
  meta: unknown;
  tensors: { name: string; shape: number[]; offset: number; length: number }[];
  bin: { file: string; bytes: number; sha256: string };
}

if (endianness() !== 'LE') throw new Error('tensor bundles are little-endian; this machine is not');

const f32 = new Float32Array(1), u32 = new Uint32Array(f32.buffer);

/** IEEE 754 binary16 bits of v, rounded to nearest even (overflow → ±Infinity). */
export function toHalf(v: number): number {
  f32[0] = v;
  const x = u32[0], sign = (x >>> 16) & 0x8000, exp = (x >>> 23) & 0xff, mant = x & 0x7fffff;
  if (exp === 0xff) return sign | 0x7c00 | (mant ? 0x200 : 0);
  const e = exp - 112;
  if (e >= 0x1f) return sign | 0x7c00;
  if (e <= 0) {
    if (e < -10) return sign;
    const full = mant | 0x800000, shift = 14 - e, rem = full & ((1 << shift) - 1), half = 1 << (shift - 1);
    let m = full >>> shift;
    if (rem > half || (rem === half && m & 1)) m++;
    return sign | m;
  }
  let h = (e << 10) | (mant >>> 13);
  const rem = mant & 0x1fff;
  if (rem > 0x1000 || (rem === 0x1000 && h & 1)) h++;
  return sign | h;
}

export function fromHalf(h: number): number {
  const s = h & 0x8000 ? -1 : 1, e = (h >> 10) & 0x1f, m = h & 0x3ff;
  if (e === 0) return s * m * 2 ** -24;
  if (e === 31) return m ? NaN : s * Infinity;
  return s * (1 + m / 1024) * 2 ** (e - 15);
}

export function encodeBundle(tensors: NamedTensor[], meta: unknown, binFile: string, dtype: BundleDtype = 'float32'): { json: string; bin: Uint8Array } {
  const total = tensors.reduce((s, t) => s + t.data.length, 0);
  const all = new Float32Array(total);
  const entries: BundleJson['tensors'] = [];
  let offset = 0;
  for (const t of tensors) {
    if (t.shape.reduce((a, b) => a * b, 1) !== t.data.length) throw new Error(`tensor ${t.name}: shape does not match data`);
    all.set(t.data, offset);
    entries.push({ name: t.name, shape: t.shape, offset, length: t.data.length });
    offset += t.data.length;
  }
  const bin = dtype === 'float16' ? new Uint8Array(Uint16Array.from(all, toHalf).buffer) : new Uint8Array(all.buffer);
  const sha256 = createHash('sha256').update(bin).digest('hex');
  const doc: BundleJson = { format: 'edge-face-tensors/1', ...(dtype === 'float16' ? { dtype } : {}), meta, tensors: entries, bin: { file: binFile, bytes: bin.length, sha256 } };
  return { json: JSON.stringify(doc, null, 2) + '\n', bin };
}

export function decodeBundle(json: string, bin: Uint8Array): { meta: unknown; tensors: NamedTensor[]; dtype: BundleDtype } {
  const doc = JSON.parse(json) as BundleJson;
  if (doc.format !== 'edge-face-tensors/1') throw new Error(`unknown tensor bundle format ${doc.format}`);
  if (bin.length !== doc.bin.bytes) throw new Error(`tensor bundle: ${doc.bin.file} has ${bin.length} bytes, expected ${doc.bin.bytes}`);
  if (createHash('sha256').update(bin).digest('hex') !== doc.bin.sha256) throw new Error(`tensor bundle: ${doc.bin.file} sha256 mismatch`);
  if (doc.dtype !== undefined && doc.dtype !== 'float16') throw new Error(`unknown tensor bundle dtype ${doc.dtype}`);
  // Copy into an owned, aligned buffer (a Buffer may be a view into Node's shared pool).
  const raw = new Uint8Array(bin.byteLength);
  raw.set(bin);
  const all = doc.dtype === 'float16' ? Float32Array.from(new Uint16Array(raw.buffer), fromHalf) : new Float32Array(raw.buffer);
  const tensors = doc.tensors.map((t) => ({ name: t.name, shape: t.shape, data: all.subarray(t.offset, t.offset + t.length) }));
  return { meta: doc.meta, tensors, dtype: doc.dtype ?? 'float32' };
}

/** Writes `<base>.json` and `<base>.bin` (base without extension). */
export function writeBundle(base: string, tensors: NamedTensor[], meta: unknown, dtype: BundleDtype = 'float32') {
  const { json, bin } = encodeBundle(tensors, meta, basename(base) + '.bin', dtype);
  writeFileSync(base + '.bin', bin);
  writeFileSync(base + '.json', json);
}

export function readBundle(base: string) {
  return decodeBundle(readFileSync(base + '.json', 'utf8'), readFileSync(base + '.bin'));
}
