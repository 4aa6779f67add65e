// Picks the fastest tfjs backend available: tfjs-node-gpu → tfjs-node → wasm → cpu. The native
// packages are optional dependencies and may be absent; each failure falls through to the next,
// and a backend is only accepted after a forward+backward step gives a finite gradient.
import * as tf from '@tensorflow/tfjs';
import type { KernelFunc, TensorInfo } from '@tensorflow/tfjs';

export interface Candidate { pkg: string; backend: string }

export const CANDIDATES: Candidate[] = [
  { pkg: '@tensorflow/tfjs-node-gpu', backend: 'tensorflow' },
  { pkg: '@tensorflow/tfjs-node', backend: 'tensorflow' },
  { pkg: '@tensorflow/tfjs-backend-wasm', backend: 'wasm' },
];

async function canTrain(): Promise<boolean> {
  const w = tf.variable(tf.tensor2d([[0.5, -0.25]]));
  try {
    const g = tf.variableGrads(() => tf.sum(tf.sigmoid(tf.matMul(w, tf.ones([2, 1])))));
    const grad = await g.grads[w.name].data();
    tf.dispose([g.value, ...Object.values(g.grads)]);
    const s = 1 / (1 + Math.exp(-0.25)); // d/dw0 sigmoid(w0 + w1) at w0 + w1 = 0.25
    return Math.abs(grad[0] - s * (1 - s)) < 1e-4;
  } finally {
    w.dispose();
  }
}

/** Tries the candidates in order (no caching); falls back to the pure-JS cpu backend. */
export async function selectBackend(candidates: Candidate[], log: (msg: string) => void): Promise<string> {
  for (const c of candidates) {
    try {
      const spec: string = c.pkg; // a variable specifier: optional packages have no types here
      await import(spec);
      if ((await tf.setBackend(c.backend)) && (await canTrain())) {
        if (c.backend === 'wasm') transposeBeforeMatMul('wasm');
        log(`tfjs backend: ${c.backend} (${c.pkg})`);
        return c.backend;
      }
    } catch {
      // not installed or not usable on this machine: try the next one
    }
  }
  await tf.setBackend('cpu');
  log('tfjs backend: cpu (pure JS; install @tensorflow/tfjs-node or -node-gpu for speed)');
  return 'cpu';
}

/**
 * tfjs-backend-wasm multiplies with transposeA/transposeB ~10-40× slower than without (measured on
 * 192×3072 · 3072×512: 0.8 vs 33 GFLOP/s), and every Dense gradient asks for one. This re-registers
 * the backend's BatchMatMul so that it transposes the operand first (a cheap copy), then multiplies
 * plainly. Results are identical; idempotent.
 */
export function transposeBeforeMatMul(backendName: string): boolean {
  const mm = tf.getKernel('BatchMatMul', backendName);
  const tr = tf.getKernel('Transpose', backendName);
  if (!mm || !tr || (mm.kernelFunc as { wrapped?: boolean }).wrapped) return false;
  const plain = mm.kernelFunc;
  const kernelFunc: KernelFunc = ({ inputs, backend, attrs }) => {
    const { transposeA, transposeB } = attrs as { transposeA: boolean; transposeB: boolean };
    const { a, b } = inputs as { a: TensorInfo; b: TensorInfo };
    if (!transposeA && !transposeB) return plain({ inputs, backend, attrs });
    // Swap the last two axes (ops pass rank 2 or higher; batch axes stay).
    const swap = (x: TensorInfo) => {
      const perm = x.shape.map((_, i) => i);
      [perm[perm.length - 2], perm[perm.length - 1]] = [perm[perm.length - 1], perm[perm.length - 2]];
      return tr.kernelFunc({ inputs: { x }, backend, attrs: { perm } }) as TensorInfo;
    };
    const at = transposeA ? swap(a) : a, bt = transposeB ? swap(b) : b;
    const free = (x: TensorInfo) => (backend as tf.KernelBackend).disposeData(x.dataId);
    try {
      return plain({ inputs: { a: at, b: bt }, backend, attrs: { ...attrs, transposeA: false, transposeB: false } });
    } finally {
      if (at !== a) free(at);
      if (bt !== b) free(bt);
    }
  };
  (kernelFunc as { wrapped?: boolean }).wrapped = true;
  tf.unregisterKernel('BatchMatMul', backendName);
  tf.registerKernel({ ...mm, kernelFunc, setupFunc: undefined });
  return true;
}

let chosen: Promise<string> | undefined;

/** Initialises once per process; TRAINER_BACKEND=cpu|wasm|tensorflow (or a package name) narrows the search. */
export function initBackend(prefer = process.env.TRAINER_BACKEND, log: (msg: string) => void = console.error): Promise<string> {
  chosen ??= selectBackend(CANDIDATES.filter((c) => !prefer || prefer === c.backend || prefer === c.pkg), log);
  return chosen;
}
