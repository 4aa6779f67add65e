// The main job: a local face verifier on this machine. Builds the model if needed, puts it in the
// local R2 bucket, starts `wrangler dev` (workerd, local KV/R2) and enrols a small demo gallery of
// LFW people. `--smoke` checks verify/identify once and exits (used by tests and CI).
// Usage: npm start [-- --port 8787] [-- --smoke] [-- --backbone dlib_resnet] [-- --gallery vectorize]
// --backbone picks which built model is served (trainer/backbone/ids.ts; default inception_v3,
// models/manifest.json; dlib_resnet: models/dlib_resnet/manifest.json, built when missing).
// --gallery vectorize serves identify from the Vectorize backend on its in-memory stand-in (no
// local Vectorize exists; writes are indexed 2 s later, GALLERY_VECTORIZE_STANDIN in [env.dev]). The
// stand-in lives in the isolate's memory while KV and the Durable Objects persist: after workerd
// reloads the Worker, POST /admin/gallery/backfill fills it again.
import { Command } from 'commander';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { resolveDataDir } from '../paths.js';
import { fetchThroughProxy, startLocalServer } from './lib/local-server.js';
import { BACKBONE_IDS, checkBackboneId, DEFAULT_BACKBONE } from '../trainer/backbone/ids.js';

const o = new Command().option('--port <n>', 'port on 127.0.0.1', '8787').option('--smoke', 'check once, then stop').option('--data <dir>')
  .option('--backbone <id>', `model to serve: ${BACKBONE_IDS.join(', ')}`, DEFAULT_BACKBONE)
  .option('--gallery <backend>', 'identify\'s gallery: kv or vectorize (the in-memory stand-in)', 'kv').parse().opts();
checkBackboneId(o.backbone);
if (o.gallery !== 'kv' && o.gallery !== 'vectorize') throw new Error(`--gallery must be kv or vectorize, got ${o.gallery}`);
const log = (m: string) => console.error(`[start] ${m}`);
const server = await startLocalServer({ port: Number(o.port), log, backbone: o.backbone, vars: { GALLERY_BACKEND: o.gallery } });
const { base, adminToken: admin } = server;
// wrangler runs workerd as a child: stop the whole process group.
const stop = () => server.stop().then(() => process.exit(process.exitCode ?? 0));
process.on('SIGINT', stop).on('SIGTERM', stop);

const form = (files: [string, string][]) => {
  const f = new FormData();
  for (const [field, path] of files) f.append(field, new Blob([readFileSync(path)], { type: 'image/jpeg' }), path);
  return f;
};

async function demo() {
  let lfw: ReturnType<typeof resolveDataDir>;
  try { lfw = resolveDataDir(o.data); } catch (e) { log(`no demo gallery: ${(e as Error).message}`); return; }
  const img = (name: string, i: number) => join(lfw.images, name, `${name}_${String(i).padStart(4, '0')}.jpg`);
  const people = ['Colin_Powell', 'George_W_Bush', 'Serena_Williams', 'Tony_Blair'];
  for (const p of people) {
    const r = await fetchThroughProxy(`${base}/admin/identities/${p}`, { method: 'PUT', headers: { authorization: `Bearer ${admin}` }, body: form([['image', img(p, 1)], ['image', img(p, 2)]]) });
    log(`enrol ${p}: ${r.status}`);
    if (!r.ok) throw new Error(`enrolment failed: ${await r.text()}`);
  }
  await fetchThroughProxy(`${base}/admin/gallery/rebuild`, { method: 'POST', headers: { authorization: `Bearer ${admin}` } });
  const verify = await (await fetchThroughProxy(`${base}/v1/verify`, { method: 'POST', body: form([['a', img('Colin_Powell', 3)], ['b', img('Colin_Powell', 4)]]) })).json();
  const identify = await (await fetchThroughProxy(`${base}/v1/identify`, { method: 'POST', body: form([['image', img('Serena_Williams', 5)]]) })).json();
  log(`verify Colin_Powell 3 vs 4: ${JSON.stringify(verify)}`);
  log(`identify Serena_Williams_0005: ${JSON.stringify(identify).slice(0, 400)}`);
  log(`ready: ${base}  (web console: ${base}/; admin token in .dev.vars; API keys off in the dev env; Ctrl-C to stop)`);
}

demo().then(() => { if (o.smoke) stop(); }, (e) => { console.error(e); process.exitCode = 1; stop(); });
server.child.on('exit', (code) => process.exit(process.exitCode ?? code ?? 0));
