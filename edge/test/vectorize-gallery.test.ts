// The Vectorize gallery's write and search paths (gallery/vectorize/sync.ts, search.ts) and the
// recent-writes rules (recent.ts RecentSet) inside workerd, over the exact stand-in, whose writes stay
// invisible until its log is processed: read-your-writes before the index catches up, deletions,
// shrinking replacements, a model switch, shards, long ids, a write interrupted after its note.
import { beforeEach, describe, expect, it } from 'vitest';
import { versionIndexes } from '../src/gallery/vectorize/indexes';
import { shardOf, vectorId } from '../src/gallery/vectorize/layout';
import { RecentSet } from '../src/gallery/vectorize/recent-set';
import { searchVectorize } from '../src/gallery/vectorize/search';
import { resetStandIns, standInIndexes, type VectorizeStandIn } from '../src/gallery/vectorize/standin';
import { type GalleryHeld, type GalleryWrite, galleryWrite, syncVectorize } from '../src/gallery/vectorize/sync';
import { rng, unit } from './gallery-data';

const DIM = 16;
const env = { GALLERY_VECTORIZE_STANDIN: 'true' };
const sharded = { GALLERY_VECTORIZE_STANDIN: 'true', GALLERY_VECTORIZE_INDEXES: JSON.stringify({ s: ['A', 'B', 'C'] }) };
const r = rng(5);
const row = () => [...unit(DIM, r)];

let sets: Map<string, RecentSet>;
const set = (v: string) => sets.get(v) ?? sets.set(v, new RecentSet()).get(v)!;
const recent = (v: string) => ({
  note: async (_v: string, _d: number, e: Parameters<RecentSet['note']>[0]) => void set(v).note(e),
  acked: async (id: string, u: number, m: Parameters<RecentSet['acked']>[2]) => void set(v).acked(id, u, m),
});
const prune = async (e: object, v: string) => set(v).prune(await Promise.all(versionIndexes(e, v, DIM).map((ix) => ix.describe())));
const search = (e: object, v: string, q: ArrayLike<number>, k = 5) => searchVectorize(e, async () => [...set(v).entries.values()], v, Float32Array.from(q), k);
const processAll = () => standInIndexes().forEach((ix) => ix.process());
const index = (e: object, v: string, shard = 0) => versionIndexes(e, v, DIM)[shard] as VectorizeStandIn;
let clock = 1000;
const write = (id: string, now: GalleryWrite['now'], before: GalleryHeld | null = null): GalleryWrite => ({ id, updatedAt: ++clock, now, before: before ? [before] : [] });

beforeEach(() => {
  resetStandIns();
  sets = new Map();
});

