// A fixed, seeded set of LFW training-identity images for activation calibration (never test identities).
import { join } from 'node:path';
import { resolveDataDir } from './data-dir.js';
import { readPeople } from './lfw.js';
import { makeRng } from './rng.js';
import { decodeImage } from './images.js';
import { preprocess, type PreprocessSpec } from '../models/contract/preprocess.js';

export async function calibrationImages(spec: PreprocessSpec, n: number, data?: string, seed = 7) {
  const lfw = resolveDataDir(data);
  const people = readPeople(lfw.file('peopleDevTrain.txt'))[0];
  const rng = makeRng(seed);
  const chosen = new Set<string>();
  while (chosen.size < Math.min(n, people.length)) {
    const p = people[rng.int(people.length)];
    chosen.add(`${p.name}/${p.name}_${String(1 + rng.int(p.count)).padStart(4, '0')}.jpg`);
  }
  const paths = [...chosen].sort();
  const images = await Promise.all(paths.map(async (p) => preprocess(await decodeImage(join(lfw.images, p)), spec)));
  return { paths, images };
}
