// /v1/verify with the tiny model: same "person" in other encodings matches, others do not.
import { exports } from 'cloudflare:workers';
import { beforeAll, describe, expect, it } from 'vitest';
import { call, fixture, fixtureB64, form, startWithTinyModel, API_KEY } from './helpers';

const verify = (a: string, b: string, extra: Record<string, unknown> = {}) => call('POST', '/v1/verify', { json: { a: fixtureB64(a), b: fixtureB64(b), ...extra } });

beforeAll(async () => {
  await startWithTinyModel();
});

describe('verify', () => {
  it('matches the same image across JPEG, progressive JPEG and PNG', async () => {
    for (const [a, b] of [['person1.jpg', 'person1.png'], ['person2.jpg', 'person2-b.jpg']]) {
      const r = await verify(a, b);
      expect(r.status).toBe(200);
      expect(r.data).toMatchObject({ match: true, threshold: 0.6, modelVersion: 'tiny-1' });
      expect(r.data.similarity).toBeGreaterThan(0.9);
      expect(r.data.distance).toBeCloseTo(2 - 2 * r.data.similarity, 6);
    }
  });

  it('does not match different people', async () => {
    const r = await verify('person1.jpg', 'person2.jpg');
    expect(r.data.match).toBe(false);
    expect(r.data.similarity).toBeLessThan(0.6);
  });

  it('accepts multipart with boxes; a whole-image box equals the default crop of this manifest', async () => {
    const r = await call('POST', '/v1/verify', { form: form({ a: fixture('person1.jpg'), b: fixture('person1.jpg'), boxB: '0,0,96,112' }) });
    expect(r.status).toBe(200);
    expect(r.data.similarity).toBeCloseTo(1, 5);
    const cropped = await verify('person1.jpg', 'person1.jpg', { boxB: { x: 10, y: 20, w: 40, h: 40 } });
    expect(cropped.data.similarity).toBeLessThan(0.99);
  });

  it('accepts data: URLs', async () => {
    const r = await call('POST', '/v1/verify', { json: { a: `data:image/jpeg;base64,${fixtureB64('person1.jpg')}`, b: fixtureB64('person1.png') } });
    expect(r.data.match).toBe(true);
  });
});

describe('the deployed entry point', () => {
  it('serves the same app through the Worker\'s default export', async () => {
    const health = await exports.default.fetch('https://edge.test/v1/health');
    expect(health.status).toBe(200);
    const body = new FormData();
    body.append('a', new File([fixture('person1.jpg')], 'a.jpg'));
    body.append('b', new File([fixture('person1.png')], 'b.png'));
    const r = await exports.default.fetch('https://edge.test/v1/verify', { method: 'POST', body, headers: { 'x-api-key': API_KEY } });
    expect(r.status).toBe(200);
    expect(await r.json()).toMatchObject({ match: true });
  });
});

describe('decoding', () => {
  it('reads grayscale, palette, 16-bit and alpha PNGs and grayscale JPEGs', async () => {
    for (const [a, b] of [['person1-gray.png', 'person1-gray.jpg'], ['person1.png', 'person1-palette.png'], ['person1.png', 'person1-16bit.png'], ['person1.png', 'person1-alpha.png']]) {
      const r = await verify(a, b);
      expect(r.status, `${b}: ${JSON.stringify(r.data)}`).toBe(200);
      expect(r.data.match, b).toBe(true);
    }
  });
});
