// The fixed test set: N rows `Anchor,Positive,Negative` of image paths from test identities, drawn
// with a seed and committed as models/test-triplets.csv. Each row is two comparisons (a–p must be
// judged same, a–n different), giving test accuracy at T, plus the mean triplet loss.
// Drawing: anchor identities are distinct people with ≥ 2 photos (cycled only if fewer than N),
// anchor and positive two different photos of them; the negative a photo of any other test person.
import type { LfwIndex } from './lfw.js';
import { makeRng, shuffle } from './rng.js';
import { accuracyAt, type Scored } from '../evaluation/threshold.js';
import { tripletLossJs } from '../training/loss.js';
import { scoreFromDistance, squaredDistance } from '../../models/contract/distance.js';

export interface Triplet { anchor: string; positive: string; negative: string }

export function makeTestTriplets(ids: LfwIndex, rows = 400, seed = 1): Triplet[] {
  const rng = makeRng(seed);
  const names = [...ids.keys()];
  const multi = shuffle(names.filter((n) => ids.get(n)!.length >= 2), rng);
  if (!multi.length || names.length < 2) throw new Error('test set needs a person with two photos and another person');
  const out: Triplet[] = [];
  for (let r = 0; r < rows; r++) {
    const who = multi[r % multi.length];
    const imgs = ids.get(who)!;
    const i = rng.int(imgs.length);
    const j = (i + 1 + rng.int(imgs.length - 1)) % imgs.length;
    let other = who;
    while (other === who) other = names[rng.int(names.length)];
    const negs = ids.get(other)!;
    out.push({ anchor: imgs[i], positive: imgs[j], negative: negs[rng.int(negs.length)] });
  }
  return out;
}

export const CSV_HEADER = 'Anchor,Positive,Negative';

export function tripletsToCsv(ts: Triplet[]): string {
  return [CSV_HEADER, ...ts.map((t) => `${t.anchor},${t.positive},${t.negative}`)].join('\n') + '\n';
}

export function parseTripletsCsv(text: string): Triplet[] {
  const [head, ...lines] = text.split(/\r?\n/).filter(Boolean);
  if (head.trim() !== CSV_HEADER) throw new Error(`triplet CSV must start with "${CSV_HEADER}"`);
  return lines.map((l, i) => {
    const [anchor, positive, negative, extra] = l.split(',');
    if (!negative || extra !== undefined) throw new Error(`triplet CSV row ${i + 2}: expected 3 fields`);
    return { anchor, positive, negative };
  });
}

export interface TripletScore { accuracy: number; loss: number; comparisons: Scored[] }

/** Scores triplets with an embedding lookup: accuracy of the 2N comparisons at T, and triplet loss. */
export function scoreTriplets(ts: Triplet[], embed: (path: string) => Float32Array, threshold: number, margin: number): TripletScore {
  const rows = ts.map((t) => ({ a: embed(t.anchor), p: embed(t.positive), n: embed(t.negative) }));
  const comparisons = rows.flatMap((r) => [
    { score: scoreFromDistance(squaredDistance(r.a, r.p)), same: true },
    { score: scoreFromDistance(squaredDistance(r.a, r.n)), same: false },
  ]);
  return { accuracy: accuracyAt(comparisons, threshold), loss: tripletLossJs(rows, margin), comparisons };
}
