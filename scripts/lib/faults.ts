// Crash-during-enrolment check against `wrangler dev` with its own persisted KV/R2: start, enrol a
// baseline identity, then for each round fire an enrolment of several images and SIGKILL wrangler's
// whole process group after a random delay, restart on the same state and check that
//   - every identity is either absent or fully present (imageCount = images sent in one request),
//     and an acknowledged enrolment is present;
//   - a killed replacement of an existing identity leaves either the old or the new record;
//   - after POST /admin/gallery/rebuild the gallery holds exactly the listed identities, and each
//     present identity is identified as itself (its embeddings are really there).
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { lfwImagesDir } from '../../paths.js';
import { rng } from '../bench/util.js';
import { startLocalServer, type LocalServer } from './local-server.js';

export interface FaultRound { id: string; images: number; killAfterMs: number; acknowledged: boolean; after: 'absent' | 'complete' | 'old' | 'partial'; imageCount: number | null }
export interface FaultReport { rounds: FaultRound[]; listed: string[]; galleryIdentities: number; selfIdentified: Record<string, string | null>; ok: boolean; problems: string[] }

async function faces(): Promise<Buffer[]> {
  const lfw = lfwImagesDir();
  const people = ['Aaron_Peirsol', 'Colin_Powell', 'George_W_Bush', 'Tony_Blair', 'Gerhard_Schroeder', 'Donald_Rumsfeld'];
  const files = people.map((p) => join(lfw, p, `${p}_0001.jpg`));
  if (files.every(existsSync)) return files.map((f) => readFileSync(f));
  return Promise.all(people.map((_, s) => sharp({ create: { width: 250, height: 250, channels: 3, background: { r: 30 * s, g: 120, b: 220 - 30 * s } } }).jpeg().toBuffer()));
}

export async function runFaults(o: { rounds?: number; seed?: number; log?: (m: string) => void } = {}): Promise<FaultReport> {
  const log = o.log ?? (() => {});
  const r = rng(o.seed ?? Date.now());
  const imgs = await faces();
  const persistTo = mkdtempSync(join(tmpdir(), 'faults-'));
  let server: LocalServer | null = null;
  const start = async () => {
    server = await startLocalServer({ persistTo, stdio: 'ignore', log });
    await (await fetch(`${server.base}/v1/health?load=1`)).text(); // model loaded: a kill lands mid-enrolment, not mid-load
    return server;
  };
  const admin = (s: LocalServer) => ({ authorization: `Bearer ${s.adminToken}` });
  const enrolBody = (images: Buffer[]) => {
    const f = new FormData();
    for (const b of images) f.append('image', new Blob([new Uint8Array(b)], { type: 'image/jpeg' }), 'x.jpg');
    return f;
  };
  const getRec = async (s: LocalServer, id: string) => {
    const res = await fetch(`${s.base}/admin/identities/${id}`, { headers: admin(s) });
    return res.status === 404 ? null : ((await res.json()) as { imageCount: number });
  };
  const problems: string[] = [];
  const rounds: FaultRound[] = [];
  try {
    let s = await start();
    const base = await fetch(`${s.base}/admin/identities/base`, { method: 'PUT', body: enrolBody(imgs.slice(0, 3)), headers: admin(s) });
    if (base.status !== 201) throw new Error(`baseline enrolment → ${base.status}`);
    // Time one warm enrolment of 3 images, to spread the kills across it.
    const t0 = performance.now();
    await (await fetch(`${s.base}/admin/identities/probe`, { method: 'PUT', body: enrolBody(imgs.slice(3, 6)), headers: admin(s) })).text();
    const enrolMs = performance.now() - t0;
    await fetch(`${s.base}/admin/identities/probe`, { method: 'DELETE', headers: admin(s) });
    log(`a warm 3-image enrolment takes ${enrolMs.toFixed(0)} ms`);
    for (let i = 0; i < (o.rounds ?? 3); i++) {
      const replace = i === (o.rounds ?? 3) - 1; // the last round replaces "base" (3 images) with 2 others
      const id = replace ? 'base' : `crash-${i}`;
      const images = replace ? imgs.slice(4, 6) : imgs.slice(i % 3, (i % 3) + 3);
      const killAfterMs = Math.round(r() * enrolMs * 1.2);
      let acknowledged = false;
      const req = fetch(`${s.base}/admin/identities/${id}`, { method: 'PUT', body: enrolBody(images), headers: admin(s) })
        .then(async (res) => {
          await res.text();
          acknowledged = res.status >= 200 && res.status < 300;
        }, () => undefined);
      await new Promise((ok) => setTimeout(ok, killAfterMs));
      await s.kill();
      await req;
      s = await start();
      const rec = await getRec(s, id);
      const after: FaultRound['after'] = !rec ? 'absent' : rec.imageCount === images.length ? 'complete' : replace && rec.imageCount === 3 ? 'old' : 'partial';
      rounds.push({ id, images: images.length, killAfterMs, acknowledged, after, imageCount: rec?.imageCount ?? null });
      log(`round ${i}: ${id} killed after ${killAfterMs} ms, acknowledged ${acknowledged}, after restart ${after}`);
      if (after === 'partial') problems.push(`${id}: half-written (imageCount ${rec!.imageCount} of ${images.length})`);
      if (acknowledged && after !== 'complete') problems.push(`${id}: acknowledged but ${after}`);
      if (replace && after === 'absent') problems.push('base: a killed replacement deleted the old record');
    }
    const rb = await fetch(`${s.base}/admin/gallery/rebuild`, { method: 'POST', headers: admin(s) });
    const galleryIdentities = ((await rb.json()) as { identities: number }).identities;
    const listed = ((await (await fetch(`${s.base}/admin/identities?limit=1000`, { headers: admin(s) })).json()) as { identities: { id: string }[] }).identities.map((x) => x.id).sort();
    if (galleryIdentities !== listed.length) problems.push(`gallery has ${galleryIdentities} identities, the list ${listed.length}`);
    // Each present identity's first image must identify as that identity.
    const firstImage: Record<string, Buffer> = {};
    for (const round of rounds) if (round.after !== 'absent') firstImage[round.id] = round.id === 'base' && round.after === 'complete' ? imgs[4] : round.id === 'base' ? imgs[0] : imgs[Number(round.id.split('-')[1]) % 3];
    if (!('base' in firstImage)) firstImage.base = imgs[0];
    const selfIdentified: Record<string, string | null> = {};
    for (const [id, img] of Object.entries(firstImage)) {
      if (!listed.includes(id)) continue;
      const f = new FormData();
      f.append('image', new Blob([new Uint8Array(img)], { type: 'image/jpeg' }), 'x.jpg');
      const res = (await (await fetch(`${s.base}/v1/identify`, { method: 'POST', body: f })).json()) as { candidates: { id: string; similarity: number }[] };
      // Several crash identities share images, so "itself" means: among the top candidates at similarity ≈ 1.
      const top = res.candidates.filter((c) => c.similarity > 0.999).map((c) => c.id);
      selfIdentified[id] = top.includes(id) ? id : res.candidates[0]?.id ?? null;
      if (!top.includes(id)) problems.push(`${id}: not identified as itself (top ${JSON.stringify(res.candidates.slice(0, 3))})`);
    }
    return { rounds, listed, galleryIdentities, selfIdentified, ok: problems.length === 0, problems };
  } finally {
    await (server as LocalServer | null)?.stop();
    rmSync(persistTo, { recursive: true, force: true });
  }
}
