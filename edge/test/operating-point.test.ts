// Per-request operating points on /v1/verify and /v1/identify, with the tiny model: a similarity
// `threshold`, or a false accept rate `far` mapped through the manifest's ROC; the manifest's
// threshold stays the default, and every answer says which one it applied.
import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { call, fixture, fixtureB64, form, installModel, startWithTinyModel } from './helpers';
import { tinyManifest, tinyModel } from './tiny-model';
import type { ModelManifest } from '../../models/contract/manifest';

const verify = (extra: Record<string, unknown> = {}, a = 'person1.jpg', b = 'person1.png') =>
  call('POST', '/v1/verify', { json: { a: fixtureB64(a), b: fixtureB64(b), ...extra } });
const identify = (extra: Record<string, unknown> = {}, image = 'person1.png') => call('POST', '/v1/identify', { json: { image: fixtureB64(image), ...extra } });

/** The tiny model again, same version (enrolments stay valid), with this ROC in its manifest. */
async function withRoc(roc?: ModelManifest['roc']) {
  const manifest = await tinyManifest(tinyModel(1));
  await installModel(tinyModel(1), roc ? { ...manifest, roc } : manifest);
}

beforeAll(async () => {
  await startWithTinyModel();
  expect((await call('PUT', '/admin/identities/alice', { json: { images: [fixtureB64('person1.jpg')] } })).status).toBe(201);
});
beforeEach(async () => {
  await withRoc(undefined);
});

describe('threshold', () => {
  it("the model's threshold is the default, and is reported as the operating point", async () => {
    const v = await verify();
    expect(v.data).toMatchObject({ match: true, threshold: 0.6, operatingPoint: { source: 'model', similarity: 0.6, score: -0.8 } });
    expect(v.data.operatingPoint.far).toBeUndefined();
    const i = await identify();
    expect(i.data).toMatchObject({ match: { id: 'alice' }, threshold: 0.6, operatingPoint: { source: 'model', similarity: 0.6, score: -0.8 } });
  });

  it('verify: a stricter threshold turns a match into a non-match, a looser one the reverse', async () => {
    const s = (await verify()).data.similarity;
    expect(s).toBeGreaterThan(0.6);
    expect(s).toBeLessThan(1);
    const strict = (s + 1) / 2;
    const r = await verify({ threshold: strict });
    expect(r.status).toBe(200);
    expect(r.data).toMatchObject({ match: false, similarity: s, threshold: strict, operatingPoint: { source: 'threshold', similarity: strict } });
    expect(r.data.operatingPoint.score).toBeCloseTo(2 * strict - 2, 12);
    const other = await verify({}, 'person1.jpg', 'person2.jpg');
    expect(other.data.match).toBe(false);
    const loose = await verify({ threshold: other.data.similarity - 0.01 }, 'person1.jpg', 'person2.jpg');
    expect(loose.data).toMatchObject({ match: true, operatingPoint: { source: 'threshold' } });
    // Multipart sends it as text.
    const m = await call('POST', '/v1/verify', { form: form({ a: fixture('person1.jpg'), b: fixture('person1.png'), threshold: String(strict) }) });
    expect(m.data).toMatchObject({ match: false, threshold: strict });
  });

  it('identify: a stricter threshold leaves no match, the candidates still listed', async () => {
    const base = await identify();
    const s = base.data.candidates[0].similarity;
    const r = await identify({ threshold: (s + 1) / 2 });
    expect(r.status).toBe(200);
    expect(r.data.match).toBeNull();
    expect(r.data.candidates[0]).toMatchObject({ id: 'alice', match: false, similarity: s });
    expect(r.data.operatingPoint).toMatchObject({ source: 'threshold', similarity: (s + 1) / 2 });
    const m = await call('POST', '/v1/identify', { form: form({ image: fixture('person1.png'), threshold: String((s + 1) / 2) }) });
    expect([m.status, m.data.match]).toEqual([200, null]);
  });

  const invalid: [string, Record<string, unknown>, string][] = [
    ['threshold above 1', { threshold: 1.5 }, 'threshold'],
    ['threshold −1', { threshold: -1 }, 'threshold'],
    ['threshold not a number', { threshold: 'high' }, 'threshold'],
    ['threshold as an object', { threshold: { v: 0.5 } }, 'threshold'],
    ['far 0', { far: 0 }, 'far'],
    ['far 1', { far: 1 }, 'far'],
    ['far negative', { far: -0.1 }, 'far'],
    ['far not a number', { far: '1e-3x' }, 'far'],
    ['threshold and far together', { threshold: 0.7, far: 0.01 }, 'far'],
  ];
  for (const [what, extra, field] of invalid)
    it(`${what} → 400 invalid_request on both routes`, async () => {
      for (const r of [await verify(extra), await identify(extra)]) {
        expect([r.status, r.data.error?.code, r.data.error?.details?.field], JSON.stringify(r.data)).toEqual([400, 'invalid_request', field]);
      }
    });

  it('threshold 1 is allowed (nothing matches), and so is "" in a form (the default)', async () => {
    expect((await verify({ threshold: 1 })).data).toMatchObject({ match: false, threshold: 1 });
    const m = await call('POST', '/v1/verify', { form: form({ a: fixture('person1.jpg'), b: fixture('person1.png'), threshold: '', far: '' }) });
    expect(m.data).toMatchObject({ match: true, operatingPoint: { source: 'model' } });
  });
});

