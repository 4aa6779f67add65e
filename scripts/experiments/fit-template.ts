// Experiment. Decision it supports: the alignment template (models/face-template.json). Result recorded in models/face-template.json and BENCHMARKS.md, "Framing robustness (2026-11-30 11:05 UTC)".
// Fits the alignment template: the mean BlazeFace landmarks of LFW training images (peopleDevTrain
// only, never test identities), in the 250×250 deep-funneled frame the head trains on, so aligned
// crops of any photo resemble those images. Writes models/face-template.json.
//   npx tsx scripts/experiments/fit-template.ts [--images 2000] [--seed 1]
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { KEYPOINTS } from '../../models/contract/face/detect.js';
import { NodeFaceDetector } from '../../models/node/face-detector.js';
import { resolveDataDir, repoRoot } from '../../paths.js';
import { decodeImage } from '../../trainer/data/images.js';
import { readPeople } from '../../trainer/data/lfw.js';
import { makeRng } from '../../trainer/data/rng.js';

const { values } = parseArgs({ options: { images: { type: 'string', default: '2000' }, seed: { type: 'string', default: '1' }, data: { type: 'string' } } });
const lfw = resolveDataDir(values.data);
const people = readPeople(lfw.file('peopleDevTrain.txt'))[0];
const rng = makeRng(Number(values.seed));
const want = Number(values.images);
const detector = await NodeFaceDetector.create();
const sums = KEYPOINTS.map(() => [0, 0, 0, 0]);
let used = 0, missed = 0;
for (let k = 0; used < want && k < want * 3; k++) {
  const p = people[rng.int(people.length)];
  const i = 1 + rng.int(p.count);
  const img = await decodeImage(join(lfw.images, p.name, `${p.name}_${String(i).padStart(4, '0')}.jpg`));
  const dets = await detector.detect(img);
  // The face LFW is centred on: the detection nearest the image centre.
  const c = [img.width / 2, img.height / 2];
  const d = dets.sort((a, b) => Math.hypot(a.box.x + a.box.w / 2 - c[0], a.box.y + a.box.h / 2 - c[1]) - Math.hypot(b.box.x + b.box.w / 2 - c[0], b.box.y + b.box.h / 2 - c[1]))[0];
  if (!d) { missed++; continue; }
  d.landmarks.forEach(([x, y], j) => { sums[j][0] += x; sums[j][1] += y; sums[j][2] += x * x; sums[j][3] += y * y; });
  used++;
}
const round = (v: number) => Math.round(v * 100) / 100;
const stats = Object.fromEntries(KEYPOINTS.map((k, j) => {
  const [sx, sy, sxx, syy] = sums[j];
  const mx = sx / used, my = sy / used;
  return [k, { mean: [round(mx), round(my)], sd: [round(Math.sqrt(sxx / used - mx * mx)), round(Math.sqrt(syy / used - my * my))] }];
}));
// Ears are often hidden or guessed: the template uses the eyes, nose tip and mouth.
const used4 = ['rightEye', 'leftEye', 'noseTip', 'mouth'] as const;
const out = {
  size: 250,
  template: Object.fromEntries(used4.map((k) => [k, stats[k].mean])),
  source: `mean BlazeFace landmarks of ${used} LFW deep-funneled peopleDevTrain images (seed ${values.seed}; scripts/experiments/fit-template.ts)`,
  stats, missed,
};
writeFileSync(join(repoRoot, 'models/face-template.json'), JSON.stringify(out, null, 2) + '\n');
console.log(JSON.stringify(out, null, 2));
