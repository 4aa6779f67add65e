// Embeddings encrypted at rest (issue 21 item 6): raw KV and Durable Object storage hold no usable
// embedding (every float32/int8 window, array and base64 string compared with the model's own
// embedding of the enrolled photos), while the service still finds everyone; without a key nothing
// holding an embedding is stored; plaintext from before encryption stays readable and is sealed by
// the next maintenance run; rotating the key re-encrypts everything in the background, losing no
// identity to concurrent reads, after which the old key can go.
import { createExecutionContext, createScheduledController, waitOnExecutionContext } from 'cloudflare:test';
import { env } from 'cloudflare:workers';
import { beforeEach, describe, expect, it } from 'vitest';
import { isSealed, sealedKid, TEXT_PREFIX, textKid } from '../src/crypto/envelope';
import { keyring } from '../src/crypto/keyring';
import { resetGallery } from '../src/gallery/cache';
import { resetStandIns, type VectorizeStandIn } from '../src/gallery/vectorize/standin';
import { versionIndexes } from '../src/gallery/vectorize/indexes';
import { recordRows } from '../src/identity/sealing';
import worker from '../src/index';
import { encodeRows, IdentityStore, type IdentityMeta } from '../src/identity/store';
import { embedImages } from '../src/model/embed-images';
import { getModel } from '../src/model/loader';
import { call, fixture, fixtureB64, startWithTinyModel, withWriterEnv } from './helpers';
import { bestCosine } from './embedding-traces';
import { allKvEntries, everythingStored, objectStorage } from './raw-storage';

const KEY_A = env.EMBEDDING_KEYS; // test-1, from edge/vitest.config.ts
const KEY_B = 'test-2:9y2hbtmeYP8gR1bpxLQy3c0Sb6hG2VmdUNHe1ISyhDk=';
const VECTORIZE: Partial<Env> = { GALLERY_BACKEND: 'vectorize' };
/** Raw storage must stay below this cosine with any true embedding: unrelated or encrypted bytes give < 0.4
 *  at 128 dimensions, a stored float32 or int8 row > 0.99. */
const UNUSABLE = 0.5;

const truth = async (name: string) => (await embedImages(() => getModel(env), [{ field: name, bytes: fixture(name) }])).embeddings[0];
const enrol = (id: string, names: string[], e: Partial<Env> = {}) => call('PUT', `/admin/identities/${id}`, { json: { images: names.map(fixtureB64) }, env: e });
const identify = (name: string, e: Partial<Env> = {}) => call('POST', '/v1/identify', { json: { image: fixtureB64(name) }, env: e });
const rebuild = (e: Partial<Env> = {}) => call('POST', '/admin/gallery/rebuild', { env: e });
/** The identity writers of `ids` (Durable Objects, with their own bindings) see `e` too. */
const writing = <T>(e: Partial<Env>, ids: string[], fn: () => Promise<T>): Promise<T> =>
  ids.length ? withWriterEnv(ids[0], e, () => writing(e, ids.slice(1), fn)) : fn();
const writerState = async (id: string) =>
  new Map((await objectStorage(env.IDENTITY_WRITER as unknown as DurableObjectNamespace, id)).entries).get('state') as { record: { embeddings: string } | null } | undefined;
const listed = async () => (await env.GALLERY.list<IdentityMeta>({ prefix: 'id:' })).keys.map((k) => [k.name, k.metadata?.k]);

/** The best cosine, over all of raw storage, with each of `rows`. */
async function rawBest(ids: string[], rows: Float32Array[]) {
  const { items } = await everythingStored(ids);
  let best = 0, where = '';
  for (const [w, value] of items)
    for (const r of rows) {
      const c = bestCosine(value, r);
      if (c > best) (best = c), (where = w);
    }
  return { best, where, items: items.length };
}

beforeEach(async () => {
  await startWithTinyModel();
  resetStandIns();
});

