// An in-memory gallery snapshot: the unpacked shards of one head, searched by brute force.
// Scores are dot products of unit vectors (similarity); the best row of each identity counts.
//
// Layout (no per-identity objects): every row of every shard is copied into one flat array inside
// the snapshot's own WebAssembly memory, next to a query slot and a per-row score slot, and scored
// by the SIMD kernels of scan.wat (f32x4 for f32 rows; int8 rows × an int16-quantised query with
// i32x4.dot_i16x8_s, then each row's own int8 scale). The integer sums are exact only while
// Σ|q_j·r_j| < 2³¹: with |r_j| ≤ 127 that holds for any row when the query's full scale is
// ≤ (2³¹ − 1) / (127 · dim), so the query scale is bounded by the dimension (32767 up to 516
// dimensions, 16512 at 1024, 4128 at 4096). Ids are one UTF-8 byte array plus offsets,
// looked up by binary search; `updated` is a Float64Array. The shards' own buffers are not kept.
import { I8_UNIT, type Dtype, type Shard } from './pack';
import type { GalleryHead } from './store';
import scanWasm from './scan.wasm';

interface Kernel {
  dotF32(rows: number, n: number, dim: number, q: number, out: number): void;
  dotI8(rows: number, n: number, dim: number, q: number, out: number): void;
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();
const up = (x: number, a = 64) => Math.ceil(x / a) * a;
/** The int16 query's full scale at this width: the largest that keeps every int32 sum exact. */
export const queryScale = (dim: number) => Math.min(32767, Math.floor((2 ** 31 - 1) / (127 * dim)));

/** Whether the SIMD kernel can score rows of this width (else a plain JS loop does). */
export const wasmScans = (dim: number) => dim > 0 && dim % 32 === 0 && dim <= 4096;

export class Snapshot {
  /** Identities. */
  readonly size: number;
  readonly rowCount: number;
  readonly dim: number;
  readonly dtype: Dtype;
  /** updated[i]: the updatedAt (ms) of identity i's record. */
  readonly updated: Float64Array;
  /** 'wasm' (SIMD kernel) or 'js' (fallback for widths the kernel does not take). */
  readonly kernelKind: 'wasm' | 'js';
  private readonly idBytes: Uint8Array;
  private readonly idStart: Int32Array;
  /** Identity indices in id byte order; null when the ids already are (rebuilds write them sorted). */
  private readonly order: Int32Array | null;
  /** Identity i owns rows first[i] … first[i+1]−1; null when every identity has exactly one row. */
  private readonly first: Int32Array | null;
  private readonly memory: ArrayBuffer;
  private readonly kernel: Kernel | null;
  private readonly rowsAt: number;
  private readonly outAt: number;
  private readonly rows: Float32Array | Int8Array;
  private readonly qF32: Float32Array;
  private readonly qI16: Int16Array;
  private readonly outF32: Float32Array;
  private readonly outI32: Int32Array;
  /** int8 rows: each row's scale m (value = stored · m · I8_UNIT); null for f32. */
  private readonly rowScale: Uint16Array | null;

