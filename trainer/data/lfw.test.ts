import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { imagePath, indexImages, parsePairs, parsePeople } from './lfw.js';

describe('lfw index files', () => {
  it('parses dev people lists and people.txt folds', () => {
    expect(parsePeople('2\nAJ_Cook\t1\nAaron_Eckhart\t3\n')).toEqual([[{ name: 'AJ_Cook', count: 1 }, { name: 'Aaron_Eckhart', count: 3 }]]);
    const folds = parsePeople('2\n1\nA\t2\n2\nB\t1\nC\t4\n');
    expect(folds.map((f) => f.map((p) => p.name))).toEqual([['A'], ['B', 'C']]);
  });
  it('parses View 2 pairs with folds and dev pairs without', () => {
    const v2 = parsePairs('2\t1\nA\t1\t2\nA\t1\tB\t3\nC\t2\t4\nC\t1\tD\t1\n');
    expect(v2).toEqual([
      { a: 'A/A_0001.jpg', b: 'A/A_0002.jpg', same: true, fold: 0 },
      { a: 'A/A_0001.jpg', b: 'B/B_0003.jpg', same: false, fold: 0 },
      { a: 'C/C_0002.jpg', b: 'C/C_0004.jpg', same: true, fold: 1 },
      { a: 'C/C_0001.jpg', b: 'D/D_0001.jpg', same: false, fold: 1 },
    ]);
    const dev = parsePairs('1\nA\t1\t2\nA\t1\tB\t3\n');
    expect(dev.map((p) => [p.same, p.fold])).toEqual([[true, 0], [false, 0]]);
  });
  it('rejects a pairs file whose rows do not match the header', () => {
    expect(() => parsePairs('1\nA\t1\tB\t3\nA\t1\t2\n')).toThrow(/not a same-person pair/);
    expect(() => parsePairs('2\nA\t1\t2\n')).toThrow(/ends early/);
  });
  it('indexes a folder by identity with sorted relative paths', () => {
    const dir = mkdtempSync(join(tmpdir(), 'lfw-'));
    for (const [n, k] of [['Bob', 2], ['Al', 1]] as const) {
      mkdirSync(join(dir, n));
      for (let i = k; i >= 1; i--) writeFileSync(join(dir, imagePath(n, i)), '');
    }
    writeFileSync(join(dir, 'notes.txt'), '');
    expect([...indexImages(dir)]).toEqual([['Al', ['Al/Al_0001.jpg']], ['Bob', ['Bob/Bob_0001.jpg', 'Bob/Bob_0002.jpg']]]);
    expect(() => indexImages(join(dir, 'nope'))).toThrow(/not found/);
  });
});
