// Experiment. Decision it supports: the padded retry of models/contract/face/pipeline.ts detectFaces
// (PADDED_RETRY; issue 19 item 5, issue 24). Result recorded in BENCHMARKS.md, "Tight crops: padded
// detector retry".
// Failure to acquire a face on pictures the face fills: from each LFW peopleDevTest image whose face
// the detector finds, a square crop of 1.1× (--enlarge) the detected box (colour) and a 92×112
// greyscale crop of the same width (the AT&T/ORL format), each searched without the padded retry (before) and with it
// (after). A face found after is checked against the face the crop was cut around (IoU ≥ 0.5).
// The face-less images the tests use (edge/test/fixtures.ts, models/node/face-detector.test.ts) must
// give no detection either way. --variants tries other placements on the crops that fail before.
//   npx tsx scripts/experiments/tight-crops.ts [--limit 3708] [--enlarge 1.1] [--variants] [--json]
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import * as ort from 'onnxruntime-node';
import type { Detection, Placement } from '../../models/contract/face/detect.js';
import { bySize, chooseFace, detectFaces, PADDED_RETRY, type RunDetector } from '../../models/contract/face/pipeline.js';
import type { Box, RawImage } from '../../models/contract/preprocess.js';
import { BLAZEFACE_BACK, blazefacePath, MIN_FACE_SIZE } from '../../models/node/face-detector.js';
import { resolveDataDir } from '../../paths.js';
import { decodeImage } from '../../trainer/data/images.js';
import { makeFixtures } from '../../edge/test/fixtures.js';
import { tightCrops } from '../../test/tight-crops.js';

const { values } = parseArgs({ options: { limit: { type: 'string', default: '100000' }, enlarge: { type: 'string', default: '1.1' }, variants: { type: 'boolean' }, json: { type: 'boolean' } } });
const ENLARGE = Number(values.enlarge);
const spec = BLAZEFACE_BACK;
const session = await ort.InferenceSession.create(readFileSync(blazefacePath()), { intraOpNumThreads: 1, logSeverityLevel: 3 });
const run: RunDetector = async (input) => {
  const out = await session.run({ [spec.inputName]: new ort.Tensor('float32', input, [1, spec.size, spec.size, 3]) });
  return Object.fromEntries(Object.entries(out).map(([k, v]) => [k, v.data as Float32Array]));
};
const detect = (img: RawImage, padded: Placement | null) => detectFaces(img, spec, run, true, padded);

const VARIANTS: Placement[] = values.variants
  ? [1.5, 1.75, 2].flatMap((f) => [0, 128].map((fill) => ({ fit: 1 / f, fill })))
  : [];
const label = (p: Placement) => `fit 1/${(1 / p.fit).toFixed(2)}, fill ${p.fill}`;

function iou(a: Box, b: Box): number {
  const ix = Math.max(0, Math.min(a.x + a.w, b.x + b.w) - Math.max(a.x, b.x));
  const iy = Math.max(0, Math.min(a.y + a.h, b.y + b.h) - Math.max(a.y, b.y));
  return (ix * iy) / (a.w * a.h + b.w * b.h - ix * iy);
}

interface Tally { n: number; before: number; after: number; wrongFace: number; tooSmall: number; variants: number[] }
const tally = (): Tally => ({ n: 0, before: 0, after: 0, wrongFace: 0, tooSmall: 0, variants: VARIANTS.map(() => 0) });

/** One crop: failures without and with the retry; the face found must be the one cut around. */
async function score(t: Tally, img: RawImage, expected: Box) {
  t.n++;
  const before = await detect(img, null);
  if (before.length) return;
  t.before++;
  const after = await detect(img, PADDED_RETRY);
  if (!after.length) t.after++;
  else {
    const best = bySize(after)[0];
    if (iou(best.box, expected) < 0.5) t.wrongFace++;
    if (!chooseFace(after, 'largest', MIN_FACE_SIZE).ok) t.tooSmall++;
  }
  for (const [i, v] of VARIANTS.entries()) if (!(await detect(img, v)).length) t.variants[i]++;
}

const lfw = resolveDataDir();
const people = readFileSync(lfw.file('peopleDevTest.txt'), 'utf8').trim().split('\n').slice(1).map((l) => l.split('\t'));
const paths = people.flatMap(([name, n]) => Array.from({ length: Number(n) }, (_v, i) => join(lfw.images, name, `${name}_${String(i + 1).padStart(4, '0')}.jpg`))).slice(0, Number(values.limit));

