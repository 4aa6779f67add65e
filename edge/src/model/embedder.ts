// Inference: the only module that imports onnxruntime. Runs the ONNX embedding model and the face
// detector with the single-threaded wasm backend, whose .wasm is imported as a precompiled module (see wasm-shim.ts).
// WebGPU is detected (navigator.gpu) but not bundled: workerd exposes no navigator.gpu, and
// onnxruntime-web's WebGPU build (`onnxruntime-web/webgpu`, ort-wasm-simd-threaded.asyncify.wasm)
// measured 6.6 MiB gzip alone (10.2 MiB with this wasm build: over the 10 MiB limit) and ran the
// CPU path ~5x slower in workerd. Figures and commands: edge/README.md, "Inference backend".
import * as ort from 'onnxruntime-web/wasm';
// A relative path because wrangler's wasm rule resolves without package.json "exports".
import ortWasm from '../../../node_modules/onnxruntime-web/dist/ort-wasm-simd-threaded.wasm';
import { SENTINEL, withPrecompiledWasm } from './wasm-shim';
import { l2Normalize } from '../../../models/contract/distance';
import type { DetectorSpec } from '../../../models/contract/face/detect';
import type { RunDetector } from '../../../models/contract/face/pipeline';

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

export interface WorkerEmbedder {
  readonly backend: Backend;
  /** webgpuStatus() at session creation. */
  readonly webgpu: string;
  /** Embed NHWC [size, size, 3] tensors; returns one unit vector per input. */
  embed(inputs: Float32Array[]): Promise<Float32Array[]>;
}

/** The execution provider every session uses: this bundle carries onnxruntime's wasm-only build. */
export const backend: Backend = 'wasm';

/**
 * Why WebGPU is not used here, as /v1/health reports it: `navigator.gpu` is checked each time
 * (workerd has none; a runtime that grows one is named as such), and the bundled build has no
 * WebGPU execution provider either way.
 */
export function webgpuStatus(): string {
  const nav = (globalThis as { navigator?: { gpu?: unknown } }).navigator;
  const gpu = typeof nav === 'object' && nav !== null && 'gpu' in nav && !!nav.gpu;
  return gpu
    ? 'unavailable: navigator.gpu exists, but this bundle carries the wasm-only onnxruntime build'
    : 'unavailable: navigator.gpu undefined';
}

ort.env.wasm.numThreads = 1;
ort.env.wasm.proxy = false;
ort.env.wasm.wasmBinary = SENTINEL;
ort.env.logLevel = 'error';

const createSession = (model: Uint8Array) =>
  withPrecompiledWasm(ortWasm, () => ort.InferenceSession.create(model, { executionProviders: ['wasm'], graphOptimizationLevel: 'all', logSeverityLevel: 3 }));

// One run at a time per isolate, across sessions: the wasm backend is single-threaded anyway.
let queue: Promise<unknown> = Promise.resolve();
function serial<T>(work: () => Promise<T>): Promise<T> {
  const next = queue.then(work);
  queue = next.catch(() => undefined);
  return next;
}

export async function createWorkerEmbedder(model: Uint8Array, io: ModelIO): Promise<WorkerEmbedder> {
  const webgpu = webgpuStatus();
  const session = await createSession(model);
  const runBatch = async (batch: Float32Array[]): Promise<Float32Array[]> => {
    const per = io.size * io.size * 3;
    const data = new Float32Array(batch.length * per);
    batch.forEach((t, i) => data.set(t, i * per));
    const feeds = { [io.inputName]: new ort.Tensor('float32', data, [batch.length, io.size, io.size, 3]) };
    const out = (await session.run(feeds))[io.outputName];
    const flat = out.data as Float32Array;
    if (flat.length !== batch.length * io.embeddingSize) throw new Error(`model output has ${flat.length} values`);
    return batch.map((_, i) => l2Normalize(flat.subarray(i * io.embeddingSize, (i + 1) * io.embeddingSize)));
  };
  const embed = async (inputs: Float32Array[]) => {
    const chunk = io.fixedBatch ?? inputs.length;
    const out: Float32Array[] = [];
    for (let i = 0; i < inputs.length; i += chunk) out.push(...(await runBatch(inputs.slice(i, i + chunk))));
    return out;
  };
  return { backend, webgpu, embed: (inputs) => serial(() => embed(inputs)) };
}

/** The face detector's session as the contract's RunDetector (one letterboxed image per run). */
export async function createWorkerDetector(model: Uint8Array, spec: DetectorSpec): Promise<RunDetector> {
  const session = await createSession(model);
  const n = spec.size;
  return (input) => serial(async () => {
    const out = await session.run({ [spec.inputName]: new ort.Tensor('float32', input, [1, n, n, 3]) });
    return Object.fromEntries(Object.entries(out).map(([k, v]) => [k, v.data as Float32Array]));
  });
}