describe.each([['kv', {}], ['vectorize', VECTORIZE]] as const)('%s backend: raw storage', (name, e) => {
  it('holds no usable embedding, every record, state, outbox, shard and recent write sealed, and identify still finds everyone', async () => {
    const rows = await Promise.all(['person1.jpg', 'person1.png', 'person1-b.jpg', 'person2.jpg'].map(truth));
    if (name === 'vectorize') {
      // Vectorize failing: the writer keeps its outbox entry (rows) until its alarm delivers it. (Once
      // delivered, the index holds the vectors in the clear: they are what it searches. SECURITY.md.)
      const ix = versionIndexes(env, 'tiny-1', 128)[0] as VectorizeStandIn;
      ix.upsert = async () => {
        throw new Error('VECTOR_UPSERT_ERROR: unavailable');
      };
    }
    await writing(e, ['alice', 'bob'], async () => {
      expect((await enrol('alice', ['person1.jpg', 'person1.png'], e)).status).toBe(201);
      expect((await call('POST', '/admin/identities/alice/images', { json: { images: [fixtureB64('person1-b.jpg')] }, env: e })).status).toBe(200);
      expect((await enrol('bob', ['person2.jpg'], e)).status).toBe(201);
    });
    if (name === 'kv') expect((await rebuild()).status).toBe(200);

    const raw = await rawBest(['alice', 'bob'], rows);
    expect(raw.best, `best cosine ${raw.best.toFixed(3)} in ${raw.where}`).toBeLessThan(UNUSABLE);
    // What is there is sealed, under the current key, and opens to the true embeddings.
    const rec = await new IdentityStore(env.GALLERY).get('alice');
    expect([rec!.embeddings.startsWith(TEXT_PREFIX), textKid(rec!.embeddings)]).toEqual([true, 'test-1']);
    expect(await listed()).toEqual([['id:alice', 'test-1'], ['id:bob', 'test-1']]);
    const opened = await recordRows(rec!, await keyring(env));
    expect(opened.map((r, i) => bestCosine(r, rows[i]))).toEqual([expect.closeTo(1, 5), expect.closeTo(1, 5), expect.closeTo(1, 5)]);
    expect(textKid((await writerState('alice'))!.record!.embeddings)).toBe('test-1');
    const kv = await allKvEntries();
    const shards = kv.filter((k) => k.name.startsWith('gallery:') && !k.name.endsWith(':head'));
    if (name === 'kv') expect(shards.length).toBeGreaterThan(0);
    for (const s of shards) expect([isSealed(s.value), sealedKid(s.value)]).toEqual([true, 'test-1']);
    if (name === 'vectorize') {
      const outbox = new Map((await objectStorage(env.IDENTITY_WRITER as unknown as DurableObjectNamespace, 'bob')).entries).get('outbox');
      expect(textKid(outbox as string)).toBe('test-1');
      const recent = (await objectStorage(env.GALLERY_RECENT as unknown as DurableObjectNamespace, 'tiny-1')).entries.filter(([k]) => k.startsWith('e:'));
      expect(recent.map(([k, v]) => [k, textKid(v as string)])).toEqual([['e:alice', 'test-1'], ['e:bob', 'test-1']]);
    }

    resetGallery(); // a fresh isolate: only what storage holds
    expect((await identify('person1-b.jpg', e)).data.match.id).toBe('alice');
    expect((await identify('person2-b.jpg', e)).data.match.id).toBe('bob');
  });
});

describe('without a key', () => {
  it('stores nothing that holds an embedding (503 encryption_not_configured), reads nothing sealed, still deletes', async () => {
    expect((await enrol('alice', ['person1.jpg'])).status).toBe(201);
    expect((await rebuild()).status).toBe(200);
    for (const keys of ['', 'test-1:c2hvcnQ=']) {
      const none = { EMBEDDING_KEYS: keys };
      const before = await allKvEntries();
      const put = await writing(none, ['bob'], () => enrol('bob', ['person2.jpg'], none));
      expect([put.status, put.data.error.code]).toEqual([503, 'encryption_not_configured']);
      expect(JSON.stringify(put.data)).not.toContain('c2hvcnQ');
      expect((await allKvEntries()).map((k) => k.name)).toEqual(before.map((k) => k.name));
      resetGallery();
      const r = await identify('person1-b.jpg', none);
      expect([r.status, r.data.error.code]).toEqual([503, 'encryption_not_configured']);
    }
    const none = { EMBEDDING_KEYS: '' };
    expect((await writing(none, ['alice'], () => call('DELETE', '/admin/identities/alice', { env: none }))).status).toBe(200);
  });
});

