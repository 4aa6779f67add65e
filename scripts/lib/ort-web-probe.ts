// Runs a model under onnxruntime-web (WASM backend, 1 thread, no proxy) in Node and reports what a
// Worker isolate would hold: the Wasm linear memory (read from the instantiated module) plus the JS heap.
import * as ort from 'onnxruntime-web/wasm';

export interface WebProbe {
  createMs: number;
  wasmBytes: () => number;
  session: ort.InferenceSession;
}

const memories: WebAssembly.Memory[] = [];
const original = WebAssembly.instantiate;
// Record every Memory the runtime creates or exports, whichever way the glue wires it.
WebAssembly.instantiate = (async (src: any, imports?: any) => {
  const r: any = await (original as any)(src, imports);
  const inst: WebAssembly.Instance = r.instance ?? r;
  for (const v of Object.values(inst.exports)) if (v instanceof WebAssembly.Memory) memories.push(v);
  for (const mod of Object.values(imports ?? {})) for (const v of Object.values(mod as object)) if (v instanceof WebAssembly.Memory) memories.push(v);
  return r;
}) as typeof WebAssembly.instantiate;

export async function createWebSession(model: Uint8Array, optimization: 'all' | 'basic' | 'disabled' = 'all'): Promise<WebProbe> {
  ort.env.wasm.numThreads = 1;
  ort.env.wasm.proxy = false;
  const t0 = performance.now();
  const session = await ort.InferenceSession.create(model, { executionProviders: ['wasm'], graphOptimizationLevel: optimization });
  const createMs = performance.now() - t0;
  return { createMs, session, wasmBytes: () => Math.max(0, ...memories.map((m) => m.buffer.byteLength)) };
}

export async function runWeb(session: ort.InferenceSession, x: Float32Array, shape: number[]): Promise<Float32Array> {
  const out = await session.run({ [session.inputNames[0]]: new ort.Tensor('float32', x, shape) });
  return out[session.outputNames[0]].data as Float32Array;
}
