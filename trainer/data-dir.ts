// Where the LFW data lives: `--data`, else env FACES_DIR, else ../shared/data/lfw beside the repo.
// The data is read-only and never copied into the repo; a missing folder is reported plainly.
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..');

export interface LfwDir {
  root: string;
  /** The folder of Name/Name_000N.jpg (lfw-deepfunneled/ when present, else root itself). */
  images: string;
  /** An index file under root, e.g. file('pairs.txt'). */
  file(name: string): string;
}

export function resolveDataDir(flag?: string, env: NodeJS.ProcessEnv = process.env): LfwDir {
  const root = resolve(flag ?? env.FACES_DIR ?? join(repoRoot, '..', 'shared', 'data', 'lfw'));
  if (!existsSync(root)) {
    throw new Error(`LFW data not found at ${root}: pass --data <dir> or set FACES_DIR (expects lfw-deepfunneled/ and the index .txt files)`);
  }
  const deep = join(root, 'lfw-deepfunneled');
  return {
    root,
    images: existsSync(deep) ? deep : root,
    file(name) {
      const p = join(root, name);
      if (!existsSync(p)) throw new Error(`LFW index file missing: ${p}`);
      return p;
    },
  };
}
