// The audit log: every admin mutation (whatever its outcome) and every failed admin authentication,
// with key id, time, action, identity id, outcome and request id; kept after the identity is deleted;
// paged newest first by GET /admin/audit; never an image or embedding; mutations refused when the
// log cannot be written.
import { runInDurableObject } from 'cloudflare:test';
import { env } from 'cloudflare:workers';
import { beforeAll, describe, expect, it } from 'vitest';
import type { AuditEntry } from '../src/audit/log';
import { call, fixtureB64, kvState, startWithTinyModel } from './helpers';

const tokens = { ADMIN_TOKENS: 'ops:tok-ops,ci:tok-ci' } as Partial<Env>;
const admin = (method: string, path: string, o: { json?: unknown; token?: string } = {}) =>
  call(method, path, { json: o.json, auth: `Bearer ${o.token ?? 'tok-ops'}`, env: tokens });

/** Every entry, newest first, through the route's paging. */
async function allEntries(limit = 1000): Promise<AuditEntry[]> {
  const out: AuditEntry[] = [];
  let cursor: string | null = null;
  do {
    const r = await admin('GET', `/admin/audit?limit=${limit}${cursor ? `&cursor=${cursor}` : ''}`);
    expect(r.status).toBe(200);
    out.push(...r.data.entries);
    cursor = r.data.cursor;
  } while (cursor);
  return out;
}
const byRequest = async (requestId: string | null) => (await allEntries()).filter((e) => e.requestId === requestId);

beforeAll(async () => {
  await startWithTinyModel();
});

describe('what is recorded', () => {
  it('each mutation with who, what, which identity, outcome and request id; reads are not', async () => {
    const t0 = Date.now();
    const put = await admin('PUT', '/admin/identities/audit-alice', { json: { images: [fixtureB64('person1.jpg')] } });
    expect(put.status).toBe(201);
    const [row] = await byRequest(put.headers.get('x-request-id'));
    expect(row).toMatchObject({ keyId: 'ops', action: 'enrol', identityId: 'audit-alice', status: 201 });
    expect(row.time).toBeGreaterThanOrEqual(t0 - 1000);
    expect(row.time).toBeLessThanOrEqual(Date.now() + 1000);

    const add = await admin('POST', '/admin/identities/audit-alice/images', { json: { images: [fixtureB64('person1-b.jpg')] }, token: 'tok-ci' });
    expect(add.status).toBe(200);
    expect(await byRequest(add.headers.get('x-request-id'))).toMatchObject([{ keyId: 'ci', action: 'add_images', identityId: 'audit-alice', status: 200 }]);

    const failed = await admin('PUT', '/admin/identities/audit-bob', { json: { images: ['bm90IGFuIGltYWdl'] } });
    expect(failed.status).toBeGreaterThanOrEqual(400);
    expect(await byRequest(failed.headers.get('x-request-id'))).toMatchObject([{ keyId: 'ops', action: 'enrol', identityId: 'audit-bob', status: failed.status }]);

    const rebuild = await admin('POST', '/admin/gallery/rebuild');
    expect(await byRequest(rebuild.headers.get('x-request-id'))).toMatchObject([{ keyId: 'ops', action: 'rebuild', identityId: null, status: rebuild.status }]);

    const reads = [await admin('GET', '/admin/identities'), await admin('GET', '/admin/identities/audit-alice'), await admin('GET', '/admin/audit')];
    for (const r of reads) expect(await byRequest(r.headers.get('x-request-id'))).toEqual([]);
  });

  it('each failed admin authentication, on any admin route, without a key id', async () => {
    const cases: [string, string, string][] = [
      ['GET', '/admin/identities', 'read'],
      ['GET', '/admin/audit', 'read'],
      ['DELETE', '/admin/identities/some%20one', 'delete'],
      ['PUT', '/admin/identities/x', 'enrol'],
      ['POST', '/admin/gallery/rebuild', 'rebuild'],
      ['PATCH', '/admin/identities/x', 'other'],
    ];
    for (const [method, path, action] of cases) {
      const r = await call(method, path, { auth: 'Bearer test-key-2', env: tokens });
      expect(r.status, `${method} ${path}`).toBe(401);
      const rows = await byRequest(r.headers.get('x-request-id'));
      expect(rows, `${method} ${path}`).toMatchObject([{ keyId: null, action, status: 401 }]);
    }
    const [del] = await byRequest((await call('DELETE', '/admin/identities/some%20one', { auth: 'none' })).headers.get('x-request-id'));
    expect(del.identityId).toBe('some one');
  });
});

