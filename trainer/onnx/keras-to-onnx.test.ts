import { beforeAll, expect, it } from 'vitest';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { loadNsfwjs, loadTfjsModel, type BackboneSource } from '../backbone/source.js';
import { OnnxBackbone, backboneOnnx } from '../backbone/onnx-backbone.js';
import { decodeImage } from '../images.js';
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
