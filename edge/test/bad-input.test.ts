// Every rejected input gets a 4xx JSON error with a stable code and leaves KV exactly as it was.
import { env } from 'cloudflare:workers';
import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { encodeBase64 } from '../src/http/base64';
import { call, fixture, fixtureB64, form, installModel, startWithTinyModel, kvState, resetIsolate } from './helpers';
import { tinyManifest, tinyModel } from './tiny-model';

let before: Record<string, string>;

async function expectRejected(r: { status: number; data: any }, status: number, code: string) {
  expect(r.data?.error?.code, JSON.stringify(r.data)).toBe(code);
  expect(r.status).toBe(status);
  expect(typeof r.data.error.message).toBe('string');
  expect(await kvState()).toEqual(before);
}

const good = () => fixtureB64('person1.jpg');
const b64 = (name: string) => fixtureB64(name);
const big = () => {
  const b = new Uint8Array(5 * 1024 * 1024 + 1);
  b.set([0xff, 0xd8, 0xff, 0xe0]);
  return b;
};

beforeAll(async () => {
  await startWithTinyModel();
  // Some state to protect: one enrolled identity and a built gallery.
  expect((await call('PUT', '/admin/identities/alice', { json: { images: [good()] } })).status).toBe(201);
  expect((await call('POST', '/admin/gallery/rebuild')).status).toBe(200);
});
beforeEach(async () => {
  before = await kvState();
});

describe('images (verify, identify, enrol)', () => {
  const cases: [string, string, number, string][] = [
    ['GIF', 'person1.gif', 415, 'unsupported_image_type'],
    ['TIFF', 'person1.tiff', 415, 'unsupported_image_type'],
    ['WebP', 'person1.webp', 415, 'unsupported_image_type'],
    ['BMP', 'fake.bmp', 415, 'unsupported_image_type'],
    ['random bytes', 'noise.bin', 415, 'unsupported_image_type'],
    ['CMYK JPEG', 'person1-cmyk.jpg', 415, 'unsupported_image_type'],
    ['truncated JPEG', 'truncated.jpg', 422, 'image_corrupt'],
    ['truncated PNG', 'truncated.png', 422, 'image_corrupt'],
    ['corrupt JPEG', 'corrupt.jpg', 422, 'image_corrupt'],
    ['corrupt PNG', 'corrupt.png', 422, 'image_corrupt'],
    ['20000×20000 JPEG header', 'huge.jpg', 413, 'image_too_many_pixels'],
    ['50000×50000 PNG header', 'huge.png', 413, 'image_too_many_pixels'],
    ['5000 px wide PNG', 'wide.png', 413, 'image_too_many_pixels'],
  ];
  for (const [what, name, status, code] of cases) {
    it(`${what} → ${status} ${code}`, async () => {
      await expectRejected(await call('POST', '/v1/verify', { json: { a: good(), b: b64(name) } }), status, code);
      await expectRejected(await call('POST', '/v1/identify', { form: form({ image: fixture(name) }) }), status, code);
      await expectRejected(await call('PUT', '/admin/identities/alice', { json: { images: [good(), b64(name)] } }), status, code);
      await expectRejected(await call('POST', '/admin/identities/alice/images', { form: form({ image: [fixture('person1.png'), fixture(name)] }) }), status, code);
    });
  }

  it('an image over 5 MiB → 413 image_too_large (file and base64)', async () => {
    await expectRejected(await call('POST', '/v1/identify', { form: form({ image: big() }) }), 413, 'image_too_large');
    await expectRejected(await call('POST', '/v1/verify', { json: { a: good(), b: encodeBase64(big()) } }), 413, 'image_too_large');
  });

  it('a body over the route limit → 413 payload_too_large', async () => {
    const huge = 'A'.repeat(8 * 1024 * 1024);
    await expectRejected(await call('POST', '/v1/identify', { json: { image: huge } }), 413, 'payload_too_large');
  });

  it('missing, empty, or non-base64 images → 400 invalid_request', async () => {
    await expectRejected(await call('POST', '/v1/verify', { json: { a: good() } }), 400, 'invalid_request');
    await expectRejected(await call('POST', '/v1/verify', { json: { a: good(), b: '' } }), 400, 'invalid_request');
    await expectRejected(await call('POST', '/v1/verify', { json: { a: good(), b: 'not*base64!' } }), 400, 'invalid_request');
    await expectRejected(await call('POST', '/v1/verify', { json: { a: good(), b: 42 } }), 400, 'invalid_request');
    await expectRejected(await call('POST', '/v1/identify', { form: form({ image: new Uint8Array(0) }) }), 400, 'invalid_request');
    await expectRejected(await call('PUT', '/admin/identities/bob', { json: { images: [] } }), 400, 'invalid_request');
  });

  it('wrong content type or malformed bodies → 415 / 400', async () => {
    await expectRejected(await call('POST', '/v1/verify', { body: 'a=1', headers: { 'content-type': 'text/plain' } }), 415, 'unsupported_media_type');
    await expectRejected(await call('POST', '/v1/verify', { body: fixture('person1.jpg'), headers: { 'content-type': 'image/jpeg' } }), 415, 'unsupported_media_type');
    await expectRejected(await call('POST', '/v1/verify', { body: '{"a":', headers: { 'content-type': 'application/json' } }), 400, 'invalid_request');
    await expectRejected(await call('POST', '/v1/verify', { body: '[1,2]', headers: { 'content-type': 'application/json' } }), 400, 'invalid_request');
    await expectRejected(await call('POST', '/v1/verify', { body: '--x\r\nbroken', headers: { 'content-type': 'multipart/form-data; boundary=x' } }), 400, 'invalid_request');
  });
});

