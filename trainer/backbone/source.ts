// Where the frozen backbone comes from: the InceptionV3 shipped inside the npm package `nsfwjs`
// (tfjs layers format, uint8-quantised weights), or a user's own tfjs layers model.json
// (e.g. a pure-ImageNet InceptionV3 converted with tensorflowjs_converter).
import { createRequire } from 'node:module';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { createHash } from 'node:crypto';
import * as tf from '@tensorflow/tfjs';

export interface LayerJson {
  class_name: string;
  name: string;
  config: Record<string, any>;
  inbound_nodes: [string, number, number, Record<string, unknown>][][];
}

export interface BackboneSource {
  name: string;
  /** Where it was loaded from (package or path), for the manifest. */
  origin: string;
  /** sha256 of the topology + weight bytes: keys the feature cache and the manifest. */
  sha256: string;
  modelTopology: { model_config?: { config: { layers: LayerJson[] } }; config?: { layers: LayerJson[] } } & Record<string, any>;
  weightSpecs: tf.io.WeightsManifestEntry[];
  weightData: ArrayBuffer;
  /** Pixel scaling the backbone expects after resizing: value = pixel * scale + offset. */
  inputScale: { scale: number; offset: number };
}

export const NSFWJS = 'nsfwjs:inception_v3';

function finish(name: string, origin: string, topology: any, manifest: any[], chunks: Uint8Array[], inputScale: BackboneSource['inputScale']): BackboneSource {
  const total = chunks.reduce((n, c) => n + c.byteLength, 0);
  const data = new Uint8Array(total);
  let off = 0;
  for (const c of chunks) { data.set(c, off); off += c.byteLength; }
  const sha256 = createHash('sha256').update(JSON.stringify(topology)).update(data).digest('hex');
  const weightSpecs = manifest.flatMap((g) => g.weights);
  return { name, origin, sha256, modelTopology: topology, weightSpecs, weightData: data.buffer, inputScale };
}

/** The nsfwjs InceptionV3: UMD modules whose exports are the model.json object and base64 shards. */
export function loadNsfwjs(): BackboneSource {
  const require = createRequire(import.meta.url);
  // The package's exports map hides the model files, so locate them from its package root.
  const entry = require.resolve('nsfwjs');
  const root = entry.slice(0, entry.lastIndexOf('/dist/'));
  const dir = join(root, 'dist/models/inception_v3');
  const model = require(join(dir, 'model.min.js'));
  const chunks = model.weightsManifest.flatMap((g: { paths: string[] }) =>
    g.paths.map((p) => new Uint8Array(Buffer.from(require(join(dir, `${p}.min.js`)) as string, 'base64'))));
  return finish('inception_v3 (nsfwjs 4.4.0, ImageNet-initialised, partly fine-tuned on non-face data)',
    'npm:nsfwjs/dist/models/inception_v3', model.modelTopology, model.weightsManifest, chunks, { scale: 1 / 255, offset: 0 });
}

/** A tfjs layers model.json with its weight shards beside it. Keras InceptionV3 expects [-1, 1]. */
export function loadLayersModelJson(path: string, inputScale = { scale: 2 / 255, offset: -1 }): BackboneSource {
  const model = JSON.parse(readFileSync(path, 'utf8'));
  if (model.format && model.format !== 'layers-model')
    throw new Error(`${path}: format '${model.format}' is not a tfjs layers model (graph models are not supported by the ONNX converter)`);
  const chunks = model.weightsManifest.flatMap((g: { paths: string[] }) =>
    g.paths.map((p) => new Uint8Array(readFileSync(join(dirname(path), p)))));
  return finish(`tfjs layers model ${path}`, path, model.modelTopology, model.weightsManifest, chunks, inputScale);
}

export function loadBackbone(spec = NSFWJS): BackboneSource {
  return spec === NSFWJS ? loadNsfwjs() : loadLayersModelJson(spec);
}

export function layersOf(src: BackboneSource): LayerJson[] {
  return (src.modelTopology.model_config ?? src.modelTopology).config!.layers;
}

export interface DecodedWeight {
  shape: number[];
  data: Float32Array;
  /** Set when the stored weights are uint8 with an integer zero point: data = scale · (q − zeroPoint). */
  grid?: { scale: number; zeroPoint: number };
}

/** Dequantised float weights by name, decoded exactly as tfjs decodes them. */
export function decodeWeights(src: BackboneSource): Map<string, DecodedWeight> {
  const named = tf.io.decodeWeights(src.weightData, src.weightSpecs);
  const specs = new Map(src.weightSpecs.map((s) => [s.name, s]));
  const out = new Map<string, DecodedWeight>();
  for (const [k, t] of Object.entries(named)) {
    const q = specs.get(k)?.quantization;
    const z = q?.dtype === 'uint8' && q.scale && q.min !== undefined ? -q.min / q.scale : NaN;
    const grid = Math.abs(z - Math.round(z)) < 1e-6 ? { scale: q!.scale!, zeroPoint: Math.round(z) } : undefined;
    out.set(k, { shape: t.shape, data: t.dataSync() as Float32Array, grid });
    t.dispose();
  }
  return out;
}

/** The tfjs layers model itself, truncated at `outputLayer` (for parity checks and tfjs feature extraction). */
export async function loadTfjsModel(src: BackboneSource, outputLayer = 'flatten_1'): Promise<tf.LayersModel> {
  const full = await tf.loadLayersModel(tf.io.fromMemory({
    modelTopology: src.modelTopology, weightSpecs: src.weightSpecs, weightData: src.weightData,
  }));
  return tf.model({ inputs: full.inputs, outputs: full.getLayer(outputLayer).output as tf.SymbolicTensor });
}
