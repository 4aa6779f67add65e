// Rebuilds the packed gallery of one model version from the per-identity records (run by the cron
// trigger every minute and by POST /admin/gallery/rebuild). Reads: one KV list per 1000 identities,
// plus one get per identity changed since the previous snapshot (unchanged rows are reused from it).
// Writes, only when something changed: new shard keys, then the head, then deletion of every other
// gallery key (older generations, other model versions), so deleted embeddings do not linger.
import type { ModelManifest } from '../../models/contract/manifest';
import { currentSnapshot, install } from './gallery';
import { packShards, unpackShard, type Dtype, type GalleryEntry } from './gallery-pack';
import { GalleryStore, shardKey, type GalleryHead } from './gallery-store';
import { decodeRows, IdentityStore } from './identity-store';
import { Snapshot } from './snapshot';

export interface RebuildResult {
  changed: boolean;
  modelVersion: string;
  generation: string | null;
  identities: number;
  rows: number;
  recordsRead: number;
  keysRemoved: number;
}

export async function rebuildGallery(kv: KVNamespace, manifest: Pick<ModelManifest, 'modelVersion' | 'output'>, dtype: Dtype): Promise<RebuildResult> {
  const version = manifest.modelVersion, dim = manifest.output.embeddingSize;
  const ids = new IdentityStore(kv), store = new GalleryStore(kv);
  const listing = (await ids.listAll()).filter((e) => e.meta.v === version);
  const fingerprint = await sha256(`${dtype}:${dim}\n` + listing.map((e) => `${e.id}\t${e.meta.u}`).join('\n'));
  const head = await store.readHead(version);
  const prev = head ? await previous(kv, store, head) : null;
  const result = (changed: boolean, h: GalleryHead | null, recordsRead: number, keysRemoved: number): RebuildResult => ({
    changed, modelVersion: version, generation: h?.generation ?? null, identities: h?.identities ?? 0, rows: h?.rows ?? 0, recordsRead, keysRemoved,
  });
  if (head && prev && head.fingerprint === fingerprint) return result(false, head, 0, await store.collectGarbage(head));

  const entries: GalleryEntry[] = [];
  let recordsRead = 0;
  for (const { id, meta } of listing) {
    const i = prev && head?.dtype === dtype ? prev.indexOf(id) : undefined;
    if (i !== undefined && prev!.updated[i] === meta.u) {
      entries.push({ id, updatedAt: meta.u, rows: prev!.rowsOf(id) });
      continue;
    }
    recordsRead++;
    const rec = await ids.get(id);
    if (rec && rec.modelVersion === version && rec.dim === dim) entries.push({ id, updatedAt: rec.updatedAt, rows: decodeRows(rec) });
  }
  const generation = Date.now().toString(36) + Math.random().toString(36).slice(2, 6);
  const shards = packShards(entries, dim, dtype);
  const next: GalleryHead = {
    modelVersion: version, generation, dim, dtype, fingerprint, builtAt: Date.now(),
    shards: shards.map((_, n) => shardKey(version, generation, n)),
    identities: entries.length, rows: entries.reduce((s, e) => s + e.rows.length, 0),
  };
  const snapshot = new Snapshot(version, next, shards.map((s) => unpackShard(s.slice(0))));
  await store.write(next, shards);
  install(snapshot);
  return result(true, next, recordsRead, await store.collectGarbage(next));
}

/** The snapshot `head` points to: this isolate's copy if current, else loaded from KV. */
async function previous(kv: KVNamespace, store: GalleryStore, head: GalleryHead): Promise<Snapshot | null> {
  const mine = await currentSnapshot(kv, head.modelVersion).catch(() => null);
  if (mine?.head?.generation === head.generation) return mine;
  const bufs = await Promise.all(head.shards.map((k) => store.readShard(k)));
  return bufs.every((b) => b) ? new Snapshot(head.modelVersion, head, bufs.map((b) => unpackShard(b!))) : null;
}

async function sha256(s: string): Promise<string> {
  const d = new Uint8Array(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(s)));
  return [...d].map((b) => b.toString(16).padStart(2, '0')).join('');
}
