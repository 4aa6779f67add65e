// Serialises the ir.ts graph to ONNX protobuf bytes through the ONNX schema's generated classes
// (npm onnx-proto: onnx.proto of ONNX v1.10.2 compiled by protobufjs), so no field number is written
// by hand. Deterministic: the classes write fields in field-number order and metadata is sorted.
import { createRequire } from 'node:module';
import type { onnx as pb } from 'onnx-proto';
import type { AttrValue, Model, Node, Tensor, ValueInfo } from './ir.js';

// A CommonJS module that assigns module.exports whole: Node's ESM loader cannot name its exports.
export const { onnx } = createRequire(import.meta.url)('onnx-proto') as typeof import('onnx-proto');

const IR_VERSION = 8;
const { AttributeType } = onnx.AttributeProto;

const tensor = (t: Tensor): pb.ITensorProto => ({
  dims: t.dims, dataType: t.dataType, name: t.name, rawData: new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength),
});

function attribute(name: string, v: AttrValue): pb.IAttributeProto {
  if (typeof v === 'number') return { name, i: v, type: AttributeType.INT };
  if (typeof v === 'string') return { name, s: new TextEncoder().encode(v), type: AttributeType.STRING };
  if (Array.isArray(v)) return { name, ints: v, type: AttributeType.INTS };
  if ('float' in v) return { name, f: v.float, type: AttributeType.FLOAT };
  return { name, floats: v.floats, type: AttributeType.FLOATS };
}

const node = (n: Node): pb.INodeProto => ({
  input: n.inputs, output: n.outputs, name: n.name, opType: n.opType,
  attribute: Object.entries(n.attrs ?? {}).map(([k, v]) => attribute(k, v)),
  ...(n.domain ? { domain: n.domain } : {}),
});

const valueInfo = (v: ValueInfo): pb.IValueInfoProto => ({
  name: v.name,
  type: { tensorType: { elemType: v.dataType, ...(v.shape ? { shape: { dim: v.shape.map((d) => (typeof d === 'number' ? { dimValue: d } : { dimParam: d })) } } : {}) } },
});

export function encodeModel(m: Model): Uint8Array {
  const g = m.graph;
  return onnx.ModelProto.encode({
    irVersion: IR_VERSION,
    producerName: m.producer,
    graph: { node: g.nodes.map(node), name: g.name, initializer: g.initializers.map(tensor), input: g.inputs.map(valueInfo), output: g.outputs.map(valueInfo) },
    opsetImport: [{ domain: '', version: m.opset }],
    metadataProps: Object.entries(m.metadata ?? {}).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([key, value]) => ({ key, value })),
  }).finish();
}
