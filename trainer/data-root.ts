// Resolves the LFW-style data root from --data / FACES_DIR, defaulting to ../shared/data/lfw beside the repo.
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = resolve(fileURLToPath(import.meta.url), '../..');
export const DEFAULT_DATA = resolve(REPO_ROOT, '../shared/data/lfw');

export function dataRoot(flag?: string): string {
  return resolve(flag ?? process.env.FACES_DIR ?? DEFAULT_DATA);
}

/** The folder holding Name/Name_000N.jpg: the deep-funneled subfolder when present. */
export function imagesDir(root: string): string {
  const df = join(root, 'lfw-deepfunneled');
  return existsSync(df) ? df : root;
}

/** Null when present; otherwise a message tests print so a missing dataset is never silent. */
export function dataAbsentReason(root = dataRoot()): string | null {
  return existsSync(imagesDir(root)) && existsSync(join(root, 'pairsDevTest.txt'))
    ? null
    : `LFW data not found at ${root} (set FACES_DIR to an LFW folder with lfw-deepfunneled/ and pairsDevTest.txt)`;
}
