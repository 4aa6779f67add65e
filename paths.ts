// Where things are on disk, in one place, one meaning per name (Node only: the Worker in edge/src has
// no file system and never imports this).
//   repoRoot    this checkout
//   FACES_DIR   the LFW root: the folder holding lfw-deepfunneled/ and the index files (pairs.txt,
//               pairsDevTest.txt, peopleDevTrain.txt, …); default ../shared/data/lfw beside the repo.
//               `--data <dir>` on the commands that take it means the same.
//   PHOTOS_DIR  the folder of ordinary photos (not LFW); default ../shared/data/photos.
// Relative values resolve against the working directory. The data is read-only and never copied in.
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const repoRoot = dirname(fileURLToPath(import.meta.url));
const sharedData = join(repoRoot, '..', 'shared', 'data');

/** The LFW root: `flag` (--data), else $FACES_DIR, else ../shared/data/lfw. Not checked for existence. */
export function lfwRoot(flag?: string, env: NodeJS.ProcessEnv = process.env): string {
  return resolve(flag ?? env.FACES_DIR ?? join(sharedData, 'lfw'));
}

/** The folder of Name/Name_000N.jpg under an LFW root: lfw-deepfunneled/ when present, else the root itself. */
export function lfwImagesDir(root = lfwRoot()): string {
  const deep = join(root, 'lfw-deepfunneled');
  return existsSync(deep) ? deep : root;
}

/** The ordinary photos: $PHOTOS_DIR, else ../shared/data/photos. Not checked for existence. */
export function photosDir(env: NodeJS.ProcessEnv = process.env): string {
  return resolve(env.PHOTOS_DIR ?? join(sharedData, 'photos'));
}

export interface LfwDir {
  root: string;
  /** The folder of Name/Name_000N.jpg (lfw-deepfunneled/ when present, else root itself). */
  images: string;
  /** An index file under root, e.g. file('pairs.txt'). */
  file(name: string): string;
}

/** The LFW data (lfwRoot), checked: a missing folder or index file is reported plainly. */
export function resolveDataDir(flag?: string, env: NodeJS.ProcessEnv = process.env): LfwDir {
  const root = lfwRoot(flag, env);
  if (!existsSync(root)) {
    throw new Error(`LFW data not found at ${root}: pass --data <dir> or set FACES_DIR to the LFW root (the folder holding lfw-deepfunneled/ and the index .txt files)`);
  }
  return {
    root,
    images: lfwImagesDir(root),
    file(name) {
      const p = join(root, name);
      if (!existsSync(p)) throw new Error(`LFW index file missing: ${p}`);
      return p;
    },
  };
}
