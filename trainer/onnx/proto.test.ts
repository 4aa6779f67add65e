// The serialiser against the maintained ONNX definitions (onnx-proto): what encodeModel writes
// decodes to the same graph, and the built edge model decodes as an ONNX model.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { repoRoot } from '../../paths.js';
import { DataType, floatTensor, int64Tensor, type Model } from './ir.js';
import { encodeModel, onnx } from './proto.js';

const small: Model = {
  producer: 'edge-face test',
  opset: 17,
  metadata: { zeta: 'last', alpha: 'first' },
  graph: {
    name: 'g',
    nodes: [
      { opType: 'Conv', name: 'conv', inputs: ['x', 'w'], outputs: ['y'], attrs: { kernel_shape: [3, 3], pads: [1, 1, 1, 1], group: 1, auto_pad: 'NOTSET' } },
      { opType: 'LeakyRelu', name: 'act', inputs: ['y'], outputs: ['z'], attrs: { alpha: { float: 0.25 } } },
      { opType: 'Custom', name: 'c', inputs: ['z', ''], outputs: ['out'], attrs: { scales: { floats: [0.5, -2] }, axis: -1 }, domain: 'com.example' },
    ],
    initializers: [floatTensor('w', [1, 1, 3, 3], Float32Array.from({ length: 9 }, (_, i) => i / 8)), int64Tensor('axes', [1, -1]), floatTensor('eps', [], Float32Array.of(1e-12))],
    inputs: [{ name: 'x', dataType: DataType.FLOAT, shape: ['N', 1, 8, 8] }],
    outputs: [{ name: 'out', dataType: DataType.FLOAT }],
  },
};

const plain = (bytes: Uint8Array) => onnx.ModelProto.toObject(onnx.ModelProto.decode(bytes), { longs: Number, bytes: Array, defaults: false });

describe('encodeModel', () => {
  it('round-trips through the maintained ONNX definitions', () => {
    const m = plain(encodeModel(small));
    expect(m).toMatchObject({ irVersion: 8, producerName: 'edge-face test', opsetImport: [{ domain: '', version: 17 }] });
    expect(m.metadataProps).toEqual([{ key: 'alpha', value: 'first' }, { key: 'zeta', value: 'last' }]);
    const g = m.graph;
    expect(g.name).toBe('g');
    expect(g.node.map((n: { opType: string; name: string; input: string[]; output: string[] }) => [n.opType, n.name, n.input, n.output])).toEqual(small.graph.nodes.map((n) => [n.opType, n.name, n.inputs, n.outputs]));
    const T = onnx.AttributeProto.AttributeType;
    expect(g.node[0].attribute).toEqual([
      { name: 'kernel_shape', ints: [3, 3], type: T.INTS }, { name: 'pads', ints: [1, 1, 1, 1], type: T.INTS },
      { name: 'group', i: 1, type: T.INT }, { name: 'auto_pad', s: [...new TextEncoder().encode('NOTSET')], type: T.STRING },
    ]);
    expect(g.node[1].attribute).toEqual([{ name: 'alpha', f: 0.25, type: T.FLOAT }]);
    expect(g.node[2].attribute).toEqual([{ name: 'scales', floats: [0.5, -2], type: T.FLOATS }, { name: 'axis', i: -1, type: T.INT }]);
    expect([g.node[0].domain, g.node[2].domain]).toEqual([undefined, 'com.example']);
    expect(g.initializer.map((t: { name: string; dims?: number[]; dataType: number }) => [t.name, t.dims ?? [], t.dataType])).toEqual([['w', [1, 1, 3, 3], DataType.FLOAT], ['axes', [2], DataType.INT64], ['eps', [], DataType.FLOAT]]);
    const raw = (i: number) => Uint8Array.from(g.initializer[i].rawData);
    expect(new Float32Array(raw(0).buffer)).toEqual(small.graph.initializers[0].data);
    expect(new BigInt64Array(raw(1).buffer)).toEqual(BigInt64Array.of(1n, -1n));
    expect(g.input).toEqual([{ name: 'x', type: { tensorType: { elemType: DataType.FLOAT, shape: { dim: [{ dimParam: 'N' }, { dimValue: 1 }, { dimValue: 8 }, { dimValue: 8 }] } } } }]);
    expect(g.output).toEqual([{ name: 'out', type: { tensorType: { elemType: DataType.FLOAT } } }]);
  });

  it('is deterministic: same graph, same bytes, whatever the metadata order', () => {
    const again = encodeModel({ ...small, metadata: { alpha: 'first', zeta: 'last' } });
    expect(Buffer.from(again).equals(Buffer.from(encodeModel(small)))).toBe(true);
  });

  const built = join(repoRoot, 'models/build/face-embed.int8.onnx');
  it.skipIf(!existsSync(built))('the built edge model (models/build/face-embed.int8.onnx) decodes', () => {
    const m = onnx.ModelProto.decode(readFileSync(built));
    const manifest = JSON.parse(readFileSync(join(repoRoot, 'models/manifest.json'), 'utf8'));
    expect(Number(m.irVersion)).toBe(8);
    expect(m.graph?.input?.map((v) => v.name)).toEqual([manifest.input.name]);
    expect(m.graph?.output?.map((v) => v.name)).toEqual([manifest.output.name]);
    expect(m.graph?.node?.length).toBeGreaterThan(100);
    expect(m.graph?.initializer?.every((t) => t.rawData && t.rawData.length > 0)).toBe(true);
  });
});
