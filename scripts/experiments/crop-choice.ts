// Experiment. Decision it supports: the default crop and feature tap of the InceptionV3 backbone. Result recorded in BENCHMARKS.md, "Crop and cut point (2026-11-28)".
// Chooses the default crop by measurement: raw-feature verification AUC (cosine, DeLong 95% CI) on
// all 1,000 pairs of pairsDevTest.txt, for the full image and two centre crops, at every feature tap.
// Usage: npx tsx scripts/experiments/crop-choice.ts [--data DIR] [--crops 1,0.6,0.48]   (prints a markdown table)
import { Command } from 'commander';
import { loadNsfwjs } from '../../trainer/backbone/source.js';
import { extractFeatures, openStores } from '../../trainer/features/extract.js';
import { FEATURE_TAPS } from '../../trainer/features/taps.js';
import { resolveDataDir } from '../../paths.js';
import { readPairs } from '../../trainer/data/lfw.js';
import { aucDeLong } from '../../trainer/evaluation/metrics.js';
import { LFW_CROP_SIDE, lfwPreprocess } from '../../models/contract/preprocess.js';
import { CACHE_ROOT } from '../../trainer/features/cache-root.js';

const opts = new Command().option('--data <dir>').option('--crops <list>', 'centre-crop sides as fractions', `1,0.6,${LFW_CROP_SIDE}`).parse().opts();
const lfw = resolveDataDir(opts.data);
const pairs = readPairs(lfw.file('pairsDevTest.txt'));
const paths = [...new Set(pairs.flatMap((p) => [p.a, p.b]))];
const source = loadNsfwjs();
const cosine = (a: Float32Array, b: Float32Array) => {
  let d = 0, x = 0, y = 0;
  for (let i = 0; i < a.length; i++) { d += a[i] * b[i]; x += a[i] * a[i]; y += b[i] * b[i]; }
  return d / Math.sqrt(x * y);
};

console.log(`pairsDevTest: ${pairs.length} pairs (${pairs.filter((p) => p.same).length} same), ${paths.length} images\n`);
console.log(`| crop (of 250 px) | ${FEATURE_TAPS.map((t) => t.output).join(' | ')} |`);
console.log(`|---|${FEATURE_TAPS.map(() => '---').join('|')}|`);
for (const side of String(opts.crops).split(',').map(Number)) {
  const spec = lfwPreprocess(source.inputScale, side);
  await extractFeatures({ source, imagesDir: lfw.images, paths, spec, taps: FEATURE_TAPS, cacheRoot: CACHE_ROOT });
  const stores = openStores({ source, spec, taps: FEATURE_TAPS, cacheRoot: CACHE_ROOT }, false);
  const cells = FEATURE_TAPS.map((t) => {
    const s = stores[t.output];
    const r = aucDeLong(pairs.map((p) => ({ score: cosine(s.get(p.a), s.get(p.b)), same: p.same })));
    return `${r.auc.toFixed(3)} [${r.ci95[0].toFixed(3)}, ${r.ci95[1].toFixed(3)}]`;
  });
  console.log(`| ${side === 1 ? 'full 250' : `centre ${Math.round(side * 250)}`} | ${cells.join(' | ')} |`);
}
