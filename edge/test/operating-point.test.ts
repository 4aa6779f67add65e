// Operating points on /v1/verify and /v1/identify, with the tiny model. With an impostor table in
// the manifest (a synthetic one here): verify defaults to VERIFY_FAR, identify to IDENTIFY_FPIR over
// the identities actually searched; requests choose a similarity threshold, a far, an fpir
// (identify) or the model's T ("cv"); the deployment floor refuses anything looser. Without a
// table: the manifest's T is the default and far maps through its ROC. Every answer says which
// operating point it applied.
import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { call, fixture, fixtureB64, form, installModel, startWithTinyModel } from './helpers';
import { tinyManifest, tinyModel } from './tiny-model';
import type { ModelManifest } from '../../models/contract/manifest';
import { resetGallery } from '../src/gallery/cache';

const verify = (extra: Record<string, unknown> = {}, a = 'person1.jpg', b = 'person1.png', env?: Partial<Env>) =>
  call('POST', '/v1/verify', { json: { a: fixtureB64(a), b: fixtureB64(b), ...extra }, env });
const identify = (extra: Record<string, unknown> = {}, image = 'person1.png', env?: Partial<Env>) =>
  call('POST', '/v1/identify', { json: { image: fixtureB64(image), ...extra }, env });
const NO_FLOOR = { THRESHOLD_FLOOR_FAR: '1' };

const PAIRS = 2_000_000;
const point = (far: number, score: number, tar: number) => ({ far, score, falseAccepts: Math.round(far * PAIRS), tar });
/** A synthetic score → FAR table: the tiny model's T (score −0.8, similarity 0.6) sits at far 0.003. */
const TABLE = {
  source: 'synthetic, for the Worker tests',
  identities: 500,
  images: 2000,
  impostorPairs: PAIRS,
  genuinePairs: 3000,
  points: [point(0.5, -1.6, 1), point(0.1, -1.2, 0.99), point(0.01, -0.9, 0.95), point(0.003, -0.8, 0.9), point(1e-3, -0.7, 0.85), point(1e-4, -0.5, 0.7), point(1e-5, -0.3, 0.5), point(1e-6, -0.2, 0.3), point(0, -0.1, 0.1)],
};
const IMPOSTORS = { served: 'synthetic', tables: { synthetic: TABLE } };

/** What the table gives for a target far: the loosest point measured at or within it. */
const expectedPoint = (far: number) => TABLE.points.filter((p) => p.falseAccepts > 0 && p.far <= far).reduce((a, b) => (b.score < a.score ? b : a));
const perComparison = (fpir: number, n: number) => 1 - (1 - fpir) ** (1 / n);

/** The tiny model again, same version (enrolments stay valid), with these manifest fields. */
async function withManifest(o: { roc?: ModelManifest['roc']; impostors?: ModelManifest['impostors']; threshold?: number } = {}) {
  const manifest = await tinyManifest(tinyModel(1), 'tiny-1', o.threshold);
  await installModel(tinyModel(1), { ...manifest, ...(o.roc ? { roc: o.roc } : {}), ...(o.impostors ? { impostors: o.impostors } : {}) });
}

async function enrol(id: string, image = 'person1.jpg') {
  const r = await call('PUT', `/admin/identities/${id}`, { json: { images: [fixtureB64(image)] } });
  expect(r.status, JSON.stringify(r.data)).toBe(201);
}

beforeAll(async () => {
  await startWithTinyModel();
  await enrol('alice');
});

