// Enrolment round trip, identification over the packed gallery, model-version changes, deletion.
import { createExecutionContext, createScheduledController, waitOnExecutionContext } from 'cloudflare:test';
import { env } from 'cloudflare:workers';
import { beforeEach, describe, expect, it } from 'vitest';
import worker from '../src/index';
import { keyring } from '../src/crypto/keyring';
import { open } from '../src/crypto/envelope';
import { resetGallery } from '../src/gallery/cache';
import { unpackShard } from '../src/gallery/pack';
import { MAX_RECORD_READS, rebuildGallery } from '../src/gallery/rebuild';
import { GRACE_MS, RETIRE_MS } from '../src/gallery/store';
import { getManifest } from '../src/model/loader';
import { encodeRows, IdentityStore } from '../src/identity/store';
import { call, fixture, fixtureB64, form, installTinyModel, startWithTinyModel, kvState, withWriterEnv } from './helpers';
import { I8_SIMILARITY_ERROR } from './gallery-data';
import { spyKv } from './kv-spy';

const enrol = (id: string, ...names: string[]) => call('PUT', `/admin/identities/${id}`, { json: { images: names.map(fixtureB64) } });
const identify = (name: string, o: { env?: Partial<Env>; topK?: number } = {}) =>
  call('POST', `/v1/identify${o.topK ? `?topK=${o.topK}` : ''}`, { json: { image: fixtureB64(name) }, env: o.env });
const rebuild = (e?: Partial<Env>) => call('POST', '/admin/gallery/rebuild', { env: e });

async function allKv() {
  const out: Record<string, ArrayBuffer> = {};
  for (const k of (await env.GALLERY.list()).keys) out[k.name] = (await env.GALLERY.get(k.name, 'arrayBuffer'))!;
  return out;
}

beforeEach(async () => {
  await startWithTinyModel();
});

describe('admin round trip', () => {
  it('enrols, replaces, adds, gets, lists with a cursor and deletes', async () => {
    const put = await call('PUT', '/admin/identities/alice', { json: { images: [fixtureB64('person1.jpg'), fixtureB64('person1.png')], meta: { name: 'Alice' } } });
    expect(put.status).toBe(201);
    expect(put.data).toMatchObject({ id: 'alice', modelVersion: 'tiny-1', imageCount: 2, needsReenrolment: false, meta: { name: 'Alice' } });
    const again = await enrol('alice', 'person1.png');
    expect([again.status, again.data.imageCount, again.data.createdAt]).toEqual([200, 1, put.data.createdAt]);
    expect(again.data.updatedAt).toBeGreaterThan(put.data.updatedAt);
    expect(again.data.meta).toBeUndefined();
    const add = await call('POST', '/admin/identities/alice/images', { form: form({ image: [fixture('person1-b.jpg'), fixture('person1.jpg')], box: ['0,0,120,140', ''] }) });
    expect([add.status, add.data.imageCount]).toEqual([200, 3]);
    const got = await call('GET', '/admin/identities/alice');
    expect(got.data).toMatchObject({ id: 'alice', imageCount: 3 });
    expect(JSON.stringify(got.data)).not.toMatch(/embedding/);

    await enrol('bob', 'person2.jpg');
    await enrol('carol', 'person3.jpg');
    const p1 = await call('GET', '/admin/identities?limit=2');
    expect(p1.data.identities.map((i: { id: string }) => i.id)).toEqual(['alice', 'bob']);
    expect(p1.data.cursor).toEqual(expect.any(String));
    const p2 = await call('GET', `/admin/identities?limit=2&cursor=${encodeURIComponent(p1.data.cursor)}`);
    expect(p2.data).toMatchObject({ identities: [{ id: 'carol', imageCount: 1, needsReenrolment: false }], cursor: null, modelVersion: 'tiny-1' });

    expect((await call('DELETE', '/admin/identities/alice')).data).toEqual({ id: 'alice', deleted: true });
    expect((await call('GET', '/admin/identities/alice')).status).toBe(404);
    expect((await call('GET', '/admin/identities')).data.identities).toHaveLength(2);
  });

  it('writes each identity with one put, so a failed write leaves no trace', async () => {
    const before = await kvState();
    const { kv, calls } = spyKv(env.GALLERY, (op) => op === 'put');
    const r = await withWriterEnv('alice', { GALLERY: kv }, () =>
      call('PUT', '/admin/identities/alice', { json: { images: [fixtureB64('person1.jpg'), fixtureB64('person1.png')] } }));
    expect([r.status, r.data.error.code]).toEqual([503, 'storage_unavailable']);
    expect(calls.filter(([op]) => op === 'put')).toHaveLength(1);
    expect(await kvState()).toEqual(before);
  });
});

