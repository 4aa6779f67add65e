// The packed gallery snapshot in KV, one per model version. Shard keys are never rewritten (each
// rebuild writes a new generation); only the head pointer changes.
//   gallery:<version>:head               → GalleryHead (JSON)
//   gallery:<version>:<generation>:<n>   → shard n (pack.ts)
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

const PREFIX = 'gallery:';
export const headKey = (version: string) => `${PREFIX}${version}:head`;
export const shardKey = (version: string, generation: string, n: number) => `${PREFIX}${version}:${generation}:${n}`;

export class GalleryStore {
  constructor(private kv: KVNamespace) {}

  /** cacheTtl (seconds, ≥ 30) lets the edge cache the head; omit it for a fresh read. */
  readHead(version: string, cacheTtl?: number): Promise<GalleryHead | null> {
    return this.kv.get<GalleryHead>(headKey(version), cacheTtl ? { type: 'json', cacheTtl } : { type: 'json' });
  }

  /** Shards never change, but a deleted one must not linger in KV's edge cache: keep that short. */
  readShard(key: string): Promise<ArrayBuffer | null> {
    return this.kv.get(key, { type: 'arrayBuffer', cacheTtl: 120 });
  }

  async write(head: GalleryHead, shards: ArrayBuffer[]): Promise<void> {
    // Shards first, head last: readers following the head never see a missing shard of it.
    await Promise.all(shards.map((s, i) => this.kv.put(head.shards[i], s)));
    await this.kv.put(headKey(head.modelVersion), JSON.stringify(head));
  }

  /** Deletes every gallery key but `head`'s own: older generations and other model versions. */
  async collectGarbage(head: GalleryHead): Promise<number> {
    const keep = new Set([headKey(head.modelVersion), ...head.shards]);
    let cursor: string | undefined, removed = 0;
    do {
      const page = await this.kv.list({ prefix: PREFIX, cursor });
      const stale = page.keys.map((k) => k.name).filter((k) => !keep.has(k));
      await Promise.all(stale.map((k) => this.kv.delete(k)));
      removed += stale.length;
      cursor = page.list_complete ? undefined : page.cursor;
    } while (cursor);
    return removed;
  }
}
