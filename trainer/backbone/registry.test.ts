// The backbone registry: both entries build an ONNX model that turns an aligned LFW face into a
// unit-norm 128-d embedding under onnxruntime-node; dlib's chip template sits where dlib puts the
// eyes; the dlib model's decisions at its recorded T are right on a systematic sample of
// pairsDevTest (every 25th pair: 20 same, 20 different), all but at most one: it is 98.0% accurate on
// the whole list (15 false accepts, 5 false rejects; 3 of the false accepts are among the first 10
// different pairs, so "the first pairs" would not be a fair sample).
import { beforeAll, describe, expect, it } from 'vitest';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import { alignFace } from '../../models/contract/face/align.js';
import { preprocess } from '../../models/contract/preprocess.js';
import { squaredDistance } from '../../models/contract/distance.js';
import { NodeFaceDetector } from '../../models/node/face-detector.js';
import { loadHead } from '../training/head-weights.js';
import { decodeImage } from '../data/images.js';
import { readPairs } from '../data/lfw.js';
import { repoRoot } from '../../paths.js';
import { describeWithLfw, LFW } from '../../test/real-data.js';
import { backbone, BACKBONE_IDS, BACKBONES, type BackboneEntry } from './registry.js';
import { buildArgs, manifestOf, STANDARD_BACKBONES } from './ids.js';
import { dlibAlignSpec, DLIB_TEMPLATE_KINDS } from './dlib-template.js';
import { centreFraming } from './lfw-landmarks.js';
import { chooseLfwFace } from '../data/face-crops.js';
import type { BackboneEvaluation } from './eval-backbone.js';

const norm = (v: ArrayLike<number>) => Math.hypot(...Array.from(v));

describe('backbone registry', () => {
  it('has inception_v3 (default manifest), dlib_resnet and the opt-in dlib_faceres (their own manifests)', () => {
    expect([...BACKBONE_IDS]).toEqual(['inception_v3', 'dlib_resnet', 'dlib_faceres']);
    expect([...STANDARD_BACKBONES]).toEqual(['inception_v3', 'dlib_resnet']);
    expect(manifestOf('dlib_faceres')).toBe('models/dlib_faceres/manifest.json');
    expect(manifestOf()).toBe('models/manifest.json');
    expect(manifestOf('dlib_resnet')).toBe('models/dlib_resnet/manifest.json');
    expect(BACKBONES.dlib_resnet.manifest).toBe(manifestOf('dlib_resnet'));
    expect(buildArgs()).toEqual(['tsx', 'scripts/build-model.ts']);
    expect(buildArgs('dlib_resnet')).toEqual(['tsx', 'scripts/build-model.ts', '--backbone', 'dlib_resnet']);
    expect(() => backbone('resnet50')).toThrow(/unknown backbone/);
  });

  it('inception_v3 crops the canvas as the committed head was trained', () => {
    const { meta } = loadHead(join(repoRoot, 'models/head'));
    expect(BACKBONES.inception_v3.preprocess).toEqual(meta.preprocess);
  });

  it('dlib_resnet takes the whole 150 px chip as raw pixels', () => {
    const e = BACKBONES.dlib_resnet;
    expect(e.align.size).toBe(150);
    expect(e.preprocess).toMatchObject({ crop: { x: 0, y: 0, w: 1, h: 1 }, size: 150, scale: 1, offset: 0 });
  });

  it.each(DLIB_TEMPLATE_KINDS)("dlib template '%s': eyes where dlib's chip has them, level, nose and mouth below", (kind) => {
    const t = dlibAlignSpec(kind).template;
    expect(t.rightEye![0] / 150).toBeCloseTo(0.318, 2);
    expect(t.leftEye![0] / 150).toBeCloseTo(0.669, 2);
    expect(t.rightEye![1] / 150).toBeCloseTo(0.314, 2);
    expect(t.leftEye![1]).toBeCloseTo(t.rightEye![1], 1);
    if (kind !== 'eyes') {
      expect(t.noseTip![1]).toBeGreaterThan(t.leftEye![1] + 15);
      expect(t.mouth![1]).toBeGreaterThan(t.noseTip![1] + 15);
      expect(Math.abs(t.mouth![0] - 75)).toBeLessThan(3);
    }
  });
});

