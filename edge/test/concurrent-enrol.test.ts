// Concurrent writes to the gallery: each identity's writer (a Durable Object) applies them one after
// another, so none is lost, and KV sees at most one write per second for any identity's key.
import { env } from 'cloudflare:workers';
import { beforeEach, expect, it } from 'vitest';
import { IdentityStore } from '../src/identity/store';
import { call, fixtureB64, startWithTinyModel, withWriterEnv } from './helpers';
import { spyKv } from './kv-spy';

const images = (...names: string[]) => ({ json: { images: names.map(fixtureB64) } });

beforeEach(startWithTinyModel);

it('four concurrent additions to one identity all land', async () => {
  expect((await call('PUT', '/admin/identities/alice', images('person1.jpg'))).status).toBe(201);
  const adds = await Promise.all(['person1.png', 'person1-b.jpg', 'person2.jpg', 'person3.jpg'].map((n) => call('POST', '/admin/identities/alice/images', images(n))));
  expect(adds.map((r) => r.status)).toEqual([200, 200, 200, 200]);
  expect(adds.map((r) => r.data.imageCount).sort()).toEqual([2, 3, 4, 5]);
  const rec = await new IdentityStore(env.GALLERY).get('alice');
  expect(rec?.imageCount).toBe(5);
  expect((await call('GET', '/admin/identities/alice')).data.imageCount).toBe(5);
});

it('concurrent enrolments of different identities all land', async () => {
  const ids = ['p1', 'p2', 'p3', 'p4', 'p5', 'p6'];
  const rs = await Promise.all(ids.map((id, i) => call('PUT', `/admin/identities/${id}`, images(i % 2 ? 'person1.jpg' : 'person2.jpg'))));
  expect(rs.map((r) => r.status)).toEqual(ids.map(() => 201));
  expect((await call('GET', '/admin/identities')).data.identities.map((x: { id: string }) => x.id).sort()).toEqual(ids);
});

it('a replace racing a delete ends in one of the two serial outcomes, in KV as in the writer', async () => {
  expect((await call('PUT', '/admin/identities/bob', images('person2.jpg'))).status).toBe(201);
  const [put, del] = await Promise.all([call('PUT', '/admin/identities/bob', images('person2.jpg', 'person3.jpg')), call('DELETE', '/admin/identities/bob')]);
  const rec = await new IdentityStore(env.GALLERY).get('bob');
  expect([200, 201]).toContain(put.status);
  if (del.status === 200) expect(rec === null || (put.status === 201 && rec.imageCount === 2)).toBe(true);
  else expect(del.data.error.code).toBe('identity_not_found');
  if (rec) expect(rec.imageCount).toBe(2);
});

it('writes to one identity reach KV at most once a second', async () => {
  const { kv, calls } = spyKv(env.GALLERY);
  const times: number[] = [];
  const timed = new Proxy(kv, { get: (t, p) => (p === 'put' ? (...a: unknown[]) => (times.push(Date.now()), (t.put as (...a: unknown[]) => Promise<void>)(...a)) : Reflect.get(t, p)) });
  await withWriterEnv('carol', { GALLERY: timed }, async () => {
    expect((await call('PUT', '/admin/identities/carol', images('person3.jpg'))).status).toBe(201);
    await Promise.all([1, 2, 3].map(() => call('POST', '/admin/identities/carol/images', images('person3.jpg'))));
  });
  expect(calls.filter(([op]) => op === 'put')).toHaveLength(4);
  for (let i = 1; i < times.length; i++) expect(times[i] - times[i - 1]).toBeGreaterThanOrEqual(1000);
});
