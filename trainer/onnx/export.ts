// Builds the deployable models: InceptionV3 cut at the chosen tap, fused with the trained head
// (fp32, for the trainer and parity checks), and its int8 QDQ edge variant (float stem and tail).
import { decodeWeights, layersOf, type BackboneSource } from '../backbone/source.js';
import { kerasToOnnx, type FeatureTap } from './keras-to-onnx.js';
import { fuseHead } from './fuse-head.js';
import { activationTensors, quantizeQdq, type Range } from './quantize.js';
import { calibrate, tensorMean } from './calibrate.js';
import { encodeModel } from './proto.js';
import type { Graph } from './ir.js';
import type { HeadWeights } from '../training/head-weights.js';

export const OPSET = 17;
export const INPUT = 'image';
export const OUTPUT = 'embedding';
/** The backbone feature the head reads (fusedGraph's cut output). */
const FEATURES = 'features';

export function fusedGraph(src: BackboneSource, tap: FeatureTap, head: HeadWeights, inputSize?: number): Graph {
  const backbone = kerasToOnnx(layersOf(src), decodeWeights(src), [{ ...tap, output: FEATURES }], INPUT, inputSize);
  return fuseHead(backbone, FEATURES, head, OUTPUT);
}

/** Activation ranges of the fused graph on real preprocessed images (NHWC, one at a time). */
export function calibrationRanges(g: Graph, images: Float32Array[], size: number): Promise<Map<string, Range>> {
  return calibrate(g, activationTensors(g), images, [1, size, size, 3], OPSET);
}

/**
 * Tensors kept in float: the cut block's output and the branches concatenated into it. The head
 * standardises every feature, which amplifies uint8 rounding of low-range channels right there.
 */
function floatTail(g: Graph): Set<string> {
  const pool = g.nodes.find((n) => n.outputs.includes('features'))!;
  const producer = (t: string) => g.nodes.find((n) => n.outputs.includes(t));
  let cut = pool;
  while (cut && cut.opType !== 'Concat') cut = producer(cut.inputs[0])!;
  return new Set(cut ? [...cut.outputs, ...cut.inputs] : []);
}

/**
 * How many of the first activation tensors stay in float: the input and the first two conv outputs,
 * so the stem's first three convs (0.62 of the cut model's 4.71 GMAC, scripts/experiments/cut-cost.ts) run in float. uint8 rounding there moved
 * the embedding most: all-int8 gives cosine ≥ 0.975 to fp32, this ≥ 0.999 (scripts/experiments/quant-choice.ts).
 */
export const FLOAT_STEM = 3;

/** Mean of each feature (the head's input) on the calibration images: centres the int8 head layer. */
export function featureMeans(g: Graph, images: Float32Array[], size: number): Promise<Float32Array> {
  return tensorMean(g, FEATURES, images, [1, size, size, 3], OPSET);
}

export function edgeGraph(fp32: Graph, ranges: Map<string, Range>, floatStem = FLOAT_STEM, featureMean?: Float32Array): Graph {
  const acts = activationTensors(fp32);
  const missing = acts.filter((t) => !ranges.has(t));
  if (missing.length) throw new Error(`calibration does not cover ${missing.length} activations (e.g. ${missing[0]}): recalibrate`);
  const keep = new Set([...floatTail(fp32), ...acts.slice(0, floatStem)]);
  return quantizeQdq(fp32, new Map([...ranges].filter(([t]) => !keep.has(t))), featureMean && new Map([[FEATURES, featureMean]]));
}

export function serialise(g: Graph, metadata: Record<string, string>): Uint8Array {
  return encodeModel({ graph: g, opset: OPSET, producer: 'edge-face', metadata });
}
