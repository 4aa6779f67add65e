// API keys for /v1 verify & identify, the admin token for /admin, and what stays public.
import { beforeEach, describe, expect, it } from 'vitest';
import { matchesAny } from '../src/http/auth';
import { ERROR_CODES } from '../src/http/errors';
import { call, fixtureB64, startWithTinyModel, kvState } from './helpers';

const pair = () => ({ a: fixtureB64('person1.jpg'), b: fixtureB64('person2.jpg') });

beforeEach(async () => {
  await startWithTinyModel();
});

describe('API keys (/v1)', () => {
  it('rejects a missing or wrong key with 401 unauthorized', async () => {
    for (const auth of ['none', 'Bearer nope', 'Bearer test-key-1x', 'Basic dGVzdC1rZXktMQ==', 'Bearer test-admin-token']) {
      const r = await call('POST', '/v1/verify', { json: pair(), auth });
      expect(r.status, auth).toBe(401);
      expect(r.data.error.code).toBe('unauthorized');
    }
    expect((await call('POST', '/v1/identify', { json: { image: pair().a }, auth: 'none' })).status).toBe(401);
  });

  it('accepts any configured key as Bearer or X-API-Key', async () => {
    expect((await call('POST', '/v1/verify', { json: pair(), auth: 'Bearer test-key-1' })).status).toBe(200);
    expect((await call('POST', '/v1/verify', { json: pair(), auth: 'none', headers: { 'x-api-key': 'test-key-2' } })).status).toBe(200);
  });

  it('fails closed with 503 when no keys are configured, and is off only for AUTH_DISABLED="true"', async () => {
    const r = await call('POST', '/v1/verify', { json: pair(), auth: 'none', env: { API_KEYS: '' } });
    expect([r.status, r.data.error.code]).toEqual([503, 'auth_not_configured']);
    expect((await call('POST', '/v1/verify', { json: pair(), auth: 'none', env: { API_KEYS: '', AUTH_DISABLED: '1' } })).status).toBe(503);
    expect((await call('POST', '/v1/verify', { json: pair(), auth: 'none', env: { API_KEYS: '', AUTH_DISABLED: 'true' } })).status).toBe(200);
  });
});

describe('admin token (/admin)', () => {
  it('rejects missing, wrong, or API-key credentials and changes nothing', async () => {
    const before = await kvState();
    for (const auth of ['none', 'Bearer wrong', 'Bearer test-key-1', 'test-admin-token']) {
      for (const [method, path] of [['GET', '/admin/identities'], ['PUT', '/admin/identities/alice'], ['DELETE', '/admin/identities/alice'], ['POST', '/admin/gallery/rebuild']]) {
        const r = await call(method, path, { json: method === 'PUT' ? { images: [pair().a] } : undefined, auth });
        expect(r.status, `${auth} ${method} ${path}`).toBe(401);
        expect(r.data.error.code).toBe('unauthorized');
      }
    }
    expect(await kvState()).toEqual(before);
  });

  it('is closed (503) when ADMIN_TOKEN is unset, even with AUTH_DISABLED', async () => {
    const r = await call('GET', '/admin/identities', { env: { ADMIN_TOKEN: '', AUTH_DISABLED: 'true' } });
    expect([r.status, r.data.error.code]).toEqual([503, 'auth_not_configured']);
  });
});

describe('public routes', () => {
  it('serves health and the OpenAPI document without credentials', async () => {
    const h = await call('GET', '/v1/health', { auth: 'none' });
    expect(h.status).toBe(200);
    expect(h.data.backend).toBe('wasm');
    const o = await call('GET', '/openapi.json', { auth: 'none' });
    expect(o.status).toBe(200);
    expect(Object.keys(o.data.paths)).toEqual(expect.arrayContaining(['/v1/verify', '/v1/identify', '/admin/identities', '/admin/identities/{id}', '/admin/identities/{id}/images']));
    const documented = JSON.stringify(o.data.paths);
    for (const code of Object.keys(ERROR_CODES).filter((c) => !['internal_error', 'not_found'].includes(c))) expect(documented, code).toContain(code);
  });

  it('answers unknown routes with a JSON 404', async () => {
    const r = await call('GET', '/nope', { auth: 'none' });
    expect([r.status, r.data.error.code]).toEqual([404, 'not_found']);
  });
});

it('matchesAny compares every key', async () => {
  expect(await matchesAny('b', ['a', 'b', 'c'])).toBe(true);
  expect(await matchesAny('d', ['a', 'b', 'c'])).toBe(false);
  expect(await matchesAny('', ['a'])).toBe(false);
});
