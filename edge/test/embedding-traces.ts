// Looks for an embedding in raw stored data, as someone reading the storage would: every float32
// (little-endian, at each byte offset) and int8 window of the bytes, every array of numbers, and the
// same again inside every base64-looking run of text (strings, and bytes read as text). The answer is the best cosine with the true
// embedding: about 1 when the embedding is there in any of those forms, near 0 for unrelated or
// encrypted bytes (at 128 dimensions, random windows stay below ~0.4).

const BASE64 = /[A-Za-z0-9+/_-]{40,}={0,2}/g;

function cosine(a: ArrayLike<number>, from: number, b: Float32Array, nb: number): number {
  let dot = 0, na = 0;
  for (let j = 0; j < b.length; j++) {
    const x = a[from + j];
    dot += x * b[j];
    na += x * x;
  }
  return na > 0 && Number.isFinite(na) ? Math.abs(dot) / Math.sqrt(na * nb) : 0;
}

function bestInNumbers(xs: ArrayLike<number>, truth: Float32Array, nb: number): number {
  let best = 0;
  for (let i = 0; i + truth.length <= xs.length; i++) best = Math.max(best, cosine(xs, i, truth, nb));
  return best;
}

function bestInBytes(b: Uint8Array, truth: Float32Array, nb: number): number {
  let best = bestInNumbers(new Int8Array(b.buffer, b.byteOffset, b.byteLength), truth, nb);
  for (let shift = 0; shift < 4; shift++) {
    const n = Math.floor((b.byteLength - shift) / 4);
    if (n < truth.length) continue;
    const f = new Float32Array(n);
    const v = new DataView(b.buffer, b.byteOffset + shift, n * 4);
    for (let i = 0; i < n; i++) {
      const x = v.getFloat32(i * 4, true);
      f[i] = Number.isFinite(x) && Math.abs(x) < 1e6 ? x : 0;
    }
    best = Math.max(best, bestInNumbers(f, truth, nb));
  }
  return best;
}

/** Base64 runs inside text (JSON values, say), decoded and searched as bytes. */
function bestInBase64(s: string, truth: Float32Array, nb: number): number {
  let best = 0;
  for (const m of s.matchAll(BASE64)) {
    let bin: string;
    try {
      bin = atob(m[0].replace(/-/g, '+').replace(/_/g, '/').replace(/=+$/, ''));
    } catch {
      continue;
    }
    best = Math.max(best, bestInBytes(Uint8Array.from(bin, (c) => c.charCodeAt(0)), truth, nb));
  }
  return best;
}

const bestInString = (s: string, truth: Float32Array, nb: number) => Math.max(bestInBytes(new TextEncoder().encode(s), truth, nb), bestInBase64(s, truth, nb));

/** Bytes as they are, and as text that may carry base64 (a JSON value stored as bytes). */
const bestInStored = (b: Uint8Array, truth: Float32Array, nb: number) =>
  Math.max(bestInBytes(b, truth, nb), bestInBase64(Array.from(b, (c) => String.fromCharCode(c)).join(''), truth, nb));

/** The best cosine between `truth` and anything in `value` (bytes, strings, numbers, objects, nested). */
export function bestCosine(value: unknown, truth: Float32Array): number {
  const nb = truth.reduce((s, x) => s + x * x, 0);
  const walk = (v: unknown): number => {
    if (v === null || v === undefined) return 0;
    if (typeof v === 'string') return bestInString(v, truth, nb);
    if (v instanceof ArrayBuffer) return bestInStored(new Uint8Array(v), truth, nb);
    if (ArrayBuffer.isView(v)) {
      const bytes = bestInStored(new Uint8Array(v.buffer, v.byteOffset, v.byteLength), truth, nb);
      return v instanceof Float32Array || v instanceof Float64Array ? Math.max(bytes, bestInNumbers(v, truth, nb)) : bytes;
    }
    if (Array.isArray(v)) {
      const nums = v.every((x) => typeof x === 'number') ? bestInNumbers(v as number[], truth, nb) : 0;
      return Math.max(nums, ...v.map(walk));
    }
    if (v instanceof Map) return Math.max(0, ...[...v].map(([k, x]) => Math.max(walk(k), walk(x))));
    if (typeof v === 'object') return Math.max(0, ...Object.entries(v).map(([k, x]) => Math.max(walk(k), walk(x))));
    return 0;
  };
  return walk(value);
}

/** Whether `value` mentions `text` anywhere: in a string, a key, or bytes read as UTF-8. */
export function mentions(value: unknown, text: string): boolean {
  const walk = (v: unknown): boolean => {
    if (typeof v === 'string') return v.includes(text);
    if (v instanceof ArrayBuffer) return new TextDecoder().decode(v).includes(text);
    if (ArrayBuffer.isView(v)) return new TextDecoder().decode(new Uint8Array(v.buffer, v.byteOffset, v.byteLength)).includes(text);
    if (Array.isArray(v)) return v.some(walk);
    if (v instanceof Map) return [...v].some(([k, x]) => walk(k) || walk(x));
    if (v && typeof v === 'object') return Object.entries(v).some(([k, x]) => walk(k) || walk(x));
    return false;
  };
  return walk(value);
}
