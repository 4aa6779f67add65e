// Gate for tests that need the real LFW images: they run when the data is present, fail under CI
// when it is absent (CI has it), and otherwise skip with a loud message naming the missing path.
import { describe } from 'vitest';
import { dataAbsentReason, dataRoot, imagesDir } from '../trainer/data-root.js';

const reason = dataAbsentReason();
if (reason) {
  if (process.env.CI) throw new Error(`${reason} — CI must run the real-data tests`);
  console.warn(`\n*** SKIPPING real-data tests: ${reason} ***\n`);
}

export const LFW_ROOT = dataRoot();
export const LFW_IMAGES = imagesDir(LFW_ROOT);
export const describeWithLfw = describe.skipIf(reason !== null);
