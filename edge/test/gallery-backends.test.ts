// The two gallery backends through the whole Worker inside workerd (issue 22): enrol → identify →
// delete → identify answers alike on "kv" (the packed scan) and "vectorize" (the exact stand-in,
// whose writes stay unindexed until its log is processed), concurrent enrolments of one identity,
// and a writer interrupted between its record and the Vectorize upsert. Deletion deletes (issue 21):
// after DELETE and the next rebuild, raw storage holds neither the identity's id nor its embedding.
import { runDurableObjectAlarm, runInDurableObject } from 'cloudflare:test';
import { env } from 'cloudflare:workers';
import { beforeEach, describe, expect, it } from 'vitest';
import { currentSnapshot, resetGallery } from '../src/gallery/cache';
import { versionIndexes } from '../src/gallery/vectorize/indexes';
import { recentWrites } from '../src/gallery/vectorize/recent';
import { resetStandIns, standInIndexes, type VectorizeStandIn } from '../src/gallery/vectorize/standin';
import { IdentityStore } from '../src/identity/store';
import { embedImages } from '../src/model/embed-images';
import { getModel } from '../src/model/loader';
import { call, fixture, fixtureB64, installTinyModel, startWithTinyModel, withWriterEnv } from './helpers';
import { bestCosine, mentions } from './embedding-traces';
import { allKvEntries, everythingStored, objectStorage } from './raw-storage';

const VECTORIZE: Partial<Env> = { GALLERY_BACKEND: 'vectorize' };
const images = (...names: string[]) => ({ json: { images: names.map(fixtureB64) } });
const identify = (name: string, e: Partial<Env>) => call('POST', '/v1/identify', { json: { image: fixtureB64(name) }, env: e });
/** The identity writers of `ids` (Durable Objects with their own bindings) on the backend too. */
const writing = <T>(e: Partial<Env>, ids: string[], fn: () => Promise<T>): Promise<T> =>
  ids.length ? withWriterEnv(ids[0], e, () => writing(e, ids.slice(1), fn)) : fn();
const index = () => versionIndexes(env, 'tiny-1', 128)[0] as VectorizeStandIn;
const settle = async () => {
  standInIndexes().forEach((ix) => ix.process());
  return recentWrites({ ...env, ...VECTORIZE } as Env, 'tiny-1').prune();
};
const writerOf = (id: string) => env.IDENTITY_WRITER.get(env.IDENTITY_WRITER.idFromName(id)) as unknown as DurableObjectStub;

beforeEach(async () => {
  await startWithTinyModel();
  resetStandIns();
});

describe.each([['kv', {}], ['vectorize', VECTORIZE]] as const)('%s backend', (name, e) => {
  it('enrol → identify → delete → identify', async () => {
    await writing(e, ['alice', 'bob'], async () => {
      expect((await call('PUT', '/admin/identities/alice', { ...images('person1.jpg'), env: e })).status).toBe(201);
      expect((await call('PUT', '/admin/identities/bob', { ...images('person2.jpg'), env: e })).status).toBe(201);
      const hit = await identify('person1-b.jpg', e);
      expect(hit.status).toBe(200);
      expect(hit.data.match).toMatchObject({ id: 'alice' });
      expect(hit.data.candidates.map((c: { id: string }) => c.id)).toEqual(['alice', 'bob']);
      if (name === 'vectorize') expect(index().pending).toBeGreaterThan(0); // found through the recent writes
      expect((await call('DELETE', '/admin/identities/alice', { env: e })).status).toBe(200);
      const miss = await identify('person1-b.jpg', e);
      expect(miss.data.match).toBeNull();
      expect(miss.data.candidates.map((c: { id: string }) => c.id)).toEqual(['bob']);
    });
  });
});

/** What the model makes of these fixtures: the embeddings an enrolment of them stores. */
const trueEmbeddings = async (...names: string[]) =>
  (await embedImages(() => getModel(env), names.map((n) => ({ field: n, bytes: fixture(n) })))).embeddings;
