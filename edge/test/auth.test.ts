// API keys (named, scoped, the older unnamed form), admin tokens (several at once), the one 401 body,
// key rotation without losing a request of the surviving key, and what stays public.
import { describe, expect, it, beforeEach } from 'vitest';
import { apiKeys, adminTokens, lookup, parseEntries } from '../src/http/credentials';
import { ERROR_CODES } from '../src/http/errors';
import { call, fixtureB64, startWithTinyModel, kvState } from './helpers';

const pair = () => ({ a: fixtureB64('person1.jpg'), b: fixtureB64('person2.jpg') });
const verify = (auth: string, env?: Partial<Env>) => call('POST', '/v1/verify', { json: pair(), auth, env });
const identify = (auth: string, env?: Partial<Env>) => call('POST', '/v1/identify', { json: { image: pair().a }, auth, env });

beforeEach(async () => {
  await startWithTinyModel();
});

describe('the one 401', () => {
  it('is the same body for every way of failing, on /v1 and /admin, and changes nothing', async () => {
    const before = await kvState();
    const bodies = new Set<string>();
    const v1 = ['none', 'Bearer', 'Bearer nope', 'Bearer test-key-1x', 'Bearer test-key', 'Basic dGVzdC1rZXktMQ==', 'Bearer test-admin-token', 'test-key-2'];
    for (const auth of v1) {
      for (const path of ['/v1/verify', '/v1/identify']) {
        const r = await call('POST', path, { json: path.endsWith('verify') ? pair() : { image: pair().a }, auth });
        expect(r.status, `${auth} ${path}`).toBe(401);
        bodies.add(JSON.stringify(r.data));
      }
    }
    // A key that was removed from API_KEYS (test-key-2 is no longer there).
    bodies.add(JSON.stringify((await verify('Bearer test-key-2', { API_KEYS: 'test-key-1' })).data));
    for (const auth of ['none', 'Bearer wrong', 'Bearer test-key-1', 'Bearer test-key-2', 'test-admin-token', 'Bearer test-admin-tokenx']) {
      for (const [method, path] of [['GET', '/admin/identities'], ['PUT', '/admin/identities/alice'], ['DELETE', '/admin/identities/alice'], ['POST', '/admin/gallery/rebuild'], ['GET', '/admin/audit']]) {
        const r = await call(method, path, { json: method === 'PUT' ? { images: [pair().a] } : undefined, auth });
        expect(r.status, `${auth} ${method} ${path}`).toBe(401);
        bodies.add(JSON.stringify(r.data));
      }
    }
    expect([...bodies]).toEqual([JSON.stringify({ error: { code: 'unauthorized', message: 'missing or invalid credentials' } })]);
    expect(await kvState()).toEqual(before);
  });
});

