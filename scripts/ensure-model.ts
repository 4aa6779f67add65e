// Runs before the tests: builds each registered backbone's models (models/build/…) from the
// committed artefacts when they are missing or do not match its manifest.
import { execFileSync } from 'node:child_process';
import { modelIsBuilt } from '../models/node/load.js';
import { repoRoot } from '../paths.js';
import { BACKBONE_IDS, buildArgs, manifestOf } from '../trainer/backbone/ids.js';

for (const id of BACKBONE_IDS) {
  if (modelIsBuilt(manifestOf(id))) console.error(`[ensure-model] ${id}: models/build matches ${manifestOf(id)}`);
  else execFileSync('npx', buildArgs(id), { cwd: repoRoot, stdio: 'inherit' });
}
