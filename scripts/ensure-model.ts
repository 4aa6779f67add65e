// Runs before the tests: builds each registered backbone's models (models/build/…) from the
// committed artefacts when they are missing or do not match its manifest (opt-in backbones are
// built only when asked for: trainer/backbone/ids.ts).
import { execFileSync } from 'node:child_process';
import { modelIsBuilt } from '../models/node/load.js';
import { repoRoot } from '../paths.js';
import { buildArgs, manifestOf, STANDARD_BACKBONES } from '../trainer/backbone/ids.js';

for (const id of STANDARD_BACKBONES) {
  if (modelIsBuilt(manifestOf(id))) console.error(`[ensure-model] ${id}: models/build matches ${manifestOf(id)}`);
  else execFileSync('npx', buildArgs(id), { cwd: repoRoot, stdio: 'inherit' });
}
