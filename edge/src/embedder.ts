// Inference: the only module that imports onnxruntime. Runs the ONNX embedding model with the
// single-threaded wasm backend, whose .wasm is imported as a precompiled module (see wasm-shim.ts).
// WebGPU would need onnxruntime's larger JSEP build (~28 MB more wasm) and navigator.gpu, which
// workerd does not expose, so this bundle reports 'webgpu' never and 'wasm' always.
import * as ort from 'onnxruntime-web/wasm';
// A relative path because wrangler's wasm rule resolves without package.json "exports".
import ortWasm from '../../node_modules/onnxruntime-web/dist/ort-wasm-simd-threaded.wasm';
import { SENTINEL, withPrecompiledWasm } from './wasm-shim';

export type Backend = 'webgpu' | 'wasm';

/** What inference needs from the manifest (input/output names, tensor side, embedding size). */
export interface ModelIO {
  inputName: string;
  outputName: string;
  size: number;
  embeddingSize: number;
  /** Fixed batch size of the graph's input, or null when it is dynamic ('N'). */
  fixedBatch: number | null;
}

export interface Embedder {
  readonly backend: Backend;
  /** Embed NHWC [size, size, 3] tensors; returns one unit vector per input. */
  embed(inputs: Float32Array[]): Promise<Float32Array[]>;
}

/** WebGPU is not in this build; kept as the one switch should the JSEP build be bundled later. */
export const backend: Backend = 'wasm';

ort.env.wasm.numThreads = 1;
ort.env.wasm.proxy = false;
ort.env.wasm.wasmBinary = SENTINEL;
ort.env.logLevel = 'error';

export async function createEmbedder(model: Uint8Array, io: ModelIO): Promise<Embedder> {
  const session = await withPrecompiledWasm(ortWasm, () =>
    ort.InferenceSession.create(model, { executionProviders: ['wasm'], graphOptimizationLevel: 'all' }),
  );
  let queue: Promise<unknown> = Promise.resolve();
  const runBatch = async (batch: Float32Array[]): Promise<Float32Array[]> => {
    const per = io.size * io.size * 3;
    const data = new Float32Array(batch.length * per);
    batch.forEach((t, i) => data.set(t, i * per));
    const feeds = { [io.inputName]: new ort.Tensor('float32', data, [batch.length, io.size, io.size, 3]) };
    const out = (await session.run(feeds))[io.outputName];
    const flat = out.data as Float32Array;
    if (flat.length !== batch.length * io.embeddingSize) throw new Error(`model output has ${flat.length} values`);
    return batch.map((_, i) => normalize(flat.slice(i * io.embeddingSize, (i + 1) * io.embeddingSize)));
  };
  const embed = async (inputs: Float32Array[]) => {
    const chunk = io.fixedBatch ?? inputs.length;
    const out: Float32Array[] = [];
    for (let i = 0; i < inputs.length; i += chunk) out.push(...(await runBatch(inputs.slice(i, i + chunk))));
    return out;
  };
  // One run at a time per isolate: the wasm backend is single-threaded anyway.
  return {
    backend,
    embed: (inputs) => {
      const next = queue.then(() => embed(inputs));
      queue = next.catch(() => undefined);
      return next;
    },
  };
}

function normalize(v: Float32Array): Float32Array {
  let s = 0;
  for (let i = 0; i < v.length; i++) s += v[i] * v[i];
  const n = Math.sqrt(s) || 1;
  for (let i = 0; i < v.length; i++) v[i] /= n;
  return v;
}
