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
import { ApiError } from '../http/errors';
import type { Dtype } from './pack';

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

/** A gallery key's parts (generation null for a head); null for a key of another shape. */
function parseKey(name: string): { version: string; generation: string | null } | null {
  const parts = name.slice(PREFIX.length).split(':');
  if (parts.length >= 2 && parts[parts.length - 1] === 'head') return { version: parts.slice(0, -1).join(':'), generation: null };
  if (parts.length >= 3 && /^\d+$/.test(parts[parts.length - 1])) return { version: parts.slice(0, -2).join(':'), generation: parts[parts.length - 2] };
  return null;
}

export class GalleryStore {
  constructor(private kv: KVNamespace) {}

  /** cacheTtl (seconds, ≥ 30) lets this location cache the head that long; without it KV may still
   *  answer from its cache (up to ~60 s old): no read here is fresh. */
  readHead(version: string, cacheTtl?: number): Promise<GalleryHead | null> {
    return this.kv.get<GalleryHead>(headKey(version), cacheTtl ? { type: 'json', cacheTtl } : { type: 'json' });
  }

  /** Shards never change, but a deleted one must not linger in KV's edge cache: keep that short. */
  readShard(key: string): Promise<ArrayBuffer | null> {
    return this.kv.get(key, { type: 'arrayBuffer', cacheTtl: 120 });
  }

  /** Shards first, head last (so a reader following the head finds its shards), within WRITE_WINDOW_MS
   *  of the generation's creation: later, the head is not put (503) and the shards become garbage. */
  async write(head: GalleryHead, shards: ArrayBuffer[], now: () => number): Promise<void> {
    await Promise.all(shards.map((s, i) => this.kv.put(head.shards[i], s)));
    const took = now() - generationCreatedAt(head.generation);
    if (took > WRITE_WINDOW_MS)
      throw new ApiError('storage_unavailable', 'writing the gallery shards took too long; the head was not moved, try again', { binding: 'GALLERY', op: 'put', tookMs: took });
    await this.kv.put(headKey(head.modelVersion), JSON.stringify(head));
  }

  /**
   * Deletes the gallery keys no reader can need any more (the rule in this module's header): of
   * `version`, generations other than the live head's once GRACE_MS has passed; of other model
   * versions the same, and their whole gallery once its head is RETIRE_MS old. Returns the count.
   */
  async collectGarbage(version: string, now: number): Promise<number> {
    const keys: { name: string; version: string; generation: string | null }[] = [];
    let cursor: string | undefined;
    do {
      const page = await this.kv.list({ prefix: PREFIX, cursor });
      for (const k of page.keys) {
        const p = parseKey(k.name);
        if (p) keys.push({ name: k.name, ...p });
      }
      cursor = page.list_complete ? undefined : page.cursor;
    } while (cursor);
    if (!keys.length) return 0;
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
    return stale.length;
  }
}