/** Far above any unrelated or encrypted bytes (< 0.4 at 128 dimensions), far below a stored row (int8: > 0.99). */
const FOUND = 0.8;

/** What raw storage still holds of an identity (its id, its name in meta, an embedding close to `truth`): [] when nothing. */
async function tracesOf(id: string, name: string, truth: Float32Array[]): Promise<string[]> {
  const found: string[] = [];
  const check = (where: string, value: unknown) => {
    if (mentions(value, id) || mentions(value, name)) found.push(`${where}: the id`);
    const cos = Math.max(...truth.map((t) => bestCosine(value, t)));
    if (cos > FOUND) found.push(`${where}: an embedding (cosine ${cos.toFixed(3)})`);
  };
  const { items, alarms } = await everythingStored([id]);
  for (const [where, value] of items) check(where, value);
  for (const [where, at] of alarms) found.push(`${where}: an alarm at ${at}`);
  return found;
}

describe.each([['kv', {}], ['vectorize', VECTORIZE]] as const)('%s backend: deletion deletes', (name, e) => {
  it('after DELETE and the next rebuild no KV key, Durable Object storage, snapshot row, index vector or alarm holds the identity', async () => {
    const truth = await trueEmbeddings('person1.jpg', 'person1.png', 'person1-b.jpg');
    const withKey = (key: string) => ({ headers: { 'Idempotency-Key': key }, env: e });
    const nextRebuild = async () => (name === 'kv' ? expect((await call('POST', '/admin/gallery/rebuild')).status).toBe(200) : settle());
    await writing(e, ['alice', 'bob'], async () => {
      const put = await call('PUT', '/admin/identities/alice', { json: { images: [fixtureB64('person1.jpg'), fixtureB64('person1.png')], meta: { name: 'Alice' } }, ...withKey('k-enrol') });
      expect(put.status).toBe(201);
      expect((await call('POST', '/admin/identities/alice/images', { ...images('person1-b.jpg'), ...withKey('k-add') })).status).toBe(200);
      expect((await call('PUT', '/admin/identities/bob', { ...images('person2.jpg'), env: e })).status).toBe(201);
      await nextRebuild();
      expect((await identify('person1-b.jpg', e)).data.match.id).toBe('alice');
      expect((await call('DELETE', '/admin/identities/alice', withKey('k-delete'))).status).toBe(200);
      await nextRebuild();
    });

    resetGallery(); // a fresh isolate: only what storage holds
    const after = await identify('person1-b.jpg', e);
    expect(after.data.match).toBeNull();
    expect(after.data.candidates.map((c: { id: string }) => c.id)).toEqual(['bob']);

    expect((await allKvEntries()).map((k) => k.name)).toContain('id:bob');
    expect(await tracesOf('alice', 'Alice', truth)).toEqual([]);
    // The gallery still holds bob's row, in a form these checks recognise.
    const bobRow = (await trueEmbeddings('person2.jpg'))[0];
    const bobHeld = name === 'kv'
      ? (await currentSnapshot(env.GALLERY, 'tiny-1')).rowsOf('bob')
      : standInIndexes().flatMap((ix) => [...(ix as unknown as { vectors: Map<string, unknown> }).vectors.values()]);
    expect(bestCosine(bobHeld, bobRow)).toBeGreaterThan(FOUND);
  });
});

