// Small shared helpers for the benchmark modules.
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

export const pct = (t: number[], q: number) => [...t].sort((a, b) => a - b)[Math.min(t.length - 1, Math.floor(q * t.length))];
export const MiB = (b: number) => (b / 2 ** 20).toFixed(1);
export const ms = (x: number, d = 0) => x.toFixed(d);

/** A real garbage collection (for before/after memory readings), without restarting node. */
export function gc(): void {
  setFlagsFromString('--expose-gc');
  (runInNewContext('gc') as () => void)();
}

/** Deterministic PRNG (mulberry32). */
export function rng(seed: number) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function unitVector(dim: number, r: () => number): Float32Array {
  const v = new Float32Array(dim);
  let n = 0;
  for (let i = 0; i < dim; i++) (v[i] = r() * 2 - 1), (n += v[i] * v[i]);
  n = Math.sqrt(n);
  for (let i = 0; i < dim; i++) v[i] /= n;
  return v;
}
