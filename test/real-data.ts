// Gate for tests that need the real LFW images: they run when the data is present, fail under CI
// when it is absent (CI has it), and otherwise skip with a loud message naming the missing path.
import { describe } from 'vitest';
import { existsSync } from 'node:fs';
import { resolveDataDir, type LfwDir } from '../paths.js';

function find(): { lfw: LfwDir | null; reason: string | null } {
  try {
    const lfw = resolveDataDir();
    if (!existsSync(lfw.images)) return { lfw: null, reason: `no images folder at ${lfw.images}` };
    lfw.file('pairsDevTest.txt');
    return { lfw, reason: null };
  } catch (e) {
    return { lfw: null, reason: (e as Error).message };
  }
}

const { lfw, reason } = find();
if (reason) {
  if (process.env.CI) throw new Error(`${reason} — CI must run the real-data tests`);
  console.warn(`\n*** SKIPPING real-data tests: ${reason} ***\n`);
}

/** Only dereference inside describeWithLfw blocks. */
export const LFW = lfw as LfwDir;
export const describeWithLfw = describe.skipIf(reason !== null);
