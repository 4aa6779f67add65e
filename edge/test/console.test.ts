// The console page, the /v1/model route it reads, and the OpenAPI document covering every route.
import { beforeEach, describe, expect, it } from 'vitest';
import { app } from '../src/index';
import { ERROR_CODES } from '../src/http/errors';
import { ERROR_MESSAGES } from '../src/console/messages';
import { call, startWithTinyModel } from './helpers';

beforeEach(async () => {
  await startWithTinyModel();
});

describe('console', () => {
  it('serves one HTML page with inline script, no external resources, and a message for every error code', async () => {
    const r = await call('GET', '/', { auth: 'none' });
    expect(r.status).toBe(200);
    expect(r.headers.get('content-type')).toMatch(/^text\/html/);
    const page = r.data as string;
    for (const id of ['verify-form', 'identify-form', 'token-form', 'enrol-form', 'confirm-delete', 'model-facts']) expect(page).toContain(`id="${id}"`);
    expect(page).not.toMatch(/(src|href)="(https?:)?\/\//);
    for (const code of Object.keys(ERROR_CODES)) expect(ERROR_MESSAGES[code as keyof typeof ERROR_CODES], code).toBeTruthy();
    expect(page).toContain('const cropBox = function cropBox(');
  });

  it('GET /v1/model gives the manifest facts the page needs, without auth', async () => {
    const r = await call('GET', '/v1/model', { auth: 'none' });
    expect(r.status).toBe(200);
    expect(r.data).toMatchObject({ modelVersion: 'tiny-1', backend: 'wasm', preprocess: { size: expect.any(Number), crop: expect.any(Object) }, threshold: { score: expect.any(Number) } });
  });
});

describe('GET /openapi.json', () => {
  it('documents every route the app serves', async () => {
    const doc = (await call('GET', '/openapi.json', { auth: 'none' })).data;
    const served = app.routes
      // '/admin/identities/' only turns an empty id into invalid_identity_id (documented on {id}).
      .filter((r) => r.method !== 'ALL' && !r.path.endsWith('/*') && (r.path === '/' || !r.path.endsWith('/')))
      .map((r) => `${r.method.toLowerCase()} ${r.path.replace(/:(\w+)/g, '{$1}')}`);
    for (const route of new Set(served)) {
      const [method, path] = route.split(' ');
      expect(doc.paths[path]?.[method], route).toBeDefined();
    }
  });
});
