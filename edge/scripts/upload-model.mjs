#!/usr/bin/env node
// Uploads the built model to R2 where the Worker reads it (edge/src/manifest.ts):
//   <prefix>/<modelVersion>/manifest.json  and  <prefix>/<modelVersion>/<edge file name>
// then prints the MODEL_MANIFEST_KEY to put in wrangler.toml. Checks the file's sha256 first.
// Usage: node edge/scripts/upload-model.mjs [--remote|--local] [--env dev] [--bucket edge-face-models] [--prefix face-embed] [--persist-to dir]
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { parseArgs } from 'node:util';

const { values: o } = parseArgs({
  options: {
    remote: { type: 'boolean' }, local: { type: 'boolean' }, env: { type: 'string' },
    bucket: { type: 'string', default: 'edge-face-models' }, prefix: { type: 'string', default: 'face-embed' },
    manifest: { type: 'string', default: 'models/manifest.json' }, 'persist-to': { type: 'string' },
  },
});
const root = join(import.meta.dirname, '../..');
const manifestPath = join(root, o.manifest);
const manifest = JSON.parse(readFileSync(manifestPath, 'utf8'));
// Same choice as edgeFile() in edge/src/manifest.ts.
const onnx = Object.values(manifest.files).filter((f) => f.path.endsWith('.onnx'));
const file = manifest.files.edge ?? manifest.files.int8 ?? (onnx.length === 1 ? onnx[0] : null);
if (!file) throw new Error('manifest names no edge model (files.edge or files.int8)');
const bytes = readFileSync(join(root, file.path));
const sha = createHash('sha256').update(bytes).digest('hex');
if (sha !== file.sha256) throw new Error(`${file.path}: sha256 ${sha} but the manifest says ${file.sha256}`);

const dir = `${o.prefix}/${manifest.modelVersion}`;
const where = [o.remote ? '--remote' : '--local', ...(o.env ? ['--env', o.env] : []), ...(o['persist-to'] ? ['--persist-to', o['persist-to']] : [])];
for (const [key, path] of [[`${dir}/${basename(file.path)}`, join(root, file.path)], [`${dir}/manifest.json`, manifestPath]]) {
  console.error(`→ r2://${o.bucket}/${key}`);
  execFileSync('npx', ['wrangler', 'r2', 'object', 'put', `${o.bucket}/${key}`, '--file', path, ...where], { stdio: 'inherit', cwd: root });
}
console.log(`MODEL_MANIFEST_KEY = "${dir}/manifest.json"`);
