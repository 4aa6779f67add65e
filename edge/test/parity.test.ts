// Edge vs trainer on the same JPEGs, real model, the whole path: the Worker's decoder (jsquash),
// face detector run (onnxruntime-web), shared alignment and preprocessing against sharp + the
// detector on onnxruntime-node + the same alignment and preprocessing; and onnxruntime-web in
// workerd against onnxruntime-node on the same tensor. Reference values come from global-setup
// (reference.ts). LFW photos and ordinary photos (faces at any size and place).
import { env } from 'cloudflare:workers';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import { dot } from '../../models/contract/distance';
import { preprocess } from '../../models/contract/preprocess';
import { decodeBase64 } from '../src/http/base64';
import { decodeImage } from '../src/image/decode';
import { readImageHeader } from '../src/image/header';
import { applyOrientation, exifOrientation } from '../src/image/orient';
import { findFace, type FaceReport } from '../src/model/find-face';
import type { Detection } from '../../models/contract/face/detect';
import { getModel, type Model } from '../src/model/loader';
import { shimmedMemoryBytes } from '../src/model/wasm-shim';
import { installRealModel, resetIsolate, served } from './helpers';

const filesUrl = inject('filesUrl');
const manifests = inject('realManifests');
const BUILT = Object.keys(manifests);
const missing = inject('backboneIds').filter((id) => !manifests[id]);
// npm test builds every backbone first (scripts/ensure-model.ts): under CI a missing build is a failure.
if (missing.length && process.env.CI) throw new Error(`no built model for ${missing.join(', ')}`);
const haveFaces = inject('facesAvailable') && inject('photosAvailable');
const PHOTOS = ['faces/George_W_Bush/George_W_Bush_0001.jpg', 'faces/Serena_Williams/Serena_Williams_0002.jpg', 'faces/Tony_Blair/Tony_Blair_0003.jpg',
  'faces/Colin_Powell/Colin_Powell_0004.jpg', 'faces/Jennifer_Aniston/Jennifer_Aniston_0001.jpg',
  'photos/two_people.jpg', 'photos/obama-480p.jpg', 'photos/knn_examples/test/obama_and_biden.jpg'];

interface Reference { tensor: string; edge: number[]; fp32: number[] | null; face: Detection | null }

describe.skipIf(!haveFaces).each(BUILT)('%s: edge and trainer compute the same embedding', (id) => {
  let model: Model;
  let modelBytes = 0;
  let detectorBytes = 0;
  const rows: { photo: string; grey: number; decoder: number; runtime: number; vsFp32: number | null; landmarkPx: number }[] = [];

  beforeAll(async () => {
    resetIsolate();
    const { manifest, bytes } = await installRealModel(id);
    modelBytes = bytes.length;
    detectorBytes = manifest.files.detector?.bytes ?? 0;
    model = await getModel(env);
    for (const photo of PHOTOS) {
      const jpeg = await served(photo);
      const r = await fetch(`${filesUrl}/reference/${id}/${photo}`);
      expect(r.ok, `${photo}: ${await r.clone().text()}`).toBe(true);
      const ref: Reference = await r.json();
      const theirs = new Float32Array(decodeBase64(ref.tensor, 'tensor').buffer);
      let img = applyOrientation(await decodeImage(jpeg, readImageHeader(jpeg, 'image'), 'image'), exifOrientation(jpeg));
      let landmarkPx = 0;
      if (model.manifest.face) {
        const found: { canvas: typeof img; face: FaceReport } = await findFace(model, img, 'largest', 'image');
        img = found.canvas;
        Object.values(found.face.landmarks).forEach(([x, y], i) => { landmarkPx = Math.max(landmarkPx, Math.hypot(x - ref.face!.landmarks[i][0], y - ref.face!.landmarks[i][1])); });
      }
      const ours = preprocess(img, model.manifest.preprocess);
      let worst = 0;
      for (let i = 0; i < ours.length; i++) worst = Math.max(worst, Math.abs(ours[i] - theirs[i]));
      const [eOurs, eTheirs] = await model.embedder.embed([ours, theirs]);
      rows.push({
        photo, grey: worst / model.manifest.preprocess.scale, decoder: dot(eOurs, eTheirs),
        runtime: dot(eTheirs, Float32Array.from(ref.edge)), vsFp32: ref.fp32 && dot(eOurs, Float32Array.from(ref.fp32)), landmarkPx,
      });
    }
    console.log(rows.map((r) => `${r.photo}: landmarks max |Δ| ${r.landmarkPx.toFixed(3)} px (report rounds to 0.1), tensor max |Δ| ${r.grey.toFixed(3)} grey levels, cos decoder ${r.decoder.toFixed(6)}, runtime ${r.runtime.toFixed(6)}, edge vs trainer fp32 ${r.vsFp32?.toFixed(5)}`).join('\n'));
  }, 300_000);

  it('detection: the Worker finds the same face as Node, landmarks within 0.1 px (the report rounds to 0.1)', () => {
    for (const r of rows) expect(r.landmarkPx, r.photo).toBeLessThanOrEqual(0.1);
  });

  it('decoding: the preprocessed tensors differ by at most one grey level', () => {
    for (const r of rows) expect(r.grey, r.photo).toBeLessThanOrEqual(1 + 1e-3);
  });

  it('decoding: same model, edge tensor vs trainer tensor, cosine ≥ 0.999', () => {
    for (const r of rows) expect(r.decoder, r.photo).toBeGreaterThanOrEqual(0.999);
  });

  it('runtime: onnxruntime-web in workerd vs onnxruntime-node on the same tensor, cosine ≥ 0.999', () => {
    for (const r of rows) expect(r.runtime, r.photo).toBeGreaterThanOrEqual(0.999);
  });

  it('memory in workerd: onnxruntime Wasm memory + the model and detector bytes held while the sessions are created ≤ 100 MB', () => {
    const wasm = shimmedMemoryBytes();
    console.log(`onnxruntime-web Wasm memory after session creation and ${PHOTOS.length} inferences: ${(wasm / 2 ** 20).toFixed(1)} MiB; model file ${(modelBytes / 2 ** 20).toFixed(1)} MiB; detector ${(detectorBytes / 2 ** 20).toFixed(2)} MiB`);
    expect(wasm).toBeGreaterThan(0);
    expect(wasm + modelBytes + detectorBytes).toBeLessThanOrEqual(100e6);
  });

  it('whole path: edge (jsquash, int8, workerd) vs trainer (sharp, fp32, Node), cosine ≥ 0.999', () => {
    const fp32 = rows.filter((r) => r.vsFp32 !== null);
    expect(fp32.length, 'the fp32 model is built by scripts/build-model.ts next to the edge model').toBe(rows.length);
    for (const r of fp32) expect(r.vsFp32!, r.photo).toBeGreaterThanOrEqual(0.999);
  });
});
