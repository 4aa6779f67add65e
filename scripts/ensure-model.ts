// Runs before the tests: builds models/build/*.onnx from the committed head, calibration and the
// nsfwjs backbone when they are missing or do not match models/manifest.json.
import { execFileSync } from 'node:child_process';
import { modelIsBuilt } from '../models/load.js';
import { repoRoot } from '../paths.js';

if (modelIsBuilt()) console.error('[ensure-model] models/build matches models/manifest.json');
else execFileSync('npx', ['tsx', 'scripts/build-model.ts'], { cwd: repoRoot, stdio: 'inherit' });
