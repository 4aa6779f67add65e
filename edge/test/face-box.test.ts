// A caller's box selects a detected face, which is then aligned like any other (issue 24 item 1):
// with each built real model, a photo through the detector and through its own reported box gives
// the same embedding; a box where no face is is 422 box_no_face; in a group photo each face's box
// (as multiple_faces lists them) picks that face, for enrolment too. Files come from global-setup.
import { reset } from 'cloudflare:test';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import { encodeBase64 } from '../src/http/base64';
import { call, fixture, installRealModel, resetIsolate, served } from './helpers';

const manifests = inject('realManifests');
const BUILT = Object.keys(manifests);
const missing = inject('backboneIds').filter((id) => !manifests[id]);
if (missing.length && process.env.CI) throw new Error(`no built model for ${missing.join(', ')}`);
const havePhotos = inject('photosAvailable') && inject('facesAvailable');

type Box = { x: number; y: number; w: number; h: number };
interface Face { source: string; box: Box; landmarks?: Record<string, [number, number]>; requested?: Box; overlap?: number; facesFound?: number }

const image = async (path: string) => encodeBase64(await served(path));
const SINGLE = ['photos/obama-480p.jpg', 'photos/biden.jpg', 'faces/Serena_Williams/Serena_Williams_0002.jpg'];
const GROUPS = ['photos/two_people.jpg', 'photos/knn_examples/test/obama_and_biden.jpg'];

describe.skipIf(!havePhotos || !BUILT.length).each(BUILT)('%s: a box selects a face', (id) => {
  beforeAll(async () => {
    await reset();
    resetIsolate();
    await installRealModel(id);
  }, 300_000);

  it.each(SINGLE)('%s: the detector path and the photo\'s own reported box give the same embedding (similarity ≥ 0.999)', async (path) => {
    const photo = await image(path);
    const found = await call('POST', '/v1/identify', { json: { image: photo } });
    expect(found.status, JSON.stringify(found.data)).toBe(200);
    const face: Face = found.data.face;
    expect(face.source).toBe('detector');
    const r = await call('POST', '/v1/verify', { json: { a: photo, b: photo, boxB: face.box } });
    expect(r.status, JSON.stringify(r.data)).toBe(200);
    expect(r.data.similarity).toBeGreaterThanOrEqual(0.999);
    const b: Face = r.data.faces.b;
    expect(b).toMatchObject({ source: 'box', requested: face.box, box: face.box, landmarks: face.landmarks, facesFound: face.facesFound });
    expect(b.overlap).toBeGreaterThan(0.99);
  }, 120_000);

  it('a box where no face is: 422 box_no_face listing the faces found; on a face-less image too', async () => {
    const two = await image('photos/two_people.jpg');
    const r = await call('POST', '/v1/identify', { json: { image: two, box: { x: 0, y: 0, w: 120, h: 120 } } });
    expect([r.status, r.data.error?.code], JSON.stringify(r.data)).toEqual([422, 'box_no_face']);
    expect(r.data.error.details).toMatchObject({ field: 'image', facesFound: 2, overlap: 0 });
    expect(r.data.error.details.faces).toHaveLength(2);
    const grey = await call('POST', '/v1/verify', { json: { a: two, b: encodeBase64(fixture('grey.png')), boxB: { x: 60, y: 60, w: 120, h: 120 } } });
    expect([grey.status, grey.data.error?.code, grey.data.error?.details?.field], JSON.stringify(grey.data)).toEqual([422, 'box_no_face', 'b']);
    const enrol = await call('PUT', '/admin/identities/nobody', { json: { images: [{ image: two, box: { x: 0, y: 0, w: 120, h: 120 } }] } });
    expect([enrol.status, enrol.data.error?.code]).toEqual([422, 'box_no_face']);
    expect((await call('GET', '/admin/identities/nobody')).status).toBe(404);
  }, 120_000);

  it.each(GROUPS)('%s: each face\'s listed box picks that face, for enrolment (policy single) and verify', async (path) => {
    const photo = await image(path);
    const refused = await call('PUT', '/admin/identities/group', { json: { images: [photo] } });
    expect([refused.status, refused.data.error?.code], JSON.stringify(refused.data)).toEqual([422, 'multiple_faces']);
    const listed: Face[] = refused.data.error.details.faces;
    expect(listed).toHaveLength(2);
    const used: Face[] = [];
    for (const [i, f] of listed.entries()) {
      const r = await call('PUT', `/admin/identities/group${GROUPS.indexOf(path)}-face${i}`, { json: { images: [{ image: photo, box: f.box }] } });
      expect(r.status, JSON.stringify(r.data)).toBe(201);
      used.push(r.data.faces[0]);
      expect(r.data.faces[0]).toMatchObject({ source: 'box', box: f.box, landmarks: f.landmarks, facesFound: 2 });
    }
    // The two faces are different people: each box's embedding is its own, not the other's.
    const same = await call('POST', '/v1/verify', { json: { a: photo, b: photo, boxA: listed[0].box, boxB: listed[0].box } });
    const other = await call('POST', '/v1/verify', { json: { a: photo, b: photo, boxA: listed[0].box, boxB: listed[1].box } });
    expect(same.data.similarity).toBeGreaterThanOrEqual(0.999);
    expect(other.data.similarity, JSON.stringify(other.data)).toBeLessThan(0.99);
    expect(other.data.faces.a.box).toEqual(used[0].box);
    expect(other.data.faces.b.box).toEqual(used[1].box);
  }, 300_000);
});
