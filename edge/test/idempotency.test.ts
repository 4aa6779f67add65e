// Retrying an identity write with the same Idempotency-Key applies it once (issue 24): the writer
// (a Durable Object) stores the merged record as pending before replicating it to KV, so a write
// whose request failed (the object reset before replying) may still be applied by its alarm; the
// retry must then return the first result instead of adding the images again.
import { runDurableObjectAlarm, runInDurableObject } from 'cloudflare:test';
import { env } from 'cloudflare:workers';
import { beforeEach, describe, expect, it } from 'vitest';
import { IdentityStore } from '../src/identity/store';
import { call, fixtureB64, startWithTinyModel } from './helpers';
import { spyKv } from './kv-spy';

const images = (...names: string[]) => ({ json: { images: names.map(fixtureB64) } });
const add = (key: string | null, ...names: string[]) =>
  call('POST', '/admin/identities/alice/images', { ...images(...names), headers: key ? { 'Idempotency-Key': key } : {} });
const stored = async () => (await new IdentityStore(env.GALLERY).get('alice'))?.imageCount;
const writer = () => {
  const ns = env.IDENTITY_WRITER as unknown as DurableObjectNamespace;
  return ns.get(ns.idFromName('alice'));
};

beforeEach(async () => {
  await startWithTinyModel();
  expect((await call('PUT', '/admin/identities/alice', images('person1.jpg'))).status).toBe(201);
});

describe('Idempotency-Key', () => {
  it('the same POST …/images twice with one key adds the images once and answers the same', async () => {
    const first = await add('k-1', 'person1.png');
    expect([first.status, first.data.imageCount]).toEqual([200, 2]);
    const again = await add('k-1', 'person1.png');
    expect([again.status, again.data.imageCount, again.data.updatedAt]).toEqual([200, 2, first.data.updatedAt]);
    expect(again.headers.get('idempotent-replayed')).toBe('true');
    expect(first.headers.get('idempotent-replayed')).toBeNull();
    expect(await stored()).toBe(2);
    // Without a key, or with another one, a POST is a new write.
    expect((await add(null, 'person1.png')).data.imageCount).toBe(3);
    expect((await add('k-2', 'person1.png')).data.imageCount).toBe(4);
    expect(await stored()).toBe(4);
  });

  it('a key reused for a different request is refused, and nothing is applied', async () => {
    expect((await add('k-1', 'person1.png')).data.imageCount).toBe(2);
    const other = await add('k-1', 'person1-b.jpg');
    expect([other.status, other.data.error?.code, other.data.error?.details?.field]).toEqual([400, 'invalid_request', 'Idempotency-Key']);
    expect(await stored()).toBe(2);
  });

  it('DELETE twice with one key answers the same both times (without a key the second is 404)', async () => {
    const del = (key?: string) => call('DELETE', '/admin/identities/alice', { headers: key ? { 'Idempotency-Key': key } : {} });
    const first = await del('d-1');
    expect([first.status, first.data]).toEqual([200, { id: 'alice', deleted: true }]);
    const again = await del('d-1');
    expect([again.status, again.data, again.headers.get('idempotent-replayed')]).toEqual([200, { id: 'alice', deleted: true }, 'true']);
    expect((await del()).status).toBe(404);
  });

  it('a malformed key is refused before anything is applied', async () => {
    const r = await add('not ascii é', 'person1.png');
    expect([r.status, r.data.error?.code]).toEqual([400, 'invalid_request']);
    expect(await stored()).toBe(1);
  });

  for (const alarmFirst of [true, false])
    it(`the writer resets after storing the write as pending; ${alarmFirst ? 'its alarm replicates it, then' : 'before its alarm,'} the client retries: applied once`, async () => {
      // The writer resets (ctx.abort) as it is about to put the record in KV, i.e. after storing the
      // merged record as pending: the request fails, the write is left to the alarm.
      // Untyped, as in helpers.ts: the writer's RPC types are too deep for the compiler here.
      const runIn = runInDurableObject as unknown as (s: DurableObjectStub, fn: (o: { env: Env; ctx: DurableObjectState }) => void) => Promise<void>;
      await runIn(writer(), (o) => {
        const { kv } = spyKv(o.env.GALLERY, (op, key) => {
          if (op === 'put' && key === 'id:alice') o.ctx.abort('simulated reset');
          return false;
        });
        o.env = { ...o.env, GALLERY: kv };
      });
      const failed = await add('k-reset', 'person1.png');
      expect(failed.status).toBeGreaterThanOrEqual(500);
      const held = await runInDurableObject(writer(), (_o, state) => state.storage.get<{ record: { imageCount: number }; pending: boolean }>('state'));
      expect([held?.pending, held?.record.imageCount, await stored()]).toEqual([true, 2, 1]);
      if (alarmFirst) {
        expect(await runDurableObjectAlarm(writer())).toBe(true);
        expect(await stored()).toBe(2); // the failed request's write was applied after all
      }
      const retry = await add('k-reset', 'person1.png');
      expect([retry.status, retry.data.imageCount]).toEqual([200, 2]);
      expect(await stored()).toBe(2);
      expect((await call('GET', '/admin/identities/alice')).data.imageCount).toBe(2);
    });
});
