// Overlapping gallery rebuilds (issue 24): the cron and POST /admin/gallery/rebuild may run at once.
// Whatever the interleaving, the head KV ends with must name shards that exist, and identify in a
// fresh isolate must find the enrolled people; once the grace period has passed, a later run deletes
// the losing generation. Each rebuild is driven through a KV wrapper that holds one of its calls
// until the other rebuild has run to the end.
import { env } from 'cloudflare:workers';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { keyring } from '../src/crypto/keyring';
import { resetGallery } from '../src/gallery/cache';
import { rebuildGallery } from '../src/gallery/rebuild';
import { GRACE_MS, headKey, type GalleryHead } from '../src/gallery/store';
import { getManifest } from '../src/model/loader';
import { call, fixtureB64, startWithTinyModel } from './helpers';
import { gateKv } from './kv-gate';

const enrol = (id: string, name: string) => call('PUT', `/admin/identities/${id}`, { json: { images: [fixtureB64(name)] } });
const identify = (name: string) => call('POST', '/v1/identify', { json: { image: fixtureB64(name) } });

async function liveHeadIsWhole() {
  const head = await env.GALLERY.get<GalleryHead>(headKey('tiny-1'), 'json');
  expect(head).not.toBeNull();
  const missing = [];
  for (const k of head!.shards) if ((await env.GALLERY.get(k, 'arrayBuffer')) === null) missing.push(k);
  expect(missing, `head ${head!.generation} names missing shards`).toEqual([]);
  return head!;
}

/** A run after the grace period: only the live head and its shards are left. */
async function collectsTheRest(m: Parameters<typeof rebuildGallery>[1]) {
  const gc = await rebuildGallery(env.GALLERY, m, 'i8', { ring: await keyring(env), now: () => Date.now() + GRACE_MS + 1000 });
  expect([gc.changed, gc.keysRemoved]).toEqual([false, 1]);
  const head = await liveHeadIsWhole();
  const keys = (await env.GALLERY.list({ prefix: 'gallery:' })).keys.map((k) => k.name).sort();
  expect(keys).toEqual([...head.shards, headKey('tiny-1')].sort());
}

async function identifiesEveryone(people: [string, string][]) {
  resetGallery(); // a cold isolate: only what KV holds
  for (const [id, photo] of people) {
    const r = await identify(photo);
    expect([r.status, r.data.match?.id], JSON.stringify(r.data)).toEqual([200, id]);
  }
}

beforeEach(async () => {
  await startWithTinyModel();
  expect((await enrol('alice', 'person1.jpg')).status).toBe(201);
  expect((await enrol('bob', 'person2.jpg')).status).toBe(201);
});

describe('two overlapping rebuilds', () => {
  it('A writes its shards, B runs whole, then A writes its head', async () => {
    const m = await getManifest(env);
    const a = gateKv(env.GALLERY, (op, key) => op === 'put' && key === headKey('tiny-1'));
    const first = rebuildGallery(a.kv, m, 'i8', { ring: await keyring(env) });
    await a.reached;
    const second = await rebuildGallery(env.GALLERY, m, 'i8', { ring: await keyring(env) });
    expect(second.changed).toBe(true);
    a.release();
    const r = await first;
    expect(r.changed).toBe(true);
    expect((await liveHeadIsWhole()).generation).toBe(r.generation);
    await identifiesEveryone([['alice', 'person1-b.jpg'], ['bob', 'person2-b.jpg']]);
    await collectsTheRest(m);
  });

  it('A writes its head, B (seeing a new enrolment) runs whole, then A collects garbage', async () => {
    const m = await getManifest(env);
    const a = gateKv(env.GALLERY, (op, key) => op === 'list' && key.includes('"prefix":"gallery:'));
    const first = rebuildGallery(a.kv, m, 'i8', { ring: await keyring(env) });
    await a.reached;
    expect((await enrol('carol', 'person3.jpg')).status).toBe(201);
    const second = await rebuildGallery(env.GALLERY, m, 'i8', { ring: await keyring(env) });
    expect([second.changed, second.identities]).toEqual([true, 3]);
    a.release();
    await first;
    expect((await liveHeadIsWhole()).generation).toBe(second.generation);
    await identifiesEveryone([['alice', 'person1-b.jpg'], ['bob', 'person2-b.jpg'], ['carol', 'person3-b.jpg']]);
    await collectsTheRest(m);
  });
});

describe('a head whose shard is missing in KV', () => {
  afterEach(() => vi.restoreAllMocks());

  /** A head (as a newer rebuild would write it) naming a shard that KV does not hold. */
  async function headWithMissingShard() {
    const head = await liveHeadIsWhole();
    const generation = `${head.generation}x`;
    const broken: GalleryHead = { ...head, generation, shards: [`gallery:tiny-1:${generation}:0`], builtAt: head.builtAt + 1 };
    await env.GALLERY.put(headKey('tiny-1'), JSON.stringify(broken));
  }

  it('a cold isolate answers 503, not an empty gallery', async () => {
    expect((await call('POST', '/admin/gallery/rebuild')).status).toBe(200);
    await headWithMissingShard();
    resetGallery();
    const r = await identify('person1-b.jpg');
    expect([r.status, r.data.error?.code], JSON.stringify(r.data)).toEqual([503, 'storage_unavailable']);
  });

  it('a warm isolate keeps the snapshot it has', async () => {
    expect((await call('POST', '/admin/gallery/rebuild')).status).toBe(200);
    resetGallery();
    expect((await identify('person1-b.jpg')).data.match?.id).toBe('alice');
    await headWithMissingShard();
    const later = Date.now() + 60_000; // past the isolate's head re-check
    vi.spyOn(Date, 'now').mockImplementation(() => later);
    const r = await identify('person2-b.jpg');
    expect([r.status, r.data.match?.id]).toEqual([200, 'bob']);
  });
});
