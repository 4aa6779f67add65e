// The backbone as an ONNX session under onnxruntime-node: converted once from the tfjs source,
// with one output per feature tap.
import * as ort from 'onnxruntime-node';
import { decodeWeights, layersOf, type BackboneSource } from './source.js';
import { kerasToOnnx, type FeatureTap } from '../onnx/keras-to-onnx.js';
import { encodeModel } from '../onnx/proto.js';

export const OPSET = 17;

export function backboneOnnx(src: BackboneSource, taps: FeatureTap[], inputSize?: number): Uint8Array {
  const graph = kerasToOnnx(layersOf(src), decodeWeights(src), taps, undefined, inputSize);
  return encodeModel({ graph, opset: OPSET, producer: 'edge-face', metadata: { backbone: src.name, backbone_sha256: src.sha256 } });
}

export class OnnxBackbone {
  private constructor(private session: ort.InferenceSession, readonly size: number) {}

  static async create(model: Uint8Array, size = 299, threads = 2): Promise<OnnxBackbone> {
    const session = await ort.InferenceSession.create(model, { intraOpNumThreads: threads, interOpNumThreads: 1 });
    return new OnnxBackbone(session, size);
  }

  /** Runs a batch of NHWC images packed back to back; returns each output as [batch × dim]. */
  async run(batch: Float32Array, n: number): Promise<Record<string, Float32Array>> {
    const out = await this.session.run({ image: new ort.Tensor('float32', batch, [n, this.size, this.size, 3]) });
    return Object.fromEntries(Object.entries(out).map(([k, t]) => [k, t.data as Float32Array]));
  }

  release() {
    return this.session.release();
  }
}
