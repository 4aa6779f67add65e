// onnxruntime-web inside workerd: the precompiled-wasm shim, batching and unit-norm outputs.
import { describe, expect, it } from 'vitest';
import { createWorkerEmbedder } from '../src/model/embedder';
import { tinyModel, TINY } from './tiny-model';

const io = { inputName: TINY.input, outputName: TINY.output, size: TINY.size, embeddingSize: TINY.dim, fixedBatch: null };
const tensor = (f: (i: number) => number) => new Float32Array(TINY.size * TINY.size * 3).map((_, i) => f(i));

describe('embedder', () => {
  it('runs an ONNX model with the wasm backend and returns unit vectors', async () => {
    const e = await createWorkerEmbedder(tinyModel(), io);
    expect(e.backend).toBe('wasm');
    const [a, b, c] = await e.embed([tensor(Math.sin), tensor(Math.sin), tensor(Math.cos)]);
    expect(a).toHaveLength(TINY.dim);
    expect(a.reduce((s, v) => s + v * v, 0)).toBeCloseTo(1, 4);
    expect([...a]).toEqual([...b]);
    expect([...a]).not.toEqual([...c]);
  });

  it('splits batches for a model with a fixed batch size', async () => {
    const e = await createWorkerEmbedder(tinyModel(), { ...io, fixedBatch: 1 });
    const out = await e.embed([tensor(Math.sin), tensor(Math.cos), tensor(Math.tan)]);
    const all = await (await createWorkerEmbedder(tinyModel(), io)).embed([tensor(Math.sin), tensor(Math.cos), tensor(Math.tan)]);
    out.forEach((v, i) => v.forEach((x, j) => expect(x).toBeCloseTo(all[i][j], 5)));
  });

  it('serialises concurrent runs on one session', async () => {
    const e = await createWorkerEmbedder(tinyModel(), io);
    const runs = await Promise.all(Array.from({ length: 5 }, (_, k) => e.embed([tensor((i) => Math.sin(i * (k + 1)))])));
    expect(runs.every(([v]) => v.length === TINY.dim)).toBe(true);
  });
});
