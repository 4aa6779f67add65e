import { describe, expect, it } from 'vitest';
import { adaptiveTriplets, anchorRows, randomTriplets, type Triplets } from './sampler.js';
import { makeRng } from './rng.js';

// 6 identities: sizes 4, 3, 1 (singleton), 5, 1 (singleton), 2.
const sizes = [4, 3, 1, 5, 1, 2];
const labels = Int32Array.from(sizes.flatMap((s, l) => Array(s).fill(l)));

function checkRules(t: Triplets) {
  for (let k = 0; k < t.a.length; k++) {
    expect(t.p[k]).not.toBe(t.a[k]);
    expect(labels[t.p[k]]).toBe(labels[t.a[k]]);
    expect(labels[t.n[k]]).not.toBe(labels[t.a[k]]);
  }
}

describe('sampler', () => {
  it('uses every multi-photo row as an anchor exactly once, never a singleton', () => {
    const singles = new Set([7, 13]);
    expect(Array.from(anchorRows(labels)).some((i) => singles.has(i))).toBe(false);
    for (let seed = 0; seed < 5; seed++) {
      const t = randomTriplets(labels, makeRng(seed));
      expect(Array.from(t.a).sort((x, y) => x - y)).toEqual(Array.from(labels.keys()).filter((i) => !singles.has(i)));
      checkRules(t);
    }
  });
  it('lets singletons serve as negatives', () => {
    const negs = new Set<number>();
    for (let seed = 0; seed < 30; seed++) randomTriplets(labels, makeRng(seed)).n.forEach((i) => negs.add(i));
    expect(negs.has(7) && negs.has(13)).toBe(true);
  });
  it('refuses a set with a single identity', () => {
    expect(() => randomTriplets(new Int32Array([0, 0, 0]), makeRng(1))).toThrow(/two identities/);
  });

  // Embeddings on a line: identity l sits near x = 10·l, except one far-off row per identity 0 and
  // a row of identity 1 placed right next to identity 0.
  const dim = 2;
  const emb = new Float32Array(labels.length * dim);
  labels.forEach((l, i) => emb.set([l * 10 + (i % 2) * 0.1, 0], i * dim));
  emb.set([5, 0], 3 * dim); // identity 0's far positive
  emb.set([0.3, 0], 4 * dim); // identity 1 row close to identity 0 (hard negative)
  const mean = (t: Triplets, d: (a: number, b: number) => number, which: 'p' | 'n') =>
    Array.from(t.a.keys()).reduce((s, k) => s + d(t.a[k], t[which][k]), 0) / t.a.length;
  const dist = (a: number, b: number) => (emb[a * dim] - emb[b * dim]) ** 2 + (emb[a * dim + 1] - emb[b * dim + 1]) ** 2;

  it('hard draws are harder: farther positives and nearer negatives than random ones', () => {
    let rp = 0, hp = 0, rn = 0, hn = 0;
    for (let seed = 0; seed < 20; seed++) {
      const r = randomTriplets(labels, makeRng(seed));
      const h = adaptiveTriplets(labels, emb, dim, makeRng(seed), { hardFraction: 1, temperature: 1, neighbours: 4, semiHard: false });
      checkRules(h);
      rp += mean(r, dist, 'p'); hp += mean(h, dist, 'p'); rn += mean(r, dist, 'n'); hn += mean(h, dist, 'n');
    }
    expect(hp).toBeGreaterThan(rp * 1.2);
    expect(hn).toBeLessThan(rn * 0.5);
  });
  it('hard draws are sampled, not argmax: the nearest negative is not always chosen', () => {
    const picks = new Set<number>();
    for (let seed = 0; seed < 40; seed++) {
      const h = adaptiveTriplets(labels, emb, dim, makeRng(seed), { hardFraction: 1, temperature: 50, neighbours: 6, semiHard: false });
      const k = Array.from(h.a).indexOf(0);
      picks.add(h.n[k]);
    }
    expect(picks.size).toBeGreaterThan(2);
  });
  it('semi-hard draws skip negatives nearer than the chosen positive', () => {
    let plain = 0, semi = 0;
    for (let seed = 0; seed < 20; seed++) {
      const r = randomTriplets(labels, makeRng(seed));
      for (const semiHard of [false, true]) {
        const h = adaptiveTriplets(labels, emb, dim, makeRng(seed), { hardFraction: 1, temperature: 1, neighbours: 8, semiHard });
        checkRules(h);
        // Count hard-drawn negatives (not the random fallback) nearer than the positive.
        for (let k = 0; k < h.a.length; k++) {
          if (h.n[k] !== r.n[k] && dist(h.a[k], h.n[k]) <= dist(h.a[k], h.p[k])) semiHard ? semi++ : plain++;
        }
      }
    }
    expect(plain).toBeGreaterThan(0); // the constructed data does offer such negatives
    expect(semi).toBe(0);
  });
  it('hardFraction 0 gives exactly the random triplets', () => {
    const h = adaptiveTriplets(labels, emb, dim, makeRng(9), { hardFraction: 0, temperature: 1, neighbours: 4, semiHard: false });
    expect(h).toEqual(randomTriplets(labels, makeRng(9)));
  });
});