describeWithLfw('registry entries on an aligned LFW face (onnxruntime-node)', () => {
  const path = 'Colin_Powell/Colin_Powell_0001.jpg';
  let detector: NodeFaceDetector;
  beforeAll(async () => { detector = await NodeFaceDetector.create(); });

  const input = async (e: BackboneEntry, p: string) => {
    const img = await decodeImage(join(LFW.images, p));
    const d = chooseLfwFace(await detector.detect(img), img.width, img.height, 40);
    return preprocess(alignFace(img, d ? d.landmarks : centreFraming(img.width, img.height), e.align), e.preprocess);
  };

  it.each(STANDARD_BACKBONES)('%s builds and embeds one aligned face as a unit-norm 128-d vector', async (id) => {
    const e = backbone(id);
    const m = e.embeddingModel();
    expect(m.unit).toBe(true);
    const s = await ort.InferenceSession.create(m.bytes, { intraOpNumThreads: 2 });
    const S = e.preprocess.size;
    const x = await input(e, path);
    expect(x).toHaveLength(S * S * 3);
    const y = (await s.run({ [m.input]: new ort.Tensor('float32', x, [1, S, S, 3]) }))[m.output].data as Float32Array;
    await s.release();
    expect(y).toHaveLength(128);
    expect(y.every(Number.isFinite)).toBe(true);
    expect(norm(y)).toBeCloseTo(1, 5);
  }, 120_000);

  it('dlib_resnet: the embedding is the raw descriptor scaled to unit length', async () => {
    const e = BACKBONES.dlib_resnet;
    const x = await input(e, path);
    const run = async (m: ReturnType<BackboneEntry['rawModel']>) => {
      const s = await ort.InferenceSession.create(m.bytes, { intraOpNumThreads: 2 });
      const y = (await s.run({ [m.input]: new ort.Tensor('float32', x, [1, 150, 150, 3]) }))[m.output].data as Float32Array;
      await s.release();
      return y;
    };
    const raw = await run(e.rawModel()), unit = await run(e.embeddingModel());
    const n = norm(raw);
    expect(n).toBeGreaterThan(0.1);
    raw.forEach((v, i) => expect(unit[i]).toBeCloseTo(v / n, 6));
  });

  const evalFile = join(repoRoot, 'models/dlib_resnet/evaluation.json');
  it.skipIf(!existsSync(evalFile))('dlib_resnet: at its recorded T, right on at least 39 of 40 pairsDevTest pairs (every 25th)', async () => {
    const ev = JSON.parse(readFileSync(evalFile, 'utf8')) as BackboneEvaluation;
    const T = ev.variants.find((v) => v.unit)!.threshold.score;
    const pairs = readPairs(LFW.file('pairsDevTest.txt'));
    const chosen = pairs.filter((_p, i) => i % 25 === 0);
    expect(chosen.filter((p) => p.same)).toHaveLength(20);
    const e = BACKBONES.dlib_resnet, m = e.embeddingModel();
    const s = await ort.InferenceSession.create(m.bytes, { intraOpNumThreads: 2 });
    const emb = async (p: string) => (await s.run({ [m.input]: new ort.Tensor('float32', await input(e, p), [1, 150, 150, 3]) }))[m.output].data as Float32Array;
    const wrong: string[] = [];
    for (const p of chosen) {
      const d2 = squaredDistance(await emb(p.a), await emb(p.b));
      if ((-d2 > T) !== p.same) wrong.push(`${p.a} ${p.b} d²=${d2.toFixed(3)}`);
    }
    await s.release();
    console.log(`dlib_resnet at T ${T.toFixed(4)}: ${chosen.length - wrong.length}/${chosen.length} right${wrong.length ? `; wrong: ${wrong.join('; ')}` : ''}`);
    expect(wrong.length).toBeLessThanOrEqual(1);
  }, 120_000);
});
