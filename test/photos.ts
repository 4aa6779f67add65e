// Gate for tests that need ../shared/data/photos (ordinary photos of known people, not LFW): they
// run when present, fail under CI when absent, and otherwise skip loudly. PHOTOS_DIR overrides (paths.ts).
import { describe } from 'vitest';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { photosDir } from '../paths.js';

export const PHOTOS = photosDir();
const reason = existsSync(join(PHOTOS, 'two_people.jpg')) ? null : `no photos at ${PHOTOS} (set PHOTOS_DIR)`;
if (reason) {
  if (process.env.CI) throw new Error(`${reason} — CI must run the real-photo tests`);
  console.warn(`\n*** SKIPPING real-photo tests: ${reason} ***\n`);
}
export const describeWithPhotos = describe.skipIf(reason !== null);
export const photo = (name: string) => join(PHOTOS, name);
