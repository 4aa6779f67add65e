// A failing KV or R2 call surfaces as 503 storage_unavailable — never as a wrong answer (an empty
// gallery read as "no match") or a half-written gallery — and the next healthy request works.
import { createExecutionContext, createScheduledController, waitOnExecutionContext } from 'cloudflare:test';
import { env } from 'cloudflare:workers';
import { beforeEach, describe, expect, it } from 'vitest';
import worker from '../src/index';
import { resetGallery } from '../src/gallery/cache';
import { resetModel } from '../src/model/loader';
import { call, fixtureB64, kvState, startWithTinyModel, withWriterEnv } from './helpers';
import { spyKv } from './kv-spy';

const img = (n: string) => fixtureB64(n);
const enrol = (id: string, name: string, e?: Partial<Env>) => call('PUT', `/admin/identities/${id}`, { json: { images: [img(name)] }, env: e });
const identify = (name: string, e?: Partial<Env>) => call('POST', '/v1/identify', { json: { image: img(name) }, env: e });
const failing = (pred: (op: string, key: string) => boolean) => spyKv(env.GALLERY, (op, key) => pred(op, typeof key === 'string' ? key : JSON.stringify(key ?? null))).kv;

function expect503(r: { status: number; data: any }, binding: 'GALLERY' | 'MODELS') {
  expect([r.status, r.data?.error?.code], JSON.stringify(r.data)).toEqual([503, 'storage_unavailable']);
  expect(r.data.error.details.binding).toBe(binding);
}

/** An R2 bucket whose objects' bodies fail to read (get succeeds, arrayBuffer/text reject). */
function r2WithBrokenBodies(bucket: R2Bucket): R2Bucket {
  return new Proxy(bucket, {
    get(t, p) {
      const v = Reflect.get(t, p);
      if (p !== 'get') return typeof v === 'function' ? v.bind(t) : v;
      return async (...a: unknown[]) => {
        const o = await (v as (...a: unknown[]) => Promise<R2ObjectBody | null>).apply(t, a);
        if (!o) return o;
        return new Proxy(o, { get: (ot, op) => (['arrayBuffer', 'text', 'json'].includes(String(op)) ? () => Promise.reject(new Error('injected body failure')) : Reflect.get(ot, op)) });
      };
    },
  });
}

let before: Record<string, string>;
beforeEach(async () => {
  await startWithTinyModel();
  expect((await enrol('alice', 'person1.jpg')).status).toBe(201);
  expect((await enrol('bob', 'person2.jpg')).status).toBe(201);
  expect((await call('POST', '/admin/gallery/rebuild')).status).toBe(200);
  resetGallery(); // no overlay: identify must read the packed gallery from KV
  before = await kvState();
});

describe('KV reads', () => {
  it('identify with a failing gallery head read → 503, not an empty "no match"; then answers again', async () => {
    expect503(await identify('person1-b.jpg', { GALLERY: failing((op) => op === 'get') }), 'GALLERY');
    const ok = await identify('person1-b.jpg');
    expect([ok.status, ok.data.match?.id]).toEqual([200, 'alice']);
  });

  it('identify with only the shard read failing → 503', async () => {
    expect503(await identify('person2.jpg', { GALLERY: failing((op, k) => op === 'get' && !k.endsWith(':head')) }), 'GALLERY');
    expect((await identify('person2.jpg')).data.match?.id).toBe('bob');
  });

  it('admin get, list and rebuild with failing reads → 503; KV unchanged', async () => {
    expect503(await call('GET', '/admin/identities/alice', { env: { GALLERY: failing((op) => op === 'get') } }), 'GALLERY');
    expect503(await call('GET', '/admin/identities', { env: { GALLERY: failing((op) => op === 'list') } }), 'GALLERY');
    expect503(await call('POST', '/admin/gallery/rebuild', { env: { GALLERY: failing((op) => op === 'list') } }), 'GALLERY');
    // Enrolment reads only its writer's record, which adopts KV's on first use.
    expect503(await withWriterEnv('carol', { GALLERY: failing((op) => op === 'get') }, () => enrol('carol', 'person3.jpg')), 'GALLERY');
    expect(await kvState()).toEqual(before);
  });
});

