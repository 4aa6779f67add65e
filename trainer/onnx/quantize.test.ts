// The head's big first MatMul in int8: centred and row-balanced, it stays within rounding of fp32
// even with the standardisation folded in (rows of very different scale, inputs far from zero).
import * as ort from 'onnxruntime-node';
import { describe, expect, it } from 'vitest';
import { DataType, floatTensor, type Graph } from './ir.js';
import { encodeModel } from './proto.js';
import { LARGE_MATMUL, quantizeQdq } from './quantize.js';

const rows = 1024, cols = 1024;
let seed = 7;
const rand = () => {
  seed = (seed * 16807) % 2147483647;
  return (seed / 2147483647) * 2 - 1;
};
// Folded standardisation: row i scaled by 1/std_i, std spanning 1e-3..1; features = mean + std·noise.
const std = Float32Array.from({ length: rows }, (_, i) => 10 ** (-3 * (i % 7) / 6));
const mean = Float32Array.from({ length: rows }, () => 0.5 + 0.4 * rand());
const W = Float32Array.from({ length: rows * cols }, (_, k) => (0.05 * rand()) / std[Math.floor(k / cols)]);
const x = Float32Array.from({ length: rows }, (_, i) => mean[i] + std[i] * rand());
const graph: Graph = {
  name: 'mm', nodes: [{ opType: 'MatMul', name: 'y', inputs: ['x', 'w'], outputs: ['y'] }],
  initializers: [floatTensor('w', [rows, cols], W)],
  inputs: [{ name: 'x', dataType: DataType.FLOAT, shape: [1, rows] }], outputs: [{ name: 'y', dataType: DataType.FLOAT, shape: [1, cols] }],
};
const run = async (g: Graph) => {
  const s = await ort.InferenceSession.create(encodeModel({ graph: g, opset: 17, producer: 'test' }));
  return (await s.run({ x: new ort.Tensor('float32', x, [1, rows]) })).y.data as Float32Array;
};
const relErr = (a: Float32Array, b: Float32Array) => Math.sqrt(a.reduce((s, v, i) => s + (v - b[i]) ** 2, 0) / b.reduce((s, v) => s + v * v, 0));

describe('int8 head layer', () => {
  it('is centred and row-balanced: within 0.1% of fp32; stays float without calibrated means', async () => {
    expect(W.length).toBeGreaterThanOrEqual(LARGE_MATMUL);
    const want = await run(graph);
    const q = quantizeQdq(graph, new Map(), new Map([['x', mean]]));
    expect(q.initializers.find((t) => t.name === 'w_q')?.dataType).toBe(DataType.INT8);
    expect(q.initializers.some((t) => t.name === 'w')).toBe(false);
    const err = relErr(await run(q), want);
    expect(err).toBeLessThan(1e-3);
    // Without centring (a zero mean) the rounding multiplies the raw features: over 10× worse here.
    const uncentred = quantizeQdq(graph, new Map(), new Map([['x', new Float32Array(rows)]]));
    expect(relErr(await run(uncentred), want)).toBeGreaterThan(10 * err);
    expect(quantizeQdq(graph, new Map()).initializers.some((t) => t.name === 'w')).toBe(true);
  });
});

describe('selective int8 (a fused model with one branch left float)', () => {
  // Two 1×1 convolutions side by side, each reading a Relu of the input: branch a/ and branch b/.
  const w = (name: string) => floatTensor(name, [2, 3, 1, 1], Float32Array.from({ length: 6 }, (_x, i) => 0.1 * (i + 1)));
  const g: Graph = {
    name: 'two', inputs: [{ name: 'x', dataType: DataType.FLOAT, shape: [1, 3, 2, 2] }],
    outputs: [{ name: 'a/y', dataType: DataType.FLOAT, shape: [1, 2, 2, 2] }, { name: 'b/y', dataType: DataType.FLOAT, shape: [1, 2, 2, 2] }],
    initializers: [w('a/w'), floatTensor('a/b', [2], new Float32Array(2)), w('b/w'), floatTensor('b/b', [2], new Float32Array(2))],
    nodes: ['a', 'b'].flatMap((p) => [
      { opType: 'Relu', name: `${p}/r`, inputs: ['x'], outputs: [`${p}/r`] },
      { opType: 'Conv', name: `${p}/y`, inputs: [`${p}/r`, `${p}/w`, `${p}/b`], outputs: [`${p}/y`] },
    ]),
  };
  it('quantises the chosen branch and leaves convolutions marked float untouched', () => {
    const q = quantizeQdq(g, new Map([['a/r', { min: 0, max: 1 }]]), undefined, (n) => n.name.startsWith('b/'));
    const names = new Set(q.initializers.map((t) => t.name));
    expect(names.has('a/w_q') && !names.has('a/w')).toBe(true);
    expect(names.has('b/w') && !names.has('b/w_q')).toBe(true);
    expect(q.nodes.find((n) => n.name === 'b/y')?.inputs).toEqual(['b/r', 'b/w', 'b/b']);
    // Without the predicate the uncalibrated branch still gets int8 weights (weight-only).
    expect(quantizeQdq(g, new Map([['a/r', { min: 0, max: 1 }]])).initializers.some((t) => t.name === 'b/w_q')).toBe(true);
  });
});
