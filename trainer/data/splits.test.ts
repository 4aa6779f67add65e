import { describe, expect, it } from 'vitest';
import type { LfwIndex } from './lfw.js';
import { devSplits, filterImages, holdOut } from './splits.js';

const ids = (n: number, multiEvery = 2): LfwIndex =>
  new Map(Array.from({ length: n }, (_, i) => [`P${i}`, Array.from({ length: i % multiEvery ? 1 : 3 }, (_, k) => `P${i}/${k}`)]));

describe('splits', () => {
  it('holds out a seeded, stratified, disjoint slice', () => {
    const all = ids(100);
    const [rest, held] = holdOut(all, 0.1, 1);
    expect(rest.size + held.size).toBe(100);
    for (const n of held.keys()) expect(rest.has(n)).toBe(false);
    expect([...held.values()].filter((p) => p.length >= 2).length).toBe(5);
    expect([...held.values()].filter((p) => p.length === 1).length).toBe(5);
    expect([...holdOut(all, 0.1, 1)[1].keys()]).toEqual([...held.keys()]);
    expect([...holdOut(all, 0.1, 2)[1].keys()]).not.toEqual([...held.keys()]);
  });
  it('keeps dev train and dev test identity-disjoint and reports missing people', () => {
    const all = ids(40);
    const train = [...all.keys()].slice(0, 30).map((name) => ({ name, count: 1 }));
    const test = [...all.keys()].slice(30).map((name) => ({ name, count: 1 })).concat({ name: 'Ghost', count: 2 });
    const s = devSplits(all, train, test, 0.2, 3);
    expect(s.train.size + s.val.size).toBe(30);
    expect(s.test.size).toBe(10);
    expect(s.missing).toEqual(['Ghost']);
    expect(() => devSplits(all, train, train.slice(0, 1))).toThrow(/both dev lists/);
  });
  it('filters images and drops identities left empty', () => {
    const f = filterImages(ids(4), (p) => p !== 'P1/0' && p !== 'P0/1');
    expect([...f]).toEqual([['P0', ['P0/0', 'P0/2']], ['P2', ['P2/0', 'P2/1', 'P2/2']], ['P3', ['P3/0']]]);
  });
});
