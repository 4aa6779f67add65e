// Runs in Node before the workerd tests: renders fixture images with sharp (handed over with
// vitest's provide/inject) and serves the real model build and LFW photos over a loopback HTTP
// server, so tests can fetch files too large to inject. FACES_DIR overrides the LFW location,
// EDGE_TEST_MANIFEST the manifest (default models/manifest.json; its file must exist on disk).
// /reference/<Name>/<file> answers what the trainer's side computes for that photo (reference.ts).
import { createReadStream, existsSync, readFileSync, statSync } from 'node:fs';
import { createServer } from 'node:http';
import { basename, dirname, join, normalize, resolve } from 'node:path';
import type { TestProject } from 'vitest/node';
import { makeFixtures } from './fixtures';
import { trainerReference } from './reference';

const root = resolve(import.meta.dirname, '../..');
const facesDir = resolve(root, process.env.FACES_DIR ?? '../shared/data/lfw/lfw-deepfunneled');
/** URL prefix → what it serves: /faces/<Name>/<file> from the LFW tree, /model the edge ONNX file. */
const served: Record<string, string> = { faces: facesDir };

declare module 'vitest' {
  export interface ProvidedContext {
    fixtures: Record<string, string>;
    filesUrl: string;
    /** models/manifest.json's text when it and the edge model file it names exist, else null. */
    realManifest: string | null;
    facesAvailable: boolean;
  }
}

/** The real model: models/manifest.json (or $EDGE_TEST_MANIFEST) and the edge file it names. */
function realModel(): { manifest: string; file: string } | null {
  const path = resolve(root, process.env.EDGE_TEST_MANIFEST ?? 'models/manifest.json');
  if (!existsSync(path)) return null;
  const manifest = readFileSync(path, 'utf8');
  const files = JSON.parse(manifest).files ?? {};
  const rel = (files.edge ?? files.int8)?.path;
  const file = rel && [resolve(root, rel), resolve(dirname(path), basename(rel))].find((f) => existsSync(f));
  return file ? { manifest, file } : null;
}

export default async function setup(project: TestProject) {
  project.provide('fixtures', await makeFixtures());
  const real = realModel();
  const server = createServer((req, res) => {
    const [, top, ...rest] = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname).split('/');
    if (top === 'reference' && real) {
      trainerReference(real, normalize(join(facesDir, ...rest)))
        .then((r) => res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(r)))
        .catch((e) => res.writeHead(500).end(String(e)));
      return;
    }
    const base = served[top];
    const path = top === 'model' ? base : base && normalize(join(base, ...rest));
    if (!path || (top !== 'model' && !path.startsWith(base + '/')) || !existsSync(path) || !statSync(path).isFile()) return res.writeHead(404).end();
    res.writeHead(200, { 'content-length': statSync(path).size });
    createReadStream(path).pipe(res);
  });
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  const { port } = server.address() as { port: number };
  project.provide('filesUrl', `http://127.0.0.1:${port}`);
  if (real) served.model = real.file;
  project.provide('realManifest', real?.manifest ?? null);
  project.provide('facesAvailable', existsSync(facesDir));
  return () => new Promise<void>((ok) => server.close(() => ok()));
}
