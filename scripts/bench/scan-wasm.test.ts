// The committed edge/src/gallery/scan.wasm is what edge/src/gallery/scan.wat compiles to (the Worker imports the .wasm;
// its kernels are tested in workerd by edge/test/snapshot.test.ts).
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';

it('edge/src/gallery/scan.wasm is up to date with scan.wat', () => {
  const script = fileURLToPath(new URL('../../edge/scripts/build-scan-wasm.mjs', import.meta.url));
  expect(execFileSync(process.execPath, [script, '--check']).toString()).toMatch(/up to date/);
});
