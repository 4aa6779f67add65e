// A local verifier for scripts and end-to-end tests: builds the model if needed, seeds the local R2
// bucket, starts `wrangler dev --env dev` (workerd, local KV/R2) on loopback and waits for health.
// Each caller may give its own persistence folder, so tests and benchmarks never share state.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { appendFileSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { modelIsBuilt } from '../../models/node/load.js';
import { repoRoot } from '../../paths.js';
import { buildArgs, manifestOf } from '../../trainer/backbone/ids.js';
import { embeddingKeyEntry } from './embedding-key.js';

export interface LocalServerOptions {
  /** 0 (default) picks a free port. */
  port?: number;
  /** wrangler's --persist-to (local KV/R2 state); default .wrangler/state. */
  persistTo?: string;
  /** Extra `--var NAME:value` pairs, e.g. { AUTH_DISABLED: 'false' }. */
  vars?: Record<string, string>;
  /** Where wrangler's own output goes: 'inherit' (default) or 'ignore'. */
  stdio?: 'inherit' | 'ignore';
  log?: (m: string) => void;
  healthTimeoutMs?: number;
  /** Which registered backbone's manifest to serve (trainer/backbone/ids.ts); default inception_v3. */
  backbone?: string;
}

export interface LocalServer {
  base: string;
  port: number;
  adminToken: string;
  apiKeys: string[];
  manifestKey: string;
  child: ChildProcess;
  /** Milliseconds from spawning wrangler dev to the first healthy /v1/health answer. */
  readyMs: number;
  /** SIGINT to wrangler's process group; resolves when it has exited (SIGKILL after 10 s). */
  stop(): Promise<void>;
  /** SIGKILL to the whole process group at once: a crash, for fault tests. */
  kill(): Promise<void>;
}

const run = (cmd: string, args: string[]) => execFileSync(cmd, args, { cwd: repoRoot, stdio: ['ignore', 'pipe', 'inherit'] }).toString();

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    }).on('error', reject);
  });
}

/** Tokens from .dev.vars (created with random values on first use); wrangler dev reads the same file.
 *  An embedding key (EMBEDDING_KEYS, a random dev-<date> entry) is added to a file that lacks one. */
export function devSecrets(): { adminToken: string; apiKeys: string[] } {
  const file = join(repoRoot, '.dev.vars');
  if (!existsSync(file)) writeFileSync(file, `ADMIN_TOKEN=${randomBytes(16).toString('hex')}\nAPI_KEYS=${randomBytes(16).toString('hex')}\n`);
  const vars = readFileSync(file, 'utf8');
  if (!/^EMBEDDING_KEYS=/m.test(vars)) appendFileSync(file, `${vars.endsWith('\n') || !vars ? '' : '\n'}EMBEDDING_KEYS=${embeddingKeyEntry('dev')}\n`);
  const text = readFileSync(file, 'utf8');
  const get = (k: string) => new RegExp(`^${k}=(.*)$`, 'm').exec(text)?.[1].trim() ?? '';
  return { adminToken: get('ADMIN_TOKEN'), apiKeys: get('API_KEYS').split(',').filter(Boolean) };
}

/** Builds the model if needed and puts it in the local R2 bucket; returns MODEL_MANIFEST_KEY. */
export function seedModel(persistTo?: string, log: (m: string) => void = () => {}, backbone?: string): string {
  const manifest = manifestOf(backbone);
  if (!modelIsBuilt(manifest)) {
    log(backbone && manifest !== manifestOf() ? `building the ${backbone} model …` : 'building the model (InceptionV3 from nsfwjs + committed head) …');
    run('npx', buildArgs(backbone));
  }
  const args = ['edge/scripts/upload-model.mjs', '--local', '--env', 'dev', '--bucket', 'edge-face-models-dev', '--manifest', manifest, ...(persistTo ? ['--persist-to', persistTo] : [])];
  const key = /MODEL_MANIFEST_KEY = "(.+)"/.exec(run('node', args))?.[1];
  if (!key) throw new Error('upload-model.mjs printed no MODEL_MANIFEST_KEY');
  return key;
}

export async function startLocalServer(o: LocalServerOptions = {}): Promise<LocalServer> {
  const log = o.log ?? (() => {});
  const manifestKey = seedModel(o.persistTo, log, o.backbone);
  const { adminToken, apiKeys } = devSecrets();
  const port = o.port || (await freePort());
  const base = `http://127.0.0.1:${port}`;
  const vars = { MODEL_MANIFEST_KEY: manifestKey, ...o.vars };
  const args = ['wrangler', 'dev', '--env', 'dev', '--ip', '127.0.0.1', '--port', String(port), '--inspector-port', String(await freePort()),
    ...(o.persistTo ? ['--persist-to', o.persistTo] : []), ...Object.entries(vars).flatMap(([k, v]) => ['--var', `${k}:${v}`])];
  log(`wrangler dev on ${base} (model ${manifestKey})`);
  const spawnedAt = performance.now();
  const child = spawn('npx', args, {
    cwd: repoRoot, stdio: ['ignore', o.stdio ?? 'inherit', o.stdio ?? 'inherit'], detached: true,
    env: { ...process.env, WRANGLER_SEND_METRICS: 'false' },
  });
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  const signal = async (sig: NodeJS.Signals, graceMs: number) => {
    try { process.kill(-child.pid!, sig); } catch { return; }
    const t = setTimeout(() => { try { process.kill(-child.pid!, 'SIGKILL'); } catch { /* gone */ } }, graceMs);
    await exited;
    clearTimeout(t);
  };
  const server: LocalServer = {
    base, port, adminToken, apiKeys, manifestKey, child, readyMs: 0,
    stop: () => signal('SIGINT', 10_000),
    kill: () => signal('SIGKILL', 0),
  };
  const deadline = Date.now() + (o.healthTimeoutMs ?? 120_000);
  let early = false;
  child.once('exit', () => (early = true));
  while (Date.now() < deadline) {
    if (early) throw new Error(`wrangler dev exited before answering ${base}/v1/health`);
    try { if ((await fetch(`${base}/v1/health`)).ok) return Object.assign(server, { readyMs: performance.now() - spawnedAt }); } catch { /* not up yet */ }
    await new Promise((r) => setTimeout(r, 100));
  }
  await server.stop();
  throw new Error(`wrangler dev did not answer ${base}/v1/health within ${(o.healthTimeoutMs ?? 120_000) / 1000} s`);
}

/** wrangler dev's ProxyWorker's own 503 when its pooled connection to workerd was reset (workers-sdk#14641). */
export const PROXY_RESET = 'Your worker restarted mid-request';

/** fetch() through wrangler dev, resending a request that only that ProxyWorker reset refused (as its 503 asks). */
export async function fetchThroughProxy(url: string, init: RequestInit = {}, attempts = 6): Promise<Response> {
  for (let attempt = 1; ; attempt++) {
    const r = await fetch(url, init);
    if (r.status !== 503 || attempt >= attempts) return r;
    const text = await r.clone().text();
    if (!text.startsWith(PROXY_RESET)) return r;
    await new Promise((done) => setTimeout(done, 50 * attempt));
  }
}
