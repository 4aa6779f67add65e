// Synthetic clustered "backbone features" for tests: each identity is a random centre; each image
// adds strong nuisance variation along a few shared directions (pose/light stand-ins) plus noise.
// Raw cosine is hurt by the nuisance; a trained head can learn to ignore it, on unseen identities.
import type { LabeledSet } from './dataset.js';
import { makeRng } from './rng.js';

export interface SyntheticSpec {
  identities: number;
  perIdentity: number;
  dim: number;
  nuisanceDirections?: number;
  nuisanceScale?: number;
  noise?: number;
  seed?: number;
  /** Label offset and name prefix, so several sets can share directions but not identities. */
  firstIdentity?: number;
}

function gaussian(r: { next(): number }) {
  return Math.sqrt(-2 * Math.log(1 - r.next())) * Math.cos(2 * Math.PI * r.next());
}

export function syntheticSet(spec: SyntheticSpec): LabeledSet {
  const { identities, perIdentity, dim, nuisanceDirections = 4, nuisanceScale = 0.8, noise = 0.5, seed = 1, firstIdentity = 0 } = spec;
  // Directions depend only on the seed; identity centres on their global index.
  const dirRng = makeRng(seed);
  const dirs = Array.from({ length: nuisanceDirections }, () => Float32Array.from({ length: dim }, () => gaussian(dirRng)));
  const n = identities * perIdentity;
  const features = new Float32Array(n * dim);
  const paths: string[] = [];
  const names: string[] = [];
  for (let l = 0; l < identities; l++) {
    const id = firstIdentity + l;
    const r = makeRng(seed * 7919 + id + 1);
    const centre = Float32Array.from({ length: dim }, () => gaussian(r));
    names.push(`Person_${id}`);
    for (let k = 0; k < perIdentity; k++) {
      const row = (l * perIdentity + k) * dim;
      const z = dirs.map(() => gaussian(r) * nuisanceScale);
      for (let j = 0; j < dim; j++) {
        let v = centre[j] + noise * gaussian(r);
        for (let d = 0; d < dirs.length; d++) v += z[d] * dirs[d][j];
        features[row + j] = Math.max(0, 1 + 0.3 * v); // non-negative, like pooled ReLU features
      }
      paths.push(`Person_${id}/Person_${id}_${String(k + 1).padStart(4, '0')}.jpg`);
    }
  }
  const labels = Int32Array.from({ length: n }, (_, i) => Math.floor(i / perIdentity));
  return { paths, labels, names, dim, features };
}
