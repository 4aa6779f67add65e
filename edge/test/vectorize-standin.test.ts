// The Vectorize stand-in (src/gallery/vectorize/standin.ts) inside workerd: the published limits it
// enforces, its asynchronous visibility, and exact results against a brute-force reference.
import { describe, expect, it } from 'vitest';
import { VECTORIZE_LIMITS as L } from '../src/gallery/vectorize/limits';
import { VectorizeStandIn } from '../src/gallery/vectorize/standin';
import { rng, unit } from './gallery-data';

const DIM = 8;
const index = (o: Partial<ConstructorParameters<typeof VectorizeStandIn>[1]> = {}) => new VectorizeStandIn('t', { dimensions: DIM, metric: 'cosine', ...o });
const vec = (seed: number, dim = DIM) => [...unit(dim, rng(seed))];
const ids = (m: VectorizeMatches) => m.matches.map((x) => x.id);

describe('limits', () => {
  it('fixes dimensions at creation (1..1536) and refuses other lengths on write and query', async () => {
    expect(() => new VectorizeStandIn('x', { dimensions: L.maxDimensions + 1, metric: 'cosine' })).toThrow(/dimensions/);
    expect(() => new VectorizeStandIn('x'.repeat(65), { dimensions: 4, metric: 'cosine' })).toThrow(/index name/);
    const ix = index();
    await expect(ix.upsert([{ id: 'a', values: vec(1, DIM + 1) }])).rejects.toThrow(/9 dimensions; the index has 8/);
    await expect(ix.query(vec(1, DIM - 1))).rejects.toThrow(/7 dimensions/);
    await expect(ix.upsert([{ id: 'a', values: vec(1) }])).resolves.toHaveProperty('mutationId');
  });

  it('stores float32 and refuses values that are not finite float32', async () => {
    const ix = index();
    const v = vec(2);
    v[0] = 0.1;
    await ix.upsert([{ id: 'a', values: v }]);
    await expect(ix.upsert([{ id: 'b', values: [Number.NaN, ...vec(3).slice(1)] }])).rejects.toThrow(/not a finite float32/);
    await expect(ix.upsert([{ id: 'c', values: [1e39, ...vec(3).slice(1)] }])).rejects.toThrow(/not a finite float32/);
    ix.process();
    const [got] = await ix.getByIds(['a']);
    expect(got.values[0]).toBe(Math.fround(0.1));
    expect(got.values[0]).not.toBe(0.1);
  });

  it('vector ids are 1..64 bytes of UTF-8, not characters', async () => {
    const ix = index();
    await expect(ix.upsert([{ id: 'x'.repeat(64), values: vec(1) }])).resolves.toBeTruthy();
    await expect(ix.upsert([{ id: 'x'.repeat(65), values: vec(1) }])).rejects.toThrow(/over 64 bytes/);
    await expect(ix.upsert([{ id: 'é'.repeat(33), values: vec(1) }])).rejects.toThrow(/over 64 bytes/); // 33 characters, 66 bytes
    await expect(ix.upsert([{ id: '', values: vec(1) }])).rejects.toThrow(/non-empty/);
    await expect(ix.deleteByIds(['y'.repeat(65)])).rejects.toThrow(/over 64 bytes/);
  });

  it('at most 1000 vectors per insert or upsert from a Worker', async () => {
    const ix = index();
    const batch = (n: number) => Array.from({ length: n }, (_, i) => ({ id: `v${i}`, values: vec(i) }));
    await expect(ix.upsert(batch(L.maxBatch))).resolves.toBeTruthy();
    await expect(ix.upsert(batch(L.maxBatch + 1))).rejects.toThrow(/1001 vectors in one call/);
    await expect(ix.insert(batch(L.maxBatch + 1))).rejects.toThrow(/at most 1000/);
    await expect(ix.upsert([])).rejects.toThrow(/non-empty/);
  });

  it('metadata up to 10 KiB of JSON; namespaces up to 64 bytes', async () => {
    const ix = index();
    const meta = (n: number) => ({ s: 'x'.repeat(n - 8) }); // {"s":"…"} is 8 bytes of JSON around the string
    await expect(ix.upsert([{ id: 'a', values: vec(1), metadata: meta(L.maxMetadataBytes) }])).resolves.toBeTruthy();
    await expect(ix.upsert([{ id: 'b', values: vec(1), metadata: meta(L.maxMetadataBytes + 1) }])).rejects.toThrow(/metadata of "b" is over 10240 bytes/);
    await expect(ix.upsert([{ id: 'c', values: vec(1), namespace: 'n'.repeat(65) }])).rejects.toThrow(/namespace/);
    await expect(ix.query(vec(1), { namespace: 'n'.repeat(65) })).rejects.toThrow(/namespace/);
  });

  it('topK: default 5, at most 100, at most 50 with values or all metadata', async () => {
    const ix = index();
    await ix.upsert(Array.from({ length: 120 }, (_, i) => ({ id: `v${i}`, values: vec(i) })));
    ix.process();
    expect((await ix.query(vec(0))).count).toBe(5);
    expect((await ix.query(vec(0), { topK: 100 })).count).toBe(100);
    expect((await ix.query(vec(0), { topK: 100, returnMetadata: 'indexed' })).count).toBe(100);
    await expect(ix.query(vec(0), { topK: 101 })).rejects.toThrow(/1\.\.100/);
    await expect(ix.query(vec(0), { topK: 0 })).rejects.toThrow(/topK/);
    expect((await ix.query(vec(0), { topK: 50, returnValues: true })).matches[0].values).toHaveLength(DIM);
    await expect(ix.query(vec(0), { topK: 51, returnValues: true })).rejects.toThrow(/1\.\.50 when values or all metadata/);
    await expect(ix.query(vec(0), { topK: 51, returnMetadata: 'all' })).rejects.toThrow(/1\.\.50/);
    await expect(ix.query(vec(0), { topK: 51, returnMetadata: true })).rejects.toThrow(/1\.\.50/);
    await expect(ix.query(vec(0), { filter: { a: 1 } })).rejects.toThrow(/metadata filters/);
  });

  it('vectors per index: further new ids are dropped when the index is full', async () => {
    const ix = index({ maxVectors: 3 });
    await ix.upsert(Array.from({ length: 5 }, (_, i) => ({ id: `v${i}`, values: vec(i) })));
    ix.process();
    expect((await ix.describe()).vectorCount).toBe(3);
    await ix.upsert([{ id: 'v0', values: vec(9) }]); // replacing an existing id still works when full
    ix.process();
    expect((await ix.getByIds(['v0']))[0].values).toEqual(vec(9).map(Math.fround));
  });
});