describe('without impostor tables', () => {
  beforeEach(async () => {
    await withManifest();
  });

  it("the model's threshold T is the default (source cv), and is reported as the operating point", async () => {
    const v = await verify();
    expect(v.data).toMatchObject({ match: true, threshold: 0.6, operatingPoint: { source: 'cv', origin: 'default', similarity: 0.6, score: -0.8 } });
    expect(v.data.operatingPoint.far).toBeUndefined();
    const i = await identify();
    expect(i.data).toMatchObject({ match: { id: 'alice' }, threshold: 0.6, operatingPoint: { source: 'cv', origin: 'default', similarity: 0.6, score: -0.8, identities: 1 } });
  });

  it('verify: a stricter threshold turns a match into a non-match, a looser one the reverse (floor off)', async () => {
    const s = (await verify()).data.similarity;
    expect(s).toBeGreaterThan(0.6);
    expect(s).toBeLessThan(1);
    const strict = (s + 1) / 2;
    const r = await verify({ threshold: strict });
    expect(r.status).toBe(200);
    expect(r.data).toMatchObject({ match: false, similarity: s, threshold: strict, operatingPoint: { source: 'threshold', origin: 'request', similarity: strict } });
    expect(r.data.operatingPoint.score).toBeCloseTo(2 * strict - 2, 12);
    const other = await verify({}, 'person1.jpg', 'person2.jpg');
    expect(other.data.match).toBe(false);
    const loose = await verify({ threshold: other.data.similarity - 0.01 }, 'person1.jpg', 'person2.jpg', NO_FLOOR);
    expect(loose.data).toMatchObject({ match: true, operatingPoint: { source: 'threshold' } });
    // Multipart sends it as text.
    const m = await call('POST', '/v1/verify', { form: form({ a: fixture('person1.jpg'), b: fixture('person1.png'), threshold: String(strict) }) });
    expect(m.data).toMatchObject({ match: false, threshold: strict });
  });

  it('the floor without a table or ROC is T: a looser threshold is 422 threshold_below_floor', async () => {
    for (const r of [await verify({ threshold: 0.5 }), await identify({ threshold: -0.9 })]) {
      expect([r.status, r.data.error?.code], JSON.stringify(r.data)).toEqual([422, 'threshold_below_floor']);
      expect(r.data.error.details).toMatchObject({ field: 'threshold', floor: { far: 0.01, similarity: 0.6, score: -0.8, from: 'cv' } });
    }
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

  const invalid: [string, Record<string, unknown>, string, ('verify' | 'identify')[]][] = [
    ['threshold above 1', { threshold: 1.5 }, 'threshold', ['verify', 'identify']],
    ['threshold −1', { threshold: -1 }, 'threshold', ['verify', 'identify']],
    ['threshold not a number', { threshold: 'high' }, 'threshold', ['verify', 'identify']],
    ['threshold as an object', { threshold: { v: 0.5 } }, 'threshold', ['verify', 'identify']],
    ['far 0', { far: 0 }, 'far', ['verify', 'identify']],
    ['far 1', { far: 1 }, 'far', ['verify', 'identify']],
    ['far negative', { far: -0.1 }, 'far', ['verify', 'identify']],
    ['far not a number', { far: '1e-3x' }, 'far', ['verify', 'identify']],
    ['threshold and far together', { threshold: 0.7, far: 0.01 }, 'far', ['verify', 'identify']],
    ['operatingPoint other than cv', { operatingPoint: 'loose' }, 'operatingPoint', ['verify', 'identify']],
    ['far and operatingPoint together', { far: 0.01, operatingPoint: 'cv' }, 'operatingPoint', ['verify', 'identify']],
    ['fpir 0', { fpir: 0 }, 'fpir', ['identify']],
    ['fpir 1', { fpir: 1 }, 'fpir', ['identify']],
    ['far and fpir together', { far: 0.01, fpir: 0.01 }, 'fpir', ['identify']],
  ];
  for (const [what, extra, field, routes] of invalid)
    it(`${what} → 400 invalid_request on ${routes.join(' and ')}`, async () => {
      for (const route of routes) {
        const r = route === 'verify' ? await verify(extra) : await identify(extra);
        expect([r.status, r.data.error?.code, r.data.error?.details?.field], JSON.stringify(r.data)).toEqual([400, 'invalid_request', field]);
      }
    });

  it('threshold 1 is allowed (nothing matches), and so are empty form fields (the default)', async () => {
    expect((await verify({ threshold: 1 })).data).toMatchObject({ match: false, threshold: 1 });
    const m = await call('POST', '/v1/verify', { form: form({ a: fixture('person1.jpg'), b: fixture('person1.png'), threshold: '', far: '', operatingPoint: '' }) });
    expect(m.data).toMatchObject({ match: true, operatingPoint: { source: 'cv', origin: 'default' } });
  });

  it('far without a ROC → 422 operating_point_unavailable, on both routes', async () => {
    for (const r of [await verify({ far: 0.01 }), await identify({ far: 0.01 })]) {
      expect([r.status, r.data.error.code]).toEqual([422, 'operating_point_unavailable']);
      expect(r.data.error.details).toMatchObject({ field: 'far', modelVersion: 'tiny-1' });
      expect(r.data.error.message).toMatch(/neither impostor tables nor a ROC/);
    }
  });

  it('far with a ROC of [FAR, TAR] points only (no score thresholds) → 422 operating_point_unavailable', async () => {
    await withManifest({ roc: { pairs: 'test pairs', points: [[0, 0], [0.01, 0.5], [0.1, 0.9], [1, 1]] } });
    for (const r of [await verify({ far: 0.05 }), await identify({ far: 0.05 })]) {
      expect([r.status, r.data.error.code]).toEqual([422, 'operating_point_unavailable']);
      expect(r.data.error.message).toMatch(/no score thresholds/);
    }
  });

  it('far with score thresholds on the ROC: the loosest threshold whose FAR is within the target; the ROC sets the floor', async () => {
    await withManifest({ roc: { pairs: 'test pairs', points: [[0, 0], [0.001, 0.2, -0.1], [0.01, 0.5, -0.5], [0.1, 0.9, -1.6], [1, 1, -4]] } });
    const v = await verify({ far: 0.05 });
    expect(v.status, JSON.stringify(v.data)).toBe(200);
    expect(v.data.operatingPoint).toEqual({ source: 'far', origin: 'request', similarity: 0.75, score: -0.5, far: 0.05, roc: { far: 0.01, tar: 0.5 } });
    expect(v.data.threshold).toBe(0.75);
    expect(v.data.match).toBe(v.data.similarity > 0.75);
    const strict = (await identify({ far: 0.005 })).data.operatingPoint;
    expect(strict).toMatchObject({ source: 'far', score: -0.1, similarity: 0.95, roc: { far: 0.001 }, identities: 1 });
    expect(strict.expectedFpir).toBeCloseTo(0.001, 12);
    const below = await identify({ far: 0.0005 });
    expect([below.status, below.data.error.code, below.data.error.details.minimum]).toEqual([422, 'operating_point_unavailable', 0.001]);
    // Looser than the floor (far 0.01 → score −0.5 on this ROC): refused, unless the deployment turns the floor off.
    const loose = await identify({ far: 0.5 });
    expect([loose.status, loose.data.error.code, loose.data.error.details.floor]).toEqual([422, 'threshold_below_floor', { far: 0.01, similarity: 0.75, score: -0.5, from: 'roc' }]);
    const i = await identify({ far: 0.5 }, 'person1.png', NO_FLOOR);
    expect(i.data).toMatchObject({ match: { id: 'alice' }, operatingPoint: { source: 'far', score: -1.6, roc: { far: 0.1, tar: 0.9 } } });
  });
});

describe('with an impostor table', () => {
  beforeEach(async () => {
    await withManifest({ impostors: IMPOSTORS });
  });

  it('verify defaults to VERIFY_FAR (0.001) through the table, and reports the point measured', async () => {
    const v = await verify();
    const p = expectedPoint(0.001);
    expect(v.status, JSON.stringify(v.data)).toBe(200);
    expect(v.data.operatingPoint).toEqual({
      source: 'far', origin: 'default', far: 0.001, similarity: 1 + p.score / 2, score: p.score,
      measured: { table: 'synthetic', far: p.far, tar: p.tar, falseAccepts: p.falseAccepts, impostorPairs: PAIRS },
    });
    expect(v.data.threshold).toBe(1 + p.score / 2);
    expect(v.data.match).toBe(v.data.similarity > v.data.threshold);
    // The deployment setting moves it.
    const w = await verify({}, 'person1.jpg', 'person1.png', { VERIFY_FAR: '0.00001' });
    expect(w.data.operatingPoint).toMatchObject({ source: 'far', origin: 'default', far: 0.00001, score: expectedPoint(0.00001).score });
  });

  it('identify defaults to IDENTIFY_FPIR (0.01) for the identities searched: N, its per-comparison far and threshold follow the gallery', async () => {
    const seen: number[] = [];
    for (const [n, add] of [[1, []], [3, ['bob', 'carol']], [25, Array.from({ length: 22 }, (_, i) => `x${i}`)]] as [number, string[]][]) {
      for (const id of add) await enrol(id, 'person2.jpg');
      const r = await identify();
      expect(r.status, JSON.stringify(r.data)).toBe(200);
      const far = perComparison(0.01, n);
      const p = expectedPoint(far);
      const op = r.data.operatingPoint;
      expect(r.data.gallery.identities).toBe(n);
      expect(op).toMatchObject({ source: 'fpir', origin: 'default', fpir: 0.01, identities: n, score: p.score, measured: { far: p.far, tar: p.tar } });
      expect(op.far).toBeCloseTo(far, 14);
      expect(op.expectedFpir).toBeCloseTo(1 - (1 - p.far) ** n, 12);
      expect(op.expectedFpir).toBeLessThanOrEqual(0.01);
      expect(op.clamped).toBeUndefined();
      expect(r.data.threshold).toBe(op.similarity);
      expect(r.data.match?.id ?? null).toBe(r.data.candidates[0].similarity > op.similarity ? r.data.candidates[0].id : null);
      seen.push(op.score);
    }
    // Three gallery sizes, three thresholds, stricter as the gallery grows.
    expect(seen).toEqual([...seen].sort((a, b) => a - b));
    expect(new Set(seen).size).toBe(3);
    for (const id of ['bob', 'carol', ...Array.from({ length: 22 }, (_, i) => `x${i}`)]) expect((await call('DELETE', `/admin/identities/${id}`)).status).toBe(200);
    expect((await identify()).data.operatingPoint.identities).toBe(1);
  });

  it('identify counts comparisons, not identities: an identity enrolled with three images is three chances for a stranger', async () => {
    const three = await call('PUT', '/admin/identities/trio', { json: { images: ['person1.jpg', 'person2.jpg', 'person1.png'].map(fixtureB64) } });
    expect(three.status, JSON.stringify(three.data)).toBe(201);
    const r = await identify();
    const op = r.data.operatingPoint;
    expect(r.data.gallery.identities).toBe(2);
    expect(op).toMatchObject({ source: 'fpir', identities: 2, comparisons: 4 });
    expect(op.far).toBeCloseTo(perComparison(0.01, 4), 14);
    expect(op.score).toBe(expectedPoint(perComparison(0.01, 4)).score);
    expect(op.expectedFpir).toBeCloseTo(1 - (1 - op.measured.far) ** 4, 12);
    // The same count from the packed snapshot another isolate loads (rows per identity), not this isolate's overlay.
    expect((await call('POST', '/admin/gallery/rebuild')).status).toBe(200);
    resetGallery();
    expect((await identify()).data.operatingPoint).toMatchObject({ identities: 2, comparisons: 4, score: op.score });
    // The model page's point at this gallery (GET /v1/model, from the rebuilt head) counts the same N.
    const model = (await call('GET', '/v1/model', { auth: 'none' })).data;
    expect(model.gallery).toEqual({ identities: 2, rows: 4 });
    expect(model.operatingPoints.identify).toMatchObject({ identities: 2, comparisons: 4, score: op.score, expectedFpir: op.expectedFpir });
    expect((await call('DELETE', '/admin/identities/trio')).status).toBe(200);
  });

  it('identify: a per-comparison far finer than the table resolves takes its strictest resolved point, clamped, and says what fpir that gives', async () => {
    // IDENTIFY_FPIR 1e-7 over one identity needs far 1e-7, below the table's lowest resolved 1e-6.
    const r = await identify({}, 'person1.png', { IDENTIFY_FPIR: '0.0000001' });
    expect(r.status, JSON.stringify(r.data)).toBe(200);
    const op = r.data.operatingPoint;
    expect(op).toMatchObject({ source: 'fpir', origin: 'default', fpir: 1e-7, clamped: true, score: -0.2, measured: { far: 1e-6, falseAccepts: 2 }, identities: 1 });
    expect(op.expectedFpir).toBeCloseTo(1e-6, 12);
    expect(op.expectedFpir).toBeGreaterThan(op.fpir);
  });

  it('fpir per request: over the identities searched; one the table cannot resolve → 422 operating_point_unavailable', async () => {
    const r = await identify({ fpir: 0.001 });
    const far = perComparison(0.001, 1);
    expect(r.data.operatingPoint).toMatchObject({ source: 'fpir', origin: 'request', fpir: 0.001, identities: 1, score: expectedPoint(far).score });
    const m = await call('POST', '/v1/identify', { form: form({ image: fixture('person1.png'), fpir: '0.001' }) });
    expect(m.data.operatingPoint).toMatchObject({ source: 'fpir', fpir: 0.001 });
    const fine = await identify({ fpir: 1e-7 });
    expect([fine.status, fine.data.error?.code]).toEqual([422, 'operating_point_unavailable']);
    expect(fine.data.error.details).toMatchObject({ field: 'fpir', minimum: 1e-6, comparisons: 1 });
  });

  it('far per request maps through the table, not the ROC; below its resolution → 422 naming the minimum', async () => {
    await withManifest({ impostors: IMPOSTORS, roc: { pairs: 'test pairs', points: [[0.001, 0.2, -0.05], [0.01, 0.5, -0.06]] } });
    for (const r of [await verify({ far: 2e-4 }), await identify({ far: 2e-4 })])
      expect(r.data.operatingPoint).toMatchObject({ source: 'far', origin: 'request', far: 2e-4, score: -0.5, measured: { table: 'synthetic', far: 1e-4 } });
    const r = await verify({ far: 5e-7 });
    expect([r.status, r.data.error.code, r.data.error.details]).toEqual([422, 'operating_point_unavailable', { field: 'far', modelVersion: 'tiny-1', minimum: 1e-6 }]);
  });

  it("cv selects the model's T and reports the far the table measures there", async () => {
    const v = await verify({ operatingPoint: 'cv' });
    expect(v.data).toMatchObject({ threshold: 0.6, operatingPoint: { source: 'cv', origin: 'request', similarity: 0.6, score: -0.8, measured: { far: 0.003 } } });
    const i = await identify({ operatingPoint: 'cv' });
    expect(i.data.operatingPoint).toMatchObject({ source: 'cv', similarity: 0.6, identities: 1 });
    expect(i.data.operatingPoint.expectedFpir).toBeCloseTo(0.003, 12);
  });

  it('threshold per request: as given, with the table point bounding its far', async () => {
    const v = await verify({ threshold: 0.7 });
    expect(v.data.operatingPoint).toMatchObject({ source: 'threshold', origin: 'request', similarity: 0.7, measured: { far: 1e-3 } });
  });

  it('the floor: nothing a request chooses may be looser than THRESHOLD_FLOOR_FAR (0.01) through the table → 422 threshold_below_floor naming it', async () => {
    const floor = { far: 0.01, similarity: 1 + expectedPoint(0.01).score / 2, score: expectedPoint(0.01).score, from: 'impostors' };
    const refused: [string, Promise<{ status: number; data: any }>, string][] = [
      ['threshold −0.99 (today’s way to read the gallery)', identify({ threshold: -0.99 }), 'threshold'],
      ['threshold just under the floor', verify({ threshold: floor.similarity - 1e-9 }), 'threshold'],
      ['far 0.1', verify({ far: 0.1 }), 'far'],
      ['fpir 0.5 over one identity', identify({ fpir: 0.5 }), 'fpir'],
    ];
    for (const [what, req, field] of refused) {
      const r = await req;
      expect([r.status, r.data.error?.code], what).toEqual([422, 'threshold_below_floor']);
      expect(r.data.error.details, what).toMatchObject({ field, floor });
      expect(r.data.error.message, what).toMatch(/floor/);
    }
    // At the floor and above: answered. With the floor at far 0.1 (THRESHOLD_FLOOR_FAR), far 0.1 is too.
    expect((await verify({ threshold: floor.similarity })).status).toBe(200);
    expect((await verify({ far: 0.01 })).data.operatingPoint.score).toBe(floor.score);
    expect((await verify({ far: 0.1 }, 'person1.jpg', 'person1.png', { THRESHOLD_FLOOR_FAR: '0.1' })).data.operatingPoint.score).toBe(-1.2);
  });

  it("cv where T is looser than the floor is refused like any other request", async () => {
    await withManifest({ impostors: IMPOSTORS, threshold: -1.2 });
    const r = await verify({ operatingPoint: 'cv' });
    expect([r.status, r.data.error?.code, r.data.error?.details?.field]).toEqual([422, 'threshold_below_floor', 'operatingPoint']);
    expect((await verify({ operatingPoint: 'cv' }, 'person1.jpg', 'person1.png', NO_FLOOR)).data.operatingPoint).toMatchObject({ source: 'cv', score: -1.2 });
  });

  it('a deployment setting that is not a rate fails the request (500), naming the setting', async () => {
    const r = await verify({}, 'person1.jpg', 'person1.png', { VERIFY_FAR: '1e-3x' });
    expect([r.status, r.data.error.code, r.data.error.details]).toEqual([500, 'internal_error', { setting: 'VERIFY_FAR' }]);
  });

  it('GET /v1/model reports the settings, the table, the defaults (identify at the gallery size and at fixed sizes), cv and the floor', async () => {
    const r = await call('GET', '/v1/model', { auth: 'none' });
    expect(r.status, JSON.stringify(r.data)).toBe(200);
    const o = r.data.operatingPoints;
    expect(o.settings).toEqual({ verifyFar: 0.001, identifyFpir: 0.01, floorFar: 0.01 });
    expect(o.impostors).toEqual(IMPOSTORS);
    expect(o.verify).toMatchObject({ source: 'far', origin: 'default', score: expectedPoint(0.001).score });
    expect(o.identifyBySize.map((x: any) => x.identities)).toEqual([1, 10, 100, 1000, 10_000, 100_000]);
    for (const x of o.identifyBySize) expect(x.score).toBe(expectedPoint(Math.max(perComparison(0.01, x.identities), 1e-6)).score);
    expect(o.identifyBySize.map((x: any) => x.clamped ?? false)).toEqual([false, false, false, false, false, true]);
    expect(o.cv).toMatchObject({ source: 'cv', score: -0.8, measured: { far: 0.003 } });
    expect(o.floor).toEqual({ far: 0.01, similarity: 1 + expectedPoint(0.01).score / 2, score: expectedPoint(0.01).score, from: 'impostors' });
    // The gallery size as of the last rebuild.
    expect((await call('POST', '/admin/gallery/rebuild')).status).toBe(200);
    const after = await call('GET', '/v1/model', { auth: 'none' });
    expect(after.data.gallery).toEqual({ identities: 1, rows: 1 });
    expect(after.data.operatingPoints.identify).toMatchObject({ source: 'fpir', identities: 1, score: expectedPoint(0.01).score });
  });
});
