// Binary shard format for the packed gallery (one KV value each, kept far below KV's 25 MiB cap):
//   "FGS1" | u32 header length | header JSON | zero pad to 4 | rows × dim of float32 or int8
//   [int8 with rowScale "u16": | rows × u16 m]
// Header: { dim, dtype, ids[], updated[], counts[], rowScale? } — identity i owns the next counts[i] rows.
// int8 rows store round(x / s) with a per-row scale s = m / (65535 · 127), m = ⌈max|x| · 65535⌉, so
// each row uses the full int8 range. Shards without rowScale (older writers) used s = 1/127, i.e. m = 65535.
export type Dtype = 'f32' | 'i8';

/** The GALLERY_DTYPE var (wrangler.toml), the one place it is read: "i8" (the default when unset) or
 *  "f32". Anything else throws: a typo must not silently pack f32 rows at over 3× the memory. */
export function galleryDtype(env: { GALLERY_DTYPE?: string }): Dtype {
  const v = env.GALLERY_DTYPE ?? 'i8';
  if (v === 'i8' || v === 'f32') return v;
  throw new Error(`GALLERY_DTYPE must be "i8" or "f32", got ${JSON.stringify(v)} (wrangler.toml [vars])`);
}
export interface GalleryEntry { id: string; updatedAt: number; rows: Float32Array[] }
export interface ShardHeader { dim: number; dtype: Dtype; ids: string[]; updated: number[]; counts: number[]; rowScale?: 'u16' }
/** rowScale[r] = m of row r (int8 shards; null for f32): the row's values are data · m / (65535 · 127). */
export interface Shard { header: ShardHeader; data: Float32Array | Int8Array; rowScale: Uint16Array | null }

/** The per-row scale unit: stored int8 · m · I8_UNIT is the value. */
export const I8_UNIT = 1 / (65535 * 127);

/** int8 quantisation of one row at its own scale: q = round(x / s), s = m · I8_UNIT. */
export function quantizeRow(row: Float32Array, out: Int8Array): number {
  let maxAbs = 0;
  for (let j = 0; j < row.length; j++) maxAbs = Math.max(maxAbs, Math.abs(row[j]));
  // − 0.01: a row that was dequantised to float32 (a rebuild reusing rows) gets its old m back, not m + 1.
  const m = Math.min(65535, Math.max(1, Math.ceil(maxAbs * 65535 - 0.01)));
  const k = 1 / (m * I8_UNIT);
  for (let j = 0; j < row.length; j++) out[j] = Math.max(-127, Math.min(127, Math.round(row[j] * k)));
  return m;
}

const MAGIC = 0x31534746; // "FGS1" little-endian
export const SHARD_MAX_BYTES = 8 * 1024 * 1024;

/** Packs entries into shards of at most maxBytes of rows; an identity never spans two shards. */
export function packShards(entries: GalleryEntry[], dim: number, dtype: Dtype, maxBytes = SHARD_MAX_BYTES): ArrayBuffer[] {
  const rowBytes = dim * (dtype === 'f32' ? 4 : 1);
  const groups: GalleryEntry[][] = [[]];
  let bytes = 0;
  for (const e of entries) {
    const b = e.rows.length * rowBytes;
    if (bytes + b > maxBytes && groups[groups.length - 1].length) groups.push([]), (bytes = 0);
    groups[groups.length - 1].push(e);
    bytes += b;
  }
  return groups.filter((g) => g.length).map((g) => packOne(g, dim, dtype));
}

