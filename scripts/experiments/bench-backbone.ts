// Experiment. Decision it supports: whether to convert InceptionV3 to ONNX for the trainer's feature extraction (onnxruntime-node vs tfjs). Result recorded in BENCHMARKS.md, "Backbone throughput (2026-11-28)".
// Backbone feature throughput on the same LFW images: the converted ONNX InceptionV3 under
// onnxruntime-node vs the tfjs layers model (wasm backend), flatten_1 features, batch 1, after
// decode + preprocessing (excluded from the timing). Usage: npx tsx scripts/experiments/bench-backbone.ts [--images 200]
import { Command } from 'commander';
import { cpus } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { loadNsfwjs, loadTfjsModel } from '../../trainer/backbone/source.js';
import { OnnxBackbone, backboneOnnx } from '../../trainer/backbone/onnx-backbone.js';
import { resolveDataDir } from '../../paths.js';
import { readPairs } from '../../trainer/data/lfw.js';
import { decodeImage } from '../../trainer/data/images.js';
import { lfwPreprocess, preprocess } from '../../models/contract/preprocess.js';

const o = new Command().option('--images <n>', 'images', '200').option('--data <dir>').parse().opts();
const lfw = resolveDataDir(o.data);
const paths = [...new Set(readPairs(lfw.file('pairsDevTest.txt')).flatMap((p) => [p.a, p.b]))].slice(0, Number(o.images));
const src = loadNsfwjs();
const spec = lfwPreprocess(src.inputScale);
const xs = await Promise.all(paths.map(async (p) => preprocess(await decodeImage(join(lfw.images, p)), spec)));
await tf.setBackend('wasm');
const onnx = await OnnxBackbone.create(backboneOnnx(src, [{ output: 'features', layer: 'flatten_1', pool: 'none' }]), spec.size, cpus().length);
const model = await loadTfjsModel(src);
let t0 = performance.now();
for (const x of xs) await onnx.run(x, 1);
const ortRate = xs.length / ((performance.now() - t0) / 1000);
t0 = performance.now();
for (const x of xs) tf.tidy(() => (model.predict(tf.tensor4d(x, [1, spec.size, spec.size, 3])) as tf.Tensor).dataSync());
const tfRate = xs.length / ((performance.now() - t0) / 1000);
console.log(`${new Date().toISOString().slice(0, 10)} · ${cpus().length} cores · ${xs.length} pairsDevTest images`);
console.log(`onnxruntime-node (${cpus().length} threads): ${ortRate.toFixed(1)} images/s · tfjs wasm: ${tfRate.toFixed(1)} images/s · ratio ${(ortRate / tfRate).toFixed(1)}×`);