describe('far', () => {
  it('without a ROC in the manifest → 422 operating_point_unavailable, on both routes', async () => {
    for (const r of [await verify({ far: 0.01 }), await identify({ far: 0.01 })]) {
      expect([r.status, r.data.error.code]).toEqual([422, 'operating_point_unavailable']);
      expect(r.data.error.details).toMatchObject({ field: 'far', modelVersion: 'tiny-1' });
      expect(r.data.error.message).toMatch(/no ROC/);
    }
  });

  it('with a ROC of [FAR, TAR] points only (as trained models record it today) → 422 operating_point_unavailable', async () => {
    await withRoc({ pairs: 'test pairs', points: [[0, 0], [0.01, 0.5], [0.1, 0.9], [1, 1]] });
    for (const r of [await verify({ far: 0.05 }), await identify({ far: 0.05 })]) {
      expect([r.status, r.data.error.code]).toEqual([422, 'operating_point_unavailable']);
      expect(r.data.error.message).toMatch(/no score thresholds/);
    }
  });

  it('with score thresholds on the ROC: the loosest threshold whose FAR is within the target', async () => {
    await withRoc({ pairs: 'test pairs', points: [[0, 0], [0.001, 0.2, -0.1], [0.01, 0.5, -0.5], [0.1, 0.9, -1.6], [1, 1, -4]] });
    const v = await verify({ far: 0.05 });
    expect(v.status, JSON.stringify(v.data)).toBe(200);
    expect(v.data.operatingPoint).toEqual({ source: 'far', similarity: 0.75, score: -0.5, far: 0.05, roc: { far: 0.01, tar: 0.5 } });
    expect(v.data.threshold).toBe(0.75);
    expect(v.data.match).toBe(v.data.similarity > 0.75);
    // A target the ROC resolves only at its strictest scored point, and one below it.
    expect((await identify({ far: 0.005 })).data.operatingPoint).toMatchObject({ source: 'far', score: -0.1, similarity: 0.95, roc: { far: 0.001 } });
    const below = await identify({ far: 0.0005 });
    expect([below.status, below.data.error.code, below.data.error.details.minimum]).toEqual([422, 'operating_point_unavailable', 0.001]);
    // A loose target on identify: the person matches.
    const i = await identify({ far: 0.5 });
    expect(i.data).toMatchObject({ match: { id: 'alice' }, operatingPoint: { source: 'far', score: -1.6, roc: { far: 0.1, tar: 0.9 } } });
  });
});