  /** kernel 'js' forces the fallback loop (tests compare the two). */
  constructor(readonly version: string, readonly head: GalleryHead | null, shards: Shard[], kernel: 'wasm' | 'js' = 'wasm') {
    const dim = shards[0]?.header.dim ?? head?.dim ?? 0;
    const dtype = shards[0]?.header.dtype ?? head?.dtype ?? 'f32';
    for (const s of shards) if (s.header.dim !== dim || s.header.dtype !== dtype) throw new Error('gallery shards of one snapshot differ in dim or dtype');
    this.dim = dim;
    this.dtype = dtype;
    let n = 0, rows = 0, idLen = 0, single = true;
    for (const s of shards) {
      n += s.header.ids.length;
      for (const c of s.header.counts) (rows += c), (single &&= c === 1);
      for (const id of s.header.ids) idLen += utf8Length(id);
    }
    this.size = n;
    this.rowCount = rows;

    // Ids, update times and row ranges.
    this.idBytes = new Uint8Array(idLen);
    this.idStart = new Int32Array(n + 1);
    this.updated = new Float64Array(n);
    this.first = single ? null : new Int32Array(n + 1);
    let i = 0, at = 0, row = 0;
    for (const s of shards) {
      s.header.ids.forEach((id, j) => {
        at += encoder.encodeInto(id, this.idBytes.subarray(at)).written;
        this.idStart[i + 1] = at;
        this.updated[i] = s.header.updated[j];
        row += s.header.counts[j];
        if (this.first) this.first[i + 1] = row;
        i++;
      });
    }
    let sorted = true;
    for (let k = 1; k < n && sorted; k++) sorted = this.compareIds(k - 1, k) < 0;
    this.order = sorted ? null : Int32Array.from({ length: n }, (_, k) => k).sort((a, b) => this.compareIds(a, b) || a - b);

    // Query slot | rows | per-row scores, in one memory the kernel addresses directly.
    const elt = dtype === 'f32' ? 4 : 1;
    this.rowsAt = up(dim * 4);
    this.outAt = this.rowsAt + up(rows * dim * elt);
    const bytes = this.outAt + up(rows * 4);
    if (rows > 0 && kernel === 'wasm' && wasmScans(dim)) {
      const mem = new WebAssembly.Memory({ initial: Math.ceil(bytes / 65536) });
      this.kernel = new WebAssembly.Instance(scanWasm, { env: { mem } }).exports as unknown as Kernel;
      this.memory = mem.buffer; // never grown, so views on it stay valid
      this.kernelKind = 'wasm';
    } else {
      this.kernel = null;
      this.memory = new ArrayBuffer(bytes);
      this.kernelKind = 'js';
    }
    this.qF32 = new Float32Array(this.memory, 0, dim);
    this.qI16 = new Int16Array(this.memory, 0, dim);
    this.rows = dtype === 'f32' ? new Float32Array(this.memory, this.rowsAt, rows * dim) : new Int8Array(this.memory, this.rowsAt, rows * dim);
    this.outF32 = new Float32Array(this.memory, this.outAt, rows);
    this.outI32 = new Int32Array(this.memory, this.outAt, rows);
    let o = 0;
    for (const s of shards) this.rows.set(s.data, o), (o += s.data.length);
    this.rowScale = dtype === 'i8' ? new Uint16Array(rows) : null;
    o = 0;
    if (this.rowScale) for (const s of shards) this.rowScale.set(s.rowScale!, o), (o += s.rowScale!.length);
  }

  /** The id of identity i (0 ≤ i < size). */
  idAt(i: number): string {
    return decoder.decode(this.idBytes.subarray(this.idStart[i], this.idStart[i + 1]));
  }

  indexOf(id: string): number | undefined {
    const key = encoder.encode(id);
    let lo = 0, hi = this.size - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1, i = this.order ? this.order[mid] : mid;
      const c = this.compareTo(i, key);
      if (c === 0) return i;
      if (c < 0) lo = mid + 1;
      else hi = mid - 1;
    }
    return undefined;
  }

  /** Bytes this snapshot holds: the scan memory (query, rows, scores) and the id/time/range arrays. */
  get heldBytes(): number {
    return this.memory.byteLength + this.idBytes.byteLength + this.idStart.byteLength + this.updated.byteLength + (this.order?.byteLength ?? 0) +
      (this.first?.byteLength ?? 0) + (this.rowScale?.byteLength ?? 0);
  }

  /** How many rows identity i (an index, not an id) holds. */
  rowCountAt(i: number): number {
    return this.first ? this.first[i + 1] - this.first[i] : 1;
  }