function packOne(entries: GalleryEntry[], dim: number, dtype: Dtype): ArrayBuffer {
  const header: ShardHeader = {
    dim, dtype, ids: entries.map((e) => e.id), updated: entries.map((e) => e.updatedAt), counts: entries.map((e) => e.rows.length),
    ...(dtype === 'i8' ? { rowScale: 'u16' as const } : {}),
  };
  const json = new TextEncoder().encode(JSON.stringify(header));
  const start = (8 + json.length + 3) & ~3;
  const rows = entries.flatMap((e) => e.rows);
  const rowBytes = rows.length * dim * (dtype === 'f32' ? 4 : 1);
  const scalesAt = (start + rowBytes + 1) & ~1;
  const buf = new ArrayBuffer(dtype === 'f32' ? start + rowBytes : scalesAt + rows.length * 2);
  new DataView(buf).setUint32(0, MAGIC, true);
  new DataView(buf).setUint32(4, json.length, true);
  new Uint8Array(buf, 8, json.length).set(json);
  const out = dtype === 'f32' ? new Float32Array(buf, start, rows.length * dim) : new Int8Array(buf, start, rows.length * dim);
  const scales = dtype === 'i8' ? new Uint16Array(buf, scalesAt, rows.length) : null;
  rows.forEach((r, i) => {
    if (r.length !== dim) throw new Error(`embedding of length ${r.length}, expected ${dim}`);
    if (out instanceof Float32Array) out.set(r, i * dim);
    else scales![i] = quantizeRow(r, out.subarray(i * dim, (i + 1) * dim));
  });
  return buf;
}

export function unpackShard(buf: ArrayBuffer): Shard {
  const v = new DataView(buf);
  if (buf.byteLength < 8 || v.getUint32(0, true) !== MAGIC) throw new Error('not a gallery shard');
  const len = v.getUint32(4, true);
  const header = JSON.parse(new TextDecoder().decode(new Uint8Array(buf, 8, len))) as ShardHeader;
  const start = (8 + len + 3) & ~3;
  const rows = header.counts.reduce((a, b) => a + b, 0);
  const size = rows * header.dim;
  if (header.dtype === 'f32') {
    if (buf.byteLength - start !== size * 4) throw new Error('gallery shard has the wrong length');
    return { header, data: new Float32Array(buf, start, size), rowScale: null };
  }
  const scalesAt = (start + size + 1) & ~1;
  const end = header.rowScale === 'u16' ? scalesAt + rows * 2 : start + size;
  if (buf.byteLength !== end) throw new Error('gallery shard has the wrong length');
  const rowScale = header.rowScale === 'u16' ? new Uint16Array(buf, scalesAt, rows) : new Uint16Array(rows).fill(65535);
  return { header, data: new Int8Array(buf, start, size), rowScale };
}

/** The shard without the identities `keep` refuses (their ids, times and rows; the rest byte for byte); null when it keeps them all. */
export function withoutIdentities(buf: ArrayBuffer, keep: (id: string) => boolean): ArrayBuffer | null {
  const { header: h, data, rowScale } = unpackShard(buf);
  const kept = h.ids.map(keep);
  if (kept.every(Boolean)) return null;
  const header: ShardHeader = { ...h, ids: h.ids.filter((_, i) => kept[i]), updated: h.updated.filter((_, i) => kept[i]), counts: h.counts.filter((_, i) => kept[i]) };
  const json = new TextEncoder().encode(JSON.stringify(header));
  const start = (8 + json.length + 3) & ~3;
  const rows = header.counts.reduce((a, b) => a + b, 0);
  const elt = data.BYTES_PER_ELEMENT, rowBytes = rows * h.dim * elt;
  const scalesAt = (start + rowBytes + 1) & ~1;
  const out = new ArrayBuffer(h.dtype === 'f32' ? start + rowBytes : scalesAt + (h.rowScale === 'u16' ? rows * 2 : 0));
  new DataView(out).setUint32(0, MAGIC, true);
  new DataView(out).setUint32(4, json.length, true);
  new Uint8Array(out, 8, json.length).set(json);
  const bytes = new Uint8Array(data.buffer, data.byteOffset, data.byteLength), to = new Uint8Array(out, start, rowBytes);
  const scales = h.dtype === 'i8' && h.rowScale === 'u16' ? new Uint16Array(out, scalesAt, rows) : null;
  let from = 0, at = 0;
  h.counts.forEach((n, i) => {
    if (kept[i]) {
      to.set(bytes.subarray(from * h.dim * elt, (from + n) * h.dim * elt), at * h.dim * elt);
      scales?.set(rowScale!.subarray(from, from + n), at);
      at += n;
    }
    from += n;
  });
  return out;
}
