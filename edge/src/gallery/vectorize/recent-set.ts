// The rules of a model version's recent gallery writes (recent.ts keeps them in a Durable Object):
// which write an entry holds, and when the index has provably processed it. Pure, so the search and
// the write path (and the Node benchmark) use it without the Workers runtime.
export interface Mutation { id: string; sentAt: number; ackedAt: number }
export interface RecentEntry { id: string; updatedAt: number; rows: number[][] | null; shard: number; mutation: Mutation | null }

/** What the write path needs of the recent writes (the Durable Object, or a RecentSet in tests). */
export interface RecentNotes {
  note(version: string, dim: number, e: Omit<RecentEntry, 'mutation'>): Promise<void>;
  acked(id: string, updatedAt: number, mutation: Mutation): Promise<void>;
}

/** The entries and their rules, in memory; RecentWrites persists them. */
export class RecentSet {
  readonly entries = new Map<string, RecentEntry>();

  /** The entry to store, or null when a newer write is held already. */
  note(e: Omit<RecentEntry, 'mutation'>): RecentEntry | null {
    const held = this.entries.get(e.id);
    if (held && held.updatedAt > e.updatedAt) return null;
    const entry: RecentEntry = { ...e, mutation: null };
    this.entries.set(e.id, entry);
    return entry;
  }

  acked(id: string, updatedAt: number, mutation: Mutation): RecentEntry | null {
    const e = this.entries.get(id);
    if (!e || e.updatedAt !== updatedAt) return null;
    e.mutation = mutation;
    return e;
  }

  /** Removes and returns the ids whose shard's index (infos[shard]) has processed their mutation. */
  prune(infos: Pick<VectorizeIndexInfo, 'processedUpToMutation'>[]): string[] {
    const gone: string[] = [];
    for (const [shard, info] of infos.entries()) {
      const mine = [...this.entries.values()].filter((e) => e.shard === shard && e.mutation);
      const upTo = String(info.processedUpToMutation ?? '');
      const hit = mine.find((e) => e.mutation!.id === upTo);
      for (const e of mine) if (e === hit || (hit && e.mutation!.ackedAt < hit.mutation!.sentAt)) gone.push(e.id);
    }
    for (const id of gone) this.entries.delete(id);
    return gone;
  }
}