describe.each([['kv', {}], ['vectorize', VECTORIZE]] as const)('%s backend: retention', (name, e) => {
  it('an identity enrolled with an expiry is deleted by its writer\'s alarm once it passes, audited as a system action', async () => {
    const enrol = (id: string, img: string, extra: Record<string, unknown>) => call('PUT', `/admin/identities/${id}`, { json: { images: [fixtureB64(img)], ...extra }, env: e });
    const refused = await Promise.all([{ expiresAt: Date.now() - 1 }, { retainDays: 0 }, { expiresAt: Date.now() + 60_000, retainDays: 1 }].map((x) => enrol('carol', 'person3.jpg', x)));
    expect(refused.map((r) => [r.status, r.data.error.code])).toEqual(Array(3).fill([400, 'invalid_request']));
    const storage = (id: string) => objectStorage(env.IDENTITY_WRITER as unknown as DurableObjectNamespace, id);
    const runIn = runInDurableObject as unknown as (s: DurableObjectStub, fn: (o: unknown, state: DurableObjectState) => Promise<unknown>) => Promise<unknown>;
    const expiresAt = Date.now() + 3000;
    await writing(e, ['alice', 'bob'], async () => {
      const alice = await enrol('alice', 'person1.jpg', { expiresAt, meta: { name: 'Alice' } });
      expect([alice.status, alice.data.expiresAt]).toEqual([201, expiresAt]);
      // Her alarm, read and held back at once: the expiry then passes (and a rebuild runs) before anything deletes her.
      const alarm = await runIn(writerOf('alice'), async (_o, state) => [await state.storage.getAlarm(), await state.storage.deleteAlarm()][0]);
      expect(alarm).toBe(expiresAt);
      const t = Date.now();
      const bob = await enrol('bob', 'person2.jpg', { retainDays: 30 });
      expect(bob.data.expiresAt - t).toBeGreaterThanOrEqual(30 * 86_400_000 - 5000);
      const added = await call('POST', '/admin/identities/bob/images', { ...images('person2.png'), env: e });
      expect(added.data.expiresAt).toBe(bob.data.expiresAt); // POST …/images keeps it
      expect((await call('GET', '/admin/identities', { env: e })).data.identities.map((x: { expiresAt?: number }) => x.expiresAt)).toEqual([expiresAt, bob.data.expiresAt]);
      expect((await storage('bob')).alarm).toBe(bob.data.expiresAt);
      expect((await identify('person1-b.jpg', e)).data.match.id).toBe('alice');
      await new Promise((r) => setTimeout(r, Math.max(0, expiresAt - Date.now() + 20)));
      if (name === 'kv') {
        expect((await call('POST', '/admin/gallery/rebuild')).data.identities).toBe(1);
        resetGallery();
        expect((await identify('person1-b.jpg', e)).data.candidates.map((c: { id: string }) => c.id)).toEqual(['bob']);
      }
      expect((await call('GET', '/admin/identities/alice', { env: e })).status).toBe(200);
      // Scheduled late, so that only this call runs it (the handler goes by the record's expiry).
      await runIn(writerOf('alice'), (_o, state) => state.storage.setAlarm(Date.now() + 3_600_000));
      expect(await runDurableObjectAlarm(writerOf('alice'))).toBe(true);
      if (name === 'vectorize') await settle();
    });

    expect((await call('GET', '/admin/identities/alice', { env: e })).status).toBe(404);
    expect((await call('GET', '/admin/identities/bob', { env: e })).status).toBe(200);
    const audit = await call('GET', '/admin/audit?limit=5');
    expect(audit.data.entries.filter((x: { identityId: string }) => x.identityId === 'alice')[0]).toMatchObject({ keyId: 'system', action: 'expire', status: 200 });
    if (name === 'kv') expect((await call('POST', '/admin/gallery/rebuild')).status).toBe(200);
    resetGallery();
    expect((await identify('person1-b.jpg', e)).data.candidates.map((c: { id: string }) => c.id)).toEqual(['bob']);
    expect(await tracesOf('alice', 'Alice', await trueEmbeddings('person1.jpg'))).toEqual([]);
    // PUT without an expiry enrols without one: no alarm left.
    await writing(e, ['bob'], () => call('PUT', '/admin/identities/bob', { ...images('person2.jpg'), env: e }));
    expect((await storage('bob')).alarm).toBeNull();
  });
});

