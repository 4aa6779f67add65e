// Picks the fastest tfjs backend available: tfjs-node-gpu → tfjs-node → wasm → cpu. The native
// packages are optional dependencies and may be absent; each failure falls through to the next,
// and a backend is only accepted after a forward+backward step gives a finite gradient.
import * as tf from '@tensorflow/tfjs';

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

let chosen: Promise<string> | undefined;

/** Initialises once per process; TRAINER_BACKEND=cpu|wasm|tensorflow (or a package name) narrows the search. */
export function initBackend(prefer = process.env.TRAINER_BACKEND, log: (msg: string) => void = console.error): Promise<string> {
  chosen ??= selectBackend(CANDIDATES.filter((c) => !prefer || prefer === c.backend || prefer === c.pkg), log);
  return chosen;
}
