import { beforeAll, describe, expect, it } from 'vitest';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import * as ort from 'onnxruntime-node';
import { decodeDlibWeights, dlibResnetOnnx, loadDlibResnet, DLIB_INPUT_SIZE, DLIB_THRESHOLD, type DlibOnnx, type DlibSource } from './dlib-resnet.js';
import { decodeImage } from '../data/images.js';
import { centreCrop, preprocess, type PreprocessSpec } from '../../models/contract/preprocess.js';
import { describeWithLfw, LFW } from '../../test/real-data.js';

// The package's own network, on the tfjs that it bundles with the wasm backend (no canvas needed:
// it takes tensors). Loaded through require so that it and its tfjs are one CommonJS instance.
const require = createRequire(import.meta.url);
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type FaceApi = any;
async function faceApi(): Promise<FaceApi> {
  const api = require('@vladmandic/face-api/dist/face-api.node-wasm.js');
  if (api.tf.getBackend() !== 'wasm') await api.tf.setBackend('wasm');
  await api.tf.ready();
  return api;
}
const modelDir = () => join(dirname(require.resolve('@vladmandic/face-api')), '..', 'model');

const S = DLIB_INPUT_SIZE;
// Two photos each of three people; a centre crop of half the 250-px deep-funneled image is close
// to dlib's 150-px face chip (tight around the face).
const IMAGES = [
  'George_W_Bush/George_W_Bush_0001.jpg', 'George_W_Bush/George_W_Bush_0002.jpg',
  'Colin_Powell/Colin_Powell_0001.jpg', 'Colin_Powell/Colin_Powell_0002.jpg',
  'Serena_Williams/Serena_Williams_0001.jpg', 'Serena_Williams/Serena_Williams_0002.jpg',
];

const relErr = (want: ArrayLike<number>, got: ArrayLike<number>) => {
  let num = 0, den = 0;
  for (let i = 0; i < want.length; i++) { num += (want[i] - got[i]) ** 2; den += want[i] ** 2; }
  expect(den).toBeGreaterThan(0);
  return Math.sqrt(num / den);
};

describe('dlib ResNet converter', () => {
  let src: DlibSource;
  beforeAll(() => { src = loadDlibResnet(); });

  it('reads the 117 package tensors and dequantises them exactly as tfjs does', async () => {
    const { tf } = await faceApi();
    expect(src.weightSpecs).toHaveLength(117);
    expect(src.sha256).toMatch(/^[0-9a-f]{64}$/);
    const ours = decodeDlibWeights(src);
    const d = src.weightData;
    const ref = tf.io.decodeWeights(d.buffer.slice(d.byteOffset, d.byteOffset + d.byteLength), src.weightSpecs);
    expect(Object.keys(ref).sort()).toEqual([...ours.keys()].sort());
    for (const [name, t] of Object.entries(ref) as [string, { dataSync(): Float32Array; dispose(): void }][]) {
      const a = ours.get(name)!.data, b = t.dataSync();
      t.dispose();
      expect(a.length, name).toBe(b.length);
      let differ = 0;
      for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) differ++;
      expect(differ, name).toBe(0);
    }
  });

  it('is deterministic', () => {
    expect(dlibResnetOnnx(src).sha256).toBe(dlibResnetOnnx(src).sha256);
  });
});

describeWithLfw('dlib ResNet tfjs (@vladmandic/face-api) → ONNX parity on real LFW images', () => {
  let model: DlibOnnx, session: ort.InferenceSession, api: FaceApi;
  const inputs: Float32Array[] = [];
  const reference: Float32Array[] = [];
  beforeAll(async () => {
    api = await faceApi();
    await api.nets.faceRecognitionNet.loadFromDisk(modelDir());
    model = dlibResnetOnnx();
    session = await ort.InferenceSession.create(model.bytes, { intraOpNumThreads: 1, interOpNumThreads: 1 });
    const spec: PreprocessSpec = { crop: centreCrop(0.5), size: S, resize: 'triangle', ...model.inputScale, layout: 'NHWC' };
    for (const p of IMAGES) inputs.push(preprocess(await decodeImage(join(LFW.images, p)), spec));
  });

  it.each(IMAGES.map((p, i) => [p, i] as const))('%s: relative L2 error of the 128-d descriptor ≤ 1e-4', async (_, i) => {
    const x = api.tf.tensor3d(inputs[i], [S, S, 3]);
    const want = await api.nets.faceRecognitionNet.computeFaceDescriptor(x) as Float32Array;
    x.dispose();
    reference[i] = want;
    const got = (await session.run({ image: new ort.Tensor('float32', inputs[i], [1, S, S, 3]) })).descriptor.data as Float32Array;
    expect(got).toHaveLength(128);
    const err = relErr(want, got);
    console.log(`dlib parity ${IMAGES[i]}: ${err.toExponential(2)}`);
    expect(err).toBeLessThanOrEqual(1e-4);
  });

  it('runs a batch, and the same person is closer than different people (dlib threshold 0.6)', async () => {
    const n = IMAGES.length, batch = new Float32Array(n * S * S * 3);
    inputs.forEach((x, i) => batch.set(x, i * S * S * 3));
    const out = (await session.run({ image: new ort.Tensor('float32', batch, [n, S, S, 3]) })).descriptor.data as Float32Array;
    const d = (i: number) => out.subarray(i * 128, (i + 1) * 128);
    for (let i = 0; i < n; i++) if (reference[i]) expect(relErr(reference[i], d(i))).toBeLessThanOrEqual(1e-4);
    const dist = (i: number, j: number) => Math.hypot(...Array.from(d(i), (v, k) => v - d(j)[k]));
    const same: number[] = [], diff: number[] = [];
    for (let i = 0; i < n; i++) for (let j = i + 1; j < n; j++) (IMAGES[i].split('/')[0] === IMAGES[j].split('/')[0] ? same : diff).push(dist(i, j));
    console.log(`dlib distances: same ${same.map((v) => v.toFixed(3)).join(' ')}; different min ${Math.min(...diff).toFixed(3)}`);
    expect(Math.max(...same)).toBeLessThan(Math.min(...diff));
    expect(Math.max(...same)).toBeLessThan(DLIB_THRESHOLD);
    expect(Math.min(...diff)).toBeGreaterThan(DLIB_THRESHOLD);
  });
});
