// Generated files are committed (a fresh clone type-checks and runs without a generation step, and
// `npm ci` runs no install scripts); these checks fail when one no longer matches its source.
// The console bundle and scan.wasm have their own checks (scripts/build-console.test.ts,
// scripts/bench/scan-wasm.test.ts); this one covers the Worker's Env types. `wrangler types --check`
// compares only the header's config hash, so the types are generated beside the committed file and
// compared line by line (all but line 2, which names the output path and its hash).
import { execFileSync } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { repoRoot } from '../paths.js';

const body = (path: string) => readFileSync(path, 'utf8').split('\n').filter((_l, i) => i !== 1);

it('edge/worker-configuration.d.ts is what `wrangler types` makes from wrangler.toml (else: npm run types)', { timeout: 60_000 }, () => {
  const fresh = join(repoRoot, 'edge', '.worker-configuration.check.d.ts');
  try {
    execFileSync('npx', ['wrangler', 'types', fresh, '--strict-vars=false'], { cwd: repoRoot, stdio: 'pipe' });
    expect(body(join(repoRoot, 'edge', 'worker-configuration.d.ts'))).toEqual(body(fresh));
  } finally {
    rmSync(fresh, { force: true });
  }
});
