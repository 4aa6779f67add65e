// LFW's index files and folder layout: people lists, pair lists (View 1 and View 2), and an index of
// an LFW-style images folder (Name/Name_000N.jpg). Image paths are relative to the images folder,
// e.g. `Vincent_Brooks/Vincent_Brooks_0002.jpg`, the same keys the FeatureStore uses.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';

export interface Person { name: string; count: number }
export interface Pair { a: string; b: string; same: boolean; fold: number }
/** Identity name → its image paths, sorted. */
export type LfwIndex = Map<string, string[]>;

export function imagePath(name: string, i: number): string {
  return `${name}/${name}_${String(i).padStart(4, '0')}.jpg`;
}

const rows = (text: string) => text.split(/\r?\n/).map((l) => l.trim()).filter(Boolean).map((l) => l.split(/\s+/));

/** peopleDevTrain/peopleDevTest (`N` then N × `Name count`) or people.txt (`folds`, then per fold `N` + N rows). */
export function parsePeople(text: string): Person[][] {
  const r = rows(text);
  const parseBlock = (at: number) => {
    const n = Number(r[at][0]);
    return r.slice(at + 1, at + 1 + n).map(([name, c]) => ({ name, count: Number(c) }));
  };
  // people.txt starts with a fold count followed by a count line; the dev files go straight to rows.
  if (r.length > 1 && r[1].length === 1) {
    const folds: Person[][] = [];
    let at = 1;
    for (let f = 0; f < Number(r[0][0]); f++) {
      folds.push(parseBlock(at));
      at += folds[f].length + 1;
    }
    return folds;
  }
  return [parseBlock(0)];
}

/** pairs.txt (`folds n`, then per fold n same + n different) or pairsDev*.txt (`n`, n same + n different). */
export function parsePairs(text: string): Pair[] {
  const r = rows(text);
  const [folds, n] = r[0].length === 2 ? [Number(r[0][0]), Number(r[0][1])] : [1, Number(r[0][0])];
  const out: Pair[] = [];
  for (let f = 0, at = 1; f < folds; f++) {
    for (let k = 0; k < 2 * n; k++, at++) {
      const t = r[at];
      if (!t) throw new Error(`pairs file ends early at fold ${f}, row ${k}`);
      const same = t.length === 3;
      if (same !== k < n) throw new Error(`pairs file: row ${at + 1} is not a ${k < n ? 'same' : 'different'}-person pair`);
      out.push(same
        ? { a: imagePath(t[0], Number(t[1])), b: imagePath(t[0], Number(t[2])), same, fold: f }
        : { a: imagePath(t[0], Number(t[1])), b: imagePath(t[2], Number(t[3])), same, fold: f });
    }
  }
  return out;
}

/** Indexes an images folder: every subfolder is an identity, its .jpg files (sorted) its images. */
export function indexImages(imagesDir: string): LfwIndex {
  if (!existsSync(imagesDir)) throw new Error(`LFW images folder not found: ${imagesDir}`);
  const index: LfwIndex = new Map();
  for (const name of readdirSync(imagesDir).sort()) {
    if (!statSync(join(imagesDir, name)).isDirectory()) continue;
    const files = readdirSync(join(imagesDir, name)).filter((f) => /\.jpe?g$/i.test(f)).sort();
    if (files.length) index.set(name, files.map((f) => `${name}/${f}`));
  }
  return index;
}

export const readPeople = (file: string) => parsePeople(readFileSync(file, 'utf8'));
export const readPairs = (file: string) => parsePairs(readFileSync(file, 'utf8'));