describe('face boxes', () => {
  // person1.jpg is 96×112.
  const boxes: [string, unknown, number, string][] = [
    ['outside the image', { x: 90, y: 0, w: 20, h: 20 }, 422, 'invalid_box'],
    ['negative origin', { x: -1, y: 0, w: 20, h: 20 }, 422, 'invalid_box'],
    ['zero size', { x: 0, y: 0, w: 0, h: 20 }, 422, 'invalid_box'],
    ['beyond the bottom', '0,100,10,20', 422, 'invalid_box'],
    ['not a box', { x: 1, y: 2 }, 400, 'invalid_request'],
    ['non-numeric', 'a,b,c,d', 400, 'invalid_request'],
  ];
  for (const [what, box, status, code] of boxes) {
    it(`${what} → ${status} ${code}`, async () => {
      await expectRejected(await call('POST', '/v1/verify', { json: { a: good(), b: good(), boxB: box } }), status, code);
      await expectRejected(await call('POST', '/v1/identify', { form: form({ image: fixture('person1.jpg'), box: typeof box === 'string' ? box : JSON.stringify(box) }) }), status, code);
      await expectRejected(await call('PUT', '/admin/identities/alice', { json: { images: [{ image: good(), box }] } }), status, code);
    });
  }
});

describe('identity ids and admin bodies', () => {
  const ids: [string, string][] = [
    ['too long', 'x'.repeat(129)],
    ['a slash', 'a%2Fb'],
    ['a dot-dot', 'a..b'],
    ['a control character', 'a%01b'],
    ['a newline', 'a%0Ab'],
    ['surrounding spaces', '%20a'],
  ];
  for (const [what, id] of ids) {
    it(`an id with ${what} → 400 invalid_identity_id`, async () => {
      for (const [method, path] of [['PUT', `/admin/identities/${id}`], ['GET', `/admin/identities/${id}`], ['DELETE', `/admin/identities/${id}`], ['POST', `/admin/identities/${id}/images`]])
        await expectRejected(await call(method, path, { json: method === 'GET' ? undefined : { images: [good()] } }), 400, 'invalid_identity_id');
    });
  }

  it('an empty id → 400 invalid_identity_id', async () => {
    for (const method of ['PUT', 'GET', 'DELETE'])
      await expectRejected(await call(method, '/admin/identities/', { json: method === 'GET' ? undefined : { images: [good()] } }), 400, 'invalid_identity_id');
  });

  it('128 characters is fine', async () => {
    const r = await call('GET', `/admin/identities/${'é'.repeat(128)}`);
    expect([r.status, r.data.error.code]).toEqual([404, 'identity_not_found']);
  });

  it('too many images, bad meta, unknown identities, bad paging', async () => {
    await expectRejected(await call('PUT', '/admin/identities/bob', { json: { images: Array(11).fill(good()) } }), 400, 'too_many_images');
    await expectRejected(await call('PUT', '/admin/identities/bob', { json: { images: [good()], meta: [1] } }), 400, 'invalid_request');
    await expectRejected(await call('PUT', '/admin/identities/bob', { json: { images: [good()], meta: { note: 'x'.repeat(2000) } } }), 400, 'invalid_request');
    await expectRejected(await call('POST', '/admin/identities/bob/images', { json: { images: [good()] } }), 404, 'identity_not_found');
    await expectRejected(await call('DELETE', '/admin/identities/bob'), 404, 'identity_not_found');
    await expectRejected(await call('GET', '/admin/identities?limit=0'), 400, 'invalid_request');
    await expectRejected(await call('POST', '/v1/identify?topK=0', { json: { image: good() } }), 400, 'invalid_request');
    await expectRejected(await call('POST', '/v1/identify', { json: { image: good(), topK: 51 } }), 400, 'invalid_request');
  });
});

