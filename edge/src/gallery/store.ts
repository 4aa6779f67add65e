// The packed gallery snapshot in KV, one per model version. Shard keys are never rewritten (each
// rebuild writes a new generation); only the head pointer changes.
//   gallery:<version>:head               → GalleryHead (JSON)
//   gallery:<version>:<generation>:<n>   → shard n (pack.ts)
// A generation's name starts with its creation time (ms, base 36), so its age is known from its keys.
//
// Garbage collection must never delete shards that a live head names, though KV offers no
// compare-and-swap, rebuilds may overlap (the cron and POST /admin/gallery/rebuild; the last head put
// wins, not the newest generation), and no KV read is fresh: with or without cacheTtl a get may
// return a value up to ~60 s old (S) at that location. So a rebuild cannot know the live head; it
// can bound how recently that head changed. The rule (collectGarbage): generation g goes only if it
// is not the head H just read and max(created(g), created(H)) < now − GRACE_MS.
// Why no reader loses its shards: a reader may need g if g was the head at some moment in the last
// S + L (it read a head up to S stale, then spends up to L fetching shards). Either g's head was put
// after H's (the read here was stale), so within S, and created(g) > now − S − W; or g was replaced
// by a put no earlier than now − S − L, and H is that put or a later one: created(H) > now − S − L − W.
// W = WRITE_WINDOW_MS bounds a rebuild from naming its generation to putting its head (write refuses
// to put a head later than that). GRACE_MS = 5 min exceeds S + L + W (≈ 2–3 min) with room for
// clock skew and slow propagation. This was chosen over serialising rebuilds in a Durable Object:
// readers' stale heads need the same grace period anyway, and it adds no binding or migration.
// Another model version's gallery is retired (head, then shards) once its head is RETIRE_MS old:
// a Worker serves one model version, and the galleries of one that still serves keep their head.
// Deletion cannot wait for either: a rebuild that drops identities first rewrites every other
// generation's shards without them (scrub), in place, before it moves the head; another version's
// shards are scrubbed the same way once its head counts more identities than are listed under it.
// A reader still following an older head then loads each shard with or without them, both whole.
// Every shard is sealed (crypto/envelope.ts, the shard's key as context) under the current key when
// written or rewritten; shards written before encryption are read as they are.
import { isSealed, open, seal } from '../crypto/envelope';
import { type Keyring, NO_KEYS } from '../crypto/keyring';
import { ApiError } from '../http/errors';
import { type Dtype, withoutIdentities } from './pack';

export interface GalleryHead {
  modelVersion: string;
  generation: string;
  dim: number;
  dtype: Dtype;
  shards: string[];
  identities: number;
  rows: number;
  /** sha256 of the (id, updatedAt) list the snapshot was built from; equal ⇒ nothing to rebuild. */
  fingerprint: string;
  builtAt: number;
}

export const GRACE_MS = 5 * 60_000;
export const WRITE_WINDOW_MS = 60_000;
export const RETIRE_MS = 60 * 60_000;

const PREFIX = 'gallery:';
export const headKey = (version: string) => `${PREFIX}${version}:head`;
export const shardKey = (version: string, generation: string, n: number) => `${PREFIX}${version}:${generation}:${n}`;

/** A new generation name: creation time (base 36) - 4 random characters. */
export const newGeneration = (now: number) => `${now.toString(36)}-${Math.random().toString(36).slice(2, 6).padEnd(4, '0')}`;
/** When a generation was created (ms); names before the "-" form carry it in their first 8 characters. */
export function generationCreatedAt(generation: string): number {
  const dash = generation.indexOf('-');
  const t = parseInt(dash > 0 ? generation.slice(0, dash) : generation.slice(0, 8), 36);
  return Number.isFinite(t) ? t : 0;
}

export interface GalleryKey { name: string; version: string; generation: string | null }

/** A gallery key's parts (generation null for a head); null for a key of another shape. */
function parseKey(name: string): Omit<GalleryKey, 'name'> | null {
  const parts = name.slice(PREFIX.length).split(':');
  if (parts.length >= 2 && parts[parts.length - 1] === 'head') return { version: parts.slice(0, -1).join(':'), generation: null };
  if (parts.length >= 3 && /^\d+$/.test(parts[parts.length - 1])) return { version: parts.slice(0, -2).join(':'), generation: parts[parts.length - 2] };
  return null;
}

export class GalleryStore {
  /** ring: the keys that open and seal shards (none: only plaintext shards open, and nothing can be written). */
  constructor(private kv: KVNamespace, private ring: Keyring = NO_KEYS) {}

  /** cacheTtl (seconds, ≥ 30) lets this location cache the head that long; without it KV may still
   *  answer from its cache (up to ~60 s old): no read here is fresh. */
  readHead(version: string, cacheTtl?: number): Promise<GalleryHead | null> {
    return this.kv.get<GalleryHead>(headKey(version), cacheTtl ? { type: 'json', cacheTtl } : { type: 'json' });
  }

  /** A shard, opened. Shards change only by a scrub, but a deleted one must not linger in KV's edge cache: keep that short. */
  async readShard(key: string): Promise<ArrayBuffer | null> {
    const buf: ArrayBuffer | null = await this.kv.get(key, { type: 'arrayBuffer', cacheTtl: 120 });
    return buf && this.opened(buf, key);
  }

