// The gallery as identify sees it: the packed snapshot of the current model version, cached in the
// isolate (head re-checked every HEAD_TTL_MS, shards fetched only when the generation changes), plus
// an overlay of this isolate's own recent writes so an admin sees an enrolment or deletion at once.
// Identify never reads per-identity records. Other isolates see writes after the next rebuild.
// A head whose shards KV lacks never becomes an empty gallery: the previous snapshot stays, or,
// in an isolate that has none, identify answers 503. Shards are opened (decrypted) when a snapshot is
// loaded, once per generation: no request pays for it after that.
import { dot } from '../../../models/contract/distance';
import { type Keyring, NO_KEYS } from '../crypto/keyring';
import { ApiError } from '../http/errors';
import { GalleryStore } from './store';
import { unpackShard } from './pack';
import { Snapshot } from './snapshot';

const HEAD_TTL_MS = 30_000;
/** The head may come from this location's KV cache for this long (KV's minimum cacheTtl). */
const HEAD_CACHE_TTL_S = 30;
/** Overlay entries outlive any snapshot built within this long after the write (KV propagation). */
const SETTLE_MS = 120_000;

interface Cached { snapshot: Snapshot; checkedAt: number }
interface OverlayEntry { at: number; updatedAt: number; rows: Float32Array[] | null }

let cache: Cached | null = null;
let loading: Promise<Snapshot> | null = null;
const overlays = new Map<string, Map<string, OverlayEntry>>();

export interface Candidate { id: string; similarity: number }

/** ring: the keys that open the shards (none: only shards written before encryption open). */
export async function searchGallery(kv: KVNamespace, version: string, query: Float32Array, k: number, ring: Keyring = NO_KEYS) {
  const snap = await currentSnapshot(kv, version, ring);
  const overlay = overlays.get(version) ?? new Map<string, OverlayEntry>();
  const best = new Float32Array(snap.size).fill(-Infinity);
  snap.scoreInto(query, best);
  // This isolate's own writes replace the snapshot's rows of those identities.
  for (const id of overlay.keys()) {
    const i = snap.indexOf(id);
    if (i !== undefined) best[i] = -Infinity;
  }
  // Keep only the k best (similarity desc, then id asc) instead of sorting every identity:
  // at 100k identities a full sort costs far more than the scan itself. Ids are decoded only for
  // identities that reach the current top k.
  const top: Candidate[] = [];
  const before = (a: Candidate, b: Candidate) => a.similarity > b.similarity || (a.similarity === b.similarity && a.id < b.id);
  const offer = (c: Candidate) => {
    if (top.length === k && !before(c, top[k - 1])) return;
    let i = top.length < k ? top.length : k - 1;
    while (i > 0 && before(c, top[i - 1])) (top[i] = top[i - 1]), i--;
    top[i] = c;
  };
  let searched = 0, comparisons = 0, floor = -Infinity;
  for (let i = 0; i < best.length; i++) {
    const s = best[i];
    if (s === -Infinity) continue;
    searched++;
    comparisons += snap.rowCountAt(i);
    if (s >= floor) {
      offer({ id: snap.idAt(i), similarity: s });
      if (top.length === k) floor = top[k - 1].similarity;
    }
  }
  for (const [id, e] of overlay) {
    if (!e.rows?.length) continue;
    let s = -Infinity;
    for (const r of e.rows) s = Math.max(s, dot(r, query));
    searched++;
    comparisons += e.rows.length;
    offer({ id, similarity: s });
  }
  return { candidates: top, snapshot: snap, searched, comparisons };
}

export async function currentSnapshot(kv: KVNamespace, version: string, ring: Keyring = NO_KEYS): Promise<Snapshot> {
  if (cache && cache.snapshot.version === version && Date.now() - cache.checkedAt < HEAD_TTL_MS) return cache.snapshot;
  loading ??= load(new GalleryStore(kv, ring), version).finally(() => (loading = null));
  return loading;
}

async function load(store: GalleryStore, version: string): Promise<Snapshot> {
  const mine = cache?.snapshot.version === version ? cache.snapshot : null;
  const head = await store.readHead(version, HEAD_CACHE_TTL_S);
  if (!head) return install(new Snapshot(version, null, []));
  if (mine?.head?.generation === head.generation) return install(mine);
  const bufs = await Promise.all(head.shards.map((key) => store.readShard(key)));
  const missing = head.shards.filter((_, i) => !bufs[i]).length;
  if (!missing) return install(new Snapshot(version, head, bufs.map((b) => unpackShard(b!))));
  // Shards are written before their head and outlive its replacement by GRACE_MS (store.ts), so this
  // is a broken assumption (KV lagging far behind, clocks far apart), never an empty gallery.
  console.error(`gallery ${version}: generation ${head.generation} lacks ${missing} of ${head.shards.length} shards in KV; ${mine ? 'serving the previous snapshot' : 'identify unavailable'}`);
  if (mine) return install(mine);
  throw new ApiError('storage_unavailable', 'the gallery snapshot in storage is incomplete; try again shortly', { binding: 'GALLERY', op: 'get', generation: head.generation, missingShards: missing });
}

/** Makes `snap` current in this isolate and drops overlay entries it already reflects. */
export function install(snap: Snapshot): Snapshot {
  cache = { snapshot: snap, checkedAt: Date.now() };
  const overlay = overlays.get(snap.version);
  for (const [id, e] of overlay ?? []) {
    const i = snap.indexOf(id);
    const reflected = e.rows ? i !== undefined && snap.updated[i] === e.updatedAt : i === undefined;
    if (reflected || (snap.head && snap.head.builtAt > e.at + SETTLE_MS)) overlay!.delete(id);
  }
  return snap;
}

/** Records this isolate's write; rows = null for a deletion. */
export function noteWrite(version: string, id: string, updatedAt: number, rows: Float32Array[] | null) {
  if (!overlays.has(version)) overlays.set(version, new Map());
  overlays.get(version)!.set(id, { at: Date.now(), updatedAt, rows });
}

/** Test hook: forget the cached snapshot and the overlay. */
export function resetGallery() {
  cache = null;
  loading = null;
  overlays.clear();
}