// The issue-6 checklist, beyond the cases above: each rejected with a stable code, KV unchanged.
describe('empty and mislabelled bodies', () => {
  const routes: [string, string][] = [['POST', '/v1/verify'], ['POST', '/v1/identify'], ['PUT', '/admin/identities/alice'], ['POST', '/admin/identities/alice/images']];
  for (const [method, path] of routes) {
    it(`a zero-byte body to ${method} ${path} → 400 / 415`, async () => {
      await expectRejected(await call(method, path, { body: '', headers: { 'content-type': 'application/json' } }), 400, 'invalid_request');
      await expectRejected(await call(method, path, { body: '', headers: { 'content-type': 'multipart/form-data; boundary=x' } }), 400, 'invalid_request');
      await expectRejected(await call(method, path, { body: new Uint8Array(0) }), 415, 'unsupported_media_type');
    });
  }

  it('random bytes in a part labelled image/jpeg → 415 unsupported_image_type', async () => {
    const f = new FormData();
    f.append('image', new File([fixture('noise.bin')], 'face.jpg', { type: 'image/jpeg' }));
    await expectRejected(await call('POST', '/v1/identify', { form: f }), 415, 'unsupported_image_type');
    const g = new FormData();
    g.append('image', new File([crypto.getRandomValues(new Uint8Array(4096))], 'face.jpg', { type: 'image/jpeg' }));
    await expectRejected(await call('PUT', '/admin/identities/alice', { form: g }), 415, 'unsupported_image_type');
  });

  it('a PNG whose only fault is a bad chunk CRC → 422 image_corrupt', async () => {
    await expectRejected(await call('POST', '/v1/identify', { form: form({ image: fixture('badcrc.png') }) }), 422, 'image_corrupt');
    await expectRejected(await call('PUT', '/admin/identities/alice', { json: { images: [good(), b64('badcrc.png')] } }), 422, 'image_corrupt');
  });

  it('headers claiming 30000×30000 → 413 image_too_many_pixels', async () => {
    for (const name of ['huge30k.jpg', 'huge30k.png']) {
      await expectRejected(await call('POST', '/v1/identify', { form: form({ image: fixture(name) }) }), 413, 'image_too_many_pixels');
      await expectRejected(await call('PUT', '/admin/identities/alice', { json: { images: [b64(name)] } }), 413, 'image_too_many_pixels');
    }
  });
});

describe('multipart fields', () => {
  it('missing fields → 400 invalid_request', async () => {
    await expectRejected(await call('POST', '/v1/verify', { form: form({ a: fixture('person1.jpg') }) }), 400, 'invalid_request');
    await expectRejected(await call('POST', '/v1/verify', { form: form({ b: fixture('person1.jpg') }) }), 400, 'invalid_request');
    await expectRejected(await call('POST', '/v1/identify', { form: form({ topK: '3' }) }), 400, 'invalid_request');
    await expectRejected(await call('PUT', '/admin/identities/alice', { form: form({ meta: '{}' }) }), 400, 'invalid_request');
  });

  it('a single-valued field sent twice → 400 invalid_request', async () => {
    const two = [fixture('person1.jpg'), fixture('person2.jpg')];
    const r = await call('POST', '/v1/verify', { form: form({ a: two, b: fixture('person1.jpg') }) });
    await expectRejected(r, 400, 'invalid_request');
    expect(r.data.error.details.field).toBe('a');
    await expectRejected(await call('POST', '/v1/identify', { form: form({ image: two }) }), 400, 'invalid_request');
    await expectRejected(await call('POST', '/v1/identify', { form: form({ image: fixture('person1.jpg'), topK: ['1', '2'] }) }), 400, 'invalid_request');
    await expectRejected(await call('POST', '/v1/identify', { form: form({ image: fixture('person1.jpg'), box: ['0,0,10,10', '1,1,10,10'] }) }), 400, 'invalid_request');
    await expectRejected(await call('PUT', '/admin/identities/alice', { form: form({ image: fixture('person2.jpg'), meta: ['{}', '{"a":1}'] }) }), 400, 'invalid_request');
  });

  it('more images than the limit (multipart) → 400 too_many_images', async () => {
    await expectRejected(await call('PUT', '/admin/identities/bob', { form: form({ image: Array(11).fill(fixture('person2.jpg')) }) }), 400, 'too_many_images');
    await expectRejected(await call('POST', '/admin/identities/alice/images', { form: form({ image: Array(11).fill(fixture('person2.jpg')) }) }), 400, 'too_many_images');
  });
});

