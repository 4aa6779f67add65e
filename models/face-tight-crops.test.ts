// Tight crops (the face fills the picture) are not refused: the detector's padded retry (contract
// pipeline.ts PADDED_RETRY) finds their face. Without it, about a fifth of such crops of LFW test
// images gave no face (scripts/experiments/tight-crops.ts, BENCHMARKS.md).
import { beforeAll, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { bySize } from './contract/face/pipeline.js';
import type { Box } from './contract/preprocess.js';
import { NodeFaceDetector } from './node/face-detector.js';
import { decodeImage } from '../trainer/data/images.js';
import { describeWithLfw, LFW } from '../test/real-data.js';
import { tightCrops, type TightCrop } from '../test/tight-crops.js';

const N = 160;
const inside = (x: number, y: number, b: Box) => x > b.x && x < b.x + b.w && y > b.y && y < b.y + b.h;

describeWithLfw('the detector on tight crops of LFW peopleDevTest images', () => {
  const crops: { colour: TightCrop; grey: TightCrop }[] = [];
  let detector: NodeFaceDetector;

  beforeAll(async () => {
    detector = await NodeFaceDetector.create();
    const people = readFileSync(LFW.file('peopleDevTest.txt'), 'utf8').trim().split('\n').slice(1).map((l) => l.split('\t')[0]);
    for (const name of people.slice(0, N)) {
      const img = await decodeImage(join(LFW.images, name, `${name}_0001.jpg`));
      const [face] = bySize(await detector.detect(img));
      if (face) crops.push(await tightCrops(img, face, 1.1));
    }
  });

  it.each(['colour', 'grey'] as const)('%s: the face is found in at least 97 percent of the crops, and it is the face the crop was cut around', async (kind) => {
    expect(crops.length).toBeGreaterThanOrEqual(N - 2);
    const missed: number[] = [], misplaced: number[] = [];
    for (const [i, c] of crops.entries()) {
      const [found] = bySize(await detector.detect(c[kind].img));
      const f = c[kind].face;
      if (!found) missed.push(i);
      else if (!inside(found.box.x + found.box.w / 2, found.box.y + found.box.h / 2, f)) misplaced.push(i);
    }
    expect(missed.length, `crops without a face: ${missed.join(', ')}`).toBeLessThanOrEqual(Math.floor(0.03 * crops.length));
    expect(misplaced, 'crops whose face found is not the one cut around (its centre outside that box)').toEqual([]);
  });
});