describe('API keys (/v1)', () => {
  it('accepts a configured key as Bearer or X-API-Key', async () => {
    expect((await verify('Bearer test-key-1')).status).toBe(200);
    expect((await call('POST', '/v1/verify', { json: pair(), auth: 'none', headers: { 'x-api-key': 'test-key-2' } })).status).toBe(200);
  });

  it('named keys carry scopes: a route needs its own, 403 forbidden otherwise', async () => {
    const API_KEYS = 'v:sv:verify, i:si:identify, c:sc:identify:candidates, both:sb:verify+identify, plain:sp';
    const env = { API_KEYS };
    expect((await verify('Bearer sv', env)).status).toBe(200);
    const noIdentify = await identify('Bearer sv', env);
    expect([noIdentify.status, noIdentify.data.error.code, noIdentify.data.error.details]).toEqual([403, 'forbidden', { scope: 'identify' }]);
    expect((await identify('Bearer si', env)).status).toBe(200);
    expect((await verify('Bearer si', env)).status).toBe(403);
    expect((await identify('Bearer sc', env)).status).toBe(200); // identify:candidates includes identify
    expect((await verify('Bearer sc', env)).status).toBe(403);
    for (const s of ['sb', 'sp']) {
      expect((await verify(`Bearer ${s}`, env)).status, s).toBe(200);
      expect((await identify(`Bearer ${s}`, env)).status, s).toBe(200);
    }
  });

  it('the older unnamed form still works, each key named key<n> by its position', async () => {
    // key1's bucket holds one request; key2 (the second entry) is not limited by it.
    const env = { API_KEYS: 'first-secret,second-secret', RATE_LIMITS: 'key1=1/h' };
    expect((await verify('Bearer first-secret', env)).status).toBe(200);
    expect((await verify('Bearer first-secret', env)).status).toBe(429);
    for (let i = 0; i < 3; i++) expect((await verify('Bearer second-secret', env)).status).toBe(200);
    expect(parseEntries('a,b', 'API_KEYS', (n) => `key${n}`, true).map((e) => [e.id, e.scopes])).toEqual([
      ['key1', ['verify', 'identify']],
      ['key2', ['verify', 'identify']],
    ]);
  });

  it('fails closed (503 auth_not_configured) when keys are unset or unreadable, never naming a secret', async () => {
    for (const API_KEYS of ['', ' , ', 'a:s1:verify+admin', 'a:s1,a:s2', 'a:same,b:same', 'bad id:s1', 'a:', 'a:s 1']) {
      const r = await verify('Bearer s1', { API_KEYS });
      expect([r.status, r.data.error.code], API_KEYS).toEqual([503, 'auth_not_configured']);
      expect(r.data.error.message).not.toMatch(/s1|s2|same/);
    }
    expect((await verify('none', { API_KEYS: '', AUTH_DISABLED: '1' })).status).toBe(503);
    expect((await verify('none', { API_KEYS: '', AUTH_DISABLED: 'true' })).status).toBe(200);
    const bad = await verify('Bearer test-key-1', { RATE_LIMITS: 'key1=fast' });
    expect([bad.status, bad.data.error.code]).toEqual([503, 'auth_not_configured']);
  });

  it('lookup finds the entry by its secret and answers only its id and scopes', async () => {
    const keys = await apiKeys('x:secret-x:verify,y:secret-y:identify:candidates');
    expect(await lookup(keys, 'secret-y')).toEqual({ id: 'y', scopes: new Set(['identify:candidates', 'identify']) });
    expect(await lookup(keys, 'secret-z')).toBeNull();
    expect(await lookup(keys, '')).toBeNull();
    expect(JSON.stringify(await lookup(keys, 'secret-x'))).not.toContain('secret');
  });
});

describe('rotation', () => {
  it('adding a key and removing another loses no request of the surviving key, under concurrent load', async () => {
    const before = { API_KEYS: 'old:s-old:verify,keep:s-keep:verify' };
    const after = { API_KEYS: 'keep:s-keep:verify,new:s-new:verify' };
    // 40 requests of the surviving key in flight while the configuration changes under them.
    const flight = Array.from({ length: 40 }, (_, i) => verify('Bearer s-keep', i < 20 ? before : after));
    const removed = verify('Bearer s-old', after);
    const added = verify('Bearer s-new', after);
    const statuses = (await Promise.all(flight)).map((r) => r.status);
    expect(statuses).toEqual(Array(40).fill(200));
    expect((await removed).status).toBe(401);
    expect((await added).status).toBe(200);
    expect((await verify('Bearer s-old', before)).status).toBe(200);
  });

  it("a new secret for the same id keeps that id's quota (rotation is no way around a limit)", async () => {
    const RATE_LIMITS = 'rot=2/h';
    expect((await verify('Bearer first', { API_KEYS: 'rot:first:verify', RATE_LIMITS })).status).toBe(200);
    expect((await verify('Bearer first', { API_KEYS: 'rot:first:verify', RATE_LIMITS })).status).toBe(200);
    const r = await verify('Bearer second', { API_KEYS: 'rot:second:verify', RATE_LIMITS });
    expect([r.status, r.data.error.code]).toEqual([429, 'rate_limited']);
  });
});

