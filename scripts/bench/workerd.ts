// The edge model inside workerd (`wrangler dev`, onnxruntime-web WASM, 1 thread), measured from the
// client over loopback, beside onnxruntime-node (1 thread) on the same image in the same run.
//  - cold start: spawn → first healthy /v1/health, then the first identify (R2 model fetch +
//    sha256 + session creation + first inference), each timed from the client.
//  - latency: identify against a 3-identity gallery (decode + preprocess + inference + scan + HTTP),
//    and /v1/health (HTTP + routing only) as the no-inference baseline.
//  - memory: the workerd process's VmHWM / VmRSS from /proc (an upper bound on the isolate: it
//    includes the runtime, both codecs and every isolate), read after the timed runs.
import { mkdtempSync, readFileSync, readdirSync, existsSync, rmSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import * as ort from 'onnxruntime-node';
import sharp from 'sharp';
import { readManifest, modelBytes } from '../../models/node/load.js';
import { preprocess } from '../../models/contract/preprocess.js';
import { decodeImage } from '../../trainer/data/images.js';
import { startLocalServer } from '../lib/local-server.js';
import { DEFAULT_BACKBONE, manifestOf } from '../../trainer/backbone/ids.js';
import { pct } from './util.js';
import { lfwImagesDir } from '../../paths.js';

export interface WorkerdResult {
  image: string;
  readyMs: number; firstIdentifyMs: number;
  identify: number[]; health: number[]; node: number[];
  vmHwmKiB: number | null; vmRssKiB: number | null;
}

/** Four face images: LFW photos when present, otherwise synthetic JPEGs (said so in `image`). */
async function images(): Promise<{ what: string; bytes: Buffer[] }> {
  const lfw = lfwImagesDir();
  const people = ['Aaron_Peirsol', 'Colin_Powell', 'George_W_Bush', 'Tony_Blair'];
  const files = people.map((p) => join(lfw, p, `${p}_0001.jpg`));
  if (files.every((f) => existsSync(f))) return { what: `LFW 250×250 JPEGs (${people.join(', ')})`, bytes: files.map((f) => readFileSync(f)) };
  const bytes = await Promise.all([1, 2, 3, 4].map((s) => sharp({ create: { width: 250, height: 250, channels: 3, background: { r: 40 * s, g: 90, b: 200 - 30 * s } } }).jpeg().toBuffer()));
  return { what: 'synthetic 250×250 JPEGs (LFW not found)', bytes };
}

function workerdMemory(pgid: number): { hwm: number; rss: number } | null {
  const ps = execFileSync('ps', ['-eo', 'pid=,pgid=,comm=']).toString().split('\n').map((l) => l.trim().split(/\s+/));
  const pids = ps.filter(([, g, c]) => Number(g) === pgid && /workerd/.test(c ?? '')).map(([p]) => Number(p));
  let best: { hwm: number; rss: number } | null = null;
  for (const pid of pids) {
    const st = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kib = (k: string) => Number(new RegExp(`^${k}:\\s+(\\d+)`, 'm').exec(st)?.[1] ?? 0);
    if (!best || kib('VmHWM') > best.hwm) best = { hwm: kib('VmHWM'), rss: kib('VmRSS') };
  }
  return best;
}

export async function benchWorkerd(runs: number, log: (m: string) => void = () => {}, backbone = DEFAULT_BACKBONE): Promise<WorkerdResult> {
  const m = readManifest(manifestOf(backbone));
  const img = await images();
  const persistTo = mkdtempSync(join(tmpdir(), 'bench-workerd-'));
  const server = await startLocalServer({ persistTo, stdio: 'ignore', log, backbone });
  try {
    const admin = { authorization: `Bearer ${server.adminToken}` };
    const post = async (path: string, body: Buffer, method = 'POST', headers: Record<string, string> = {}) => {
      const f = new FormData();
      f.append('image', new Blob([new Uint8Array(body)], { type: 'image/jpeg' }), 'x.jpg');
      const t0 = performance.now();
      const r = await fetch(server.base + path, { method, body: f, headers });
      const text = await r.text();
      const dt = performance.now() - t0;
      if (!r.ok) throw new Error(`${method} ${path} → ${r.status} ${text.slice(0, 200)}`);
      return dt;
    };
    const firstIdentifyMs = await post('/v1/identify', img.bytes[0]);
    for (let i = 1; i < 4; i++) await post(`/admin/identities/person-${i}`, img.bytes[i], 'PUT', admin);
    const rb = await fetch(`${server.base}/admin/gallery/rebuild`, { method: 'POST', headers: admin });
    if (!rb.ok) throw new Error(`rebuild → ${rb.status}`);
    for (let i = 0; i < 3; i++) await post('/v1/identify', img.bytes[0]);
    const identify: number[] = [], health: number[] = [];
    for (let i = 0; i < runs; i++) identify.push(await post('/v1/identify', img.bytes[0]));
    for (let i = 0; i < runs; i++) {
      const t0 = performance.now();
      await (await fetch(`${server.base}/v1/health`)).text();
      health.push(performance.now() - t0);
    }
    const mem = workerdMemory(server.child.pid!);
    log(`workerd: identify p50 ${pct(identify, 0.5).toFixed(0)} ms`);
    // onnxruntime-node, 1 thread, the same edge model file and the same image, preprocessed as the Worker does.
    const session = await ort.InferenceSession.create(modelBytes(m, 'int8'), { intraOpNumThreads: 1, graphOptimizationLevel: 'all' });
    const s = m.preprocess.size;
    const x = preprocess(await decodeImage(img.bytes[0]), m.preprocess);
    const feeds = () => ({ [m.input.name]: new ort.Tensor('float32', x, [1, s, s, 3]) });
    for (let i = 0; i < 3; i++) await session.run(feeds());
    const node: number[] = [];
    for (let i = 0; i < runs; i++) {
      const t0 = performance.now();
      await session.run(feeds());
      node.push(performance.now() - t0);
    }
    await session.release();
    return { image: img.what, readyMs: server.readyMs, firstIdentifyMs, identify, health, node, vmHwmKiB: mem?.hwm ?? null, vmRssKiB: mem?.rss ?? null };
  } finally {
    await server.stop();
    rmSync(persistTo, { recursive: true, force: true });
  }
}

/** `wrangler deploy --dry-run` bundle: total raw and gzip bytes of what would be uploaded. */
export function bundleSize(): { files: number; raw: number; gzip: number } {
  const out = mkdtempSync(join(tmpdir(), 'bench-bundle-'));
  try {
    execFileSync('npx', ['wrangler', 'deploy', '--dry-run', '--outdir', out], { cwd: join(import.meta.dirname, '../..'), stdio: 'ignore', env: { ...process.env, WRANGLER_SEND_METRICS: 'false' } });
    const files = readdirSync(out, { recursive: true, withFileTypes: true }).filter((d) => d.isFile() && !d.name.endsWith('.map'));
    let raw = 0, gzip = 0;
    for (const f of files) {
      const b = readFileSync(join(f.parentPath, f.name));
      raw += b.length;
      gzip += gzipSync(b, { level: 9 }).length;
    }
    return { files: files.length, raw, gzip };
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
}
