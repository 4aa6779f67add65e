import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { LfwIndex } from './lfw.js';
import { makeTestTriplets, parseTripletsCsv, scoreTriplets, tripletsToCsv } from './test-set.js';
import { repoRoot } from '../../paths.js';
import { indexImages, readPeople } from './lfw.js';
import { pick } from './splits.js';
import { describeWithLfw, LFW } from '../../test/real-data.js';

const ids: LfwIndex = new Map([
  ['A', ['A/1', 'A/2', 'A/3']], ['B', ['B/1', 'B/2']], ['C', ['C/1']], ['D', ['D/1', 'D/2', 'D/3', 'D/4']],
]);
const person = (p: string) => p.split('/')[0];

describe('test set', () => {
  it('draws valid, seeded triplets with distinct anchor identities first', () => {
    const ts = makeTestTriplets(ids, 9, 5);
    expect(ts).toHaveLength(9);
    for (const t of ts) {
      expect(t.positive).not.toBe(t.anchor);
      expect(person(t.positive)).toBe(person(t.anchor));
      expect(person(t.negative)).not.toBe(person(t.anchor));
      expect(person(t.anchor)).not.toBe('C');
    }
    expect(new Set(ts.slice(0, 3).map((t) => person(t.anchor))).size).toBe(3);
    expect(makeTestTriplets(ids, 9, 5)).toEqual(ts);
    expect(makeTestTriplets(ids, 9, 6)).not.toEqual(ts);
  });
  it('round-trips through CSV and rejects malformed files', () => {
    const ts = makeTestTriplets(ids, 4, 1);
    expect(parseTripletsCsv(tripletsToCsv(ts))).toEqual(ts);
    expect(() => parseTripletsCsv('a,b,c\nx,y,z\n')).toThrow(/must start/);
    expect(() => parseTripletsCsv('Anchor,Positive,Negative\nx,y\n')).toThrow(/3 fields/);
  });
  it('scores accuracy over 2N comparisons and the triplet loss', () => {
    const emb: Record<string, number[]> = { a: [1, 0], p: [0.8, 0.6], n: [0, 1], q: [0.6, 0.8] };
    const e = (k: string) => Float32Array.from(emb[k]);
    const ts = [{ anchor: 'a', positive: 'p', negative: 'n' }, { anchor: 'a', positive: 'n', negative: 'q' }];
    // d²: a–p 0.4, a–n 2, a–q 0.8. At T = −1: row 1 both right, row 2 both wrong.
    const s = scoreTriplets(ts, e, -1, 0.2);
    expect(s.comparisons).toHaveLength(4);
    expect(s.accuracy).toBe(0.5);
    expect(s.loss).toBeCloseTo((0 + (2 + 0.2 - 0.8)) / 2, 6);
  });
  it('the committed models/test-triplets.csv has 400 valid rows', () => {
    const ts = parseTripletsCsv(readFileSync(join(repoRoot, 'models', 'test-triplets.csv'), 'utf8'));
    expect(ts).toHaveLength(400);
    for (const t of ts) {
      expect(t.anchor).not.toBe(t.positive);
      expect(person(t.anchor)).toBe(person(t.positive));
      expect(person(t.anchor)).not.toBe(person(t.negative));
      expect(t.anchor).toMatch(/^[^/]+\/[^/]+_\d{4}\.jpg$/);
    }
  });
});

describeWithLfw('models/test-triplets.csv against the real LFW lists', () => {
  it('is exactly what `trainer test-set` draws from peopleDevTest with seed 1', () => {
    const devTest = pick(indexImages(LFW.images), readPeople(LFW.file('peopleDevTest.txt'))[0]);
    const committed = readFileSync(join(repoRoot, 'models', 'test-triplets.csv'), 'utf8');
    expect(tripletsToCsv(makeTestTriplets(devTest, 400, 1))).toBe(committed);
    for (const t of parseTripletsCsv(committed)) for (const p of [t.anchor, t.positive, t.negative]) expect(devTest.get(person(p))).toContain(p);
  });
});