describe('KV writes', () => {
  it('enrol (PUT and POST …/images) and delete with failing writes → 503; records unchanged', async () => {
    // Identity records are written by each identity's writer (a Durable Object with its own bindings).
    const noWrites = { GALLERY: failing((op) => op === 'put' || op === 'delete') };
    expect503(await withWriterEnv('carol', noWrites, () => enrol('carol', 'person3.jpg')), 'GALLERY');
    await withWriterEnv('alice', noWrites, async () => {
      expect503(await enrol('alice', 'person3.jpg'), 'GALLERY');
      expect503(await call('POST', '/admin/identities/alice/images', { json: { images: [img('person1.png')] } }), 'GALLERY');
    });
    expect503(await withWriterEnv('bob', noWrites, () => call('DELETE', '/admin/identities/bob')), 'GALLERY');
    expect(await kvState()).toEqual(before);
    expect((await call('GET', '/admin/identities/bob')).status).toBe(200);
    expect((await call('GET', '/admin/identities/alice')).data.imageCount).toBe(1);
    expect((await identify('person3.jpg')).data.match).toBeNull();
  });

  it('a rebuild whose head write fails → 503, the old head stays and identify keeps its answers', async () => {
    expect((await enrol('carol', 'person3.jpg')).status).toBe(201);
    resetGallery();
    const headBefore = await env.GALLERY.get('gallery:tiny-1:head');
    expect503(await call('POST', '/admin/gallery/rebuild', { env: { GALLERY: failing((op, k) => op === 'put' && k.endsWith(':head')) } }), 'GALLERY');
    expect(await env.GALLERY.get('gallery:tiny-1:head')).toBe(headBefore);
    resetGallery();
    expect((await identify('person1-b.jpg')).data.match?.id).toBe('alice');
    // The next rebuild succeeds and the gallery then matches the records.
    const r = await call('POST', '/admin/gallery/rebuild');
    expect(r.data).toMatchObject({ identities: 3 });
    resetGallery();
    expect((await identify('person3.jpg')).data.match?.id).toBe('carol');
  });

  it("KV's per-key write limit (its 429) → 429 rate_limited to retry, not 503; records unchanged", async () => {
    const limited = new Proxy(env.GALLERY, {
      get(t, p) {
        const v = Reflect.get(t, p);
        if (p === 'put') return () => Promise.reject(new Error('KV PUT failed: 429 Too Many Requests'));
        return typeof v === 'function' ? v.bind(t) : v;
      },
    });
    const r = await withWriterEnv('alice', { GALLERY: limited }, () => enrol('alice', 'person3.jpg'));
    expect([r.status, r.data?.error?.code, r.data?.error?.details], JSON.stringify(r.data)).toEqual([429, 'rate_limited', { retryAfterSeconds: 1 }]);
    expect(await kvState()).toEqual(before);
  });

  it('the cron with failing KV writes changes nothing', async () => {
    expect((await enrol('carol', 'person3.jpg')).status).toBe(201);
    const mid = await kvState();
    const ctx = createExecutionContext();
    await worker.scheduled(createScheduledController(), { ...env, GALLERY: failing((op) => op === 'put' || op === 'delete') } as Env, ctx);
    await waitOnExecutionContext(ctx);
    expect(await kvState()).toEqual(mid);
  });
});

describe('R2 (model)', () => {
  it('a failing R2 get → 503 storage_unavailable; the model loads once R2 is back', async () => {
    resetModel();
    const broken = spyKv(env.MODELS as unknown as KVNamespace, (op) => op === 'get').kv as unknown as R2Bucket;
    expect503(await identify('person1.jpg', { MODELS: broken }), 'MODELS');
    expect503(await call('PUT', '/admin/identities/carol', { json: { images: [img('person3.jpg')] }, env: { MODELS: broken } }), 'MODELS');
    expect(await kvState()).toEqual(before);
    resetModel(); // a failed load is otherwise remembered for 30 s
    expect((await identify('person1-b.jpg')).data.match?.id).toBe('alice');
  });

  it('an R2 object whose body fails to read → 503 storage_unavailable', async () => {
    resetModel();
    expect503(await identify('person1.jpg', { MODELS: r2WithBrokenBodies(env.MODELS) }), 'MODELS');
    expect(await kvState()).toEqual(before);
  });
});