  /** A new generation's shards, sealed; its head is put after them (putHead), so a reader following the head finds them. */
  async writeShards(head: GalleryHead, shards: ArrayBuffer[]): Promise<void> {
    const sealed = await Promise.all(shards.map((s, i) => seal(this.ring, new Uint8Array(s), head.shards[i])));
    await Promise.all(sealed.map((s, i) => this.kv.put(head.shards[i], s)));
  }

  private async opened(buf: ArrayBuffer, key: string): Promise<ArrayBuffer> {
    if (!isSealed(new Uint8Array(buf))) return buf;
    return (await open(this.ring, new Uint8Array(buf), key)).buffer as ArrayBuffer;
  }

  /** Moves the head, within WRITE_WINDOW_MS of the generation's creation: later, the head is not put
   *  (503) and the shards become garbage. */
  async putHead(head: GalleryHead, now: () => number): Promise<void> {
    const took = now() - generationCreatedAt(head.generation);
    if (took > WRITE_WINDOW_MS)
      throw new ApiError('storage_unavailable', 'writing the gallery shards took too long; the head was not moved, try again', { binding: 'GALLERY', op: 'put', tookMs: took });
    await this.kv.put(headKey(head.modelVersion), JSON.stringify(head));
  }

  /**
   * Rewrites, in place, the shards of `keys` (but generation `skip`) that hold an identity `listed` no
   * longer has under the shard's model version: deleted, expired, or re-enrolled under another
   * version. Returns the shards rewritten.
   */
  async scrub(keys: GalleryKey[], listed: Map<string, Set<string>>, skip: string | null = null): Promise<number> {
    let rewritten = 0;
    // One at a time: a shard is up to SHARD_MAX_BYTES.
    for (const k of keys) {
      if (k.generation === null || k.generation === skip) continue;
      const buf: ArrayBuffer | null = await this.kv.get(k.name, 'arrayBuffer');
      // Sealed under a key no longer listed: no one can read it, and garbage collection deletes it.
      const plain = buf && (await this.opened(buf, k.name).catch(() => null));
      const ids = listed.get(k.version) ?? new Set<string>();
      const clean = plain && withoutIdentities(plain, (id) => ids.has(id));
      if (!clean) continue;
      await this.kv.put(k.name, await seal(this.ring, new Uint8Array(clean), k.name));
      rewritten++;
    }
    return rewritten;
  }

  /**
   * The keys of other model versions' galleries that may hold identities no longer listed under
   * them: those of a version whose head counts more identities than are listed (no rebuild of a
   * version runs once nothing serves it, so its count only falls).
   */
  async otherVersionsToScrub(keys: GalleryKey[], version: string, listed: Map<string, Set<string>>): Promise<GalleryKey[]> {
    const versions = [...new Set(keys.map((k) => k.version))].filter((v) => v !== version);
    const due = new Set<string>();
    for (const v of versions) if (((await this.readHead(v))?.identities ?? 0) > (listed.get(v)?.size ?? 0)) due.add(v);
    return keys.filter((k) => due.has(k.version));
  }

  /** Every gallery key, with its model version and generation (null for a head). */
  async keys(): Promise<GalleryKey[]> {
    const keys: GalleryKey[] = [];
    let cursor: string | undefined;
    do {
      const page = await this.kv.list({ prefix: PREFIX, cursor });
      for (const k of page.keys) {
        const p = parseKey(k.name);
        if (p) keys.push({ name: k.name, ...p });
      }
      cursor = page.list_complete ? undefined : page.cursor;
    } while (cursor);
    return keys;
  }

  /**
   * Deletes the gallery keys no reader can need any more (the rule in this module's header): of
   * `version`, generations other than the live head's once GRACE_MS has passed; of other model
   * versions the same, and their whole gallery once its head is RETIRE_MS old. Returns the count
   * and the keys left.
   */
  async collectGarbage(version: string, now: number): Promise<{ removed: number; left: GalleryKey[] }> {
    const keys = await this.keys();
    if (!keys.length) return { removed: 0, left: [] };
    // Heads are read after the listing, right before deciding: as recent as KV allows.
    const versions = [...new Set([version, ...keys.map((k) => k.version)])];
    const heads = new Map(await Promise.all(versions.map(async (v) => [v, await this.readHead(v)] as const)));
    const retired = (v: string) => {
      const h = heads.get(v);
      return v !== version && !!h && generationCreatedAt(h.generation) < now - RETIRE_MS;
    };
    const deletable = (k: (typeof keys)[number]) => {
      const h = heads.get(k.version), gone = retired(k.version);
      if (k.generation === null) return gone;
      if (!gone && k.generation === h?.generation) return false;
      const since = Math.max(generationCreatedAt(k.generation), !gone && h ? generationCreatedAt(h.generation) : 0);
      return since < now - GRACE_MS;
    };
    const stale = keys.filter(deletable);
    // Heads before shards: a retired version's readers then find no gallery rather than a broken one.
    await Promise.all(stale.filter((k) => k.generation === null).map((k) => this.kv.delete(k.name)));
    await Promise.all(stale.filter((k) => k.generation !== null).map((k) => this.kv.delete(k.name)));
    return { removed: stale.length, left: keys.filter((k) => !stale.includes(k)) };
  }
}
