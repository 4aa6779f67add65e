// Experiment. Decision it supports: whether dlib_resnet and faceres can share one face canvas, so the
// two can be fused inside one ONNX model with one input (issue 20 item 3, a fused-score backbone that
// needs no change to the Worker's one-canvas contract). The canvas is dlib's own 150 px face chip
// padded on every side (the same template moved by the pad), so dlib sees its central 150 px window
// unchanged and faceres sees the whole canvas resized to 224² (bilinear, half-pixel: what ONNX Resize
// does inside the graph). The pad is chosen from where human's crop (the BlazeFace box ×1.4, squared,
// unrotated; faceres's best measured preprocessing) lands in dlib-chip coordinates.
// Reported on every pair among the images of the first --people peopleDevTest identities: faceres alone
// (human's crop vs the padded canvas at a few pads), the dlib window vs dlib as served (cosine), and
// z(dlib) + w·z(faceres) with w fitted on alternate identities and reported on the other half.
// --sizes: faceres's input side (default 224, what it was trained at; 182 is the canvas itself, no
// resize): smaller inputs cost less (onnxruntime-web, 1 thread: 224² 49.5 ms, 192² 36.4, 160² 25.6).
// Result recorded in BENCHMARKS.md, "dlib_faceres: dlib_resnet and faceres fused in one servable model
// (2026-12-05, issue 20 items 2–3)": pad 16 was built (trainer/backbone/dlib-faceres.ts).
//   flock /tmp/heavy.lock nice -n 10 npx tsx scripts/experiments/faceres-canvas.ts [--people 300] [--pads 25,35,45] [--sizes 224,182] [--data DIR]
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import * as tf from '@tensorflow/tfjs';
import * as ort from 'onnxruntime-node';
import { alignmentTransform, apply, warpToCanvas, type AlignSpec } from '../../models/contract/face/align.js';
import type { Detection } from '../../models/contract/face/detect.js';
import { alignDetection, chooseFace } from '../../models/contract/face/pipeline.js';
import { preprocess, type RawImage } from '../../models/contract/preprocess.js';
import { NodeFaceDetector } from '../../models/node/face-detector.js';
import { NodeEmbedder, readManifest } from '../../models/node/load.js';
import { resolveDataDir } from '../../paths.js';
import { decodeImage } from '../../trainer/data/images.js';
import { imagePath, readPeople } from '../../trainer/data/lfw.js';
import { tarAtFar } from '../../trainer/evaluation/metrics.js';
import { faceresGraph, loadFaceres } from '../../trainer/backbone/faceres.js';
import { OPSET } from '../../trainer/onnx/export.js';
import { encodeModel } from '../../trainer/onnx/proto.js';
import { cosine, crop, humanBox, normalise } from './lib/human-models.js';

const { values: o } = parseArgs({ options: { people: { type: 'string', default: '300' }, pads: { type: 'string', default: '' }, sizes: { type: 'string', default: '224' }, data: { type: 'string' } } });

const started = Date.now();
const lfw = resolveDataDir(o.data);
const m = readManifest('models/dlib_resnet/manifest.json');
const spec = m.face!.align;
const detector = await NodeFaceDetector.create(m.face!.detector);
const dlib = await NodeEmbedder.create(m, 'int8', 1);
const faceresSource = faceresGraph(loadFaceres());
/** faceres with its input declared S² (its convolutions' SAME pads are the same for any side divisible by 32, and close otherwise). */
const faceresAt = (S: number) => ort.InferenceSession.create(encodeModel({ graph: { ...faceresSource, inputs: [{ ...faceresSource.inputs[0], shape: ['N', S, S, 3] }] }, opset: OPSET, producer: 'faceres-canvas' }), { intraOpNumThreads: 1 });
const sessions = new Map<number, ort.InferenceSession>();
await tf.setBackend('cpu');