describe('read-your-writes', () => {
  it('an enrolment is found at once, before the index has processed it, and after', async () => {
    const a = row();
    await syncVectorize(env, recent, write('alice', { version: 'v', dim: DIM, rows: [a] }));
    expect(index(env, 'v').pending).toBe(1);
    expect((await index(env, 'v').query(a)).count).toBe(0);
    const now = await search(env, 'v', a);
    expect(now.candidates[0].id).toBe('alice');
    expect(now.candidates[0].similarity).toBeCloseTo(1, 6);
    expect(await prune(env, 'v')).toEqual([]); // not processed yet: the entry stays
    processAll();
    expect(await prune(env, 'v')).toEqual(['alice']);
    const later = await search(env, 'v', a);
    expect(later.recent).toBe(0);
    expect(later.candidates[0]).toMatchObject({ id: 'alice' });
    expect(later.candidates[0].similarity).toBeCloseTo(1, 6);
  });

  it('a deletion is gone at once although the index still holds the vectors', async () => {
    const a = row(), b = row();
    await syncVectorize(env, recent, write('alice', { version: 'v', dim: DIM, rows: [a, b] }));
    expect(await search(env, 'v', a)).toMatchObject({ recent: 1, recentRows: 2 }); // identify's N counts both rows
    processAll();
    await prune(env, 'v');
    await syncVectorize(env, recent, write('alice', null, { version: 'v', dim: DIM, rows: 2 }));
    expect((await index(env, 'v').query(a)).matches.map((m) => m.id)).toContain('0:alice');
    expect((await search(env, 'v', a)).candidates).toEqual([]);
    processAll();
    expect(await prune(env, 'v')).toEqual(['alice']);
    expect((await search(env, 'v', a)).candidates).toEqual([]);
    expect((await index(env, 'v').describe()).vectorCount).toBe(0);
  });

  it('a replacement with fewer rows deletes the rows it no longer has', async () => {
    const rows = [row(), row(), row()];
    await syncVectorize(env, recent, write('bob', { version: 'v', dim: DIM, rows }));
    await syncVectorize(env, recent, write('bob', { version: 'v', dim: DIM, rows: [rows[0]] }, { version: 'v', dim: DIM, rows: 3 }));
    expect((await search(env, 'v', rows[2])).candidates[0].similarity).toBeLessThan(0.99); // row 2 is gone already
    processAll();
    await prune(env, 'v');
    expect((await index(env, 'v').getByIds(['0:bob', '1:bob', '2:bob'])).map((v) => v.id)).toEqual(['0:bob']);
  });

  it('a write is kept until its own mutation is processed: processing in order', async () => {
    const a = row(), b = row();
    await syncVectorize(env, recent, write('a', { version: 'v', dim: DIM, rows: [a] }));
    await syncVectorize(env, recent, write('b', { version: 'v', dim: DIM, rows: [b] }));
    index(env, 'v').process(1);
    expect(await prune(env, 'v')).toEqual(['a']);
    expect([...set('v').entries.keys()]).toEqual(['b']);
    index(env, 'v').process();
    expect(await prune(env, 'v')).toEqual(['b']);
  });

  it('only the mutation ids prove processing: a write sent after an acknowledgement, or the write itself', () => {
    const s = new RecentSet();
    const info = (m: string, at = 9e12) => ({ processedUpToMutation: m as unknown as number, processedUpToDatetime: new Date(at).toISOString() as unknown as number });
    s.note({ id: 'x', updatedAt: 1, rows: null, shard: 0 });
    s.acked('x', 1, { id: 'm1', sentAt: 1000, ackedAt: 1010 });
    s.note({ id: 'y', updatedAt: 2, rows: null, shard: 0 });
    s.acked('y', 2, { id: 'm2', sentAt: 1010, ackedAt: 1020 });
    s.note({ id: 'z', updatedAt: 3, rows: null, shard: 0 });
    s.acked('z', 3, { id: 'm3', sentAt: 1011, ackedAt: 1030 });
    expect(s.prune([info('unknown')])).toEqual([]); // a later processed time alone proves nothing
    expect(s.prune([info('m2')])).toEqual(['y']); // x was acknowledged at 1010, m2 sent at 1010: not provably before
    expect(s.prune([info('m3')])).toEqual(['x', 'z']); // x acknowledged at 1010 < m3 sent at 1011
    // A write never acknowledged stays, whatever the index says; an older write than the one held is ignored.
    s.note({ id: 'w', updatedAt: 4, rows: null, shard: 0 });
    expect(s.prune([info('m3')])).toEqual([]);
    expect(s.note({ id: 'w', updatedAt: 3, rows: [[1]], shard: 0 })).toBeNull();
  });
});

