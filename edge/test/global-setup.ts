// Runs in Node before the workerd tests: renders fixture images with sharp (handed over with
// vitest's provide/inject) and serves the real model build and LFW photos over a loopback HTTP
// server, so tests can fetch files too large to inject. FACES_DIR (the LFW root) and PHOTOS_DIR as in paths.ts,
// EDGE_TEST_MANIFEST the manifest (default models/manifest.json; its file must exist on disk).
// /reference/<Name>/<file> answers what the trainer's side computes for that photo (reference.ts).
import { createReadStream, existsSync, readFileSync, statSync } from 'node:fs';
import { createServer } from 'node:http';
import { basename, dirname, join, normalize, resolve } from 'node:path';
import type { TestProject } from 'vitest/node';
import { makeFixtures } from './fixtures';
import { trainerReference } from './reference';
import { blazefacePath, defaultFaceSpec } from '../../models/node/face-detector';
import { checkBackboneId, DEFAULT_BACKBONE, manifestOf, STANDARD_BACKBONES } from '../../trainer/backbone/ids';
import type { FaceSpec } from '../../models/contract/face/pipeline';
import { lfwImagesDir, photosDir as photosDirOf } from '../../paths';

const root = resolve(import.meta.dirname, '../..');
const facesDir = lfwImagesDir();
const photosDir = photosDirOf();
/**
 * URL prefix → what it serves: /faces/<Name>/<file> from the LFW tree, /photos/<file> from the
 * ordinary photos, /detector the face detector's ONNX file (/model/<id> and /detector/<id>: a
 * backbone's built files).
 */
const served: Record<string, string> = { faces: facesDir, photos: photosDir, detector: blazefacePath() };

declare module 'vitest' {
  export interface ProvidedContext {
    fixtures: Record<string, string>;
    filesUrl: string;
    /**
     * Each registered backbone's built manifest text (trainer/backbone/ids.ts) whose edge model file
     * exists, by backbone id; served at /model/<id> and /detector/<id>.
     */
    realManifests: Record<string, string>;
    /** Every registered backbone id (trainer/backbone/ids.ts), built or not. */
    backboneIds: string[];
    facesAvailable: boolean;
    photosAvailable: boolean;
    /** The face pipeline scripts/build-model.ts writes into manifests (detector, template, minimum size). */
    faceSpec: FaceSpec;
  }
}

/** A built model: the manifest at `manifestPath`, the edge file and the detector it names. */
function realModel(manifestPath: string): { manifest: string; file: string; detector: string | null } | null {
  const path = resolve(root, manifestPath);
  if (!existsSync(path)) return null;
  const manifest = readFileSync(path, 'utf8');
  const files = JSON.parse(manifest).files ?? {};
  const find = (rel?: string) => rel ? [resolve(root, rel), resolve(dirname(path), basename(rel))].find((f) => existsSync(f)) : undefined;
  const file = find((files.edge ?? files.int8)?.path);
  return file ? { manifest, file, detector: find(files.detector?.path) ?? null } : null;
}

/**
 * The backbones the real-model tests run on: the standard ones (opt-in ones stay out, as on a fresh
 * clone), or those listed in EDGE_TEST_BACKBONES (e.g. dlib_faceres once built). List the one whose
 * memory you check first: one test isolate loads them in turn and its Wasm memory only grows, so
 * parity.test.ts's memory bound sees the high-water mark of the backbones before it (as one
 * production isolate, which loads one model, never does): dlib_faceres after inception_v3 holds
 * 83.1 MiB of Wasm (+ 17.8 MiB model: over the 100 MB bound), alone 55.5 MiB.
 */
const TESTED = process.env.EDGE_TEST_BACKBONES ? process.env.EDGE_TEST_BACKBONES.split(',').map(checkBackboneId) : [...STANDARD_BACKBONES];

/** Each tested backbone's build; EDGE_TEST_MANIFEST replaces the default backbone's manifest. */
function realModels() {
  const out: Record<string, NonNullable<ReturnType<typeof realModel>>> = {};
  for (const id of TESTED) {
    const m = realModel(id === DEFAULT_BACKBONE ? (process.env.EDGE_TEST_MANIFEST ?? manifestOf(id)) : manifestOf(id));
    if (m) out[id] = m;
  }
  return out;
}

/** Real data gate, as test/real-data.ts for the node suite: missing LFW images or photos skip their
 *  tests loudly, and fail the run under CI (which has them). */
function realData() {
  const facesAvailable = existsSync(facesDir);
  const photosAvailable = existsSync(join(photosDir, 'two_people.jpg'));
  const missing = [
    ...(facesAvailable ? [] : [`no LFW images at ${facesDir} (FACES_DIR is the LFW root)`]),
    ...(photosAvailable ? [] : [`no photos at ${photosDir} (PHOTOS_DIR)`]),
  ];
  if (missing.length && process.env.CI) throw new Error(`${missing.join('; ')} — CI must run the edge real-data tests`);
  if (missing.length) console.warn(`\n*** SKIPPING edge real-data tests: ${missing.join('; ')} ***\n`);
  return { facesAvailable, photosAvailable };
}

export default async function setup(project: TestProject) {
  const { facesAvailable, photosAvailable } = realData();
  project.provide('fixtures', await makeFixtures());
  const real = realModels();
  const server = createServer((req, res) => {
    const [, top, ...rest] = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname).split('/');
    if (top === 'reference') {
      // /reference/<backbone id>/faces/<LFW path> or /reference/<backbone id>/photos/<photo>
      const [id, kind, ...file] = rest;
      if (!real[id]) return res.writeHead(404).end();
      trainerReference(real[id], normalize(join(kind === 'photos' ? photosDir : facesDir, ...file)))
        .then((r) => res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(r)))
        .catch((e) => res.writeHead(500).end(String(e)));
      return;
    }
    // /model/<id> and /detector/<id>: one backbone's files; /detector alone: the default detector.
    const model = top === 'model' || top === 'detector' ? (rest.length ? real[rest[0]] : undefined) : undefined;
    const single = top === 'model' || top === 'detector';
    const base = model ? (top === 'model' ? model.file : (model.detector ?? undefined)) : served[top];
    const path = single ? base : base && normalize(join(base, ...rest));
    if (!path || (!single && !path.startsWith(base + '/')) || !existsSync(path) || !statSync(path).isFile()) return res.writeHead(404).end();
    res.writeHead(200, { 'content-length': statSync(path).size });
    createReadStream(path).pipe(res);
  });
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  const { port } = server.address() as { port: number };
  project.provide('filesUrl', `http://127.0.0.1:${port}`);
  project.provide('backboneIds', TESTED);
  project.provide('realManifests', Object.fromEntries(Object.entries(real).map(([id, m]) => [id, m.manifest])));
  project.provide('facesAvailable', facesAvailable);
  project.provide('photosAvailable', photosAvailable);
  project.provide('faceSpec', defaultFaceSpec());
  return () => new Promise<void>((ok) => server.close(() => ok()));
}
