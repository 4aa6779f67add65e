// The main job: a local face verifier on this machine. Builds the model if needed, puts it in the
// local R2 bucket, starts `wrangler dev` (workerd, local KV/R2) and enrols a small demo gallery of
// LFW people. `--smoke` checks verify/identify once and exits (used by tests and CI).
// Usage: npm start [-- --port 8787] [-- --smoke]
import { Command } from 'commander';
import { execFileSync, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot, resolveDataDir } from '../trainer/data-dir.js';
import { modelIsBuilt } from '../models/load.js';

const o = new Command().option('--port <n>', 'port on 127.0.0.1', '8787').option('--smoke', 'check once, then stop').option('--data <dir>').parse().opts();
const base = `http://127.0.0.1:${o.port}`;
const log = (m: string) => console.error(`[start] ${m}`);
const run = (cmd: string, args: string[]) => execFileSync(cmd, args, { cwd: repoRoot, stdio: ['ignore', 'pipe', 'inherit'] }).toString();

if (!modelIsBuilt()) {
  log('building the model (InceptionV3 from nsfwjs + committed head) …');
  run('npx', ['tsx', 'scripts/build-model.ts']);
}
const keyLine = run('node', ['edge/scripts/upload-model.mjs', '--local', '--env', 'dev', '--bucket', 'edge-face-models-dev']);
const manifestKey = /MODEL_MANIFEST_KEY = "(.+)"/.exec(keyLine)?.[1];
if (!manifestKey) throw new Error(`upload-model printed no key: ${keyLine}`);

const varsFile = join(repoRoot, '.dev.vars');
if (!existsSync(varsFile)) writeFileSync(varsFile, `ADMIN_TOKEN=${randomBytes(16).toString('hex')}\nAPI_KEYS=${randomBytes(16).toString('hex')}\n`);
const admin = /ADMIN_TOKEN=(.+)/.exec(readFileSync(varsFile, 'utf8'))![1].trim();

log(`wrangler dev on ${base} (model ${manifestKey})`);
const dev = spawn('npx', ['wrangler', 'dev', '--env', 'dev', '--ip', '127.0.0.1', '--port', o.port, '--var', `MODEL_MANIFEST_KEY:${manifestKey}`],
  { cwd: repoRoot, stdio: ['ignore', 'inherit', 'inherit'], detached: true, env: { ...process.env, WRANGLER_SEND_METRICS: 'false' } });
// wrangler runs workerd as a child: stop the whole process group, and give up waiting after 10 s.
const stop = () => {
  try { process.kill(-dev.pid!, 'SIGINT'); } catch { /* already gone */ }
  setTimeout(() => process.exit(process.exitCode ?? 0), 10_000).unref();
};
process.on('SIGINT', stop).on('SIGTERM', stop);

async function waitHealthy() {
  for (let i = 0; i < 120; i++) {
    try { if ((await fetch(`${base}/v1/health`)).ok) return; } catch { /* not up yet */ }
    await new Promise((r) => setTimeout(r, 1000));
  }
  throw new Error('wrangler dev did not answer /v1/health within 120 s');
}

const form = (files: [string, string][]) => {
  const f = new FormData();
  for (const [field, path] of files) f.append(field, new Blob([readFileSync(path)], { type: 'image/jpeg' }), path);
  return f;
};

async function demo() {
  await waitHealthy();
  let lfw;
  try { lfw = resolveDataDir(o.data); } catch (e) { log(`no demo gallery: ${(e as Error).message}`); return; }
  const img = (name: string, i: number) => join(lfw.images, name, `${name}_${String(i).padStart(4, '0')}.jpg`);
  const people = ['Colin_Powell', 'George_W_Bush', 'Serena_Williams', 'Tony_Blair'];
  for (const p of people) {
    const r = await fetch(`${base}/admin/identities/${p}`, { method: 'PUT', headers: { authorization: `Bearer ${admin}` }, body: form([['image', img(p, 1)], ['image', img(p, 2)]]) });
    log(`enrol ${p}: ${r.status}`);
    if (!r.ok) throw new Error(`enrolment failed: ${await r.text()}`);
  }
  await fetch(`${base}/admin/gallery/rebuild`, { method: 'POST', headers: { authorization: `Bearer ${admin}` } });
  const verify = await (await fetch(`${base}/v1/verify`, { method: 'POST', body: form([['a', img('Colin_Powell', 3)], ['b', img('Colin_Powell', 4)]]) })).json();
  const identify = await (await fetch(`${base}/v1/identify`, { method: 'POST', body: form([['image', img('Serena_Williams', 5)]]) })).json();
  log(`verify Colin_Powell 3 vs 4: ${JSON.stringify(verify)}`);
  log(`identify Serena_Williams_0005: ${JSON.stringify(identify).slice(0, 400)}`);
  log(`ready: ${base}  (admin token in .dev.vars; API keys off in the dev env; Ctrl-C to stop)`);
}

demo().then(() => { if (o.smoke) stop(); }, (e) => { console.error(e); stop(); process.exitCode = 1; });
dev.on('exit', (code) => process.exit(process.exitCode ?? code ?? 0));
