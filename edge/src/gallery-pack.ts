// Binary shard format for the packed gallery (one KV value each, kept far below KV's 25 MiB cap):
//   "FGS1" | u32 header length | header JSON | zero pad to 4 | rows × dim of float32 or int8
// Header: { dim, dtype, ids[], updated[], counts[] } — identity i owns the next counts[i] rows.
// int8 rows store round(x·127) of unit vectors (|x| ≤ 1); the reader multiplies by 1/127.

export type Dtype = 'f32' | 'i8';
export interface GalleryEntry { id: string; updatedAt: number; rows: Float32Array[] }
export interface ShardHeader { dim: number; dtype: Dtype; ids: string[]; updated: number[]; counts: number[] }
export interface Shard { header: ShardHeader; data: Float32Array | Int8Array; scale: number }

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
  const header: ShardHeader = { dim, dtype, ids: entries.map((e) => e.id), updated: entries.map((e) => e.updatedAt), counts: entries.map((e) => e.rows.length) };
  const json = new TextEncoder().encode(JSON.stringify(header));
  const start = (8 + json.length + 3) & ~3;
  const rows = entries.flatMap((e) => e.rows);
  const buf = new ArrayBuffer(start + rows.length * dim * (dtype === 'f32' ? 4 : 1));
  new DataView(buf).setUint32(0, MAGIC, true);
  new DataView(buf).setUint32(4, json.length, true);
  new Uint8Array(buf, 8, json.length).set(json);
  const out = dtype === 'f32' ? new Float32Array(buf, start) : new Int8Array(buf, start);
  rows.forEach((r, i) => {
    if (r.length !== dim) throw new Error(`embedding of length ${r.length}, expected ${dim}`);
    if (dtype === 'f32') out.set(r, i * dim);
    else for (let j = 0; j < dim; j++) out[i * dim + j] = Math.round(Math.max(-1, Math.min(1, r[j])) * 127);
  });
  return buf;
}

export function unpackShard(buf: ArrayBuffer): Shard {
  const v = new DataView(buf);
  if (buf.byteLength < 8 || v.getUint32(0, true) !== MAGIC) throw new Error('not a gallery shard');
  const len = v.getUint32(4, true);
  const header = JSON.parse(new TextDecoder().decode(new Uint8Array(buf, 8, len))) as ShardHeader;
  const start = (8 + len + 3) & ~3;
  const data = header.dtype === 'f32' ? new Float32Array(buf, start) : new Int8Array(buf, start);
  const rows = header.counts.reduce((a, b) => a + b, 0);
  if (data.length !== rows * header.dim) throw new Error('gallery shard has the wrong length');
  return { header, data, scale: header.dtype === 'f32' ? 1 : 1 / 127 };
}
