// Runs in Node before the workerd tests: renders fixture images with sharp (handed over with
// vitest's provide/inject) and serves the real model build and LFW photos over a loopback HTTP
// server, so tests can fetch files too large to inject. FACES_DIR overrides the LFW location.
import { createReadStream, existsSync, statSync } from 'node:fs';
import { createServer } from 'node:http';
import { join, normalize, resolve } from 'node:path';
import type { TestProject } from 'vitest/node';
import { makeFixtures } from './fixtures';

const root = resolve(import.meta.dirname, '../..');
const facesDir = resolve(root, process.env.FACES_DIR ?? '../shared/data/lfw/lfw-deepfunneled');
const served: Record<string, string> = { models: join(root, 'models'), faces: facesDir };

declare module 'vitest' {
  export interface ProvidedContext {
    fixtures: Record<string, string>;
    filesUrl: string;
    /** models/manifest.json's text when the real model has been built, else null. */
    realManifest: string | null;
    facesAvailable: boolean;
  }
}

export default async function setup(project: TestProject) {
  project.provide('fixtures', await makeFixtures());
  const server = createServer((req, res) => {
    const [, top, ...rest] = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname).split('/');
    const base = served[top];
    const path = base && normalize(join(base, ...rest));
    if (!path || !path.startsWith(base + '/') || !existsSync(path) || !statSync(path).isFile()) return res.writeHead(404).end();
    res.writeHead(200, { 'content-length': statSync(path).size });
    createReadStream(path).pipe(res);
  });
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  const { port } = server.address() as { port: number };
  project.provide('filesUrl', `http://127.0.0.1:${port}`);
  const manifestPath = join(root, 'models/manifest.json');
  project.provide('realManifest', existsSync(manifestPath) ? (await import('node:fs')).readFileSync(manifestPath, 'utf8') : null);
  project.provide('facesAvailable', existsSync(facesDir));
  return () => new Promise<void>((ok) => server.close(() => ok()));
}
