// The Vectorize suite against a real index (edge/test/vectorize-remote.test.ts): the root
// wrangler.toml plus one remote Vectorize binding, GALLERY_VECTORS_0 → $VECTORIZE_TEST_INDEX (a
// 128-dimension cosine index in the logged-in account), proxied by wrangler's remote bindings.
//   VECTORIZE_TEST_INDEX=<index> npx vitest run --config edge/vitest.remote.config.ts
import { mkdirSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { cloudflareTest } from '@cloudflare/vitest-pool-workers';
import { defineConfig } from 'vitest/config';
import { experimental_readRawConfig } from 'wrangler';

const root = fileURLToPath(new URL('..', import.meta.url));
const index = process.env.VECTORIZE_TEST_INDEX;
if (!index) throw new Error('set VECTORIZE_TEST_INDEX to a 128-dimension cosine Vectorize index of the logged-in account');
const raw = experimental_readRawConfig({ config: `${root}/wrangler.toml` }).rawConfig as Record<string, unknown>;
const config = { ...raw, main: `${root}/edge/src/index.ts`, vectorize: [{ binding: 'GALLERY_VECTORS_0', index_name: index, remote: true }] };
mkdirSync(`${root}/.wrangler/test`, { recursive: true });
const configPath = `${root}/.wrangler/test/wrangler.vectorize-remote.json`;
writeFileSync(configPath, JSON.stringify(config, null, 2));
const secrets = { ADMIN_TOKEN: 'test-admin-token', API_KEYS: 'test-key-1,test-key-2' };
Object.assign(process.env, secrets);

export default defineConfig({
  root,
  plugins: [cloudflareTest({ wrangler: { configPath }, miniflare: { bindings: { ...secrets, AUTH_DISABLED: 'false' } } })],
  test: { include: ['edge/test/vectorize-remote.test.ts'], globalSetup: ['edge/test/global-setup.ts'], testTimeout: 900_000, hookTimeout: 120_000 },
});