describe('plaintext from before encryption', () => {
  it('stays readable, and the next maintenance run seals it: record, writer state and shards', async () => {
    const row = await truth('person1.jpg');
    await new IdentityStore(env.GALLERY).put({ id: 'legacy', modelVersion: 'tiny-1', dim: 128, embeddings: encodeRows([row]), imageCount: 1, createdAt: 1, updatedAt: 1 });
    expect(await listed()).toEqual([['id:legacy', undefined]]);
    expect((await rawBest(['legacy'], [row])).best).toBeGreaterThan(0.99); // what the check finds in plaintext
    const r = await rebuild();
    expect(r.data.encryption).toEqual({ kid: 'test-1', resealed: 1, remaining: 0 });
    expect(await listed()).toEqual([['id:legacy', 'test-1']]);
    const raw = await rawBest(['legacy'], [row]);
    expect(raw.best, `best cosine ${raw.best.toFixed(3)} in ${raw.where}`).toBeLessThan(UNUSABLE);
    expect(textKid((await writerState('legacy'))!.record!.embeddings)).toBe('test-1');
    resetGallery();
    expect((await identify('person1-b.jpg')).data.match.id).toBe('legacy');
    expect((await rebuild()).data.encryption).toEqual({ kid: 'test-1', resealed: 0, remaining: 0 });
  });
});

describe('rotation', () => {
  it('a new current key re-encrypts everything in the background; concurrent reads lose no identity; then the old key can go', async () => {
    const people = [['alice', 'person1'], ['bob', 'person2'], ['carol', 'person3']] as const;
    for (const [id, p] of people) expect((await enrol(id, [`${p}.jpg`])).status).toBe(201);
    expect((await rebuild()).status).toBe(200);
    const rows = await Promise.all(people.map(([, p]) => truth(`${p}.jpg`)));

    const rotated = { EMBEDDING_KEYS: `${KEY_B},${KEY_A}` };
    const reads: { id: string; status: number; match: string | null }[] = [];
    let runs = 0;
    await writing(rotated, people.map(([id]) => id), async () => {
      let done = false;
      const reader = async () => {
        for (let i = 0; !done || i < people.length; i++) {
          const [id, p] = people[i % people.length];
          if (i % 4 === 0) resetGallery(); // now and then a cold isolate, which loads whatever generation is current
          const r = await identify(`${p}-b.jpg`, rotated);
          reads.push({ id, status: r.status, match: r.data.match?.id ?? null });
        }
      };
      // The cron's run first (what re-encrypts in production, every minute), then the route's, which reports.
      const maintenance = async () => {
        try {
          const ctx = createExecutionContext();
          await worker.scheduled(createScheduledController(), { ...env, ...rotated } as Env, ctx);
          await waitOnExecutionContext(ctx);
          for (runs = 1; runs < 5; ) {
            const r = await rebuild(rotated);
            runs++;
            expect(r.status).toBe(200);
            if (r.data.encryption.remaining === 0 && r.data.encryption.kid === 'test-2') break;
          }
        } finally {
          done = true;
        }
      };
      await Promise.all([reader(), reader(), maintenance()]);
    });
    expect(reads.length).toBeGreaterThanOrEqual(6);
    expect(reads.filter((r) => r.status !== 200 || r.match !== r.id)).toEqual([]);
    expect(runs).toBe(2); // the cron's run did it all: the route's found nothing left

    // Everything under the new key: records (listing and bytes), writer states, the live shards.
    expect(await listed()).toEqual(people.map(([id]) => [`id:${id}`, 'test-2']));
    for (const [id] of people) expect(textKid((await writerState(id))!.record!.embeddings)).toBe('test-2');
    const head = JSON.parse(new TextDecoder().decode((await allKvEntries()).find((k) => k.name === 'gallery:tiny-1:head')!.value));
    for (const key of head.shards) expect(sealedKid(new Uint8Array((await env.GALLERY.get(key, 'arrayBuffer'))!))).toBe('test-2');
    expect((await rawBest(people.map(([id]) => id), rows)).best).toBeLessThan(UNUSABLE);

    // The old key removed: a cold isolate, a rebuild, an enrolment and everyone found.
    const only = { EMBEDDING_KEYS: KEY_B };
    await writing(only, [...people.map(([id]) => id), 'dave'], async () => {
      resetGallery();
      for (const [id, p] of people) expect((await identify(`${p}-b.jpg`, only)).data.match?.id).toBe(id);
      expect((await rebuild(only)).data.encryption).toEqual({ kid: 'test-2', resealed: 0, remaining: 0 });
      expect((await call('POST', '/admin/identities/alice/images', { json: { images: [fixtureB64('person1.png')] }, env: only })).status).toBe(200);
      expect((await enrol('dave', ['person3.png'], only)).status).toBe(201);
    });
  });
});