describe('failures, versions, shards, ids', () => {
  it('a write interrupted after its note is still found; re-running it (the alarm) completes it', async () => {
    const a = row();
    const ix = index(env, 'v');
    const upsert = ix.upsert.bind(ix);
    ix.upsert = async () => {
      throw new Error('VECTOR_UPSERT_ERROR: service unavailable');
    };
    const w = write('carol', { version: 'v', dim: DIM, rows: [a] });
    await expect(syncVectorize(env, recent, w)).rejects.toThrow(/service unavailable/);
    expect((await search(env, 'v', a)).candidates[0].id).toBe('carol');
    processAll();
    expect(await prune(env, 'v')).toEqual([]); // no mutation acknowledged: the entry must stay
    ix.upsert = upsert;
    await syncVectorize(env, recent, w);
    await syncVectorize(env, recent, w); // twice: idempotent
    processAll();
    expect(await prune(env, 'v')).toEqual(['carol']);
    expect((await search(env, 'v', a)).candidates[0].id).toBe('carol');
    expect((await ix.describe()).vectorCount).toBe(1);
  });

  it('re-enrolment under a new model version writes the new index and empties the old one', async () => {
    const old = row(), fresh = row();
    await syncVectorize(env, recent, write('dave', { version: 'v1', dim: DIM, rows: [old] }));
    processAll();
    await syncVectorize(env, recent, write('dave', { version: 'v2', dim: DIM, rows: [fresh] }, { version: 'v1', dim: DIM, rows: 1 }));
    expect((await search(env, 'v1', old)).candidates).toEqual([]);
    expect((await search(env, 'v2', fresh)).candidates[0].id).toBe('dave');
    processAll();
    await prune(env, 'v1');
    await prune(env, 'v2');
    expect((await index(env, 'v1').describe()).vectorCount).toBe(0);
    expect((await search(env, 'v2', fresh)).candidates[0].id).toBe('dave');
  });

  it('shards: each identity in the index its id hashes to; search over all equals brute force', async () => {
    const people = Array.from({ length: 150 }, (_, i) => ({ id: `p${i}`, rows: Array.from({ length: 1 + (i % 3) }, row) }));
    for (const p of people) await syncVectorize(sharded, recent, write(p.id, { version: 's', dim: DIM, rows: p.rows }));
    const before = (await search(sharded, 's', people[7].rows[0])).candidates;
    processAll();
    // Each shard's last mutation is processed; workerd's clock stood still, so only those are provably so.
    expect((await prune(sharded, 's')).length).toBeGreaterThanOrEqual(3);
    const after = (await search(sharded, 's', people[7].rows[0])).candidates;
    expect(after.map((c) => c.id)).toEqual(before.map((c) => c.id));
    for (const [i, c] of after.entries()) expect(c.similarity).toBeCloseTo(before[i].similarity, 6);
    for (const p of people.slice(0, 20)) {
      const k = shardOf(p.id, 3);
      expect((await index(sharded, 's', k).getByIds([`0:${p.id}`])).length).toBe(1);
      expect((await index(sharded, 's', (k + 1) % 3).getByIds([`0:${p.id}`])).length).toBe(0);
    }
    const dot = (a: number[], b: number[]) => a.reduce((s, x, i) => s + Math.fround(x) * b[i], 0);
    for (let t = 0; t < 5; t++) {
      const q = row();
      const want = people.map((p) => ({ id: p.id, s: Math.max(...p.rows.map((x) => dot(x, q))) })).sort((a, b) => b.s - a.s).slice(0, 5);
      for (const id of [...set('s').entries.keys()].slice(0, 140)) set('s').entries.delete(id); // search the indexes alone, mostly
      const got = (await search(sharded, 's', q)).candidates;
      expect(got.map((c) => c.id)).toEqual(want.map((w) => w.id));
      for (const [i, c] of got.entries()) expect(c.similarity).toBeCloseTo(want[i].s, 5);
    }
  });

  it('a write that folds in an undelivered one still removes what the gallery may hold from before both', async () => {
    const rows = Array.from({ length: 5 }, row);
    await syncVectorize(env, recent, write('erin', { version: 'v1', dim: DIM, rows }));
    processAll();
    // v1 (5 rows) → v1 (3 rows) never delivered, then → v2 (1 row): the outbox folds both.
    const owed = galleryWrite('erin', ++clock, { version: 'v1', dim: DIM, rows: rows.slice(0, 3) }, { version: 'v1', dim: DIM, rows: 5 });
    const next = galleryWrite('erin', ++clock, { version: 'v2', dim: DIM, rows: [rows[0]] }, { version: 'v1', dim: DIM, rows: 3 }, owed);
    expect(next.before).toEqual([{ version: 'v1', dim: DIM, rows: 5 }]);
    await syncVectorize(env, recent, next);
    processAll();
    expect(await index(env, 'v1').getByIds(rows.map((_, i) => `${i}:erin`))).toEqual([]);
    expect((await search(env, 'v2', rows[0])).candidates[0].id).toBe('erin');
  });

  it('ids too long for a vector id are hashed and found through their metadata', async () => {
    const id = `${'ü'.repeat(60)}-long`, a = row();
    await syncVectorize(env, recent, write(id, { version: 'v', dim: DIM, rows: [a] }));
    processAll();
    await prune(env, 'v');
    expect((await index(env, 'v').getByIds([await vectorId(id, 0)]))[0].metadata).toEqual({ id });
    expect((await search(env, 'v', a)).candidates[0].id).toBe(id);
  });
});
