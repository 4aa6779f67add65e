// An in-memory gallery snapshot: the unpacked shards of one head, searched by brute force.
// Scores are dot products of unit vectors (similarity); the best row of each identity counts.
import type { GalleryHead } from './gallery-store';
import type { Shard } from './gallery-pack';

interface Part { data: Float32Array | Int8Array; scale: number; owner: Int32Array; dim: number }

export class Snapshot {
  readonly ids: string[] = [];
  readonly updated: number[] = [];
  private readonly index = new Map<string, number>();
  private readonly where: { part: number; row: number; count: number }[] = [];
  private readonly parts: Part[] = [];

  constructor(readonly version: string, readonly head: GalleryHead | null, shards: Shard[]) {
    shards.forEach((s, p) => {
      const owner = new Int32Array(s.data.length / s.header.dim);
      let row = 0;
      s.header.ids.forEach((id, j) => {
        const i = this.ids.push(id) - 1;
        this.updated.push(s.header.updated[j]);
        this.index.set(id, i);
        this.where.push({ part: p, row, count: s.header.counts[j] });
        owner.fill(i, row, row + s.header.counts[j]);
        row += s.header.counts[j];
      });
      this.parts.push({ data: s.data, scale: s.scale, owner, dim: s.header.dim });
    });
  }

  get size() { return this.ids.length; }
  indexOf(id: string) { return this.index.get(id); }

  /** best[i] = max over identity i's rows of row·query. */
  scoreInto(query: Float32Array, best: Float32Array) {
    for (const { data, scale, owner, dim } of this.parts) {
      if (dim !== query.length) continue;
      // Separate loops per element type keep each one monomorphic (about 2× faster in V8).
      if (data instanceof Float32Array) scoreRows(data, 1, owner, dim, query, best);
      else scoreRowsI8(data, scale, owner, dim, query, best);
    }
  }

  /** Float rows of one identity (dequantised), for reuse by the next rebuild. */
  rowsOf(id: string): Float32Array[] {
    const i = this.index.get(id);
    if (i === undefined) return [];
    const { part, row, count } = this.where[i];
    const { data, scale, dim } = this.parts[part];
    return Array.from({ length: count }, (_, k) => Float32Array.from(data.subarray((row + k) * dim, (row + k + 1) * dim), (x) => x * scale));
  }
}

function scoreRows(data: Float32Array, scale: number, owner: Int32Array, dim: number, query: Float32Array, best: Float32Array) {
  for (let r = 0, o = 0; r < owner.length; r++, o += dim) {
    let s = 0;
    for (let j = 0; j < dim; j++) s += data[o + j] * query[j];
    s *= scale;
    if (s > best[owner[r]]) best[owner[r]] = s;
  }
}

function scoreRowsI8(data: Int8Array, scale: number, owner: Int32Array, dim: number, query: Float32Array, best: Float32Array) {
  for (let r = 0, o = 0; r < owner.length; r++, o += dim) {
    let s = 0;
    for (let j = 0; j < dim; j++) s += data[o + j] * query[j];
    s *= scale;
    if (s > best[owner[r]]) best[owner[r]] = s;
  }
}