describe('identify', () => {
  it('finds the enrolled person, and no one for a stranger', async () => {
    await enrol('alice', 'person1.jpg');
    await enrol('bob', 'person2.jpg');
    const hit = await identify('person1-b.jpg');
    expect(hit.status).toBe(200);
    expect(hit.data.match).toMatchObject({ id: 'alice' });
    expect(hit.data.match.similarity).toBeGreaterThan(hit.data.threshold);
    expect(hit.data.candidates.map((c: { id: string }) => c.id)).toEqual(['alice', 'bob']);
    expect(hit.data.candidates[1].match).toBe(false);
    const miss = await identify('person3.jpg', { topK: 1 });
    expect(miss.data.match).toBeNull();
    expect(miss.data.candidates).toHaveLength(1);
    expect(miss.data.candidates[0].similarity).toBeLessThan(miss.data.threshold);
  });

  it('reads only the packed gallery: head and shards once, then nothing, and never identity records', async () => {
    for (const [id, img] of [['alice', 'person1.jpg'], ['bob', 'person2.jpg'], ['carol', 'person3.jpg']]) await enrol(id, img);
    expect((await rebuild()).data).toMatchObject({ changed: true, identities: 3, rows: 3 });
    resetGallery(); // a fresh isolate: no cached snapshot, no overlay
    const { kv, calls } = spyKv(env.GALLERY);
    expect((await identify('person2-b.jpg', { env: { GALLERY: kv } })).data.match.id).toBe('bob');
    expect(calls.map(([op, k]) => `${op} ${k.split(':').slice(0, 2).join(':')}`)).toEqual(['get gallery:tiny-1', 'get gallery:tiny-1']);
    calls.length = 0;
    expect((await identify('person3-b.jpg', { env: { GALLERY: kv } })).data.match.id).toBe('carol');
    expect(calls).toEqual([]);
  });

  it('sees this isolate\'s writes at once and other isolates\' after a rebuild', async () => {
    await enrol('alice', 'person1.jpg');
    expect((await identify('person1-b.jpg')).data.match.id).toBe('alice');
    resetGallery(); // another isolate
    expect((await identify('person1-b.jpg')).data.match).toBeNull();
    await rebuild();
    resetGallery();
    expect((await identify('person1-b.jpg')).data.match.id).toBe('alice');
    await call('DELETE', '/admin/identities/alice');
    expect((await identify('person1-b.jpg')).data.match).toBeNull();
  });

  it('int8 shards (the default) give nearly the float32 scores', async () => {
    await enrol('alice', 'person1.jpg');
    await enrol('bob', 'person2.jpg');
    await rebuild({ GALLERY_DTYPE: 'f32' });
    resetGallery();
    const f32 = (await identify('person1-b.jpg')).data.candidates;
    expect((await rebuild()).data.changed).toBe(true);
    resetGallery();
    const i8 = (await identify('person1-b.jpg')).data.candidates;
    expect(i8.map((c: { id: string }) => c.id)).toEqual(f32.map((c: { id: string }) => c.id));
    i8.forEach((c: { similarity: number }, i: number) => expect(Math.abs(c.similarity - f32[i].similarity)).toBeLessThan(I8_SIMILARITY_ERROR));
  });
});