describe('asynchronous writes', () => {
  it('nothing is visible until the log is processed; describe() then reports the mutation', async () => {
    const ix = index();
    const m1 = await ix.upsert([{ id: 'a', values: vec(1) }]);
    const m2 = await ix.upsert([{ id: 'b', values: vec(2) }]);
    expect(m1.mutationId).not.toBe(m2.mutationId);
    expect(ids(await ix.query(vec(1)))).toEqual([]);
    expect(await ix.getByIds(['a'])).toEqual([]);
    expect(await ix.describe()).toMatchObject({ vectorCount: 0, dimensions: DIM, processedUpToMutation: null });
    expect(ix.pending).toBe(2);
    expect(ix.process(1)).toBe(1);
    const d = await ix.describe();
    expect(d.processedUpToMutation as unknown).toBe(m1.mutationId);
    expect(new Date(d.processedUpToDatetime as unknown as string).getTime()).toBeGreaterThan(0);
    expect(ids(await ix.query(vec(1)))).toEqual(['a']);
    ix.process();
    expect((await ix.describe()).processedUpToMutation as unknown).toBe(m2.mutationId);
    expect(ids(await ix.query(vec(1), { topK: 2 }))).toEqual(['a', 'b']);
  });

  it('deletes are asynchronous too; insert keeps an existing id, upsert replaces it', async () => {
    const ix = index();
    await ix.upsert([{ id: 'a', values: vec(1), metadata: { n: 1 } }]);
    ix.process();
    await ix.insert([{ id: 'a', values: vec(2), metadata: { n: 2 } }]);
    ix.process();
    expect((await ix.getByIds(['a']))[0].metadata).toEqual({ n: 1 });
    await ix.upsert([{ id: 'a', values: vec(2), metadata: { n: 2 } }]);
    ix.process();
    expect((await ix.getByIds(['a']))[0].metadata).toEqual({ n: 2 });
    await ix.deleteByIds(['a']);
    expect(ids(await ix.query(vec(2)))).toEqual(['a']);
    ix.process();
    expect(ids(await ix.query(vec(2)))).toEqual([]);
    expect((await ix.describe()).vectorCount).toBe(0);
  });

  it('with lagMs, a mutation becomes visible once it is that old', async () => {
    let t = 1000;
    const ix = index({ lagMs: 500, now: () => t });
    await ix.upsert([{ id: 'a', values: vec(1) }]);
    t += 499;
    expect(ids(await ix.query(vec(1)))).toEqual([]);
    t += 1;
    expect(ids(await ix.query(vec(1)))).toEqual(['a']);
  });

  it('namespaces partition queries; one id lives in one namespace at a time', async () => {
    const ix = index();
    await ix.upsert([{ id: 'a', values: vec(1), namespace: 'x' }, { id: 'b', values: vec(1), namespace: 'y' }, { id: 'c', values: vec(1) }]);
    ix.process();
    expect(ids(await ix.query(vec(1), { namespace: 'x' }))).toEqual(['a']);
    expect(ids(await ix.query(vec(1))).sort()).toEqual(['a', 'b', 'c']);
    await ix.upsert([{ id: 'a', values: vec(1), namespace: 'y' }]);
    ix.process();
    expect(ids(await ix.query(vec(1), { namespace: 'x' }))).toEqual([]);
    expect(ids(await ix.query(vec(1), { namespace: 'y' })).sort()).toEqual(['a', 'b']);
  });
});

