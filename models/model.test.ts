// The built models against the trainer: fused fp32 = backbone features → JS head; the int8 edge
// variant (float stem, int8 body) stays within cosine 0.999 of fp32 and takes the same decisions on
// the committed test CSV (BENCHMARKS.md, "Edge model: quantisation").
import { beforeAll, expect, it } from 'vitest';
import { join } from 'node:path';
import { readFileSync } from 'node:fs';
import { readManifest, NodeEmbedder } from './node/load.js';
import { preprocess } from './contract/preprocess.js';
import { dot, isMatch, squaredDistance } from './contract/distance.js';
import { loadBackbone } from '../trainer/backbone/source.js';
import { OnnxBackbone, backboneOnnx } from '../trainer/backbone/onnx-backbone.js';
import { tapByName } from '../trainer/features/taps.js';
import { loadHead, headForward } from '../trainer/training/head-weights.js';
import { decodeImage } from '../trainer/data/images.js';
import { FaceCropper } from '../trainer/data/face-crops.js';
import { readPeople } from '../trainer/data/lfw.js';
import { parseTripletsCsv } from '../trainer/data/test-set.js';
import { repoRoot } from '../paths.js';
import { describeWithLfw, LFW } from '../test/real-data.js';

describeWithLfw('fused models on real LFW images', () => {
  const m = readManifest();
  const cache = new Map<string, Float32Array>();
  // What production feeds the model: the face detected and aligned with the manifest's face spec.
  const cropper = m.face && new FaceCropper({ face: m.face, imagesDir: LFW.images });
  const image = async (p: string) => {
    if (!cache.has(p)) cache.set(p, preprocess(cropper ? await cropper.faceImage(p, 'aligned') : await decodeImage(join(LFW.images, p)), m.preprocess));
    return cache.get(p)!;
  };
  let fp32: NodeEmbedder, int8: NodeEmbedder;
  let sample: string[];
  beforeAll(async () => {
    fp32 = await NodeEmbedder.create(m, 'fp32');
    int8 = await NodeEmbedder.create(m, 'int8');
    // 200 images of 200 test identities (first image each): none were used for calibration.
    sample = readPeople(LFW.file('peopleDevTest.txt'))[0].slice(0, 200).map((p) => `${p.name}/${p.name}_0001.jpg`);
  });

  it('fp32 fused model = trainer path (ONNX backbone features → JS head), max |Δ| < 1e-4', async () => {
    const head = loadHead(join(repoRoot, 'models/head'));
    const backbone = await OnnxBackbone.create(backboneOnnx(loadBackbone(), [tapByName(m.backbone.cut)]));
    let worst = 0;
    for (const p of sample.slice(0, 8)) {
      const x = await image(p);
      const want = headForward(head.weights, (await backbone.run(x, 1))[m.backbone.cut]);
      const got = await fp32.embed(x);
      for (let i = 0; i < want.length; i++) worst = Math.max(worst, Math.abs(want[i] - got[i]));
    }
    await backbone.release();
    console.log(`fp32 fused vs trainer: max |Δ| = ${worst.toExponential(2)}`);
    expect(worst).toBeLessThan(1e-4);
  });

  it('int8 edge model vs fp32 on 200 images: cosine ≥ 0.999 on every image', async () => {
    const cos: number[] = [];
    for (const p of sample) {
      const x = await image(p);
      cos.push(dot(await fp32.embed(x), await int8.embed(x)));
    }
    cos.sort((u, v) => u - v);
    console.log(`over ${cos.length} images: int8 vs fp32 cosine min ${cos[0].toFixed(5)}, median ${cos[cos.length >> 1].toFixed(5)}`);
    expect(cos).toHaveLength(200);
    expect(cos[0]).toBeGreaterThanOrEqual(0.999);
  }, 600_000);

  it('int8 and fp32 agree on ≥ 99% of the 800 test-CSV decisions, accuracy within 0.01', async () => {
    const triplets = parseTripletsCsv(readFileSync(join(repoRoot, 'models/test-triplets.csv'), 'utf8'));
    const T = m.threshold.score;
    let agree = 0, total = 0;
    const correct = { fp32: 0, int8: 0 };
    for (const t of triplets) {
      const e = { fp32: {} as Record<string, Float32Array>, int8: {} as Record<string, Float32Array> };
      for (const p of [t.anchor, t.positive, t.negative]) {
        const x = await image(p);
        e.fp32[p] = await fp32.embed(x);
        e.int8[p] = await int8.embed(x);
      }
      for (const [other, same] of [[t.positive, true], [t.negative, false]] as const) {
        const d = (v: 'fp32' | 'int8') => isMatch(squaredDistance(e[v][t.anchor], e[v][other]), T);
        if (d('fp32') === d('int8')) agree++;
        if (d('fp32') === same) correct.fp32++;
        if (d('int8') === same) correct.int8++;
        total++;
      }
    }
    console.log(`test CSV: ${total} decisions, agreement ${(agree / total).toFixed(4)}, accuracy fp32 ${(correct.fp32 / total).toFixed(4)}, int8 ${(correct.int8 / total).toFixed(4)}`);
    expect(total).toBe(800);
    expect(agree / total).toBeGreaterThanOrEqual(0.99);
    expect(Math.abs(correct.fp32 - correct.int8) / total).toBeLessThanOrEqual(0.01);
  }, 600_000);
});
