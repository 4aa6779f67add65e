// A fixed, seeded set of LFW training-identity images for activation calibration (never test identities).
// With a FaceSpec the images are detected and aligned as the Worker frames a photo (trainer/data/face-crops.ts);
// without, the LFW image is used as it is (fixed crop).
import { resolveDataDir, type LfwDir } from '../../paths.js';
import { readPeople } from './lfw.js';
import { makeRng } from './rng.js';
import { FaceCropper } from './face-crops.js';
import { preprocess, type PreprocessSpec } from '../../models/contract/preprocess.js';
import type { FaceSpec } from '../../models/contract/face/pipeline.js';
import { defaultFaceSpec } from '../../models/node/face-detector.js';

export async function calibrationImages(spec: PreprocessSpec, n: number, data?: string, seed = 7, face?: FaceSpec) {
  const lfw = resolveDataDir(data);
  const paths = calibrationPaths(lfw, n, seed);
  const cropper = new FaceCropper({ face: face ?? defaultFaceSpec(), imagesDir: lfw.images });
  const framing = face ? 'aligned' : 'fixed';
  const images = [];
  for (const p of paths) images.push(preprocess(await cropper.faceImage(p, framing), spec));
  return { paths, images, framing, fallbacks: [...cropper.fallbacks.keys()] };
}

/** A seeded set of peopleDevTrain images (training identities only) for activation ranges. */
export function calibrationPaths(lfw: LfwDir, n: number, seed = 7): string[] {
  const people = readPeople(lfw.file('peopleDevTrain.txt'))[0];
  const rng = makeRng(seed);
  const chosen = new Set<string>();
  while (chosen.size < Math.min(n, people.length)) {
    const p = people[rng.int(people.length)];
    chosen.add(`${p.name}/${p.name}_${String(1 + rng.int(p.count)).padStart(4, '0')}.jpg`);
  }
  return [...chosen].sort();
}
