// GET /v1/health — public. Reports the inference backend (and why not WebGPU) and whether this
// isolate has the model loaded (and which version), and onnxruntime's Wasm memory in this isolate.
// ?load=1 loads it first, for warm-up probes and deploy checks.
import { createRoute, z } from '@hono/zod-openapi';
import { backend, webgpuStatus } from '../model/embedder';
import { getModel, modelStatus } from '../model/loader';
import { shimmedMemoryBytes } from '../model/wasm-shim';
import { api, ok } from './openapi';

const Backend = z.enum(['webgpu', 'wasm']);
export const BackendSchema = Backend;

const route = createRoute({
  method: 'get',
  path: '/v1/health',
  summary: 'Backend and model status (?load=1 loads the model)',
  request: { query: z.object({ load: z.string().optional().openapi({ description: 'any non-empty value: load the model first (warm-up, deploy checks)' }) }) },
  responses: {
    200: ok(
      z.object({
        status: z.enum(['ok', 'degraded']).openapi({ description: 'degraded: the last model load failed (model.error says why)' }),
        backend: Backend,
        webgpu: z.string().openapi({ description: 'why WebGPU is not the backend, e.g. "unavailable: navigator.gpu undefined"' }),
        model: z.object({ loaded: z.boolean(), modelVersion: z.string().nullable(), error: z.string().optional() }),
        memory: z.object({ onnxruntimeWasmBytes: z.number().int().openapi({ description: "onnxruntime-web's Wasm linear memory in this isolate (0 before the model loads)" }) }),
      }),
    ),
  },
});

export const health = api().openapi(route, async (c) => {
  if (c.req.valid('query').load) await getModel(c.env).catch(() => undefined);
  const m = modelStatus();
  return c.json(
    {
      status: m.error ? ('degraded' as const) : ('ok' as const),
      backend,
      webgpu: webgpuStatus(),
      model: { loaded: m.loaded, modelVersion: m.modelVersion ?? null, ...(m.error ? { error: m.error } : {}) },
      memory: { onnxruntimeWasmBytes: shimmedMemoryBytes() },
    },
    200,
  );
});
