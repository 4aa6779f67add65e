import { beforeAll, expect, it } from 'vitest';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { loadNsfwjs, loadTfjsModel, type BackboneSource } from '../backbone/source.js';
import { OnnxBackbone, backboneOnnx } from '../backbone/onnx-backbone.js';
import { decodeImage } from '../data/images.js';
import { lfwPreprocess, preprocess, type PreprocessSpec } from '../../models/contract/preprocess.js';
import { describeWithLfw, LFW } from '../../test/real-data.js';

const IMAGES = ['Aaron_Eckhart/Aaron_Eckhart_0001.jpg', 'Abdullah_Gul/Abdullah_Gul_0013.jpg', 'Serena_Williams/Serena_Williams_0002.jpg'];

describeWithLfw('InceptionV3 tfjs → ONNX parity on real LFW images', () => {
  let src: BackboneSource, onnx: OnnxBackbone, model: tf.LayersModel, spec: PreprocessSpec;
  beforeAll(async () => {
    await tf.setBackend('wasm');
    src = loadNsfwjs();
    spec = lfwPreprocess(src.inputScale, 1);
    model = await loadTfjsModel(src, 'flatten_1');
    onnx = await OnnxBackbone.create(backboneOnnx(src, [{ output: 'features', layer: 'flatten_1', pool: 'none' }]));
  });

  it.each(IMAGES)('%s: relative L2 error of the 2048-d features < 1e-4', async (path) => {
    const x = preprocess(await decodeImage(join(LFW.images, path)), spec);
    const want = tf.tidy(() => (model.predict(tf.tensor4d(x, [1, spec.size, spec.size, 3])) as tf.Tensor).dataSync());
    const got = (await onnx.run(x, 1)).features;
    expect(got.length).toBe(2048);
    let num = 0, den = 0;
    for (let i = 0; i < want.length; i++) { num += (want[i] - got[i]) ** 2; den += want[i] ** 2; }
    expect(den).toBeGreaterThan(0);
    expect(Math.sqrt(num / den)).toBeLessThan(1e-4);
  });
});

it.each([224, 192])('input side %i: the mixed7 2×2 grid is the mean of each quadrant of that size\'s map', async (side) => {
  const src = loadNsfwjs();
  const net = await OnnxBackbone.create(backboneOnnx(src, [
    { output: 'map', layer: 'mixed7', pool: 'none' }, { output: 'grid', layer: 'mixed7', pool: 'grid2' },
  ], side), side, 1);
  const x = Float32Array.from({ length: side * side * 3 }, (_, i) => ((i * 7919) % 255) / 255);
  const { map, grid } = await net.run(x, 1);
  await net.release();
  const h = (side === 224 ? 12 : 10), half = h / 2; // InceptionV3's mixed7 map: 17×17 at 299
  expect(map.length).toBe(768 * h * h);
  expect(grid.length).toBe(3072);
  for (const c of [0, 300, 767])
    for (let gy = 0; gy < 2; gy++)
      for (let gx = 0; gx < 2; gx++) {
        let sum = 0;
        for (let y = gy * half; y < (gy + 1) * half; y++) for (let xx = gx * half; xx < (gx + 1) * half; xx++) sum += map[c * h * h + y * h + xx];
        expect(grid[c * 4 + gy * 2 + gx]).toBeCloseTo(sum / (half * half), 4);
      }
});
