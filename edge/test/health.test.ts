// /v1/health names the inference backend and, explicitly, why it is not WebGPU. Inside workerd
// (the production runtime) there is no navigator.gpu, so the answer is wasm with that reason.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createWorkerEmbedder, webgpuStatus } from '../src/model/embedder';
import { call, startWithTinyModel } from './helpers';
import { tinyModel, TINY } from './tiny-model';

const io = { inputName: TINY.input, outputName: TINY.output, size: TINY.size, embeddingSize: TINY.dim, fixedBatch: null };

afterEach(() => {
  vi.unstubAllGlobals();
});

describe('/v1/health inference backend', () => {
  it('workerd has a navigator but no navigator.gpu', () => {
    expect(typeof navigator).toBe('object');
    expect('gpu' in navigator).toBe(false);
  });

  it('reports wasm and "unavailable: navigator.gpu undefined", before and after the model loads', async () => {
    await startWithTinyModel();
    const cold = await call('GET', '/v1/health', { auth: 'none' });
    expect(cold.status).toBe(200);
    expect(cold.data).toMatchObject({ status: 'ok', backend: 'wasm', webgpu: 'unavailable: navigator.gpu undefined' });
    const warm = await call('GET', '/v1/health?load=1', { auth: 'none' });
    expect(warm.data).toMatchObject({ status: 'ok', backend: 'wasm', webgpu: 'unavailable: navigator.gpu undefined', model: { loaded: true } });
  });

  it('the session itself records the same detection', async () => {
    const e = await createWorkerEmbedder(tinyModel(), io);
    expect([e.backend, e.webgpu]).toEqual(['wasm', 'unavailable: navigator.gpu undefined']);
  });

  it('a runtime with navigator.gpu is told apart: still wasm, because the bundle has no WebGPU build', async () => {
    vi.stubGlobal('navigator', { userAgent: 'test', gpu: { requestAdapter: async () => null } });
    expect(webgpuStatus()).toBe('unavailable: navigator.gpu exists, but this bundle carries the wasm-only onnxruntime build');
    const e = await createWorkerEmbedder(tinyModel(), io);
    expect(e.backend).toBe('wasm');
    expect(e.webgpu).toMatch(/navigator\.gpu exists/);
    const [v] = await e.embed([new Float32Array(TINY.size * TINY.size * 3).fill(0.5)]);
    expect(v).toHaveLength(TINY.dim);
    const h = await call('GET', '/v1/health', { auth: 'none' });
    expect(h.data).toMatchObject({ backend: 'wasm', webgpu: expect.stringMatching(/^unavailable: navigator\.gpu exists/) });
  });
});