describe('kept, and only what it should hold', () => {
  it("outlives the identity's deletion, and holds no image, embedding or secret", async () => {
    const image = fixtureB64('person2.jpg');
    expect((await admin('PUT', '/admin/identities/audit-carol', { json: { images: [image] } })).status).toBe(201);
    const del = await admin('DELETE', '/admin/identities/audit-carol');
    expect(del.status).toBe(200);
    expect((await admin('GET', '/admin/identities/audit-carol')).status).toBe(404);
    const carol = (await allEntries()).filter((e) => e.identityId === 'audit-carol');
    expect(carol.map((e) => [e.action, e.status])).toEqual([['delete', 200], ['enrol', 201]]);

    // The raw table: the same rows, seven small columns, nothing resembling image or embedding bytes.
    const stub = env.AUDIT_LOG.get(env.AUDIT_LOG.idFromName('audit'));
    const raw = await runInDurableObject(stub, (_o, state) => state.storage.sql.exec('SELECT * FROM audit').toArray());
    expect(Object.keys(raw[0]).sort()).toEqual(['action', 'identity_id', 'key_id', 'request_id', 'seq', 'status', 'time']);
    const text = JSON.stringify(raw);
    expect(raw.filter((r) => r.identity_id === 'audit-carol')).toHaveLength(2);
    expect(text).not.toContain(image.slice(100, 140));
    for (const r of raw) for (const v of Object.values(r)) expect(typeof v === 'string' ? v.length : 0).toBeLessThanOrEqual(256);
    expect(text).not.toMatch(/tok-ops|tok-ci|test-key|test-admin-token/);
  });

  it('a row gets its outcome once; nothing rewrites it', async () => {
    const stub = env.AUDIT_LOG.get(env.AUDIT_LOG.idFromName('audit'));
    const seq = await stub.append({ time: 1, keyId: null, action: 'delete', identityId: 'x', status: null, requestId: 'r-once' });
    await stub.finish(seq, 'ops', 200);
    await stub.finish(seq, 'evil', 500);
    expect(await byRequest('r-once')).toMatchObject([{ seq, keyId: 'ops', status: 200 }]);
  });
});

describe('GET /admin/audit', () => {
  it('pages newest first with a cursor, no entry twice or missed', async () => {
    for (let i = 0; i < 7; i++) await call('GET', '/admin/identities', { auth: 'none', env: tokens });
    const all = await allEntries();
    const paged = await allEntries(3);
    expect(paged.map((e) => e.seq)).toEqual(all.map((e) => e.seq));
    expect(all.map((e) => e.seq)).toEqual([...all.map((e) => e.seq)].sort((a, b) => b - a));
    const first = await admin('GET', '/admin/audit?limit=3');
    expect(first.data.entries).toHaveLength(3);
    expect(first.data.cursor).toBe(String(first.data.entries[2].seq));
    const last = await admin('GET', `/admin/audit?limit=1000&cursor=${first.data.cursor}`);
    expect(last.data.cursor).toBeNull();
    for (const bad of ['cursor=abc', 'cursor=-1', 'cursor=0', 'limit=0', 'limit=1001', 'limit=x']) {
      const r = await admin('GET', `/admin/audit?${bad}`);
      expect([r.status, r.data.error.code], bad).toEqual([400, 'invalid_request']);
    }
  });
});

describe('when the log cannot be written', () => {
  it('a mutation is refused with 503 and changes nothing', async () => {
    const down = { idFromName: () => ({}), get: () => ({ append: () => Promise.reject(new Error('audit down')) }) };
    const before = await kvState();
    const r = await call('PUT', '/admin/identities/audit-dave', { json: { images: [fixtureB64('person3.jpg')] }, auth: 'Bearer tok-ops', env: { ...tokens, AUDIT_LOG: down as unknown as Env['AUDIT_LOG'] } });
    expect([r.status, r.data.error.code]).toEqual([503, 'storage_unavailable']);
    expect(await kvState()).toEqual(before);
  });
});
