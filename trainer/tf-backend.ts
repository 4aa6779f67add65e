// Picks the fastest tfjs backend available: tfjs-node-gpu → tfjs-node → wasm → cpu. The native
// packages are optional dependencies and may be absent; each failure falls through to the next.
import * as tf from '@tensorflow/tfjs';

export type BackendName = 'tensorflow' | 'wasm' | 'cpu';

const candidates: { pkg: string; backend: BackendName }[] = [
  { pkg: '@tensorflow/tfjs-node-gpu', backend: 'tensorflow' },
  { pkg: '@tensorflow/tfjs-node', backend: 'tensorflow' },
  { pkg: '@tensorflow/tfjs-backend-wasm', backend: 'wasm' },
];

let chosen: Promise<string> | undefined;

/** A tiny forward+backward step, so a backend that loads but cannot train is rejected. */
async function canTrain(): Promise<boolean> {
  const w = tf.variable(tf.tensor2d([[0.5, -0.25]]));
  try {
    const g = tf.variableGrads(() => tf.sum(tf.sigmoid(tf.matMul(w, tf.ones([2, 1])))));
    const ok = Number.isFinite((await g.grads[w.name].data())[0]);
    tf.dispose([g.value, ...Object.values(g.grads)]);
    return ok;
  } finally {
    w.dispose();
  }
}

/** Initialises once and returns the backend name; `prefer` (e.g. 'cpu', from TRAINER_BACKEND) skips the search. */
export function initBackend(prefer = process.env.TRAINER_BACKEND, log: (msg: string) => void = console.error): Promise<string> {
  chosen ??= (async () => {
    for (const c of candidates) {
      if (prefer && prefer !== c.backend && prefer !== c.pkg) continue;
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
  })();
  return chosen;
}
