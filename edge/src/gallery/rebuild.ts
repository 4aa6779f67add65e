// Rebuilds the packed gallery of one model version from the per-identity records (run by the cron
// trigger every minute and by POST /admin/gallery/rebuild). Reads: one KV list per 1000 identities,
// plus one get per identity changed since the previous snapshot (unchanged rows are reused from it),
// at most MAX_RECORD_READS per run to stay inside a Worker invocation's KV operation limit; what is
// left keeps its previous rows (or waits, if new) for the next run. Deleted identities leave the
// snapshot at once, and every other generation's shards too (store.ts scrub), before the head moves.
// Writes, only when something changed: new shard keys (sealed under the current key, whose id is part
// of the fingerprint, so a new key means a new generation), then the head. Every run then collects
// garbage (store.ts): generations no reader can still need, GRACE_MS after they were replaced, and
// other model versions' galleries once retired; and hands the listing to the background
// re-encryption (`reseal`, identity/reseal.ts). Two runs may overlap; store.ts says why that is safe.
// The head read here may be stale (KV): that costs record reads, never correctness.
import type { ModelManifest } from '../../../models/contract/manifest';
import { currentSnapshot, install } from './cache';
import { packShards, unpackShard, type Dtype, type GalleryEntry } from './pack';
import { GalleryStore, newGeneration, shardKey, type GalleryHead } from './store';
import type { Keyring } from '../crypto/keyring';
import { type IdentityMeta, IdentityStore } from '../identity/store';
import type { EncryptionReport } from '../identity/reseal';
import { expired } from '../identity/retention';
import { recordRows } from '../identity/sealing';
import { Snapshot } from './snapshot';

export const MAX_RECORD_READS = 500;
const PARALLEL_READS = 25;

export interface RebuildResult {
  changed: boolean;
  /** false when the read budget ran out: the next run continues. */
  complete: boolean;
  /** Shards of older generations (or other model versions) rewritten without identities no longer listed. */
  scrubbed: number;
  modelVersion: string;
  generation: string | null;
  identities: number;
  rows: number;
  recordsRead: number;
  keysRemoved: number;
  encryption: EncryptionReport;
}

export interface RebuildOptions {
  /** The keys that open records and shards and seal the new generation. */
  ring: Keyring;
  /** The clock (tests move it past the grace periods). */
  now?: () => number;
  /** The background re-encryption, given every listed identity. */
  reseal?: (listing: { id: string; meta: IdentityMeta }[]) => Promise<EncryptionReport>;
}