const people = readPeople(lfw.file('peopleDevTest.txt'))[0].slice(0, Number(o.people));
const items: { img: RawImage; face: Detection; who: number }[] = [];
for (const [k, p] of people.entries())
  for (let i = 1; i <= p.count; i++) {
    const img = await decodeImage(join(lfw.images, imagePath(p.name, i)));
    const c = chooseFace(await detector.detect(img), 'largest', m.face!.minFaceSize);
    if (c.ok) items.push({ img, face: c.face, who: k });
  }
console.error(`${items.length} faces (${Math.round((Date.now() - started) / 1000)} s)`);

// Where human's crop lies in dlib-chip pixels: its square's corners through the alignment transform.
const geo = items.map(({ img, face }) => {
  const t = alignmentTransform(face.landmarks, spec);
  const [y0, x0, y1, x1] = humanBox(img, face);
  const tl = apply(t, [x0 * img.width, y0 * img.height]), br = apply(t, [x1 * img.width, y1 * img.height]);
  return { left: -Math.min(tl[0], br[0]), top: -Math.min(tl[1], br[1]), right: Math.max(tl[0], br[0]) - 150, bottom: Math.max(tl[1], br[1]) - 150, angle: (Math.atan2(t.b, t.a) * 180) / Math.PI };
});
const med = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const pads = Object.fromEntries((['left', 'top', 'right', 'bottom', 'angle'] as const).map((k) => [k, Math.round(med(geo.map((g) => g[k])) * 10) / 10]));
console.error('human crop in dlib-chip px (median pads beyond the 150 px chip):', JSON.stringify(pads));

/** dlib's template moved by the pad onto a (150 + 2·pad)² canvas. */
const padded = (pad: number): AlignSpec => ({ size: 150 + 2 * pad, template: Object.fromEntries(Object.entries(spec.template).map(([k, [x, y]]) => [k, [x + pad, y + pad]])), source: `dlib chip padded by ${pad}` });

async function faceresRun(make: (i: number) => Float32Array, S = 224): Promise<Float32Array[]> {
  if (!sessions.has(S)) sessions.set(S, await faceresAt(S));
  const faceres = sessions.get(S)!;
  const out: Float32Array[] = [];
  for (let i = 0; i < items.length; i += 16) {
    const n = Math.min(16, items.length - i), buf = new Float32Array(n * S * S * 3);
    for (let j = 0; j < n; j++) buf.set(make(i + j), j * S * S * 3);
    const r = await faceres.run({ [faceres.inputNames[0]]: new ort.Tensor('float32', buf, [n, S, S, 3]) });
    const d = r[faceres.outputNames[0]].data as Float32Array, dim = d.length / n;
    for (let j = 0; j < n; j++) out.push(d.slice(j * dim, (j + 1) * dim));
  }
  return out;
}
const resizeTo = (c: RawImage, S: number) => (S === c.width ? (c.data as Float32Array) : tf.tidy(() => tf.image.resizeBilinear(tf.tensor4d(c.data as Float32Array, [1, c.height, c.width, 3]), [S, S], false, true).dataSync() as Float32Array));
const sizes = o.sizes.split(',').map(Number);

