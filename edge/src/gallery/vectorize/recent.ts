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
// Entries hold embeddings, so each is sealed at rest (crypto/envelope.ts); the object opens them once,
// when it starts, and then serves identify from memory, writing every change through to storage.
// Entries it finds under another key than the current one (or none) it seals again then.
import { DurableObject } from 'cloudflare:workers';
import { openValue, sealValue, valueKid } from '../../crypto/envelope';
import { keyring } from '../../crypto/keyring';
import { versionIndexes } from './indexes';
import { type Mutation, type RecentEntry, RecentSet } from './recent-set';

const PRUNE_EVERY_MS = 5_000;
const LARGE = 10_000;
const context = (id: string) => `recent-write:${id}`;

/** The set in Durable Object storage, and opened in memory. */
export class RecentWrites extends DurableObject<Env> {
  private held: Promise<RecentSet> | null = null;
  private queue: Promise<unknown> = Promise.resolve();

  /** One change at a time: sealing awaits, and a later change must not be overtaken by an earlier one. */
  private serial<T>(fn: (set: RecentSet) => Promise<T>): Promise<T> {
    const run = this.queue.then(async () => {
      try {
        return await fn(await this.load());
      } catch (e) {
        this.held = null; // memory may be ahead of storage: read it again
        throw e;
      }
    });
    this.queue = run.catch(() => {});
    return run;
  }

  private load(): Promise<RecentSet> {
    this.held ??= (async () => {
      const ring = await keyring(this.env);
      const set = new RecentSet();
      const stale: RecentEntry[] = [];
      for (const [key, stored] of await this.ctx.storage.list<RecentEntry | string>({ prefix: 'e:' })) {
        const e = await openValue<RecentEntry>(ring, stored, context(key.slice(2)));
        set.entries.set(e.id, e);
        if (ring.current && valueKid(stored) !== ring.current.kid) stale.push(e);
      }
      if (stale.length) await this.ctx.storage.put(await this.sealed(stale));
      return set;
    })();
    return this.held;
  }

  private async sealed(entries: RecentEntry[]): Promise<Record<string, string>> {
    const ring = await keyring(this.env);
    return Object.fromEntries(await Promise.all(entries.map(async (e) => [`e:${e.id}`, await sealValue(ring, e, context(e.id))])));
  }

  /** Records a write (rows = null: deleted) before it is sent; an older write than the one held is ignored. */
  note(version: string, dim: number, e: Omit<RecentEntry, 'mutation'>): Promise<void> {
    return this.serial(async (set) => {
      const entry = set.note(e);
      if (!entry) return;
      await this.ctx.storage.put<unknown>({ about: { version, dim }, ...(await this.sealed([entry])) });
      if (set.entries.size > LARGE) console.warn(`gallery ${version}: ${set.entries.size} recent writes not yet indexed by Vectorize`);
      if ((await this.ctx.storage.getAlarm()) === null) await this.ctx.storage.setAlarm(Date.now() + PRUNE_EVERY_MS);
    });
  }

  /** The mutation Vectorize accepted for that write (its last one, when it took several). */
  acked(id: string, updatedAt: number, mutation: Mutation): Promise<void> {
    return this.serial(async (set) => {
      const e = set.acked(id, updatedAt, mutation);
      if (e) await this.ctx.storage.put(await this.sealed([e]));
    });
  }

  async list(): Promise<RecentEntry[]> {
    return [...(await this.load()).entries.values()];
  }

  /** Asks each shard's index what it has processed and drops those entries; returns how many remain. */
  prune(): Promise<number> {
    return this.serial(async (set) => {
      const about = await this.ctx.storage.get<{ version: string; dim: number }>('about');
      if (!about || !set.entries.size) return set.entries.size;
      const infos = await Promise.all(versionIndexes(this.env, about.version, about.dim).map((ix) => ix.describe()));
      const gone = set.prune(infos);
      for (let i = 0; i < gone.length; i += 128) await this.ctx.storage.delete(gone.slice(i, i + 128).map((id) => `e:${id}`));
      return set.entries.size;
    });
  }

  async alarm(): Promise<void> {
    if ((await this.prune()) > 0) await this.ctx.storage.setAlarm(Date.now() + PRUNE_EVERY_MS);
  }
}

/** The recent-writes object of one model version. */
export const recentWrites = (env: Env, version: string) =>
  env.GALLERY_RECENT.getByName(version) as unknown as Pick<RecentWrites, 'note' | 'acked' | 'list' | 'prune'>;
