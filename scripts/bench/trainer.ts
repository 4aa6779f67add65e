// Trainer speeds: backbone feature extraction (images/s, onnxruntime-node, batch 8, 2 threads, into
// a throwaway cache) on a sample of LFW images, and head training wall seconds for one epoch on the
// cached full-LFW features (`trainer train --epochs 1 --fresh`, including loading the store).
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { lfwPreprocess } from '../../models/contract/preprocess.js';
import { loadBackbone } from '../../trainer/backbone/source.js';
import { resolveDataDir, repoRoot } from '../../paths.js';
import { extractFeatures } from '../../trainer/features/extract.js';
import { FEATURE_TAPS } from '../../trainer/features/taps.js';
import { indexImages } from '../../trainer/data/lfw.js';

export async function benchFeatures(sample: number): Promise<{ images: number; imagesPerSecond: number }> {
  const lfw = resolveDataDir(undefined);
  const source = loadBackbone('nsfwjs:inception_v3');
  const paths = [...indexImages(lfw.images).values()].flat().sort().filter((_, i) => i % 60 === 0).slice(0, sample);
  const spec = lfwPreprocess(source.inputScale);
  const cacheRoot = mkdtempSync(join(tmpdir(), 'bench-features-'));
  try {
    const r = await extractFeatures({ source, imagesDir: lfw.images, paths, spec, taps: FEATURE_TAPS.filter((t) => t.output === 'mixed7_grid2'), cacheRoot });
    return { images: r.computed, imagesPerSecond: r.imagesPerSecond };
  } finally {
    rmSync(cacheRoot, { recursive: true, force: true });
  }
}

export function benchTrainEpoch(features: string): { seconds: number } | null {
  if (!existsSync(join(features, 'meta.json'))) return null;
  const run = mkdtempSync(join(tmpdir(), 'bench-train-'));
  try {
    const t0 = performance.now();
    execFileSync('npx', ['tsx', 'trainer/cli.ts', 'train', '--features', features, '--run', run, '--epochs', '1', '--fresh'], { cwd: repoRoot, stdio: 'ignore' });
    return { seconds: (performance.now() - t0) / 1000 };
  } finally {
    rmSync(run, { recursive: true, force: true });
  }
}