export async function rebuildGallery(
  kv: KVNamespace, manifest: Pick<ModelManifest, 'modelVersion' | 'output'>, dtype: Dtype, { ring, now = Date.now, reseal }: RebuildOptions,
): Promise<RebuildResult> {
  const version = manifest.modelVersion, dim = manifest.output.embeddingSize;
  const ids = new IdentityStore(kv), store = new GalleryStore(kv, ring);
  // An identity past its expiry is left out even before its writer's alarm has deleted it.
  const all = (await ids.listAll()).filter((e) => !expired(e.meta.e, now()));
  const listed = new Map<string, Set<string>>();
  for (const e of all) (listed.get(e.meta.v) ?? listed.set(e.meta.v, new Set()).get(e.meta.v)!).add(e.id);
  const listing = all.filter((e) => e.meta.v === version);
  const kid = ring.current?.kid ?? null;
  const fingerprint = await fingerprintOf(dtype, dim, kid, listing.map((e) => [e.id, e.meta.u]));
  const head = await store.readHead(version);
  const prev = head ? await previous(kv, store, head, ring) : null;
  const encryption = async () => (reseal ? reseal(all) : { kid, resealed: 0, remaining: all.filter((e) => !kid || e.meta.k !== kid).length });
  const result = async (changed: boolean, complete: boolean, h: GalleryHead | null, recordsRead: number, scrubbed: number, keysRemoved: number): Promise<RebuildResult> => ({
    changed, complete, modelVersion: version, generation: h?.generation ?? null, identities: h?.identities ?? 0, rows: h?.rows ?? 0, recordsRead, scrubbed, keysRemoved,
    encryption: await encryption(),
  });
  /** Garbage collection, then any other model version's shards that still hold identities gone from it. */
  const tidy = async (scrubbed: number) => {
    const gc = await store.collectGarbage(version, now());
    return { scrubbed: scrubbed + (await store.scrub(await store.otherVersionsToScrub(gc.left, version, listed), listed)), removed: gc.removed };
  };
  if (head && prev && head.fingerprint === fingerprint) {
    const t = await tidy(0);
    return result(false, true, head, 0, t.scrubbed, t.removed);
  }

  // Reuse unchanged rows; read changed records (within budget, in parallel batches).
  const reusable = prev && head?.dtype === dtype ? prev : null;
  const slots: (GalleryEntry | null)[] = listing.map(({ id, meta }) => {
    const i = reusable?.indexOf(id);
    return i !== undefined && reusable!.updated[i] === meta.u ? { id, updatedAt: meta.u, rows: reusable!.rowsOf(id) } : null;
  });
  const toRead = slots.flatMap((e, k) => (e ? [] : [k]));
  const reading = toRead.slice(0, MAX_RECORD_READS);
  for (let b = 0; b < reading.length; b += PARALLEL_READS) {
    const batch = reading.slice(b, b + PARALLEL_READS);
    const recs = await Promise.all(batch.map((k) => ids.get(listing[k].id)));
    const rows = await Promise.all(recs.map((rec) => rec && rec.modelVersion === version && rec.dim === dim ? recordRows(rec, ring) : null));
    batch.forEach((k, j) => {
      if (rows[j]) slots[k] = { id: recs[j]!.id, updatedAt: recs[j]!.updatedAt, rows: rows[j]! };
    });
  }
  // Over budget: keep the previous rows of changed identities; new ones wait for the next run.
  for (const k of toRead.slice(MAX_RECORD_READS)) {
    const i = reusable?.indexOf(listing[k].id);
    if (i !== undefined) slots[k] = { id: listing[k].id, updatedAt: reusable!.updated[i], rows: reusable!.rowsOf(listing[k].id) };
  }
  const entries = slots.filter((e): e is GalleryEntry => !!e);
  const recordsRead = reading.length;
  const shards = packShards(entries, dim, dtype);
  const builtAt = now(), generation = newGeneration(builtAt);
  const next: GalleryHead = {
    modelVersion: version, generation, dim, dtype, builtAt,
    fingerprint: await fingerprintOf(dtype, dim, kid, entries.map((e) => [e.id, e.updatedAt])),
    shards: shards.map((_, n) => shardKey(version, generation, n)),
    identities: entries.length, rows: entries.reduce((s, e) => s + e.rows.length, 0),
  };
  const snapshot = new Snapshot(version, next, shards.map((s) => unpackShard(s.slice(0))));
  const mine = listed.get(version) ?? new Set<string>();
  // No readable previous snapshot to compare with: scrub to be sure.
  let dropped = !!head && !prev;
  for (let i = 0; prev && i < prev.size && !dropped; i++) dropped = !mine.has(prev.idAt(i));
  await store.writeShards(next, shards);
  // Before the head moves: once it has, no generation of this version holds an identity it dropped.
  const scrubbed = dropped ? await store.scrub((await store.keys()).filter((k) => k.version === version), listed, generation) : 0;
  await store.putHead(next, now);
  install(snapshot);
  const t = await tidy(scrubbed);
  return result(true, toRead.length <= MAX_RECORD_READS, next, recordsRead, t.scrubbed, t.removed);
}

/** The snapshot `head` points to: this isolate's copy if current, else loaded from KV. */
async function previous(kv: KVNamespace, store: GalleryStore, head: GalleryHead, ring: Keyring): Promise<Snapshot | null> {
  const mine = await currentSnapshot(kv, head.modelVersion, ring).catch(() => null);
  if (mine?.head?.generation === head.generation) return mine;
  // A shard that does not open (its key no longer listed) leaves no previous snapshot: records are read instead.
  const bufs = await Promise.all(head.shards.map((k) => store.readShard(k))).catch(() => null);
  return bufs?.every((b) => b) ? new Snapshot(head.modelVersion, head, bufs.map((b) => unpackShard(b!))) : null;
}

/** What a snapshot was built from, and the key sealing it; equal to the listing's ⇔ nothing to rebuild. */
async function fingerprintOf(dtype: Dtype, dim: number, kid: string | null, items: [string, number][]): Promise<string> {
  const text = `${dtype}:${dim}:${kid ?? ''}\n` + items.map(([id, u]) => `${id}\t${u}`).join('\n');
  const d = new Uint8Array(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(text)));
  return [...d].map((b) => b.toString(16).padStart(2, '0')).join('');
}
