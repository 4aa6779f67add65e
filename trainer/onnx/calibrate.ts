// Measures activation ranges of a float graph on real inputs, for static quantisation.
import * as ort from 'onnxruntime-node';
import { DataType, type Graph } from './ir.js';
import { encodeModel } from './proto.js';
import type { Range } from './quantize.js';

/** Runs `inputs` (NHWC images) through g with every named tensor exposed, returning per-tensor min/max. */
export async function calibrate(g: Graph, tensors: string[], inputs: Float32Array[], shape: number[], opset: number): Promise<Map<string, Range>> {
  const probe: Graph = { ...g, outputs: tensors.map((name) => ({ name, dataType: DataType.FLOAT })) };
  const session = await ort.InferenceSession.create(encodeModel({ graph: probe, opset, producer: 'calibration' }), { intraOpNumThreads: 2 });
  const ranges = new Map<string, Range>(tensors.map((t) => [t, { min: Infinity, max: -Infinity }]));
  for (const x of inputs) {
    const out = await session.run({ [g.inputs[0].name]: new ort.Tensor('float32', x, shape) });
    for (const t of tensors) {
      const r = ranges.get(t)!;
      for (const v of out[t].data as Float32Array) {
        if (v < r.min) r.min = v;
        if (v > r.max) r.max = v;
      }
    }
  }
  await session.release();
  return ranges;
}

/** Per-element mean of one tensor of g (per sample, e.g. the feature vector) over `inputs`. */
export async function tensorMean(g: Graph, tensor: string, inputs: Float32Array[], shape: number[], opset: number): Promise<Float32Array> {
  const probe: Graph = { ...g, outputs: [{ name: tensor, dataType: DataType.FLOAT }] };
  const session = await ort.InferenceSession.create(encodeModel({ graph: probe, opset, producer: 'calibration' }), { intraOpNumThreads: 2 });
  let sum: Float64Array | undefined;
  for (const x of inputs) {
    const v = (await session.run({ [g.inputs[0].name]: new ort.Tensor('float32', x, shape) }))[tensor].data as Float32Array;
    sum ??= new Float64Array(v.length);
    for (let i = 0; i < v.length; i++) sum[i] += v[i];
  }
  await session.release();
  return Float32Array.from(sum!, (s) => s / inputs.length);
}