describe('vectorize backend', () => {
  it('every isolate sees a write at once (no rebuild), and the answer holds once the index has it', async () => {
    await writing(VECTORIZE, ['alice'], () => call('PUT', '/admin/identities/alice', { ...images('person1.jpg'), env: VECTORIZE }));
    resetGallery(); // another isolate: the recent writes live in a Durable Object, not here
    const before = await identify('person1-b.jpg', VECTORIZE);
    expect(before.data.match.id).toBe('alice');
    expect(await settle()).toBe(0);
    expect(index().pending).toBe(0);
    const after = await identify('person1-b.jpg', VECTORIZE);
    expect(after.data.match.id).toBe('alice');
    expect(after.data.match.similarity).toBeCloseTo(before.data.match.similarity, 5);
    expect(after.data.gallery.identities).toBe(1);
    await writing(VECTORIZE, ['alice'], () => call('DELETE', '/admin/identities/alice', { env: VECTORIZE }));
    expect((await index().query(Array(128).fill(1), { topK: 5 })).count).toBe(1); // the index still has her…
    expect((await identify('person1-b.jpg', VECTORIZE)).data.match).toBeNull(); // …identify does not
    await settle();
    expect((await index().describe()).vectorCount).toBe(0);
    expect((await identify('person1-b.jpg', VECTORIZE)).data.match).toBeNull();
  });

  it('concurrent enrolments of one identity all land, in the record and in the index', async () => {
    await writing(VECTORIZE, ['alice'], async () => {
      expect((await call('PUT', '/admin/identities/alice', { ...images('person1.jpg'), env: VECTORIZE })).status).toBe(201);
      const adds = await Promise.all(['person1.png', 'person1-b.jpg', 'person2.jpg', 'person3.jpg'].map((n) => call('POST', '/admin/identities/alice/images', { ...images(n), env: VECTORIZE })));
      expect(adds.map((r) => r.status)).toEqual([200, 200, 200, 200]);
      const racing = await Promise.all([call('PUT', '/admin/identities/alice', { ...images('person1.jpg', 'person2.jpg'), env: VECTORIZE }), call('POST', '/admin/identities/alice/images', { ...images('person3.jpg'), env: VECTORIZE })]);
      expect(racing.map((r) => r.status)).toEqual([200, 200]);
    });
    const rec = await new IdentityStore(env.GALLERY).get('alice');
    expect([2, 3]).toContain(rec!.imageCount); // the PUT and the POST ran one after the other, either way
    await settle();
    const held = await index().getByIds(Array.from({ length: 6 }, (_, i) => `${i}:alice`));
    expect(held.map((v) => v.id)).toEqual(Array.from({ length: rec!.imageCount }, (_, i) => `${i}:alice`));
    expect((await identify('person2-b.jpg', VECTORIZE)).data.match.id).toBe('alice');
  });

  it('Vectorize failing after the record: acknowledged, found at once, carried by the alarm', async () => {
    const ix = index();
    const upsert = ix.upsert.bind(ix);
    ix.upsert = async () => {
      throw new Error('VECTOR_UPSERT_ERROR: unavailable');
    };
    const put = await writing(VECTORIZE, ['carol'], () => call('PUT', '/admin/identities/carol', { ...images('person3.jpg'), env: VECTORIZE }));
    expect(put.status).toBe(201);
    expect((await identify('person3-b.jpg', VECTORIZE)).data.match.id).toBe('carol');
    expect(ix.pending).toBe(0);
    ix.upsert = upsert;
    expect(await writing(VECTORIZE, ['carol'], () => runDurableObjectAlarm(writerOf('carol')))).toBe(true);
    expect(ix.pending).toBe(1);
    await settle();
    expect((await ix.getByIds(['0:carol'])).length).toBe(1);
    expect((await identify('person3-b.jpg', VECTORIZE)).data.match.id).toBe('carol');
  });

  it('a writer stopped between its record and the upsert: the alarm replicates and upserts', async () => {
    // The state apply() stores in its one transaction, as if the object died right after it.
    await writing(VECTORIZE, ['dave'], () => call('PUT', '/admin/identities/dave', { ...images('person2.jpg'), env: VECTORIZE }));
    await settle();
    const runIn = runInDurableObject as unknown as (s: DurableObjectStub, fn: (o: any, state: DurableObjectState) => Promise<void>) => Promise<void>;
    await runIn(writerOf('dave'), async (_o, state) => {
      await Promise.all([
        state.storage.put({ state: { record: null, pending: true }, outbox: { id: 'dave', updatedAt: Date.now() + 10, now: null, before: [{ version: 'tiny-1', dim: 128, rows: 1 }] } }),
        state.storage.setAlarm(Date.now() + 5000),
      ]);
    });
    expect((await identify('person2-b.jpg', VECTORIZE)).data.match.id).toBe('dave'); // never acknowledged: not applied yet
    expect(await writing(VECTORIZE, ['dave'], () => runDurableObjectAlarm(writerOf('dave')))).toBe(true);
    expect(await new IdentityStore(env.GALLERY).get('dave')).toBeNull();
    expect((await identify('person2-b.jpg', VECTORIZE)).data.match).toBeNull();
    await settle();
    expect(await index().getByIds(['0:dave'])).toEqual([]);
    let outbox: unknown = 'unread';
    await runIn(writerOf('dave'), async (_o, state) => {
      outbox = await state.storage.get('outbox');
    });
    expect(outbox).toBeUndefined();
  });

  it('a model switch: the new version starts empty, the old index stays readable, re-enrolment moves the identity', async () => {
    await writing(VECTORIZE, ['alice', 'bob'], async () => {
      await call('PUT', '/admin/identities/alice', { ...images('person1.jpg'), env: VECTORIZE });
      await call('PUT', '/admin/identities/bob', { ...images('person2.jpg'), env: VECTORIZE });
    });
    await settle();
    await installTinyModel(2, 'tiny-2');
    const list = await call('GET', '/admin/identities', { env: VECTORIZE });
    expect(list.data.identities.map((x: { needsReenrolment: boolean }) => x.needsReenrolment)).toEqual([true, true]);
    expect((await identify('person1-b.jpg', VECTORIZE)).data).toMatchObject({ match: null, candidates: [], modelVersion: 'tiny-2' });
    const old = versionIndexes(env, 'tiny-1', 128)[0];
    expect((await old.describe()).vectorCount).toBe(2); // an isolate still on tiny-1 searches it as before
    await writing(VECTORIZE, ['alice'], () => call('PUT', '/admin/identities/alice', { ...images('person1.jpg'), env: VECTORIZE }));
    expect((await identify('person1-b.jpg', VECTORIZE)).data.match.id).toBe('alice');
    standInIndexes().forEach((ix) => ix.process());
    expect((await old.getByIds(['0:alice', '0:bob'])).map((v) => v.id)).toEqual(['0:bob']);
    expect((await versionIndexes(env, 'tiny-2', 128)[0].getByIds(['0:alice'])).length).toBe(1);
  });

  it('switching an existing KV gallery: the backfill sends every identity of the serving version', async () => {
    await call('PUT', '/admin/identities/alice', images('person1.jpg'));
    await call('PUT', '/admin/identities/bob', images('person2.jpg'));
    expect((await identify('person1-b.jpg', VECTORIZE)).data.match).toBeNull(); // enrolled under kv: not in Vectorize
    expect((await call('POST', '/admin/gallery/backfill', {})).status).toBe(400); // GALLERY_BACKEND is still kv
    const r = await writing(VECTORIZE, ['alice', 'bob'], () => call('POST', '/admin/gallery/backfill', { env: VECTORIZE }));
    expect(r.data).toEqual({ modelVersion: 'tiny-1', sent: 2, skipped: 0, cursor: null });
    expect((await identify('person1-b.jpg', VECTORIZE)).data.match.id).toBe('alice');
    await settle();
    expect((await index().describe()).vectorCount).toBe(2);
    expect((await identify('person2-b.jpg', VECTORIZE)).data.match.id).toBe('bob');
  });
});