const tight = tally(), grey = tally();
let wholeBefore = 0, wholeAfter = 0;
const t0 = performance.now();
for (const [k, p] of paths.entries()) {
  const img = await decodeImage(p);
  let dets: Detection[] = await detect(img, null);
  if (!dets.length) {
    wholeBefore++;
    dets = await detect(img, PADDED_RETRY);
    if (!dets.length) { wholeAfter++; continue; }
  }
  const { colour, grey: g } = await tightCrops(img, bySize(dets)[0], ENLARGE);
  await score(tight, colour.img, colour.face);
  await score(grey, g.img, g.face);
  if ((k + 1) % Number(process.env.EVERY ?? 500) === 0) console.error(`${k + 1}/${paths.length} images, ${((performance.now() - t0) / 1000).toFixed(0)} s`);
}

// Face-less: the edge fixtures (all but the photos of Obama and the header-only fakes) and the
// detector test's grey, gradient and noise images.
const fixtures = await makeFixtures();
const faceless: [string, RawImage][] = [];
for (const [name, b64] of Object.entries(fixtures)) {
  if (name.startsWith('obama') || name.startsWith('huge')) continue;
  try {
    faceless.push([name, await decodeImage(Buffer.from(b64, 'base64'))]);
  } catch {
    // not an image sharp decodes (the corrupt, truncated and foreign-format fixtures)
  }
}
const flat = (w: number, h: number, f: (i: number) => number): RawImage => ({ data: Uint8Array.from({ length: w * h * 3 }, (_v, i) => f(i)), width: w, height: h, channels: 3 });
let s = 7;
const noise = () => { s = (s * 1103515245 + 12345) >>> 0; return s >>> 24; };
faceless.push(['flat-grey', flat(250, 250, () => 128)], ['gradient', flat(640, 480, (i) => ((Math.floor(i / 3) % 640) * 255) / 640)], ['noise', flat(400, 300, noise)]);
const facelessHits = { before: [] as string[], after: [] as string[], variants: VARIANTS.map(() => [] as string[]) };
for (const [name, img] of faceless) {
  if ((await detect(img, null)).length) facelessHits.before.push(name);
  if ((await detect(img, PADDED_RETRY)).length) facelessHits.after.push(name);
  for (const [i, v] of VARIANTS.entries()) if ((await detect(img, v)).length) facelessHits.variants[i].push(name);
}

const pct = (a: number, n: number) => `${a}/${n} (${((100 * a) / n).toFixed(1)}%)`;
const result = {
  images: paths.length, enlarge: ENLARGE, retry: label(PADDED_RETRY),
  wholeImagesWithoutFace: { before: wholeBefore, after: wholeAfter },
  tight: { crops: tight.n, failBefore: pct(tight.before, tight.n), failAfter: pct(tight.after, tight.n), wrongFaceAfter: tight.wrongFace, refusedAfter: tight.tooSmall },
  grey92x112: { crops: grey.n, failBefore: pct(grey.before, grey.n), failAfter: pct(grey.after, grey.n), wrongFaceAfter: grey.wrongFace, refusedAfter: grey.tooSmall },
  faceless: { images: faceless.length, withDetectionsBefore: facelessHits.before, withDetectionsAfter: facelessHits.after },
  variants: VARIANTS.map((v, i) => ({ placement: label(v), tightFail: pct(tight.variants[i], tight.n), greyFail: pct(grey.variants[i], grey.n), facelessHits: facelessHits.variants[i] })),
  seconds: Math.round((performance.now() - t0) / 1000),
};
if (values.json) console.log(JSON.stringify(result, null, 2));
else {
  console.log(`${result.images} LFW peopleDevTest images, crops ${ENLARGE}× the detected box; retry: ${result.retry}; whole images without a face: ${wholeBefore} before, ${wholeAfter} after`);
  console.log('| crops | n | no face, before | no face, after | wrong face after | refused after (too small) |\n|---|---|---|---|---|---|');
  for (const [k, t] of [[`tight ${ENLARGE}× box, colour`, result.tight], ['92×112 grey', result.grey92x112]] as const)
    console.log(`| ${k} | ${t.crops} | ${t.failBefore} | ${t.failAfter} | ${t.wrongFaceAfter} | ${t.refusedAfter} |`);
  console.log(`face-less images (${faceless.length}) with a detection: before [${facelessHits.before.join(', ')}], after [${facelessHits.after.join(', ')}]`);
  for (const v of result.variants) console.log(`variant ${v.placement}: tight ${v.tightFail}, grey ${v.greyFail}, face-less hits [${v.facelessHits.join(', ')}]`);
  console.log(`${result.seconds} s`);
}
