// A throwaway ONNX model for tests, written byte by byte (no binary blobs in git):
// input [N, S, S, 3] → Reshape [N, S·S·3] → MatMul by a fixed pseudo-random matrix → LpNormalization.
// A random projection is enough to exercise the pipeline: equal inputs give equal embeddings,
// unrelated images give nearly orthogonal ones.
import type { ModelManifest } from '../../models/contract/manifest';

type Bytes = number[];
const varint = (n: number | bigint): Bytes => {
  let v = BigInt.asUintN(64, BigInt(n));
  const out: Bytes = [];
  do {
    const b = Number(v & 0x7fn);
    v >>= 7n;
    out.push(v ? b | 0x80 : b);
  } while (v);
  return out;
};
const utf8 = (s: string) => [...new TextEncoder().encode(s)];
const int = (field: number, n: number | bigint) => [...varint(field << 3), ...varint(n)];
const len = (field: number, body: Bytes | Uint8Array) => [...varint((field << 3) | 2), ...varint(body.length), ...body];
const str = (field: number, s: string) => len(field, utf8(s));

const dims = (ds: (number | string)[]) => len(2, ds.flatMap((d) => len(1, typeof d === 'number' ? int(1, d) : str(2, d))));
const valueInfo = (name: string, shape: (number | string)[]) =>
  [...str(1, name), ...len(2, len(1, [...int(1, 1), ...dims(shape)]))];
const tensor = (name: string, type: number, shape: number[], raw: Uint8Array) =>
  [...shape.flatMap((d) => int(1, d)), ...int(2, type), ...str(8, name), ...len(9, raw)];
const node = (op: string, inputs: string[], outputs: string[], attrs: Bytes[] = []) =>
  [...inputs.flatMap((i) => str(1, i)), ...outputs.flatMap((o) => str(2, o)), ...str(3, op.toLowerCase()), ...str(4, op), ...attrs.flatMap((a) => len(5, a))];
const intAttr = (name: string, v: number) => [...str(1, name), ...int(3, v), ...int(20, 2)];

export const TINY = { size: 16, dim: 128, input: 'image', output: 'embedding' };

/** Bytes of the tiny model; `seed` changes the projection (a "different model version"). */
export function tinyModel(seed = 1, { size, dim, input, output } = TINY): Uint8Array {
  const n = size * size * 3;
  const w = new Float32Array(n * dim);
  let s = seed >>> 0;
  for (let i = 0; i < w.length; i++) {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = Math.imul(s ^ (s >>> 15), 1 | s);
    t ^= t + Math.imul(t ^ (t >>> 7), 61 | t);
    w[i] = ((t ^ (t >>> 14)) >>> 0) / 2 ** 31 - 1;
  }
  const shape = new BigInt64Array([-1n, BigInt(n)]);
  const graph = [
    ...len(1, node('Reshape', [input, 'shape'], ['flat'])),
    ...len(1, node('MatMul', ['flat', 'w'], ['proj'])),
    ...len(1, node('LpNormalization', ['proj'], [output], [intAttr('axis', 1), intAttr('p', 2)])),
    ...str(2, 'tiny'),
    ...len(5, tensor('shape', 7, [2], new Uint8Array(shape.buffer))),
    ...len(5, tensor('w', 1, [n, dim], new Uint8Array(w.buffer))),
    ...len(11, valueInfo(input, ['N', size, size, 3])),
    ...len(12, valueInfo(output, ['N', dim])),
  ];
  return new Uint8Array([...int(1, 8), ...str(2, 'edge-test'), ...len(7, graph), ...len(8, [...str(1, ''), ...int(2, 13)])]);
}

export async function sha256Hex(bytes: Uint8Array): Promise<string> {
  const d = new Uint8Array(await crypto.subtle.digest('SHA-256', bytes));
  return [...d].map((b) => b.toString(16).padStart(2, '0')).join('');
}

/** A manifest for the tiny model, shaped like the trainer's (models/contract/manifest.ts). */
export async function tinyManifest(model: Uint8Array, modelVersion = 'tiny-1', threshold = -0.8): Promise<ModelManifest> {
  return {
    modelVersion,
    backbone: { name: 'random-projection', source: 'edge/test/tiny-model.ts', sha256: '', cut: 'none' },
    preprocess: { crop: { x: 0, y: 0, w: 1, h: 1 }, size: TINY.size, resize: 'triangle', scale: 1 / 127.5, offset: -1, layout: 'NHWC' },
    input: { name: TINY.input, shape: ['N', TINY.size, TINY.size, 3], layout: 'NHWC' },
    output: { name: TINY.output, embeddingSize: TINY.dim },
    threshold: { score: threshold, similarity: 1 + threshold / 2, method: 'fixed for tests' },
    metrics: {},
    files: { edge: { path: 'models/build/tiny.edge.onnx', sha256: await sha256Hex(model), bytes: model.length, description: 'test model' } },
  };
}
