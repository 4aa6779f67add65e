#!/usr/bin/env node
// Uploads the built model to R2 where the Worker reads it (edge/src/model/manifest.ts):
//   <prefix>/<modelVersion>/manifest.json, <prefix>/<modelVersion>/<edge file name> and the face detector's file
// then prints the MODEL_MANIFEST_KEY for the Worker's vars. Checks the file's sha256 first.
// Usage: node edge/scripts/upload-model.mjs [--remote|--local] [--env dev] [--bucket edge-face-models] [--prefix face-embed] [--persist-to dir]
// The same code is imported by scripts/deploy.ts (uploadModel), so `npm run deploy` and local
// seeding (scripts/lib/local-server.ts) put the same objects under the same keys.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { basename, isAbsolute, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const repoRoot = join(import.meta.dirname, '../..');

/** The objects to upload (model first, manifest last) and the MODEL_MANIFEST_KEY; checks the model's sha256. */
export function modelUploadPlan({ root = repoRoot, manifest = 'models/manifest.json', prefix = 'face-embed' } = {}) {
  const manifestPath = isAbsolute(manifest) ? manifest : join(root, manifest);
  const m = JSON.parse(readFileSync(manifestPath, 'utf8'));
  // Same choice as edgeFile() in edge/src/model/manifest.ts.
  const onnx = Object.values(m.files).filter((f) => f.path.endsWith('.onnx'));
  const file = m.files.edge ?? m.files.int8 ?? (onnx.length === 1 ? onnx[0] : null);
  if (!file) throw new Error('manifest names no edge model (files.edge or files.int8)');
  // The face detector (files.detector) travels beside the embedding model when the manifest has one.
  const files = [file, ...(m.face && m.files.detector ? [m.files.detector] : [])];
  const objects = files.map((f) => {
    const path = join(root, f.path);
    const sha = createHash('sha256').update(readFileSync(path)).digest('hex');
    if (sha !== f.sha256) throw new Error(`${f.path}: sha256 ${sha} but the manifest says ${f.sha256}`);
    return { path, sha256: f.sha256, name: basename(f.path) };
  });
  const manifestSha = createHash('sha256').update(readFileSync(manifestPath)).digest('hex');
  const dir = `${prefix}/${m.modelVersion}`;
  return {
    modelVersion: m.modelVersion,
    manifestKey: `${dir}/manifest.json`,
    objects: [
      ...objects.map((o) => ({ key: `${dir}/${o.name}`, path: o.path, sha256: o.sha256 })),
      { key: `${dir}/manifest.json`, path: manifestPath, sha256: manifestSha },
    ],
  };
}

/** `wrangler r2 object put` arguments for each object of the plan. */
export function uploadCommands(plan, { bucket, remote = false, env, persistTo }) {
  const where = [remote ? '--remote' : '--local', ...(env ? ['--env', env] : []), ...(persistTo ? ['--persist-to', persistTo] : [])];
  return plan.objects.map((o) => ['r2', 'object', 'put', `${bucket}/${o.key}`, '--file', o.path, ...where]);
}

/**
 * Uploads model + manifest with `npx wrangler r2 object put` (or `o.exec(args)` when given).
 * wrangler's own output goes to stderr so stdout stays free for the caller's result.
 */
export function uploadModel(o) {
  const root = o.root ?? repoRoot;
  const plan = modelUploadPlan({ root, manifest: o.manifest, prefix: o.prefix });
  const exec = o.exec ?? ((args) => execFileSync('npx', ['wrangler', ...args], {
    stdio: ['ignore', 2, 2], cwd: root, env: { ...process.env, WRANGLER_SEND_METRICS: 'false' },
  }));
  const log = o.log ?? ((m) => console.error(m));
  for (const [i, args] of uploadCommands(plan, o).entries()) {
    log(`→ r2://${o.bucket}/${plan.objects[i].key} (${o.remote ? 'remote' : 'local'})`);
    exec(args);
  }
  return plan;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const { values: o } = parseArgs({
    options: {
      remote: { type: 'boolean' }, local: { type: 'boolean' }, env: { type: 'string' },
      bucket: { type: 'string', default: 'edge-face-models' }, prefix: { type: 'string', default: 'face-embed' },
      manifest: { type: 'string', default: 'models/manifest.json' }, 'persist-to': { type: 'string' },
    },
  });
  const plan = uploadModel({ bucket: o.bucket, prefix: o.prefix, manifest: o.manifest, remote: !!o.remote, env: o.env, persistTo: o['persist-to'] });
  console.log(`MODEL_MANIFEST_KEY = "${plan.manifestKey}"`);
}