describe('JSON with wrong types', () => {
  const bodies: [string, string, unknown][] = [
    ['POST', '/v1/verify', { a: good(), b: null }],
    ['POST', '/v1/verify', { a: good(), b: { image: good() } }],
    ['POST', '/v1/verify', { a: [good()], b: good() }],
    ['POST', '/v1/verify', { a: good(), b: good(), boxA: 5 }],
    ['POST', '/v1/identify', { image: true }],
    ['POST', '/v1/identify', { image: good(), topK: '3x' }],
    ['POST', '/v1/identify', { image: good(), topK: 2.5 }],
    ['POST', '/v1/identify', { image: good(), box: [1, 2, 3, 4, 5] }],
    ['PUT', '/admin/identities/bob', { images: 42 }],
    ['PUT', '/admin/identities/bob', { images: [{ box: { x: 0, y: 0, w: 10, h: 10 } }] }],
    ['PUT', '/admin/identities/bob', { images: [good()], meta: 'not json' }],
    ['PUT', '/admin/identities/bob', { images: [good(), 7] }],
  ];
  for (const [method, path, json] of bodies)
    it(`${method} ${path} ${JSON.stringify(json).replace(/"[A-Za-z0-9+/=]{100,}"/g, '"<b64>"')} → 400 invalid_request`, async () => {
      await expectRejected(await call(method, path, { json }), 400, 'invalid_request');
    });

  it('base64 that is not base64 (bad alphabet, bad padding, bad data URL) → 400 invalid_request', async () => {
    for (const s of ['@@@@', 'QUJD=A', 'data:image/jpeg;base64,%%%', good().slice(0, -1) + '!'])
      await expectRejected(await call('POST', '/v1/identify', { json: { image: s } }), 400, 'invalid_request');
  });
});

describe('admin token probing', () => {
  it('prefixes, extensions and near-misses of the real token all get the same 401 body', async () => {
    const probes = ['t', 'test-admin-toke', 'test-admin-tokenx', 'TEST-ADMIN-TOKEN', 'xest-admin-token', 'test-admin-token'.repeat(64)];
    const bodies = new Set<string>();
    for (const p of probes) {
      const r = await call('POST', '/admin/gallery/rebuild', { auth: `Bearer ${p}` });
      expect([r.status, r.data.error.code], p).toEqual([401, 'unauthorized']);
      bodies.add(JSON.stringify(r.data));
      await expectRejected(await call('PUT', '/admin/identities/alice', { auth: `Bearer ${p}`, json: { images: [good()] } }), 401, 'unauthorized');
    }
    expect(bodies.size).toBe(1);
    // Missing and malformed schemes too.
    for (const auth of ['none', 'Bearer', 'Bearer ', 'Token test-admin-token'])
      await expectRejected(await call('DELETE', '/admin/identities/alice', { auth }), 401, 'unauthorized');
  });
});

describe('model problems', () => {
  it('no model in R2 → 503 model_unavailable, after the inputs were checked', async () => {
    await env.MODELS.delete(env.MODEL_MANIFEST_KEY);
    resetIsolate();
    await expectRejected(await call('POST', '/v1/verify', { json: { a: good(), b: b64('person1.gif') } }), 415, 'unsupported_image_type');
    await expectRejected(await call('POST', '/v1/verify', { json: { a: good(), b: good() } }), 503, 'model_unavailable');
    await expectRejected(await call('PUT', '/admin/identities/alice', { json: { images: [good()] } }), 503, 'model_unavailable');
    const h = await call('GET', '/v1/health?load=1', { auth: 'none' });
    expect([h.data.status, h.data.model.loaded]).toEqual(['degraded', false]);
  });

  it('a model whose sha256 differs from the manifest → 503 model_unavailable', async () => {
    const manifest = await tinyManifest(tinyModel(1));
    await installModel(tinyModel(2), manifest);
    const r = await call('POST', '/v1/verify', { json: { a: good(), b: good() } });
    await expectRejected(r, 503, 'model_unavailable');
    expect(r.data.error.details.reason).toMatch(/sha256/);
  });

  it('a manifest without preprocess.scale → 503 model_unavailable naming the field (not NaN similarities)', async () => {
    const manifest = await tinyManifest(tinyModel(1));
    delete (manifest.preprocess as Partial<typeof manifest.preprocess>).scale;
    await installModel(tinyModel(1), manifest);
    const r = await call('POST', '/v1/verify', { json: { a: good(), b: good() } });
    await expectRejected(r, 503, 'model_unavailable');
    expect(r.data.error.details.reason).toMatch(/preprocess\.scale/);
    await expectRejected(await call('POST', '/v1/identify', { json: { image: good() } }), 503, 'model_unavailable');
    expect((await call('GET', '/v1/model', { auth: 'none' })).data.error.code).toBe('model_unavailable');
    const h = await call('GET', '/v1/health?load=1', { auth: 'none' });
    expect(h.data.model.error).toMatch(/preprocess\.scale/);
  });
});
