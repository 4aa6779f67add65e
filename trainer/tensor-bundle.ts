// Named float32 tensors on disk as `<base>.json` (names, shapes, offsets, sha256, caller's meta) plus
// `<base>.bin` (the raw little-endian floats, concatenated in list order). Same input → same bytes, so
// committed weights only change when the numbers do. Used for exported heads and for checkpoints.
import { readFileSync, writeFileSync } from 'node:fs';
import { basename } from 'node:path';
import { createHash } from 'node:crypto';
import { endianness } from 'node:os';

export interface NamedTensor { name: string; shape: number[]; data: Float32Array }

export interface BundleJson {
  format: 'edge-face-tensors/1';
  meta: unknown;
  tensors: { name: string; shape: number[]; offset: number; length: number }[];
  bin: { file: string; bytes: number; sha256: string };
}

if (endianness() !== 'LE') throw new Error('tensor bundles are little-endian; this machine is not');

export function encodeBundle(tensors: NamedTensor[], meta: unknown, binFile: string): { json: string; bin: Uint8Array } {
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
  const bin = new Uint8Array(all.buffer);
  const sha256 = createHash('sha256').update(bin).digest('hex');
  const doc: BundleJson = { format: 'edge-face-tensors/1', meta, tensors: entries, bin: { file: binFile, bytes: bin.length, sha256 } };
  return { json: JSON.stringify(doc, null, 2) + '\n', bin };
}

export function decodeBundle(json: string, bin: Uint8Array): { meta: unknown; tensors: NamedTensor[] } {
  const doc = JSON.parse(json) as BundleJson;
  if (doc.format !== 'edge-face-tensors/1') throw new Error(`unknown tensor bundle format ${doc.format}`);
  if (bin.length !== doc.bin.bytes) throw new Error(`tensor bundle: ${doc.bin.file} has ${bin.length} bytes, expected ${doc.bin.bytes}`);
  if (createHash('sha256').update(bin).digest('hex') !== doc.bin.sha256) throw new Error(`tensor bundle: ${doc.bin.file} sha256 mismatch`);
  // Copy into an owned, aligned buffer (a Buffer may be a view into Node's shared pool).
  const all = new Float32Array(bin.byteLength / 4);
  new Uint8Array(all.buffer).set(bin);
  const tensors = doc.tensors.map((t) => ({ name: t.name, shape: t.shape, data: all.subarray(t.offset, t.offset + t.length) }));
  return { meta: doc.meta, tensors };
}

/** Writes `<base>.json` and `<base>.bin` (base without extension). */
export function writeBundle(base: string, tensors: NamedTensor[], meta: unknown) {
  const { json, bin } = encodeBundle(tensors, meta, basename(base) + '.bin');
  writeFileSync(base + '.bin', bin);
  writeFileSync(base + '.json', json);
}

export function readBundle(base: string) {
  return decodeBundle(readFileSync(base + '.json', 'utf8'), readFileSync(base + '.bin'));
}
