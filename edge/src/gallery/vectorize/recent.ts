// A model version's recent gallery writes, for read-your-writes over Vectorize (which indexes writes
// seconds to minutes after accepting them): one Durable Object per version (`GALLERY_RECENT`,
// named by the version). Each identity's writer notes a write here (its rows, or a tombstone)
// before sending it to Vectorize, then the mutation Vectorize accepted. identify scans these
// entries exactly and ignores the index's answer for their ids, so an enrolment is found, and a
// deletion gone, at once. An entry leaves once its shard's index reports (describe()) having
// processed its mutation: the index processes mutations in the order it accepted them, so when
// processedUpToMutation names a mutation sent at time s, every mutation acknowledged strictly before
// s is processed too (Workers' clocks stand still between I/O, so equal times prove nothing).
// processedUpToDatetime is not used: whether it is when the mutation was accepted or when it was
// applied is not documented, and only the former would prove anything. An entry that nothing
// proves processed stays (its rows are the record's, so keeping it is never wrong).
import { DurableObject } from 'cloudflare:workers';
import { versionIndexes } from './indexes';
import { type Mutation, type RecentEntry, RecentSet } from './recent-set';

const PRUNE_EVERY_MS = 5_000;
const LARGE = 10_000;

/** The set in Durable Object storage (read per call: it is small, and storage is the truth). */
export class RecentWrites extends DurableObject<Env> {
  private async load() {
    const set = new RecentSet();
    for (const e of (await this.ctx.storage.list<RecentEntry>({ prefix: 'e:' })).values()) set.entries.set(e.id, e);
    return set;
  }

  /** Records a write (rows = null: deleted) before it is sent; an older write than the one held is ignored. */
  async note(version: string, dim: number, e: Omit<RecentEntry, 'mutation'>): Promise<void> {
    const set = await this.load();
    const entry = set.note(e);
    if (!entry) return;
    await this.ctx.storage.put<unknown>({ about: { version, dim }, [`e:${e.id}`]: entry });
    if (set.entries.size > LARGE) console.warn(`gallery ${version}: ${set.entries.size} recent writes not yet indexed by Vectorize`);
    if ((await this.ctx.storage.getAlarm()) === null) await this.ctx.storage.setAlarm(Date.now() + PRUNE_EVERY_MS);
  }

  /** The mutation Vectorize accepted for that write (its last one, when it took several). */
  async acked(id: string, updatedAt: number, mutation: Mutation): Promise<void> {
    const e = (await this.load()).acked(id, updatedAt, mutation);
    if (e) await this.ctx.storage.put(`e:${id}`, e);
  }

  async list(): Promise<RecentEntry[]> {
    return [...(await this.load()).entries.values()];
  }

  /** Asks each shard's index what it has processed and drops those entries; returns how many remain. */
  async prune(): Promise<number> {
    const set = await this.load();
    const about = await this.ctx.storage.get<{ version: string; dim: number }>('about');
    if (!about || !set.entries.size) return set.entries.size;
    const infos = await Promise.all(versionIndexes(this.env, about.version, about.dim).map((ix) => ix.describe()));
    const gone = set.prune(infos);
    for (let i = 0; i < gone.length; i += 128) await this.ctx.storage.delete(gone.slice(i, i + 128).map((id) => `e:${id}`));
    return set.entries.size;
  }

  async alarm(): Promise<void> {
    if ((await this.prune()) > 0) await this.ctx.storage.setAlarm(Date.now() + PRUNE_EVERY_MS);
  }
}

/** The recent-writes object of one model version. */
export const recentWrites = (env: Env, version: string) =>
  env.GALLERY_RECENT.getByName(version) as unknown as Pick<RecentWrites, 'note' | 'acked' | 'list' | 'prune'>;
