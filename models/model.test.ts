// The built models against the trainer: fused fp32 = backbone features → JS head; the int8 edge
// variant stays close to fp32 and takes the same decisions on the committed test CSV.
// The fp32 model itself moves by more than the 0.999 cosine goal when its input is merely
// rounded to whole grey levels (the noise floor test below), so the int8 bounds are stated against
// that floor and against decisions and accuracy (BENCHMARKS.md, "Edge model: quantisation").
import { beforeAll, expect, it } from 'vitest';
import { join } from 'node:path';
import { readFileSync } from 'node:fs';
import { readManifest, NodeEmbedder } from './load.js';
import { preprocess } from './contract/preprocess.js';
import { dot, isMatch, squaredDistance } from './contract/distance.js';
import { loadBackbone } from '../trainer/backbone/source.js';
import { OnnxBackbone, backboneOnnx } from '../trainer/backbone/onnx-backbone.js';
import { tapByName } from '../trainer/features/taps.js';
import { loadHead, headForward } from '../trainer/head-weights.js';
import { decodeImage } from '../trainer/images.js';
import { readPeople } from '../trainer/lfw.js';
import { parseTripletsCsv } from '../trainer/test-set.js';
import { repoRoot } from '../trainer/data-dir.js';
import { describeWithLfw, LFW } from '../test/real-data.js';

describeWithLfw('fused models on real LFW images', () => {
  const m = readManifest();
  const cache = new Map<string, Float32Array>();
  const image = async (p: string) => {
    if (!cache.has(p)) cache.set(p, preprocess(await decodeImage(join(LFW.images, p)), m.preprocess));
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

  it('int8 edge model vs fp32 on 200 images: median cosine ≥ 0.99, min ≥ 0.95, within 3× the fp32 grey-level noise floor', async () => {
    const cos: number[] = [], floor: number[] = [];
    for (const p of sample) {
      const x = await image(p);
      const e = await fp32.embed(x);
      cos.push(dot(e, await int8.embed(x)));
      // The same image with its resized pixels rounded to whole grey levels, as any 8-bit pipeline would.
      const rounded = x.map((v) => (Math.round((v - m.preprocess.offset) / m.preprocess.scale) * m.preprocess.scale) + m.preprocess.offset);
      floor.push(dot(e, await fp32.embed(rounded)));
    }
    const med = (a: number[]) => [...a].sort((u, v) => u - v)[a.length >> 1];
    console.log(`over ${cos.length} images: int8 vs fp32 cosine min ${Math.min(...cos).toFixed(5)}, median ${med(cos).toFixed(5)}; ` +
      `fp32 vs fp32 on grey-level-rounded input min ${Math.min(...floor).toFixed(5)}, median ${med(floor).toFixed(5)}`);
    expect(med(cos)).toBeGreaterThanOrEqual(0.99);
    expect(Math.min(...cos)).toBeGreaterThanOrEqual(0.95);
    expect(1 - med(cos)).toBeLessThanOrEqual(3 * (1 - med(floor)));
  }, 600_000);

  it('int8 and fp32 agree on ≥ 96% of the 800 test-CSV decisions, accuracy within 0.02', async () => {
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
    expect(agree / total).toBeGreaterThanOrEqual(0.96);
    expect(Math.abs(correct.fp32 - correct.int8) / total).toBeLessThanOrEqual(0.02);
  }, 600_000);
});
