// Candidate cut points of the frozen backbone, all computed in one pass. flatten_1 is the seed's
// 2048-d feature (after mixed10, whose upper layers were fine-tuned on non-face data); mixed5 and
// mixed2 keep their ImageNet weights; grids keep a face's coarse layout.
import type { FeatureTap } from '../onnx/keras-to-onnx.js';

export const FEATURE_TAPS: FeatureTap[] = [
  { output: 'flatten_1', layer: 'flatten_1', pool: 'none' },
  { output: 'mixed7_grid2', layer: 'mixed7', pool: 'grid2' },
  { output: 'mixed5_gap', layer: 'mixed5', pool: 'gap' },
  { output: 'mixed5_grid3', layer: 'mixed5', pool: 'grid3' },
  { output: 'mixed6_grid3', layer: 'mixed6', pool: 'grid3' },
  { output: 'mixed7_grid3', layer: 'mixed7', pool: 'grid3' },
  { output: 'mixed2_grid3', layer: 'mixed2', pool: 'grid3' },
];

export const tapByName = (name: string): FeatureTap => {
  const t = FEATURE_TAPS.find((x) => x.output === name);
  if (!t) throw new Error(`unknown feature '${name}' (known: ${FEATURE_TAPS.map((x) => x.output).join(', ')})`);
  return t;
};
