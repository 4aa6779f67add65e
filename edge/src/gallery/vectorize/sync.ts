// One identity write carried into a Vectorize gallery, run by the identity's writer (its single
// writer, identity/writer.ts) from the outbox entry it stored with the record, and again by its alarm
// until it completes. Idempotent: upserting the same rows and deleting absent ids change nothing.
//   1. the version's recent writes get the rows (or a tombstone), so identify sees the write at once;
//   2. the rows are upserted as vectors <row>:<id> into the shard index the id hashes to, and rows
//      the identity no longer has are deleted (all of them from an older version's index when it
//      was re-enrolled under a new model, or deleted);
//   3. the last mutation Vectorize accepted is recorded against the recent entry, which leaves once
//      the index reports having processed it.
import { versionIndexes } from './indexes';
import { shardOf, vectorId } from './layout';
import { VECTORIZE_LIMITS } from './limits';
import type { Mutation, RecentNotes as Recent } from './recent-set';

/** Rows an identity may have in a version's gallery (as many as its record had). */
export interface GalleryHeld { version: string; dim: number; rows: number }

/** What the writer stores in its outbox: the record's rows now, and what the gallery may hold before. */
export interface GalleryWrite {
  id: string;
  updatedAt: number;
  /** null: deleted. */
  now: { version: string; dim: number; rows: number[][] } | null;
  /** Every earlier state not yet known to be in the gallery (one, unless a delivery is still owed). */
  before: GalleryHeld[];
}

/** The outbox entry for a write from `before` to `now`, folding in an undelivered one. */
export function galleryWrite(id: string, updatedAt: number, now: GalleryWrite['now'], before: GalleryHeld | null, owed?: GalleryWrite | null): GalleryWrite {
  const held = new Map<string, GalleryHeld>();
  for (const b of [...(owed?.before ?? []), ...(owed?.now ? [{ ...owed.now, rows: owed.now.rows.length }] : []), ...(before ? [before] : [])]) {
    const seen = held.get(b.version);
    held.set(b.version, seen && seen.rows >= b.rows ? seen : b);
  }
  return { id, updatedAt, now, before: [...held.values()] };
}

/** Sends `w` to the version's recent writes and index; `noted` runs once identify can see it. */
export async function syncVectorize(env: object, recent: (version: string) => Recent, w: GalleryWrite, noted?: () => void): Promise<void> {
  const steps: { version: string; dim: number; rows: number[][] | null; removeFrom: number; removeTo: number }[] = [];
  const same = w.before.find((b) => b.version === w.now?.version);
  if (w.now) steps.push({ ...w.now, removeFrom: w.now.rows.length, removeTo: same?.rows ?? 0 });
  for (const b of w.before) if (b.version !== w.now?.version) steps.push({ version: b.version, dim: b.dim, rows: null, removeFrom: 0, removeTo: b.rows });
  const placed = steps.map((s) => {
    const indexes = versionIndexes(env, s.version, s.dim);
    const shard = shardOf(w.id, indexes.length);
    return { ...s, shard, ix: indexes[shard] };
  });
  // Every version's recent set first: identify must never see the index without the write.
  await Promise.all(placed.map((s) => recent(s.version).note(s.version, s.dim, { id: w.id, updatedAt: w.updatedAt, rows: s.rows, shard: s.shard })));
  noted?.();
  for (const s of placed) {
    const ix = s.ix;
    let last: Mutation | null = null;
    const send = async (op: () => Promise<VectorizeAsyncMutation>) => {
      const sentAt = Date.now();
      const { mutationId } = await op();
      last = { id: mutationId, sentAt, ackedAt: Date.now() };
    };
    if (s.rows?.length) {
      const vectors = await Promise.all(s.rows.map(async (values, row) => {
        const vid = await vectorId(w.id, row);
        return { id: vid, values, ...(vid.includes(':') ? {} : { metadata: { id: w.id } }) };
      }));
      for (let i = 0; i < vectors.length; i += VECTORIZE_LIMITS.maxBatch) await send(() => ix.upsert(vectors.slice(i, i + VECTORIZE_LIMITS.maxBatch)));
    }
    if (s.removeTo > s.removeFrom) {
      const ids = await Promise.all(Array.from({ length: s.removeTo - s.removeFrom }, (_, i) => vectorId(w.id, s.removeFrom + i)));
      await send(() => ix.deleteByIds(ids));
    }
    if (last) await recent(s.version).acked(w.id, w.updatedAt, last);
  }
}
