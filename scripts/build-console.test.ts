// The console bundle checked in at edge/src/console/bundle.generated.ts is what
// scripts/build-console.ts makes from edge/console-app/ and the contract code it imports.
import { readFileSync } from 'node:fs';
import { expect, it } from 'vitest';
import { bundleConsole, bundleModule, CONSOLE_BUNDLE, typecheckConsole } from './build-console.js';

it('the checked-in console bundle is up to date (else: npx tsx scripts/build-console.ts)', async () => {
  const expected = bundleModule(await bundleConsole());
  expect(readFileSync(CONSOLE_BUNDLE, 'utf8') === expected, 'edge/src/console/bundle.generated.ts is stale: run npx tsx scripts/build-console.ts').toBe(true);
});

it('the console app type-checks against the DOM (npx tsc -p edge/console-app)', { timeout: 180_000 }, () => {
  expect(() => typecheckConsole()).not.toThrow();
});