describe('admin tokens (/admin)', () => {
  it('accepts every token of ADMIN_TOKENS and ADMIN_TOKEN at once; a removed one is refused', async () => {
    const env = { ADMIN_TOKENS: 'ops:tok-ops,ci:tok-ci', ADMIN_TOKEN: 'tok-single' } as Partial<Env>;
    for (const t of ['tok-ops', 'tok-ci', 'tok-single']) expect((await call('GET', '/admin/identities', { auth: `Bearer ${t}`, env })).status, t).toBe(200);
    expect((await call('GET', '/admin/identities', { auth: 'Bearer tok-ops', env: { ADMIN_TOKENS: 'ci:tok-ci', ADMIN_TOKEN: '' } as Partial<Env> })).status).toBe(401);
    expect((await call('GET', '/admin/identities', { auth: 'Bearer tok-ci', env: { ADMIN_TOKENS: 'ci:tok-ci', ADMIN_TOKEN: '' } as Partial<Env> })).status).toBe(200);
    expect((await adminTokens('ops:a,b', 'c')).map((t) => t.id)).toEqual(['ops', 'admin2', 'admin']);
  });

  it('is closed (503) when no admin token is set, even with AUTH_DISABLED; an unreadable ADMIN_TOKENS too', async () => {
    const r = await call('GET', '/admin/identities', { env: { ADMIN_TOKEN: '', AUTH_DISABLED: 'true' } });
    expect([r.status, r.data.error.code]).toEqual([503, 'auth_not_configured']);
    const scoped = await call('GET', '/admin/identities', { env: { ADMIN_TOKENS: 'ops:tok:verify' } as Partial<Env> });
    expect([scoped.status, scoped.data.error.code]).toEqual([503, 'auth_not_configured']);
  });
});

describe('public routes', () => {
  it('serves health and the OpenAPI document without credentials, with a request id', async () => {
    const h = await call('GET', '/v1/health', { auth: 'none' });
    expect(h.status).toBe(200);
    expect(h.data.backend).toBe('wasm');
    expect(h.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
    const o = await call('GET', '/openapi.json', { auth: 'none', headers: { 'x-request-id': 'chosen-by-caller' } });
    expect(o.status).toBe(200);
    expect(o.headers.get('x-request-id')).not.toBe('chosen-by-caller');
    expect(Object.keys(o.data.paths)).toEqual(expect.arrayContaining(['/v1/verify', '/v1/identify', '/admin/identities', '/admin/identities/{id}', '/admin/identities/{id}/images', '/admin/audit']));
    // Keys, scopes, quotas and the audit route are described in the document itself.
    expect(o.data.components.securitySchemes.apiKey.description).toMatch(/identify:candidates[\s\S]*429 rate_limited with Retry-After/);
    expect(o.data.components.securitySchemes.adminToken.description).toMatch(/ADMIN_TOKENS[\s\S]*audit log/);
    for (const path of ['/v1/verify', '/v1/identify']) {
      expect(o.data.paths[path].post.responses[429].headers['Retry-After'].schema).toEqual({ type: 'integer', minimum: 1 });
      expect(o.data.paths[path].post.responses[403].description).toBe('forbidden');
    }
    expect(o.data.paths['/admin/audit'].get.security).toEqual([{ adminToken: [] }]);
    expect(o.data.paths['/admin/audit'].get.parameters.map((p: { name: string }) => p.name).sort()).toEqual(['cursor', 'limit']);
    expect(Object.keys(o.data.components.schemas.AuditEntry.properties)).toEqual(['seq', 'time', 'keyId', 'action', 'identityId', 'status', 'requestId']);
    const documented = JSON.stringify(o.data.paths);
    for (const code of Object.keys(ERROR_CODES).filter((c) => !['internal_error', 'not_found'].includes(c))) expect(documented, code).toContain(code);
  });

  it('answers unknown routes with a JSON 404', async () => {
    const r = await call('GET', '/nope', { auth: 'none' });
    expect([r.status, r.data.error.code]).toEqual([404, 'not_found']);
  });
});