describe('exact search', () => {
  const N = 3000, D = 128;
  const r = rng(11);
  const data = Array.from({ length: N }, (_, i) => ({ id: `p${i}`, values: [...unit(D, r)].map((x, j) => x * (1 + (i % 7) * 0.1) + (j === 0 ? 0.01 : 0)) }));
  const queries = Array.from({ length: 10 }, () => [...unit(D, r)]);
  const f32 = data.map((d) => Float32Array.from(d.values));
  const q32 = queries.map((q) => Float32Array.from(q));
  const dot = (a: Float32Array, b: Float32Array) => a.reduce((s, x, i) => s + x * b[i], 0);
  const reference = {
    cosine: (q: Float32Array, v: Float32Array) => dot(q, v) / Math.sqrt(dot(q, q) * dot(v, v)),
    'dot-product': dot,
    euclidean: (q: Float32Array, v: Float32Array) => Math.sqrt(q.reduce((s, x, i) => s + (x - v[i]) ** 2, 0)),
  };

  for (const metric of ['cosine', 'dot-product', 'euclidean'] as const)
    it(`${metric}: top 100 ids and scores equal brute force over float32 values`, async () => {
      const ix = new VectorizeStandIn('exact', { dimensions: D, metric });
      for (let i = 0; i < N; i += L.maxBatch) await ix.upsert(data.slice(i, i + L.maxBatch));
      ix.process();
      const sign = metric === 'euclidean' ? 1 : -1;
      for (const [k, q] of q32.entries()) {
        const want = f32.map((v, i) => ({ id: data[i].id, score: reference[metric](q, v) })).sort((a, b) => sign * (a.score - b.score)).slice(0, 100);
        const got = (await ix.query(queries[k], { topK: 100 })).matches;
        expect(got.map((m) => m.id)).toEqual(want.map((w) => w.id));
        for (const [i, m] of got.entries()) expect(m.score).toBeCloseTo(want[i].score, 9);
      }
    });
});
