// GET /v1/health — public. Reports the inference backend (and why not WebGPU) and whether this
// isolate has the model loaded (and which version), and onnxruntime's Wasm memory in this isolate.
// ?load=1 loads it first, for warm-up probes and deploy checks.
import { Hono } from 'hono';
import { backend, webgpuStatus } from '../model/embedder';
import { getModel, modelStatus } from '../model/loader';
import { shimmedMemoryBytes } from '../model/wasm-shim';

export const health = new Hono<{ Bindings: Env }>().get('/v1/health', async (c) => {
  if (c.req.query('load')) await getModel(c.env).catch(() => undefined);
  const m = modelStatus();
  return c.json({
    status: m.error ? 'degraded' : 'ok',
    backend,
    webgpu: webgpuStatus(),
    model: { loaded: m.loaded, modelVersion: m.modelVersion ?? null, ...(m.error ? { error: m.error } : {}) },
    memory: { onnxruntimeWasmBytes: shimmedMemoryBytes() },
  });
});
