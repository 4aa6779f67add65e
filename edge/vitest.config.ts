// Edge tests run inside workerd (the same runtime as production) through the Workers Vitest
// plugin, against the root wrangler.toml with local KV/R2. Fixture images are made in Node by
// test/global-setup.ts and handed to the tests with vitest's provide/inject. The gallery rows are
// the production default (wrangler.toml's GALLERY_DTYPE, "i8"). EDGE_BENCH=1 runs the workerd
// timings of `npm run bench` (edge/test/*.workerd-bench.ts) instead of the tests.
import { fileURLToPath } from 'node:url';
import { cloudflareTest } from '@cloudflare/vitest-pool-workers';
import { configDefaults, defineConfig } from 'vitest/config';

const root = fileURLToPath(new URL('..', import.meta.url));
const OWN_ISOLATE = ['edge/test/parity.test.ts'];
// Test-only secrets. wrangler.toml's [secrets] makes the pool look for them in process.env.
// test-key-1 is in the older unnamed form (id key1, default scopes); test-key-2 may see identify's candidates.
// EMBEDDING_KEYS: one AES-256 key (id test-1) that seals embeddings at rest, made for the tests only.
const secrets = {
  ADMIN_TOKEN: 'test-admin-token',
  API_KEYS: 'test-key-1,client2:test-key-2:verify+identify+identify:candidates',
  EMBEDDING_KEYS: 'test-1:Gx8vmpjNt8SLxee7dvuNX9ldBA9zsyrbKxqojflhl5s=',
};
Object.assign(process.env, secrets);

export default defineConfig({
  root,
  plugins: [
    cloudflareTest({
      wrangler: { configPath: `${root}/wrangler.toml` },
      miniflare: {
        // Quotas high enough that no test but the quota tests (which set their own) meets them. FUZZ_*:
        // edge/test/fuzz.test.ts's request count and seed (FUZZ_REQUESTS=5000 for the BENCHMARKS figure);
        // DISCLOSURE_CALLS: edge/test/disclosure.test.ts's stranger calls (1000 for the BENCHMARKS figure).
        // GALLERY_VECTORIZE_STANDIN: unbound Vectorize indexes are served by the in-memory stand-in (GALLERY_BACKEND stays "kv").
        bindings: { ...secrets, AUTH_DISABLED: 'false', RATE_LIMITS: '*=1000/s', FUZZ_REQUESTS: process.env.FUZZ_REQUESTS ?? '', FUZZ_SEED: process.env.FUZZ_SEED ?? '', DISCLOSURE_CALLS: process.env.DISCLOSURE_CALLS ?? '', GALLERY_VECTORIZE_STANDIN: 'true' },
      },
    }),
  ],
  test: {
    globalSetup: ['edge/test/global-setup.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    projects: process.env.EDGE_BENCH
      ? [{ extends: true, test: { name: 'workerd-bench', include: ['edge/test/*.workerd-bench.ts'] } }]
      : [
          // One workerd for all files (vitest isolate: false): its start-up and module loading were
          // most of the suite's time when paid per file. Tests use their own ids and galleries.
          { extends: true, test: { name: 'workerd', include: ['edge/**/*.test.ts'], exclude: [...configDefaults.exclude, ...OWN_ISOLATE], isolate: false } },
          // Files that measure one isolate's memory get a workerd of their own.
          { extends: true, test: { name: 'workerd-own-isolate', include: OWN_ISOLATE } },
        ],
  },
});
