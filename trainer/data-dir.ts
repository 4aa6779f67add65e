// Moved to paths.ts at the repo root (repoRoot, FACES_DIR = the LFW root, PHOTOS_DIR). This
// re-export only serves files that were being edited elsewhere when the move landed; import paths.ts.
export { repoRoot, resolveDataDir, type LfwDir } from '../paths.js';