const emb: Record<string, Float32Array[]> = {};
emb['dlib (served chip)'] = [];
for (const it of items) emb['dlib (served chip)'].push((await dlib.embed(preprocess(alignDetection(it.img, it.face, spec).image, m.preprocess))).slice());
emb['faceres: human crop'] = await faceresRun((i) => normalise(crop(items[i].img, items[i].face, { kind: 'human' }, 224), 'bgr-vgg'));
const padList = o.pads ? o.pads.split(',').map(Number) : [Math.round((pads.left + pads.right + pads.top + pads.bottom) / 4)];
const windowCos: Record<number, number> = {};
for (const pad of padList) {
  const s = padded(pad), canvases = items.map((it) => warpToCanvas(it.img, alignmentTransform(it.face.landmarks, s), s.size));
  for (const S of sizes) emb[`faceres: dlib canvas pad ${pad}${S === 224 ? '' : ` at ${S}²`}`] = await faceresRun((i) => normalise(resizeTo(canvases[i], S), 'bgr-vgg'), S);
  const win: Float32Array[] = [];
  for (const c of canvases) win.push((await dlib.embed(preprocess(c, { ...m.preprocess, crop: { x: pad / s.size, y: pad / s.size, w: 150 / s.size, h: 150 / s.size } }))).slice());
  windowCos[pad] = med(win.map((w, i) => cosine(w, emb['dlib (served chip)'][i])));
  emb[`dlib: window of pad ${pad}`] = win;
  console.error(`pad ${pad} done (${Math.round((Date.now() - started) / 1000)} s)`);
}

// Pairs, scores, TAR; fusion fitted on one half of the identities and reported on the other.
const pairs: [number, number][] = [];
for (let a = 0; a < items.length; a++) for (let b = a + 1; b < items.length; b++) pairs.push([a, b]);
const same = pairs.map(([a, b]) => items[a].who === items[b].who);
const score = (e: Float32Array[]) => Float64Array.from(pairs, ([a, b]) => cosine(e[a], e[b]));
const scores = Object.fromEntries(Object.entries(emb).map(([k, e]) => [k, score(e)]));
const at = (s: ArrayLike<number>, idx: number[], far: number) => tarAtFar(idx.map((i) => ({ same: same[i], score: s[i] })), far).tar;
const every = pairs.map((_p, i) => i);
const r3 = (x: number) => Math.round(x * 1000) / 1000;
const rows = Object.entries(scores).map(([id, s]) => ({ id, tar1e3: r3(at(s, every, 1e-3)), tar1e4: r3(at(s, every, 1e-4)) }));
const half = (h: number) => every.filter((i) => items[pairs[i][0]].who % 2 === h && items[pairs[i][1]].who % 2 === h);
const z = (s: Float64Array, idx: number[]) => {
  const v = idx.filter((i) => !same[i]).map((i) => s[i]), mu = v.reduce((a, b) => a + b, 0) / v.length;
  const sd = Math.sqrt(v.reduce((a, b) => a + (b - mu) ** 2, 0) / v.length);
  return (x: number) => (x - mu) / sd;
};
const W = Array.from({ length: 16 }, (_x, i) => i / 10);
const fusion = [];
for (const [d, f] of [['dlib (served chip)', 'faceres: human crop'], ...padList.flatMap((p) => sizes.map((S) => [`dlib: window of pad ${p}`, `faceres: dlib canvas pad ${p}${S === 224 ? '' : ` at ${S}²`}`]))]) {
  for (const tune of [0, 1]) {
    const [tIdx, rIdx] = [half(tune), half(1 - tune)];
    const zd = z(scores[d], tIdx), zf = z(scores[f], tIdx);
    const fused = (w: number) => Float64Array.from(every, (i) => zd(scores[d][i]) + w * zf(scores[f][i]));
    const best = W.map((w) => ({ w, tar: at(fused(w), tIdx, 1e-4) })).reduce((a, b) => (b.tar > a.tar ? b : a));
    const fs = fused(best.w);
    fusion.push({ pair: `${d} + ${f}`, reportedOnHalf: 1 - tune, w: best.w, dlib: [r3(at(scores[d], rIdx, 1e-3)), r3(at(scores[d], rIdx, 1e-4))], fused: [r3(at(fs, rIdx, 1e-3)), r3(at(fs, rIdx, 1e-4))] });
  }
}
console.log(JSON.stringify({ people: people.length, faces: items.length, genuine: same.filter(Boolean).length, impostors: same.filter((s) => !s).length, humanCropPads: pads, dlibWindowMedianCosine: windowCos, rows, fusion, seconds: Math.round((Date.now() - started) / 1000) }, null, 2));
