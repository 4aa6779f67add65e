// Seeded pseudo-random numbers for everything the trainer draws (splits, triplets, folds), so that a
// run is repeatable from its config alone. mulberry32: small, fast, good enough for sampling.

export interface Rng {
  /** Uniform in [0, 1). */
  next(): number;
  /** Uniform integer in [0, n). */
  int(n: number): number;
}

export function makeRng(seed: number): Rng {
  let s = seed >>> 0;
  const next = () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return { next, int: (n) => Math.floor(next() * n) };
}

/** Derives an independent stream for a sub-task (e.g. epoch e) from a base seed. */
export function subSeed(seed: number, ...keys: number[]): number {
  let h = seed >>> 0;
  for (const k of keys) h = Math.imul(h ^ (k + 0x9e3779b9), 0x85ebca6b) >>> 0;
  return (h ^ (h >>> 13)) >>> 0;
}

/** Fisher–Yates shuffle in place; returns the same array. */
export function shuffle<T, A extends { length: number; [i: number]: T }>(a: A, rng: Rng): A {
  for (let i = a.length - 1; i > 0; i--) {
    const j = rng.int(i + 1);
    const t = a[i];
    a[i] = a[j];
    a[j] = t;
  }
  return a;
}

/** Draws an index with probability proportional to weights[i] (weights ≥ 0, not all 0). */
export function drawWeighted(weights: ArrayLike<number>, rng: Rng): number {
  let total = 0;
  for (let i = 0; i < weights.length; i++) total += weights[i];
  let r = rng.next() * total;
  for (let i = 0; i < weights.length; i++) {
    r -= weights[i];
    if (r < 0) return i;
  }
  // Rounding left r ≥ 0: fall back to the last index that has weight.
  for (let i = weights.length - 1; i > 0; i--) if (weights[i] > 0) return i;
  return 0;
}
