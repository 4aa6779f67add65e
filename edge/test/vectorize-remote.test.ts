// The Vectorize gallery against a real index (issue 22): what the stand-in cannot tell — how long
// Vectorize takes to make a write queryable, its query latency, and its recall against the exact
// stand-in — plus enrol → identify → delete → identify through the same sync/search code. Runs only
// through edge/vitest.remote.config.ts, which binds GALLERY_VECTORS_0 to the account's index
// $VECTORIZE_TEST_INDEX as a remote binding:
//   npx wrangler vectorize create edge-face-test --dimensions=128 --metric=cosine
//   VECTORIZE_TEST_INDEX=edge-face-test npx vitest run --config edge/vitest.remote.config.ts
// Prints `VECTORIZE_REMOTE {json}`. Without that binding (every ordinary run) it is skipped, saying so.
import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { RecentSet } from '../src/gallery/vectorize/recent-set';
import { searchVectorize } from '../src/gallery/vectorize/search';
import { VectorizeStandIn } from '../src/gallery/vectorize/standin';
import { type GalleryHeld, type GalleryWrite, syncVectorize } from '../src/gallery/vectorize/sync';
import { rng, unit } from './gallery-data';

const real = (env as unknown as { GALLERY_VECTORS_0?: Vectorize }).GALLERY_VECTORS_0;
const VERSION = 'remote-test', DIM = 128;
if (!real) console.warn('vectorize-remote: skipped — no GALLERY_VECTORS_0 binding; run with VECTORIZE_TEST_INDEX=<index> npx vitest run --config edge/vitest.remote.config.ts (an account and a 128-d cosine index needed)');

describe.skipIf(!real)('Vectorize, a real index', () => {
  const cfg = { GALLERY_VECTORIZE_INDEXES: JSON.stringify({ [VERSION]: ['GALLERY_VECTORS_0'] }), GALLERY_VECTORS_0: real };
  const set = new RecentSet();
  const recent = () => ({ note: async (_v: string, _d: number, e: Parameters<RecentSet['note']>[0]) => void set.note(e), acked: async (id: string, u: number, m: Parameters<RecentSet['acked']>[2]) => void set.acked(id, u, m) });
  const search = (q: ArrayLike<number>) => searchVectorize(cfg, async () => [...set.entries.values()], VERSION, Float32Array.from(q), 5);
  const r = rng(22);
  const run = `${Date.now().toString(36)}`;
  let clock = 0;
  const w = (id: string, now: GalleryWrite['now'], before: GalleryHeld | null = null): GalleryWrite => ({ id, updatedAt: ++clock, now, before: before ? [before] : [] });
  /** Waits until the index reports having processed `id`'s write; returns the milliseconds it took. */
  const settle = async (id: string, timeoutMs = 300_000) => {
    const m = set.entries.get(id)?.mutation?.id;
    if (!m) throw new Error(`no acknowledged write of ${id}`);
    const t0 = Date.now();
    while (Date.now() - t0 < timeoutMs) {
      const info = await real!.describe();
      if (String(info.processedUpToMutation) === m) {
        set.prune([info]);
        return Date.now() - t0;
      }
      await new Promise((res) => setTimeout(res, 1000));
    }
    throw new Error(`Vectorize did not process mutation ${m} within ${timeoutMs} ms`);
  };
  const figures: Record<string, unknown> = {};

  it('enrol → identify at once → delete → identify at once, and after the index catches up', async () => {
    const a = [...unit(DIM, r)], id = `alice-${run}`;
    await syncVectorize(cfg, recent, w(id, { version: VERSION, dim: DIM, rows: [a] }));
    expect((await search(a)).candidates[0]?.id).toBe(id);
    figures.upsertVisibleMs = await settle(id);
    expect(set.entries.has(id)).toBe(false);
    expect((await search(a)).candidates[0]?.id).toBe(id);
    await syncVectorize(cfg, recent, w(id, null, { version: VERSION, dim: DIM, rows: 1 }));
    expect((await search(a)).candidates.map((c) => c.id)).not.toContain(id);
    figures.deleteVisibleMs = await settle(id);
    expect((await search(a)).candidates.map((c) => c.id)).not.toContain(id);
  }, 700_000);

  it('latency and recall@1 against the exact stand-in', async () => {
    const n = 2000, exact = new VectorizeStandIn('reference', { dimensions: DIM, metric: 'cosine' });
    const people = Array.from({ length: n }, (_, i) => ({ id: `0:p${i}-${run}`, values: [...unit(DIM, r)] }));
    for (let i = 0; i < n; i += 1000) {
      await real!.upsert(people.slice(i, i + 1000));
      await exact.upsert(people.slice(i, i + 1000));
    }
    exact.process();
    const last = await real!.upsert([people[0]]);
    const t0 = Date.now();
    while (String((await real!.describe()).processedUpToMutation) !== last.mutationId) await new Promise((res) => setTimeout(res, 2000));
    figures.bulkVisibleMs = Date.now() - t0;
    // A query is a person's row plus noise, as a new photo of an enrolled person would be.
    const queries = Array.from({ length: 100 }, (_, i) => people[i * 7].values.map((x) => x + (r() - 0.5) * 0.1));
    const times: number[] = [];
    let agree = 0;
    for (const q of queries) {
      const t = performance.now();
      const got = await real!.query(q, { topK: 5 });
      times.push(performance.now() - t);
      if (got.matches[0]?.id === (await exact.query(q, { topK: 1 })).matches[0].id) agree++;
    }
    times.sort((a, b) => a - b);
    Object.assign(figures, { vectors: n, queries: queries.length, queryP50Ms: times[50], queryP95Ms: times[95], recallAt1: agree / queries.length });
    console.log(`VECTORIZE_REMOTE ${JSON.stringify(figures)}`);
    for (let i = 0; i < n; i += 1000) await real!.deleteByIds(people.slice(i, i + 1000).map((p) => p.id));
    expect(agree / queries.length).toBeGreaterThan(0.9);
  }, 900_000);
});