  /** best[i] = max(best[i], max over identity i's rows of row·query). Rows of another width are not scored. */
  scoreInto(query: Float32Array, best: Float32Array) {
    const { dim, rowCount: rows } = this;
    if (query.length !== dim || rows === 0) return;
    let f = 1;
    const out = this.dtype === 'f32' ? this.outF32 : this.outI32;
    if (this.dtype === 'f32') {
      this.qF32.set(query);
      if (this.kernel) this.kernel.dotF32(this.rowsAt, rows, dim, 0, this.outAt);
      else dotRowsJs(this.rows, rows, dim, this.qF32, this.outF32);
    } else {
      // Quantise the query to int16 at queryScale(dim): the integer sums are then exact (no int32
      // overflow) and the only error added to the rows' own int8 rounding is ≤ ½ / queryScale(dim)
      // of the largest component per component.
      let maxAbs = 0;
      for (let j = 0; j < dim; j++) maxAbs = Math.max(maxAbs, Math.abs(query[j]));
      if (!Number.isFinite(maxAbs)) return;
      const full = queryScale(dim);
      const k = maxAbs > 0 ? full / maxAbs : 0;
      for (let j = 0; j < dim; j++) this.qI16[j] = Math.round(query[j] * k);
      f = maxAbs > 0 ? I8_UNIT * (maxAbs / full) : 0;
      if (this.kernel) this.kernel.dotI8(this.rowsAt, rows, dim, 0, this.outAt);
      else dotRowsJs(this.rows, rows, dim, this.qI16, this.outI32);
    }
    // Row score = out[r] · f (f32) or out[r] · m[r] · f (int8); scaling commutes with max only for f32.
    const first = this.first, m = this.rowScale;
    if (!first) {
      for (let i = 0; i < rows; i++) {
        const s = m ? out[i] * m[i] * f : out[i] * f;
        if (s > best[i]) best[i] = s;
      }
    } else {
      for (let i = 0; i < this.size; i++) {
        const a = first[i], b = first[i + 1];
        if (a === b) continue;
        let top = -Infinity;
        for (let r = a; r < b; r++) {
          const v = m ? out[r] * m[r] : out[r];
          if (v > top) top = v;
        }
        const s = top * f;
        if (s > best[i]) best[i] = s;
      }
    }
  }

  /** Float rows of one identity (dequantised), for reuse by the next rebuild. */
  rowsOf(id: string): Float32Array[] {
    const i = this.indexOf(id);
    if (i === undefined) return [];
    const a = this.first ? this.first[i] : i, b = this.first ? this.first[i + 1] : i + 1;
    const { dim, rowScale } = this;
    return Array.from({ length: b - a }, (_, k) => {
      const scale = rowScale ? rowScale[a + k] * I8_UNIT : 1;
      return Float32Array.from(this.rows.subarray((a + k) * dim, (a + k + 1) * dim), (x) => x * scale);
    });
  }

  private compareIds(a: number, b: number): number {
    const s = this.idStart, d = this.idBytes;
    const a0 = s[a], a1 = s[a + 1], b0 = s[b], b1 = s[b + 1];
    for (let x = a0, y = b0; x < a1 && y < b1; x++, y++) if (d[x] !== d[y]) return d[x] - d[y];
    return (a1 - a0) - (b1 - b0);
  }

  private compareTo(i: number, key: Uint8Array): number {
    const d = this.idBytes, a0 = this.idStart[i], a1 = this.idStart[i + 1];
    for (let x = a0, y = 0; x < a1 && y < key.length; x++, y++) if (d[x] !== key[y]) return d[x] - key[y];
    return (a1 - a0) - key.length;
  }
}

/** Fallback for widths the SIMD kernel does not take: out[r] = row_r · q (int8: exact under the same bound). */
function dotRowsJs(data: Float32Array | Int8Array, n: number, dim: number, q: Float32Array | Int16Array, out: Float32Array | Int32Array) {
  for (let r = 0, o = 0; r < n; r++, o += dim) {
    let s = 0;
    for (let j = 0; j < dim; j++) s += data[o + j] * q[j];
    out[r] = s;
  }
}

function utf8Length(s: string): number {
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x80) n += 1;
    else if (c < 0x800) n += 2;
    else if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length && (s.charCodeAt(i + 1) & 0xfc00) === 0xdc00) (n += 4), i++;
    else n += 3; // includes a lone surrogate, which encodes as U+FFFD (3 bytes)
  }
  return n;
}
