// Serialises the ir.ts graph to ONNX protobuf bytes (field numbers from onnx.proto), deterministically.
import protobuf from 'protobufjs/minimal.js';
import type { AttrValue, Model, Node, Tensor, ValueInfo } from './ir.js';

const { Writer } = protobuf;
type W = protobuf.Writer;

const IR_VERSION = 8;
const LEN = 2, VARINT = 0, I32 = 5;
const tag = (field: number, wire: number) => (field << 3) | wire;

function message(w: W, field: number, body: (w: W) => void) {
  w.uint32(tag(field, LEN)).fork();
  body(w);
  w.ldelim();
}

function tensor(w: W, t: Tensor) {
  w.uint32(tag(1, LEN)).fork();
  for (const d of t.dims) w.int64(d);
  w.ldelim();
  w.uint32(tag(2, VARINT)).int32(t.dataType);
  w.uint32(tag(8, LEN)).string(t.name);
  const d = t.data;
  w.uint32(tag(9, LEN)).bytes(new Uint8Array(d.buffer, d.byteOffset, d.byteLength));
}

function attribute(w: W, name: string, v: AttrValue) {
  w.uint32(tag(1, LEN)).string(name);
  if (typeof v === 'number') {
    w.uint32(tag(3, VARINT)).int64(v).uint32(tag(20, VARINT)).int32(2);
  } else if (typeof v === 'string') {
    w.uint32(tag(4, LEN)).bytes(new TextEncoder().encode(v)).uint32(tag(20, VARINT)).int32(3);
  } else if (Array.isArray(v)) {
    for (const x of v) w.uint32(tag(8, VARINT)).int64(x);
    w.uint32(tag(20, VARINT)).int32(7);
  } else if ('float' in v) {
    w.uint32(tag(2, I32)).float(v.float).uint32(tag(20, VARINT)).int32(1);
  } else {
    for (const x of v.floats) w.uint32(tag(7, I32)).float(x);
    w.uint32(tag(20, VARINT)).int32(6);
  }
}

function node(w: W, n: Node) {
  for (const i of n.inputs) w.uint32(tag(1, LEN)).string(i);
  for (const o of n.outputs) w.uint32(tag(2, LEN)).string(o);
  w.uint32(tag(3, LEN)).string(n.name);
  w.uint32(tag(4, LEN)).string(n.opType);
  for (const [k, v] of Object.entries(n.attrs ?? {})) message(w, 5, (w) => attribute(w, k, v));
  if (n.domain) w.uint32(tag(7, LEN)).string(n.domain);
}

function valueInfo(w: W, v: ValueInfo) {
  w.uint32(tag(1, LEN)).string(v.name);
  message(w, 2, (w) => // TypeProto
    message(w, 1, (w) => { // TypeProto.Tensor
      w.uint32(tag(1, VARINT)).int32(v.dataType);
      const shape = v.shape;
      if (shape) message(w, 2, (w) => { // TensorShapeProto
        for (const d of shape)
          message(w, 1, (w) => {
            if (typeof d === 'number') w.uint32(tag(1, VARINT)).int64(d);
            else w.uint32(tag(2, LEN)).string(d);
          });
      });
    }));
}

export function encodeModel(m: Model): Uint8Array {
  const w = Writer.create();
  w.uint32(tag(1, VARINT)).int64(IR_VERSION);
  w.uint32(tag(2, LEN)).string(m.producer);
  message(w, 7, (w) => {
    const g = m.graph;
    for (const n of g.nodes) message(w, 1, (w) => node(w, n));
    w.uint32(tag(2, LEN)).string(g.name);
    for (const t of g.initializers) message(w, 5, (w) => tensor(w, t));
    for (const v of g.inputs) message(w, 11, (w) => valueInfo(w, v));
    for (const v of g.outputs) message(w, 12, (w) => valueInfo(w, v));
  });
  message(w, 8, (w) => {
    w.uint32(tag(1, LEN)).string('');
    w.uint32(tag(2, VARINT)).int64(m.opset);
  });
  for (const [k, v] of Object.entries(m.metadata ?? {}).sort())
    message(w, 14, (w) => w.uint32(tag(1, LEN)).string(k).uint32(tag(2, LEN)).string(v));
  return w.finish();
}