describe('gallery rebuild', () => {
  it('is idempotent, runs from the cron trigger, and deletion leaves no embedding behind once the grace period is over', async () => {
    await enrol('alice', 'person1.jpg');
    await enrol('bob', 'person2.jpg');
    const ctx = createExecutionContext();
    await worker.scheduled(createScheduledController(), env, ctx);
    await waitOnExecutionContext(ctx);
    const first = await rebuild();
    expect(first.data).toMatchObject({ changed: false, identities: 2, recordsRead: 0 });

    await call('DELETE', '/admin/identities/alice');
    const after = await rebuild();
    expect(after.data).toMatchObject({ changed: true, identities: 1, recordsRead: 0, keysRemoved: 0 });
    expect(Object.keys(await allKv())).toContain(`gallery:tiny-1:${first.data.generation}:0`); // readers may still hold that head
    const later = await rebuildGallery(env.GALLERY, await getManifest(env), 'i8', { ring: await keyring(env), now: () => Date.now() + GRACE_MS + 1000 });
    expect(later).toMatchObject({ changed: false, generation: after.data.generation, keysRemoved: 1 });
    const kv = await allKv();
    expect(Object.keys(kv).sort()).toEqual(['gallery:tiny-1:head', `gallery:tiny-1:${after.data.generation}:0`, 'id:bob']);
    const shard = `gallery:tiny-1:${after.data.generation}:0`;
    expect(unpackShard((await open(await keyring(env), new Uint8Array(kv[shard]), shard)).buffer as ArrayBuffer).header.ids).toEqual(['bob']);
    expect(Object.values(kv).some((v) => new TextDecoder().decode(v).includes('alice'))).toBe(false);
  });

  it('after a model change: flags re-enrolment, compares only same-version embeddings, drops old snapshots', async () => {
    await enrol('alice', 'person1.jpg');
    await enrol('bob', 'person2.jpg');
    await rebuild();
    await installTinyModel(2, 'tiny-2');
    const list = await call('GET', '/admin/identities');
    expect(list.data.modelVersion).toBe('tiny-2');
    expect(list.data.identities.map((i: { needsReenrolment: boolean }) => i.needsReenrolment)).toEqual([true, true]);
    expect((await call('GET', '/admin/identities/alice')).data.needsReenrolment).toBe(true);
    const add = await call('POST', '/admin/identities/alice/images', { json: { images: [fixtureB64('person1.png')] } });
    expect([add.status, add.data.error.code]).toEqual([409, 'model_version_mismatch']);

    expect((await identify('person1-b.jpg')).data).toMatchObject({ match: null, candidates: [], modelVersion: 'tiny-2' });
    await enrol('alice', 'person1.jpg');
    const r = await rebuild();
    expect(r.data).toMatchObject({ modelVersion: 'tiny-2', identities: 1 });
    const tiny1 = async () => Object.keys(await allKv()).filter((k) => k.startsWith('gallery:tiny-1'));
    expect(await tiny1()).toHaveLength(2); // a Worker may still serve tiny-1 during a rollout
    await rebuildGallery(env.GALLERY, await getManifest(env), 'i8', { ring: await keyring(env), now: () => Date.now() + RETIRE_MS + 1000 });
    expect(await tiny1()).toEqual([]);
    resetGallery();
    const hit = await identify('person1-b.jpg');
    expect(hit.data.match.id).toBe('alice');
    expect(hit.data.candidates).toHaveLength(1);
  });

  it('spreads a large rebuild over runs to stay within the per-invocation KV budget', async () => {
    const store = new IdentityStore(env.GALLERY);
    const n = MAX_RECORD_READS + 20;
    const row = new Float32Array(128).fill(1 / Math.sqrt(128));
    await Promise.all(Array.from({ length: n }, (_, i) => store.put({
      id: `p${String(i).padStart(4, '0')}`, modelVersion: 'tiny-1', dim: 128, embeddings: encodeRows([row]), imageCount: 1, createdAt: 1, updatedAt: 1,
    })));
    const { kv, calls } = spyKv(env.GALLERY);
    const first = await rebuild({ GALLERY: kv });
    expect(first.data).toMatchObject({ changed: true, complete: false, identities: MAX_RECORD_READS, recordsRead: MAX_RECORD_READS });
    expect(calls.filter(([op]) => op === 'get').length).toBeLessThan(MAX_RECORD_READS + 10);
    const second = await rebuild();
    expect(second.data).toMatchObject({ changed: true, complete: true, identities: n, recordsRead: 20 });
    expect((await rebuild()).data).toMatchObject({ changed: false, complete: true });
  });
});
